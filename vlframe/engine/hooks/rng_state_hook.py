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
    """
    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        np_state = np.random.get_state()
        checkpoint['rng_state'] = dict(
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

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        if state is None:
            return
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
