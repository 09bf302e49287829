"""Tests for vlframe/engine/hooks/rng_state_hook.py."""
import random

import numpy as np
import torch

from mmengine.runner import get_priority

from vlframe.engine import CheckpointHook, RNGStateHook
from vlframe.registry import HOOKS
from vlframe.utils import safe_torch_load


def draw():
    """Numbers from every generator the hook covers, including the cached
    second Gaussians of numpy and Python."""
    return (torch.rand(5).tolist(), torch.randn(3).tolist(),
            np.random.rand(5).tolist(), np.random.standard_normal(),
            [random.random() for _ in range(5)], random.gauss(0, 1),
            random.randint(0, 10**9))


def prime_gaussian_caches():
    # an odd number of Gaussians leaves one cached in numpy (has_gauss=1)
    # and in Python's random (gauss_next)
    np.random.standard_normal()
    random.gauss(0, 1)


def test_save_draw_restore_draw_is_identical():
    torch.manual_seed(123)
    np.random.seed(123)
    random.seed(123)
    prime_gaussian_caches()
    hook = RNGStateHook()
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    state = checkpoint['rng_state']
    assert sorted(state) == ['cuda', 'numpy', 'python', 'torch']
    assert state['numpy']['has_gauss'] == 1
    assert state['numpy']['name'] == 'MT19937'
    assert state['numpy']['keys'].dtype == torch.int64
    assert state['numpy']['keys'].shape == (624, )
    assert state['python'][2] is not None  # cached Gaussian

    first = draw()
    second = draw()
    assert first != second
    hook.after_load_checkpoint(None, checkpoint)
    assert draw() == first
    assert draw() == second


def test_state_round_trips_through_safe_torch_load(tmp_path):
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    prime_gaussian_caches()
    hook = RNGStateHook()
    checkpoint = dict(meta=dict(epoch=1))
    hook.before_save_checkpoint(None, checkpoint)
    path = tmp_path / 'epoch_1.pth'
    torch.save(checkpoint, path)
    expected = draw()

    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    assert draw() != expected
    loaded = safe_torch_load(str(path))  # weights_only=True
    assert loaded['meta'] == dict(epoch=1)
    assert torch.equal(loaded['rng_state']['torch'],
                       checkpoint['rng_state']['torch'])
    hook.after_load_checkpoint(None, loaded)
    assert draw() == expected


def test_checkpoint_without_state_changes_nothing():
    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    hook = HOOKS.build(dict(type='RNGStateHook'))
    hook.after_load_checkpoint(None, dict(meta={}))
    expected = draw()
    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    assert draw() == expected


def test_validation_is_neutral_for_the_generators():
    """State taken before validation is put back after it."""
    torch.manual_seed(11)
    np.random.seed(11)
    random.seed(11)
    hook = RNGStateHook()
    expected = draw()  # what training would draw without validation
    torch.manual_seed(11)
    np.random.seed(11)
    random.seed(11)
    hook.before_val_epoch(None)
    draw()  # validation (e.g. creating the data loader iterator) draws
    hook.after_val_epoch(None, metrics={'accuracy/overall': 50.0})
    assert draw() == expected
    # a second after_val_epoch without before_val_epoch restores nothing
    assert hook._state_before_val is None
    torch.manual_seed(5)
    hook.after_val_epoch(None)
    value = torch.rand(1).item()
    torch.manual_seed(5)
    assert torch.rand(1).item() == value


def test_runs_before_checkpoint_hook():
    # after_val_epoch must restore the state before CheckpointHook saves a
    # save_best checkpoint in the same after_val_epoch
    assert get_priority(RNGStateHook.priority) < get_priority(
        CheckpointHook.priority)
