"""Tests for vlframe/models/heads/binary_answer_head.py."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vlframe.evaluation.metrics import QuestionTypeAccuracy
from vlframe.models import BinaryAnswerHead, BinaryCrossEntropyLoss
from vlframe.registry import MODELS
from vlframe.structures import VLDataSample


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _samples(labels):
    return [VLDataSample().set_gt_answer(label) for label in labels]


def identity_head():
    """logit = the single input feature (no hidden layers, no dropout)."""
    head = BinaryAnswerHead(in_channels=1, hidden_dims=(), dropout=0.0)
    with torch.no_grad():
        head.mlp[-1].weight.fill_(1.0)
        head.mlp[-1].bias.zero_()
    return head


def test_nlvr_f_layers_and_one_logit():
    head = MODELS.build(
        dict(type='BinaryAnswerHead', in_channels=128, hidden_dims=(128, 128),
             hidden_norm=True, dropout_after_hidden=0.5, dropout=0.0))
    linears = [m for m in head.mlp if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (128, 128), (128, 128), (128, 1)]
    assert isinstance(head.loss_module, BinaryCrossEntropyLoss)
    assert head(torch.randn(3, 128)).shape == (3, 1)
    # the vocabulary is ('false', 'true'): two answers, one logit
    assert head.num_classes == 2
    head.check_classes(('false', 'true'), 'nlvr')
    with pytest.raises(ValueError, match='has 3 answers'):
        head.check_classes(('no', 'yes', 'maybe'), 'answers.json')


def test_loss_is_bce_on_the_label():
    head = BinaryAnswerHead(in_channels=6, hidden_dims=(5, ))
    head.eval()
    feats = torch.randn(4, 6)
    labels = [1, 0, 0, 1]
    loss = head.loss(feats, _samples(labels))['loss']
    expected = F.binary_cross_entropy_with_logits(
        head(feats)[:, 0], torch.tensor(labels, dtype=torch.float32))
    torch.testing.assert_close(loss, expected)
    assert loss.requires_grad and loss.shape == ()


def test_predict_scores_and_threshold():
    head = identity_head()
    logits = torch.tensor([[-2.0], [0.0], [0.1], [3.0]])
    samples = head.predict(logits, _samples([0, 0, 1, 1]))
    prob = torch.sigmoid(logits[:, 0])
    for sample, p in zip(samples, prob):
        assert sample.pred_score.shape == (2, )
        torch.testing.assert_close(sample.pred_score, torch.stack([1 - p, p]))
        assert sample.pred_answer.dtype == torch.long
        assert sample.pred_answer.dim() == 0
    # p > 0.5 is 'true'; exactly 0.5 (logit 0) is 'false'
    assert [int(s.pred_answer) for s in samples] == [0, 0, 1, 1]
    # the best score agrees with the answer (inference_vqa's top-k)
    assert [int(s.pred_score.argmax()) for s in samples] == [0, 0, 1, 1]
    # without data samples, new ones are made
    assert len(head.predict(logits)) == 4


def test_accuracy_metric_reads_the_predictions():
    head = identity_head()
    samples = head.predict(
        torch.tensor([[-1.0], [2.0], [1.5], [-0.5]]), _samples([0, 1, 0, 0]))
    metric = QuestionTypeAccuracy()
    metric.dataset_meta = dict(classes=('false', 'true'))
    metric.process({}, [s.to_dict() for s in samples])
    assert metric.compute_metrics(metric.results)['overall'] == 75.0


def test_labels_other_than_0_1_are_an_error():
    head = BinaryAnswerHead(in_channels=2, hidden_dims=())
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        head.loss(torch.randn(2, 2), _samples([1, 2]))


def test_softmax_loss_is_refused():
    with pytest.raises(ValueError, match='sigmoid loss'):
        BinaryAnswerHead(in_channels=4, loss=dict(type='CrossEntropyLoss'))


def test_learns_a_separable_rule():
    head = BinaryAnswerHead(in_channels=2, hidden_dims=(8, ), dropout=0.0)
    feats = torch.randn(64, 2)
    labels = (feats[:, 0] > feats[:, 1]).long().tolist()
    optim = torch.optim.Adam(head.parameters(), lr=0.05)
    for _ in range(100):
        optim.zero_grad()
        loss = head.loss(feats, _samples(labels))['loss']
        loss.backward()
        optim.step()
    head.eval()
    predicted = [int(s.pred_answer) for s in head.predict(feats)]
    assert sum(p == t for p, t in zip(predicted, labels)) >= 60
