"""What the command-line tools share: arguments, config set-up, the Runner,
and how bad input is reported."""
import argparse
import functools
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
    from vlframe.engine.hooks.visualization_hook import NothingToDrawError
    from vlframe.engine.runner.checkpoint_ensemble_test_loop import \
        MissingEnsembleCheckpointError
    return (UnknownTypeError, ConfigKeyError, DatasetLayoutError,
            UnsafeCheckpointError, CheckpointMismatchError, AnswerVocabError,
            NothingToDrawError, MissingEnsembleCheckpointError)


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


class TextCachedConfig(Config):
    """A ``Config`` whose ``pretty_text`` is formatted once.

    mmengine's Runner stores ``cfg.pretty_text`` in every checkpoint it
    saves, and formatting it runs yapf over the whole config: 170 ms here,
    five times a GCN training step on Cora, paid at each new best
    checkpoint. The Runner's config does not change after it is built.
    """

    @property
    def pretty_text(self) -> str:
        text = self.__dict__.get('_pretty_text_cache')
        if text is None:
            text = Config.pretty_text.fget(self)
            # Config.__setattr__ writes into the config's dict: bypass it
            object.__setattr__(self, '_pretty_text_cache', text)
        return text


def _cache_git_hash() -> None:
    """mmengine's ``Runner.save_checkpoint`` stamps every checkpoint with
    ``mmengine.__version__ + get_git_hash()``, which starts a ``git
    rev-parse`` subprocess per save (3-5 ms here, at every new best
    checkpoint of a GCN run whose step takes 30 ms). The answer cannot
    change while the process runs: ask git once."""
    import mmengine.runner.runner as mmengine_runner
    if not hasattr(mmengine_runner.get_git_hash, 'cache_info'):
        mmengine_runner.get_git_hash = functools.lru_cache(maxsize=None)(
            mmengine_runner.get_git_hash)


def build_runner(cfg: Config):
    """The Runner of ``cfg``, with CPU-only distributed runs set up (gloo,
    DDP without device ids) before mmengine would try CUDA."""
    from mmengine.runner import Runner
    _cache_git_hash()
    if cpu_distributed(cfg.launcher):
        adapt_cfg_for_cpu_distributed(cfg)
        init_cpu_process_group(cfg.launcher)
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from vlframe.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    if type(runner.cfg) is Config:
        # Config.__setattr__ would write "__class__" into the config's dict
        object.__setattr__(runner.cfg, '__class__', TextCachedConfig)
    return runner
