"""Train a model from a config: the mmdetection 3.x command-line contract.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher ...]
"""
import argparse
import os
import os.path as osp

# glibc malloc thresholds first, before torch allocates anything
from vlframe.utils.allocator import tune_malloc

tune_malloc()

import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from vlframe.utils import (adapt_cfg_for_cpu_distributed,  # noqa: E402
                           cpu_distributed, init_cpu_process_group,
                           merge_cfg_options, register_all_modules)
from vlframe.utils.cli import load_config, run_tool  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Train a vlframe model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
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
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config: key=value, dotted keys '
        '(e.g. train_dataloader.batch_size=8); the key must exist')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)

    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    cfg.launcher = args.launcher

    # work_dir: command line > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
        else:
            # mmengine's AmpOptimWrapper asserts a GPU; bf16 needs no scaler
            cfg.optim_wrapper.type = 'AutocastOptimWrapper'
            cfg.optim_wrapper.dtype = 'bfloat16'

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

    if cpu_distributed(args.launcher):
        adapt_cfg_for_cpu_distributed(cfg)
        init_cpu_process_group(args.launcher)

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from vlframe.registry import RUNNERS
        runner = RUNNERS.build(cfg)
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
