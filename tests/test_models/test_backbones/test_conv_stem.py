"""Tests for vlframe/models/backbones/conv_stem.py."""
import pytest
import torch
import torch.nn.functional as F

from vlframe.models import ConvStem


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_default_75x75_to_5x5x24():
    stem = ConvStem()
    out = stem(torch.rand(2, 3, 75, 75))
    assert out.shape == (2, 24, 5, 5)
    assert stem.out_channels == 24
    assert len(stem.blocks) == 4


def test_block_order_conv_act_norm():
    stem = ConvStem(channels=(6, ))
    block = stem.blocks[0]
    assert block.order == ('conv', 'act', 'norm')
    assert block.conv.kernel_size == (3, 3)
    assert block.conv.stride == (2, 2)
    assert block.conv.padding == (1, 1)
    assert block.conv.bias is not None
    # numerically: BN(ReLU(conv(x))) with non-trivial BN statistics
    with torch.no_grad():
        block.bn.running_mean.uniform_(-0.5, 0.5)
        block.bn.running_var.uniform_(0.5, 2.0)
        block.bn.weight.uniform_(0.5, 1.5)
        block.bn.bias.uniform_(-0.5, 0.5)
    stem.eval()
    x = torch.randn(2, 3, 9, 9)
    with torch.no_grad():
        out = stem(x)
        conv = block.conv(x)
        expected = F.batch_norm(F.relu(conv), block.bn.running_mean,
                                block.bn.running_var, block.bn.weight,
                                block.bn.bias, eps=block.bn.eps)
        other_order = F.relu(
            F.batch_norm(conv, block.bn.running_mean, block.bn.running_var,
                         block.bn.weight, block.bn.bias, eps=block.bn.eps))
    assert out.shape == (2, 6, 5, 5)
    torch.testing.assert_close(out, expected, atol=1e-6, rtol=1e-6)
    # BN after ReLU can produce negatives, ReLU last cannot
    assert (out < 0).any()
    assert not torch.allclose(out, other_order)


@pytest.mark.parametrize('channels,size', [((8, ), 38), ((8, 16), 19),
                                           ((4, 4, 12), 10),
                                           ((5, 6, 7, 8, 9), 3)])
def test_channels_control_depth(channels, size):
    stem = ConvStem(channels=channels)
    assert len(stem.blocks) == len(channels)
    assert [b.conv.out_channels for b in stem.blocks] == list(channels)
    assert [b.conv.in_channels
            for b in stem.blocks] == [3, *channels[:-1]]
    assert stem.out_channels == channels[-1]
    assert stem(torch.rand(2, 3, 75, 75)).shape == (2, channels[-1], size,
                                                    size)


def test_in_channels_and_no_norm():
    stem = ConvStem(in_channels=1, channels=(4, 4), norm_cfg=None)
    assert not stem.blocks[0].with_norm
    out = stem(torch.rand(1, 1, 75, 75))
    assert out.shape == (1, 4, 19, 19)
    assert (out >= 0).all()  # ReLU is the last op without a norm
    with pytest.raises(RuntimeError):
        stem(torch.rand(1, 3, 75, 75))  # wrong number of input channels


def test_no_conv_bias_warning():
    # the conv bias is deliberate (ReLU sits between conv and BN), so mmcv's
    # "Unnecessary conv bias before batch/instance norm" is silenced
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        stem = ConvStem(channels=(4, 4))
    assert all(b.conv.bias is not None for b in stem.blocks)
