"""Tests for vlframe/engine/optim_wrappers/autocast_optim_wrapper.py."""
import pytest
import torch
from mmengine.optim import OptimWrapper, build_optim_wrapper
from torch import nn

from vlframe.engine import AutocastOptimWrapper
from vlframe.registry import OPTIM_WRAPPERS


def _wrapper(model, **kwargs):
    return AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1), **kwargs)


def test_bf16_inside_optim_context_only():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    wrapper = _wrapper(model)
    assert isinstance(wrapper, OptimWrapper)
    assert wrapper.cast_dtype == torch.bfloat16
    x = torch.randn(2, 4)
    with wrapper.optim_context(model):
        out = model(x)
        assert torch.is_autocast_enabled('cpu')
    assert out.dtype == torch.bfloat16
    assert not torch.is_autocast_enabled('cpu')
    assert model(x).dtype == torch.float32
    # parameters stay float32
    assert model.weight.dtype == torch.float32
    torch.testing.assert_close(out.float(), model(x), atol=5e-2, rtol=2e-2)


def test_float16_dtype():
    model = nn.Linear(4, 3)
    wrapper = _wrapper(model, dtype='float16')
    assert wrapper.cast_dtype == torch.float16
    with wrapper.optim_context(model):
        out = model(torch.randn(2, 4))
    assert out.dtype == torch.float16


def test_update_params_under_autocast():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    wrapper = _wrapper(model)
    before = model.weight.detach().clone()
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    with wrapper.optim_context(model):
        loss = ((model(x).float() - y)**2).mean()
    wrapper.update_params(loss)
    assert model.weight.grad is None or (model.weight.grad == 0).all()
    assert not torch.equal(model.weight, before)
    assert model.weight.dtype == torch.float32


@pytest.mark.parametrize('dtype', ['float32', 'bf16', 'int8'])
def test_invalid_dtype_raises(dtype):
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError) as info:
        _wrapper(model, dtype=dtype)
    assert str(info.value) == ('AutocastOptimWrapper dtype must be bfloat16 '
                               f'or float16, got {dtype}')


def test_built_from_config():
    model = nn.Linear(3, 2)
    assert OPTIM_WRAPPERS.get('AutocastOptimWrapper') is AutocastOptimWrapper
    wrapper = build_optim_wrapper(
        model,
        dict(type='vlframe.AutocastOptimWrapper', dtype='bfloat16',
             optimizer=dict(type='Adam', lr=1e-4)))
    assert isinstance(wrapper, AutocastOptimWrapper)
    assert isinstance(wrapper.optimizer, torch.optim.Adam)
    assert wrapper.get_lr()['lr'] == [1e-4]
