"""Tests for vlframe/models/losses/cross_entropy_loss.py."""
import math

import pytest
import torch
import torch.nn.functional as F

from vlframe.models import CrossEntropyLoss
from vlframe.registry import MODELS


def test_equals_functional_cross_entropy():
    torch.manual_seed(0)
    logits = torch.randn(6, 10)
    target = torch.tensor([0, 1, 2, 9, 9, 4])
    loss = CrossEntropyLoss()(logits, target)
    torch.testing.assert_close(loss, F.cross_entropy(logits, target))
    assert loss.dtype == torch.float32
    assert loss.shape == ()


def test_hand_computed_value():
    # uniform logits over 4 classes: -log(1/4)
    loss = CrossEntropyLoss()(torch.zeros(2, 4), torch.tensor([0, 3]))
    assert loss.item() == pytest.approx(math.log(4), abs=1e-6)
    # logits (0, ln 3): p(class 1) = 3/4
    logits = torch.tensor([[0.0, math.log(3.0)]])
    loss = CrossEntropyLoss()(logits, torch.tensor([1]))
    assert loss.item() == pytest.approx(-math.log(0.75), abs=1e-6)


def test_bf16_logits_are_computed_in_fp32():
    torch.manual_seed(1)
    logits = (torch.randn(64, 10) * 4).to(torch.bfloat16)
    target = torch.randint(0, 10, (64, ))
    loss = CrossEntropyLoss()(logits, target)
    assert loss.dtype == torch.float32
    expected = F.cross_entropy(logits.float(), target)
    torch.testing.assert_close(loss, expected, atol=0, rtol=0)
    # ... which is not what bf16 arithmetic gives
    in_bf16 = F.cross_entropy(logits, target)
    assert in_bf16.dtype == torch.bfloat16


def test_gradient_flows_back_in_bf16():
    logits = torch.randn(3, 5, dtype=torch.bfloat16, requires_grad=True)
    CrossEntropyLoss()(logits, torch.tensor([0, 1, 4])).backward()
    assert logits.grad.dtype == torch.bfloat16
    assert logits.grad.shape == (3, 5)


@pytest.mark.parametrize('weight', [0.0, 0.5, 2.0])
def test_loss_weight(weight):
    torch.manual_seed(2)
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 1, 2, 0])
    loss = CrossEntropyLoss(loss_weight=weight)(logits, target)
    torch.testing.assert_close(loss, weight * F.cross_entropy(logits, target))


def test_label_smoothing_and_registry_build():
    loss_fn = MODELS.build(
        dict(type='CrossEntropyLoss', loss_weight=3.0, label_smoothing=0.1))
    assert isinstance(loss_fn, CrossEntropyLoss)
    logits = torch.zeros(1, 4)
    logits[0, 0] = 2.0
    target = torch.tensor([0])
    expected = 3.0 * F.cross_entropy(logits, target, label_smoothing=0.1)
    torch.testing.assert_close(loss_fn(logits, target), expected)
    assert loss_fn(logits, target).item() != pytest.approx(
        3.0 * F.cross_entropy(logits, target).item())


def test_soft_targets_are_normalised_per_row():
    from vlframe.models import BinaryCrossEntropyLoss  # noqa: F401
    torch.manual_seed(3)
    logits = torch.randn(3, 4)
    scores = torch.tensor([[0.3, 0.0, 0.9, 0.0], [0.0, 1.0, 0.0, 0.0],
                           [0.0, 0.0, 0.0, 0.0]])
    loss = CrossEntropyLoss(loss_weight=2.0)(logits, scores)
    log_p = torch.log_softmax(logits, dim=1)
    # row 0 -> (0.25, 0, 0.75, 0); row 2 (no answer in the vocabulary)
    # adds nothing but counts in the mean
    expected = -(0.25 * log_p[0, 0] + 0.75 * log_p[0, 2] + log_p[1, 1]) / 3
    torch.testing.assert_close(loss, 2.0 * expected)


def test_one_hot_soft_targets_equal_class_indices():
    torch.manual_seed(4)
    logits = torch.randn(5, 6)
    target = torch.tensor([0, 5, 2, 2, 1])
    one_hot = F.one_hot(target, 6).float()
    for smoothing in (0.0, 0.1):
        loss_fn = CrossEntropyLoss(label_smoothing=smoothing)
        torch.testing.assert_close(loss_fn(logits, one_hot),
                                   loss_fn(logits, target))


def test_soft_targets_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r'soft targets \(2, 3\) must have '
                       r'the shape of the logits \(2, 4\)'):
        CrossEntropyLoss()(torch.zeros(2, 4), torch.zeros(2, 3))


def test_bf16_soft_targets_in_fp32():
    logits = torch.randn(4, 3).to(torch.bfloat16)
    loss = CrossEntropyLoss()(logits, torch.rand(4, 3))
    assert loss.dtype == torch.float32


def test_binary_cross_entropy_vilt_scaling():
    from vlframe.models import BinaryCrossEntropyLoss
    torch.manual_seed(5)
    logits = torch.randn(2, 5)
    target = torch.tensor([[0., 0.3, 0., 1., 0.], [0.9, 0., 0., 0., 0.6]])
    plain = MODELS.build(dict(type='BinaryCrossEntropyLoss'))
    scaled = BinaryCrossEntropyLoss(scale_by_num_classes=True,
                                    loss_weight=0.5)
    expected = F.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(plain(logits, target), expected)
    # ViLT: mean over B x C entries times C = sum over classes / B
    torch.testing.assert_close(scaled(logits, target), 0.5 * 5 * expected)
    by_hand = -(target * F.logsigmoid(logits) +
                (1 - target) * F.logsigmoid(-logits)).sum() / 2
    torch.testing.assert_close(scaled(logits, target), 0.5 * by_hand)
    # class indices are one-hot rows
    torch.testing.assert_close(
        plain(logits, torch.tensor([3, 0])),
        F.binary_cross_entropy_with_logits(
            logits, F.one_hot(torch.tensor([3, 0]), 5).float()))
    with pytest.raises(ValueError, match='must have the shape of the logits'):
        plain(logits, torch.zeros(2, 4))
    assert plain(logits.to(torch.bfloat16), target).dtype == torch.float32
