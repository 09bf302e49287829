"""Test a checkpoint: the mmdetection 3.x command-line contract.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
        [--show-dir DIR] [--show] [--cfg-options k=v ...] [--launcher ...]
"""
import argparse
import os
import os.path as osp

from vlframe.utils.allocator import tune_malloc

tune_malloc()

from mmengine.config import DictAction  # noqa: E402
from mmengine.evaluator import DumpResults  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from vlframe.utils import (adapt_cfg_for_cpu_distributed,  # noqa: E402
                           cpu_distributed, init_cpu_process_group,
                           load_model_weights, merge_cfg_options,
                           register_all_modules)
from vlframe.utils.cli import load_config, run_tool  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a vlframe model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved. If specified, '
        'it will be automatically saved to the work_dir/timestamp/show_dir')
    parser.add_argument(
        '--show-interval',
        type=int,
        default=None,
        help='draw one test sample in this many (default: the config\'s)')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config: key=value, dotted keys; the '
        'key must exist')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def trigger_visualization_hook(cfg, args):
    default_hooks = cfg.default_hooks
    if 'visualization' not in default_hooks:
        raise RuntimeError(
            'VisualizationHook must be included in default_hooks. '
            'refer to usage "visualization=dict(type=\'VQAVisualizationHook\')"')
    hook = default_hooks['visualization']
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        hook['test_out_dir'] = args.show_dir
    if args.show_interval is not None:
        hook['interval'] = args.show_interval


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)

    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    cfg.launcher = args.launcher

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    # the weights are loaded below, strictly, instead of by the Runner
    cfg.load_from = None
    cfg.resume = False

    if args.show or args.show_dir:
        trigger_visualization_hook(cfg, args)

    if cpu_distributed(args.launcher):
        adapt_cfg_for_cpu_distributed(cfg)
        init_cpu_process_group(args.launcher)

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from vlframe.registry import RUNNERS
        runner = RUNNERS.build(cfg)

    model = runner.model.module if hasattr(runner.model,
                                           'module') else runner.model
    load_model_weights(model, args.checkpoint)

    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl or .pickle file')
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))

    runner.test()


if __name__ == '__main__':
    run_tool(main)
