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
