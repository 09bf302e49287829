"""What every command-line tool does first, and how it reports bad input."""
import sys
from typing import Callable

from mmengine.config import Config

# errors whose message is the whole story: print it, no traceback
from vlframe.registry import UnknownTypeError
from .checkpoint import CheckpointMismatchError, UnsafeCheckpointError
from .config import ConfigKeyError


def user_errors() -> tuple:
    from vlframe.datasets import DatasetLayoutError
    return (UnknownTypeError, ConfigKeyError, DatasetLayoutError,
            UnsafeCheckpointError, CheckpointMismatchError)


def run_tool(main: Callable[[], None]) -> None:
    """Run ``main``; a user error prints ``error: <message>`` and exits 2.

    Errors raised inside an mmengine build are re-raised by mmengine with
    the class and file prefixed; the message still names the cause.
    """
    try:
        main()
    except user_errors() as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)


def load_config(path: str) -> Config:
    import os.path as osp
    if not osp.isfile(path):
        raise ConfigKeyError(f'config file {path} does not exist')
    return Config.fromfile(path)
