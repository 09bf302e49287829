"""What the command-line tools share: arguments, config set-up, the Runner,
and how bad input is reported."""
import argparse
import os
import os.path as osp
import sys
from typing import Callable

from mmengine.config import Config, DictAction

# errors whose message is the whole story: print it, no traceback
from vlframe.registry import UnknownTypeError
from .checkpoint import CheckpointMismatchError, UnsafeCheckpointError
from .config import ConfigKeyError, merge_cfg_options
from .dist import (adapt_cfg_for_cpu_distributed, cpu_distributed,
                   init_cpu_process_group)


def user_errors() -> tuple:
    from vlframe.datasets import DatasetLayoutError
    from vlframe.engine.hooks import AnswerVocabError
    return (UnknownTypeError, ConfigKeyError, DatasetLayoutError,
            UnsafeCheckpointError, CheckpointMismatchError, AnswerVocabError)


def run_tool(main: Callable[[], None], tool_errors: tuple = ()) -> None:
    """Run ``main``; a user error prints ``error: <message>`` and exits 2.

    ``tool_errors``: the tool's own user-error classes, handled the same.
    Errors raised inside an mmengine build are re-raised by mmengine with
    the class and file prefixed; the message still names the cause.
    """
    try:
        main()
    except user_errors() + tuple(tool_errors) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """--work-dir, --cfg-options, --launcher, --local-rank (mmdet's)."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
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


def load_config(path: str) -> Config:
    if not osp.isfile(path):
        raise ConfigKeyError(f'config file {path} does not exist')
    return Config.fromfile(path)


def prepare_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` with ``--cfg-options`` applied, the launcher and
    the work_dir (command line > config > ./work_dirs/<config name>)."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def build_runner(cfg: Config):
    """The Runner of ``cfg``, with CPU-only distributed runs set up (gloo,
    DDP without device ids) before mmengine would try CUDA."""
    from mmengine.runner import Runner
    if cpu_distributed(cfg.launcher):
        adapt_cfg_for_cpu_distributed(cfg)
        init_cpu_process_group(cfg.launcher)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    from vlframe.registry import RUNNERS
    return RUNNERS.build(cfg)
