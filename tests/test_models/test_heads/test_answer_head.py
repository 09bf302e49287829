"""Tests for vlframe/models/heads/answer_head.py."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vlframe.models import AnswerHead, CrossEntropyLoss
from vlframe.structures import VLDataSample


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _samples(answers):
    return [VLDataSample().set_gt_answer(a) for a in answers]


def test_layers_for_rn_head():
    head = AnswerHead(in_channels=256, num_classes=10, hidden_dims=(256, 256))
    kinds = [type(m) for m in head.mlp]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Dropout,
                     nn.Linear]
    assert [(m.in_features, m.out_features)
            for m in head.mlp if isinstance(m, nn.Linear)] == [(256, 256),
                                                                (256, 256),
                                                                (256, 10)]
    assert head.mlp[4].p == 0.5  # dropout right before the classifier
    assert isinstance(head.loss_module, CrossEntropyLoss)


def test_layers_for_cnn_mlp_head():
    head = AnswerHead(in_channels=256, num_classes=10, hidden_dims=(256, ),
                      dropout=0.25)
    kinds = [type(m) for m in head.mlp]
    assert kinds == [nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]
    assert head.mlp[2].p == 0.25
    assert head.mlp[3].in_features == 256 and head.mlp[3].out_features == 10


def test_no_hidden_layers():
    head = AnswerHead(in_channels=8, num_classes=3, hidden_dims=())
    assert [type(m) for m in head.mlp] == [nn.Dropout, nn.Linear]
    assert head(torch.randn(2, 8)).shape == (2, 3)


def test_loss_equals_cross_entropy_of_logits():
    head = AnswerHead(in_channels=16, num_classes=10, hidden_dims=(32, ))
    head.eval()  # no dropout: forward is deterministic
    feats = torch.randn(4, 16)
    answers = [0, 9, 3, 3]
    losses = head.loss(feats, _samples(answers))
    assert list(losses) == ['loss']
    logits = head(feats)
    expected = F.cross_entropy(logits, torch.tensor(answers))
    torch.testing.assert_close(losses['loss'], expected)
    assert losses['loss'].shape == ()
    assert losses['loss'].requires_grad


def test_loss_uses_configured_loss():
    head = AnswerHead(in_channels=4, num_classes=3, hidden_dims=(),
                      loss=dict(type='CrossEntropyLoss', loss_weight=0.5))
    head.eval()
    feats = torch.randn(2, 4)
    loss = head.loss(feats, _samples([1, 2]))['loss']
    expected = 0.5 * F.cross_entropy(head(feats), torch.tensor([1, 2]))
    torch.testing.assert_close(loss, expected)


def test_predict_sets_argmax_and_softmax():
    head = AnswerHead(in_channels=16, num_classes=10)
    head.eval()
    feats = torch.randn(5, 16)
    samples = head.predict(feats, _samples([0, 1, 2, 3, 4]))
    logits = head(feats)
    assert len(samples) == 5
    for k, sample in enumerate(samples):
        assert sample.pred_score.shape == (10, )
        assert sample.pred_score.dtype == torch.float32
        assert abs(sample.pred_score.sum().item() - 1.0) < 1e-6
        assert (sample.pred_score > 0).all()
        assert sample.pred_answer.dtype == torch.long
        assert sample.pred_answer.shape == ()
        assert int(sample.pred_answer) == int(logits[k].argmax())
        torch.testing.assert_close(sample.pred_score,
                                   torch.softmax(logits[k], dim=0))
        assert int(sample.gt_answer) == k  # ground truth kept


def test_predict_without_samples_creates_them():
    head = AnswerHead(in_channels=4, num_classes=3, hidden_dims=())
    with torch.no_grad():
        head.mlp[-1].weight.zero_()
        head.mlp[-1].bias.copy_(torch.tensor([0.0, 2.0, 1.0]))
    samples = head.predict(torch.randn(2, 4))
    assert [type(s) for s in samples] == [VLDataSample, VLDataSample]
    assert [int(s.pred_answer) for s in samples] == [1, 1]
    expected = torch.softmax(torch.tensor([0.0, 2.0, 1.0]), 0)
    torch.testing.assert_close(samples[0].pred_score, expected)


@pytest.mark.parametrize('answers,shown', [([0, 10], '0..10'),
                                           ([12, 3], '3..12'),
                                           ([-1, 2], '-1..2')])
def test_out_of_range_gt_answer_raises(answers, shown):
    head = AnswerHead(in_channels=4, num_classes=10, hidden_dims=())
    with pytest.raises(ValueError) as info:
        head.loss(torch.randn(2, 4), _samples(answers))
    msg = str(info.value)
    assert 'gt_answer values must be in [0, 10)' in msg
    assert 'num_classes=10' in msg
    assert f'got {shown}' in msg


def _soft_samples(rows):
    """rows: list of (labels, weights) -> VQA-style samples."""
    return [
        VLDataSample().set_gt_answer(torch.tensor(labels)).
        set_gt_answer_weight(weights) for labels, weights in rows
    ]


def test_tanh_and_dropout_before_hidden_for_vqa_baseline():
    head = AnswerHead(in_channels=1024, num_classes=1000, hidden_dims=(1024, ),
                      act='tanh', dropout_before_hidden=0.5, dropout=0.0)
    kinds = [type(m) for m in head.mlp]
    assert kinds == [nn.Dropout, nn.Linear, nn.Tanh, nn.Dropout, nn.Linear]
    assert head.mlp[0].p == 0.5 and head.mlp[3].p == 0.0
    assert head.mlp[4].out_features == 1000


def test_bad_activation():
    with pytest.raises(ValueError, match="act must be one of"):
        AnswerHead(in_channels=4, num_classes=3, act='gelu')


def test_soft_targets_give_the_normalised_soft_cross_entropy():
    head = AnswerHead(in_channels=8, num_classes=5, hidden_dims=())
    head.eval()
    feats = torch.randn(3, 8)
    samples = _soft_samples([([1, 3], [1.0, 0.3]), ([0], [0.6]),
                             ([], [])])  # no answer in the vocabulary
    loss = head.loss(feats, samples)['loss']
    log_p = torch.log_softmax(head(feats), dim=1)
    expected = -(log_p[0, 1] * 1.0 / 1.3 + log_p[0, 3] * 0.3 / 1.3 +
                 log_p[1, 0]) / 3
    torch.testing.assert_close(loss, expected)


def test_soft_targets_with_binary_cross_entropy():
    head = AnswerHead(
        in_channels=8, num_classes=4, hidden_dims=(),
        loss=dict(type='BinaryCrossEntropyLoss', scale_by_num_classes=True))
    head.eval()
    feats = torch.randn(2, 8)
    samples = _soft_samples([([2], [0.9]), ([0, 1], [0.3, 1.0])])
    target = torch.tensor([[0., 0., 0.9, 0.], [0.3, 1.0, 0., 0.]])
    expected = 4 * F.binary_cross_entropy_with_logits(head(feats), target)
    torch.testing.assert_close(head.loss(feats, samples)['loss'], expected)
    # single answers are one-hot rows for a BCE head
    hard = _samples([3, 1])
    one_hot = F.one_hot(torch.tensor([3, 1]), 4).float()
    torch.testing.assert_close(
        head.loss(feats, hard)['loss'],
        4 * F.binary_cross_entropy_with_logits(head(feats), one_hot))
    # BCE-trained answers are independent: sigmoid scores
    preds = head.predict(feats)
    torch.testing.assert_close(preds[0].pred_score,
                               torch.sigmoid(head(feats)[0]))


def test_soft_target_labels_outside_the_head_vocabulary():
    """Item 9: an answer vocabulary that does not match the head size."""
    head = AnswerHead(in_channels=4, num_classes=1000, hidden_dims=())
    samples = _soft_samples([([5, 3128], [1.0, 0.3])])
    with pytest.raises(ValueError) as info:
        head.loss(torch.randn(1, 4), samples)
    msg = str(info.value)
    assert 'must be in [0, 1000)' in msg and '3128' in msg
    assert 'num_classes=1000' in msg and 'disagree' in msg


def test_check_classes_names_the_vocabulary_file():
    head = AnswerHead(in_channels=4, num_classes=1000, hidden_dims=())
    head.check_classes([str(i) for i in range(1000)], 'answers.json')
    with pytest.raises(ValueError) as info:
        head.check_classes([str(i) for i in range(3129)],
                           'data/vqa/answer_vocab_3129.json')
    msg = str(info.value)
    assert 'data/vqa/answer_vocab_3129.json' in msg
    assert 'has 3129 answers' in msg and 'num_classes=1000' in msg
    assert 'model.head.num_classes=3129' in msg
