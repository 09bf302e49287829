"""Tests for vlframe/models/fusions/concat_mlp.py."""
import pytest
import torch
import torch.nn.functional as F

from vlframe.models import ConcatMLPFusion


def test_output_shape_and_values():
    torch.manual_seed(0)
    fusion = ConcatMLPFusion(in_channels=24, num_objects=25, question_dim=11)
    assert fusion.in_features == 24 * 25 + 11 == 611
    assert fusion.fc.in_features == 611 and fusion.fc.out_features == 256
    feats = torch.randn(3, 24, 5, 5)
    question = torch.rand(3, 11)
    out = fusion(feats, question)
    assert out.shape == (3, 256)
    assert fusion.out_channels == 256
    # relu(W [flatten(feats), q] + b), flattening channel-major
    expected = F.relu(
        fusion.fc(torch.cat([feats.reshape(3, -1), question], dim=1)))
    torch.testing.assert_close(out, expected)
    assert (out >= 0).all()


def test_custom_width_and_double_question_cast():
    fusion = ConcatMLPFusion(in_channels=2, num_objects=4, question_dim=3,
                             out_channels=5)
    out = fusion(torch.randn(2, 2, 2, 2), torch.rand(2, 3).double())
    assert out.shape == (2, 5)
    assert out.dtype == torch.float32


@pytest.mark.parametrize('num_objects,feat_size', [(16, 5), (25, 4)])
def test_bad_num_objects_raises(num_objects, feat_size):
    fusion = ConcatMLPFusion(in_channels=24, num_objects=num_objects,
                             question_dim=11)
    with pytest.raises(ValueError) as info:
        fusion(torch.randn(2, 24, feat_size, feat_size), torch.rand(2, 11))
    msg = str(info.value)
    assert f'expects {24 * num_objects + 11} input features' in msg
    assert f'got {24 * feat_size * feat_size} image + 11 question' in msg
    assert 'check num_objects against the image size' in msg


def test_bad_question_dim_raises():
    fusion = ConcatMLPFusion(in_channels=24, num_objects=25, question_dim=11)
    with pytest.raises(ValueError, match='got 600 image \\+ 18 question'):
        fusion(torch.randn(2, 24, 5, 5), torch.rand(2, 18))
