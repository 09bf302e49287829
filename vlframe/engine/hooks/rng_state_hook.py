import random

import numpy as np
import torch
from mmengine.hooks import Hook

from vlframe.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the random number generators' state in every checkpoint and
    restore it on resume.

    mmengine re-seeds on resume but does not restore the generators, so the
    dropout masks (and any random augmentation) after a resume differ from
    those of an uninterrupted run. With this hook a run resumed after an
    epoch continues bit-for-bit as if it had not stopped (on the same
    machine and thread count). All states are tensors or tuples of ints and
    strings, which load with ``weights_only=True``.

    Validation runs between saving a checkpoint and the next epoch (and
    creating its data loader iterator draws from torch's generator), so it
    would advance the generators in an uninterrupted run but not in a
    resumed one. The hook therefore makes validation neutral: the state is
    put back after every validation, before ``save_best`` checkpoints.
    """
    # before CheckpointHook in after_val_epoch, so that save_best
    # checkpoints see the restored state
    priority = 'VERY_HIGH'

    def __init__(self):
        self._state_before_val = None

    def before_val_epoch(self, runner) -> None:
        self._state_before_val = self.get_state()

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._state_before_val is not None:
            self.set_state(self._state_before_val)
            self._state_before_val = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = self.get_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        if state is not None:
            self.set_state(state)

    @staticmethod
    def get_state() -> dict:
        """torch (CPU and CUDA), numpy and Python generator states."""
        np_state = np.random.get_state()
        return dict(
            torch=torch.get_rng_state(),
            cuda=(torch.cuda.get_rng_state_all()
                  if torch.cuda.is_available() else []),
            numpy=dict(
                name=np_state[0],
                keys=torch.from_numpy(np_state[1].astype(np.int64)),
                pos=int(np_state[2]),
                has_gauss=int(np_state[3]),
                cached_gaussian=float(np_state[4])),
            python=random.getstate())

    @staticmethod
    def set_state(state: dict) -> None:
        torch.set_rng_state(state['torch'])
        if state['cuda'] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
        np_state = state['numpy']
        np.random.set_state(
            (np_state['name'], np_state['keys'].numpy().astype(np.uint32),
             np_state['pos'], np_state['has_gauss'],
             np_state['cached_gaussian']))
        version, internal, gauss = state['python']
        random.setstate((version, tuple(internal), gauss))
