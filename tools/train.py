"""Train a model from a config: the mmdetection 3.x command-line contract.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher ...]
"""
import argparse

# glibc malloc thresholds first, before torch allocates anything
from vlframe.utils.allocator import tune_malloc

tune_malloc()

import torch  # noqa: E402
from vlframe.utils import register_all_modules  # noqa: E402
from vlframe.utils.cli import (add_common_args, build_runner,  # noqa: E402
                               prepare_config, run_tool)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a vlframe model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='mixed precision: fp16 with loss scaling on CUDA, bfloat16 '
        'autocast on a CPU')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr linearly with the total batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, with no value, from the '
        'latest checkpoint in the work_dir')
    add_common_args(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)

    cfg = prepare_config(args)

    if args.amp:
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
        else:
            # mmengine's AmpOptimWrapper asserts a GPU; bf16 needs no scaler
            cfg.optim_wrapper.type = 'AutocastOptimWrapper'
            cfg.optim_wrapper.dtype = 'bfloat16'
            cfg.optim_wrapper.pop('loss_scale', None)

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or \
                'base_batch_size' not in cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs auto_scale_lr.'
                           'base_batch_size in the config')
        cfg.auto_scale_lr.enable = True

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    runner = build_runner(cfg)
    if runner.distributed:
        message = (f'Distributed training: world size {runner.world_size}, '
                   f'backend {torch.distributed.get_backend()}, '
                   f'rank {runner.rank}')
        # mmengine's logger is silent on ranks > 0 and writes the file on
        # rank 0 only: say it on every rank's stdout, and in the log
        print(message, flush=True)
        runner.logger.info(message)
    runner.train()


if __name__ == '__main__':
    run_tool(main)
