"""Tests for AnswerHead's ``hidden_norm`` and ``dropout_after_hidden``
(vlframe/models/heads/answer_head.py): f of the RN reimplementation on
NLVR, 2 x [Linear, BN, ReLU, dropout]."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vlframe.models import AnswerHead


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_defaults_unchanged():
    head = AnswerHead(in_channels=8, num_classes=3, hidden_dims=(6, 5))
    assert [type(m) for m in head.mlp] == [
        nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]


def test_norm_and_dropout_after_each_hidden_layer():
    head = AnswerHead(in_channels=128, num_classes=4, hidden_dims=(128, 64),
                      hidden_norm=True, dropout_after_hidden=0.5,
                      dropout=0.0)
    assert [type(m) for m in head.mlp] == [
        nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout,
        nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout,
        nn.Dropout, nn.Linear]
    assert [m.num_features for m in head.mlp
            if isinstance(m, nn.BatchNorm1d)] == [128, 64]
    assert [m.p for m in head.mlp if isinstance(m, nn.Dropout)] == [
        0.5, 0.5, 0.0]


def test_with_dropout_before_hidden_order():
    head = AnswerHead(in_channels=4, num_classes=2, hidden_dims=(3, ),
                      dropout_before_hidden=0.1, hidden_norm=True,
                      dropout_after_hidden=0.2, act='tanh')
    assert [type(m) for m in head.mlp] == [
        nn.Dropout, nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout,
        nn.Dropout, nn.Linear]
    assert [m.p for m in head.mlp if isinstance(m, nn.Dropout)] == [
        0.1, 0.2, 0.5]


def test_hidden_norm_numerically_in_eval():
    head = AnswerHead(in_channels=5, num_classes=3, hidden_dims=(4, ),
                      hidden_norm=True)
    linear, norm, final = head.mlp[0], head.mlp[1], head.mlp[-1]
    with torch.no_grad():
        norm.running_mean.uniform_(-1, 1)
        norm.running_var.uniform_(0.5, 2)
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
    head.eval()
    x = torch.randn(6, 5)
    with torch.no_grad():
        hidden = F.relu(
            F.batch_norm(linear(x), norm.running_mean, norm.running_var,
                         norm.weight, norm.bias, eps=norm.eps))
        torch.testing.assert_close(head(x), final(hidden))
