from .allocator import minor_page_faults, tune_malloc
from .checkpoint import (CheckpointMismatchError, UnsafeCheckpointError,
                         install_checkpoint_safety, load_model_weights,
                         safe_torch_load)
from .config import ConfigKeyError, merge_cfg_options
from .cpu_info import cpu_line, describe_cpu
from .dist import (adapt_cfg_for_cpu_distributed, cpu_distributed,
                   init_cpu_process_group)
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'tune_malloc', 'minor_page_faults',
    'install_checkpoint_safety', 'safe_torch_load', 'UnsafeCheckpointError',
    'CheckpointMismatchError', 'load_model_weights',
    'merge_cfg_options', 'ConfigKeyError', 'cpu_distributed',
    'init_cpu_process_group', 'adapt_cfg_for_cpu_distributed',
    'describe_cpu', 'cpu_line'
]
