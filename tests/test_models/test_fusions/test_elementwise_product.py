"""Tests for vlframe/models/fusions/elementwise_product.py."""
import pytest
import torch

from vlframe.models import ElementwiseProductFusion
from vlframe.registry import MODELS


def test_product_of_the_two_embeddings():
    fusion = MODELS.build(dict(type='ElementwiseProductFusion'))
    image = torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]])
    question = torch.tensor([[2.0, 0.5, -1.0], [4.0, 1.0, 0.25]])
    out = fusion(image, question)
    assert out.tolist() == [[2.0, -1.0, -0.5], [0.0, 3.0, 0.25]]


def test_dropout_only_in_training():
    torch.manual_seed(0)
    fusion = ElementwiseProductFusion(dropout=0.5)
    image, question = torch.ones(4, 1000), torch.full((4, 1000), 2.0)
    fusion.train()
    out = fusion(image, question)
    zeros = (out == 0).float().mean().item()
    assert 0.4 < zeros < 0.6
    # kept units are scaled by 1 / (1 - p)
    assert set(out.unique().tolist()) == {0.0, 4.0}
    fusion.eval()
    assert torch.equal(fusion(image, question), image * question)


@pytest.mark.parametrize('image_shape,question_shape', [((2, 4), (2, 5)),
                                                        ((2, 4, 1, 1),
                                                         (2, 4))])
def test_shapes_must_match(image_shape, question_shape):
    with pytest.raises(ValueError, match='image_neck.out_channels == '
                       'question_encoder.out_channels'):
        ElementwiseProductFusion()(torch.ones(image_shape),
                                   torch.ones(question_shape))
