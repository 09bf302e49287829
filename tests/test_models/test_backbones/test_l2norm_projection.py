"""Tests for vlframe/models/backbones/l2norm_projection.py."""
import pytest
import torch
import torch.nn.functional as F

from vlframe.models import L2NormProjection
from vlframe.registry import MODELS


def test_normalise_then_fc_tanh():
    torch.manual_seed(0)
    proj = MODELS.build(dict(type='L2NormProjection', in_channels=6,
                             out_channels=4))
    feats = torch.randn(3, 6) * 50
    expected = torch.tanh(proj.fc(feats / feats.norm(dim=1, keepdim=True)))
    torch.testing.assert_close(proj(feats), expected)
    # the scale of the feature does not matter
    torch.testing.assert_close(proj(feats * 7), proj(feats))


def test_feature_maps_are_flattened_not_pooled():
    torch.manual_seed(1)
    proj = L2NormProjection(in_channels=2 * 3 * 3, out_channels=5)
    fmap = torch.randn(2, 2, 3, 3)
    torch.testing.assert_close(proj(fmap), proj(fmap.flatten(1)))
    # moving an activation to another cell changes the output
    moved = torch.roll(fmap, shifts=1, dims=3)
    assert not torch.allclose(proj(moved), proj(fmap))


def test_options_and_half_precision_features():
    proj = L2NormProjection(in_channels=4, out_channels=3,
                            l2_normalize=False, act=None)
    feats = torch.randn(2, 4)
    torch.testing.assert_close(proj(feats), F.linear(feats, proj.fc.weight,
                                                     proj.fc.bias))
    assert proj(feats.half()).dtype == torch.float32
    with pytest.raises(ValueError, match='act must be one of'):
        L2NormProjection(in_channels=4, act='gelu')


def test_wrong_feature_size():
    with pytest.raises(ValueError, match='built for in_channels=4096 but got '
                       r'features of size 2048 \(input shape \(2, 2048\)\)'):
        L2NormProjection(in_channels=4096)(torch.randn(2, 2048))
