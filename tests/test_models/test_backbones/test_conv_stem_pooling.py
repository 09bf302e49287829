"""Tests for ConvStem's ``pool_sizes`` (vlframe/models/backbones/
conv_stem.py): the max-pooling stem of the RN reimplementation on NLVR."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vlframe.models import ConvStem


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def nlvr_stem(**kwargs):
    return ConvStem(
        channels=(16, 16, 16, 32),
        stride=1,
        padding=1,
        order=('conv', 'norm', 'act'),
        pool_sizes=(4, 3, 2),
        **kwargs)


def test_nlvr_layout_50x200_to_2x8x32():
    stem = nlvr_stem()
    out = stem(torch.rand(2, 3, 50, 200))
    # 50x200 -> /4 -> 12x50 -> /3 -> 4x16 -> /2 -> 2x8, the last block
    # unpooled
    assert out.shape == (2, 32, 2, 8)
    assert stem.out_channels == 32
    assert [type(p) for p in stem.pools] == [nn.MaxPool2d] * 3
    assert [p.kernel_size for p in stem.pools] == [4, 3, 2]
    assert [p.stride for p in stem.pools] == [4, 3, 2]
    block = stem.blocks[0]
    assert block.order == ('conv', 'norm', 'act')
    assert block.conv.stride == (1, 1) and block.conv.padding == (1, 1)
    assert (out >= 0).all()  # ReLU last


def test_pooling_follows_each_block_numerically():
    stem = ConvStem(channels=(4, 6, 8), stride=1, pool_sizes=(2, 1, 3))
    stem.eval()
    x = torch.randn(2, 3, 24, 36)
    with torch.no_grad():
        expected = F.max_pool2d(stem.blocks[0](x), 2)
        expected = stem.blocks[1](expected)  # pool size 1: no pooling
        expected = F.max_pool2d(stem.blocks[2](expected), 3)
        out = stem(x)
    assert isinstance(stem.pools[1], nn.Identity)
    assert out.shape == (2, 8, 4, 6)
    torch.testing.assert_close(out, expected)


def test_fewer_pool_sizes_than_blocks_and_floor():
    # pooling after the first block only; 75 -> 38 (stride 2) -> 12
    # (floor of 38 / 3) -> 6 -> 3
    stem = ConvStem(channels=(4, 4, 4), pool_sizes=(3, ))
    assert len(stem.pools) == 1
    assert stem(torch.rand(1, 3, 75, 75)).shape == (1, 4, 3, 3)


def test_default_has_no_pooling_and_same_parameters():
    plain = ConvStem()
    pooled = ConvStem(pool_sizes=(2, 2))
    assert len(plain.pools) == 0
    assert plain(torch.rand(1, 3, 75, 75)).shape == (1, 24, 5, 5)
    # pooling has no parameters: checkpoints of either load into the other
    assert list(plain.state_dict()) == list(pooled.state_dict())
    pooled.load_state_dict(plain.state_dict())


@pytest.mark.parametrize('pool_sizes', [(2, 2, 2, 2, 2), (0, ), (2, -1),
                                        (2.5, ), (True, )])
def test_bad_pool_sizes(pool_sizes):
    with pytest.raises(ValueError, match='pool_sizes'):
        ConvStem(pool_sizes=pool_sizes)

