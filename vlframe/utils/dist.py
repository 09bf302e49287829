"""Distributed training on machines without a GPU.

mmengine 0.10.7's ``pytorch`` launcher calls ``torch.cuda.set_device``
unconditionally, and its default DDP wrapper passes ``device_ids=[LOCAL_RANK]``
which DDP rejects for CPU modules. On a CPU-only machine we initialise the
gloo process group ourselves before the Runner does (the Runner then skips its
own initialisation because ``torch.distributed.is_initialized()``), and tell
the Runner's DDP wrapper not to pin a device.
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def cpu_distributed(launcher: str) -> bool:
    return launcher != 'none' and not torch.cuda.is_available()


def init_cpu_process_group(launcher: str, timeout_s: int = 1800) -> None:
    """Join the gloo process group described by the launcher's env vars."""
    if torch_dist.is_initialized():
        return
    if launcher == 'slurm':
        # the same variables mmengine's slurm launcher derives
        os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
        os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
        os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])
        os.environ.setdefault('MASTER_PORT', '29500')
        if 'MASTER_ADDR' not in os.environ:
            import subprocess
            node_list = os.environ['SLURM_NODELIST']
            os.environ['MASTER_ADDR'] = subprocess.getoutput(
                f'scontrol show hostname {node_list} | head -n1')
    elif launcher != 'pytorch':
        raise ValueError(f'launcher "{launcher}" is not supported on CPU; '
                         'use "pytorch" (torchrun) or "slurm"')
    from datetime import timedelta
    torch_dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        timeout=timedelta(seconds=timeout_s))


def adapt_cfg_for_cpu_distributed(cfg: Config) -> None:
    """gloo instead of nccl; DDP without device_ids."""
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
