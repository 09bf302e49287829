"""Tests for vlframe/evaluation/metrics/question_type_accuracy.py."""
import pytest
import torch
from mmengine.evaluator import Evaluator

import vlframe.evaluation.metrics.question_type_accuracy as qta_module
from vlframe.evaluation import QuestionTypeAccuracy
from vlframe.registry import METRICS
from vlframe.structures import VLDataSample

# (family, subtype, pred, gt)
ROWS = [
    ('non_relational', 'shape', 2, 2),  # right
    ('non_relational', 'shape', 3, 2),  # wrong
    ('non_relational', 'horizontal', 0, 0),  # right
    ('relational', 'closest', 3, 3),  # right
    ('relational', 'closest', 2, 2),  # right
    ('relational', 'closest', 3, 2),  # wrong
    ('relational', 'count', 5, 6),  # wrong
    ('ternary', 'between', 4, 4),  # right
]
# 5 of 8 right; non_relational 2/3, relational 2/4, ternary 1/1
EXPECTED = {
    'overall': 62.5,
    'non_relational': 200 / 3,
    'non_relational/shape': 50.0,
    'non_relational/horizontal': 100.0,
    'relational': 50.0,
    'relational/closest': 200 / 3,
    'relational/count': 0.0,
    'ternary': 100.0,
    'ternary/between': 100.0,
}
TABLE = '\n'.join([
    'question type                accuracy  questions',
    '------------------------------------------------',
    'overall                        62.50%          8',
    'non_relational                 66.67%          3',
    '  horizontal                  100.00%          1',
    '  shape                        50.00%          2',
    'relational                     50.00%          4',
    '  closest                      66.67%          3',
    '  count                         0.00%          1',
    'ternary                       100.00%          1',
    '  between                     100.00%          1',
])


def data_samples(rows=ROWS):
    return [
        VLDataSample(metainfo=dict(question_family=f, question_subtype=s))
        .set_pred_answer(p).set_gt_answer(g) for f, s, p, g in rows
    ]


def test_evaluator_gives_prefixed_percentages():
    evaluator = Evaluator(METRICS.build(dict(type='QuestionTypeAccuracy')))
    samples = data_samples()
    # two batches, as a ValLoop would send them
    evaluator.process(samples[:5])
    evaluator.process(samples[5:])
    metrics = evaluator.evaluate(8)
    assert metrics == pytest.approx(
        {f'accuracy/{k}': v
         for k, v in EXPECTED.items()})
    assert sorted(metrics) == sorted(f'accuracy/{k}' for k in EXPECTED)
    assert metrics['accuracy/overall'] == 62.5


def test_process_and_compute_metrics_directly():
    metric = QuestionTypeAccuracy()
    metric.process(None, [s.to_dict() for s in data_samples()])
    assert [r['correct'] for r in metric.results] == [
        True, False, True, True, True, False, False, True
    ]
    assert metric.results[6] == dict(correct=False, family='relational',
                                     subtype='count')
    assert metric.compute_metrics(metric.results) == pytest.approx(EXPECTED)


def test_evaluate_with_size_resets_results():
    metric = QuestionTypeAccuracy()
    metric.process(None, [s.to_dict() for s in data_samples()])
    first = metric.evaluate(8)
    assert first['accuracy/relational/count'] == 0.0
    assert metric.results == []
    # a second round with only right answers
    metric.process(None, [s.to_dict() for s in data_samples(
        [('relational', 'count', 6, 6)])])
    assert metric.evaluate(1) == {
        'accuracy/overall': 100.0,
        'accuracy/relational': 100.0,
        'accuracy/relational/count': 100.0
    }


def test_custom_prefix_and_missing_question_type():
    metric = QuestionTypeAccuracy(prefix='val')
    samples = [
        dict(pred_answer=torch.tensor(1), gt_answer=torch.tensor(1)),
        dict(pred_answer=torch.tensor(0), gt_answer=torch.tensor(1)),
        dict(pred_answer=1, gt_answer=1),
        dict(pred_answer=torch.tensor(3), gt_answer=torch.tensor(1)),
    ]
    metric.process(None, samples)
    assert metric.evaluate(4) == {
        'val/overall': 50.0,
        'val/all': 50.0,
        'val/all/all': 50.0
    }


@pytest.mark.parametrize('missing', ['pred_answer', 'gt_answer'])
def test_missing_answer_raises_key_error(missing):
    sample = dict(pred_answer=torch.tensor(1), gt_answer=torch.tensor(1),
                  question_family='relational')
    del sample[missing]
    metric = QuestionTypeAccuracy()
    with pytest.raises(KeyError) as info:
        metric.process(None, [sample])
    msg = info.value.args[0]
    assert msg.startswith(f'QuestionTypeAccuracy needs "{missing}" in every '
                          'data sample; this one has [')
    assert 'question_family' in msg


def test_missing_pred_answer_through_evaluator():
    evaluator = Evaluator(QuestionTypeAccuracy())
    sample = VLDataSample(metainfo=dict(question_family='relational'))
    sample.set_gt_answer(2)
    with pytest.raises(KeyError, match='needs "pred_answer"'):
        evaluator.process([sample])


def test_format_table_rows():
    totals = {
        'overall': [5, 8],
        'non_relational': [2, 3],
        'non_relational/shape': [1, 2],
        'non_relational/horizontal': [1, 1],
        'relational': [2, 4],
        'relational/closest': [2, 3],
        'relational/count': [0, 1],
        'ternary': [1, 1],
        'ternary/between': [1, 1],
    }
    assert QuestionTypeAccuracy.format_table(EXPECTED, totals) == TABLE


def test_table_is_logged(monkeypatch):
    logged = []
    monkeypatch.setattr(qta_module, 'print_log',
                        lambda msg, logger=None: logged.append((msg, logger)))
    metric = QuestionTypeAccuracy()
    metric.process(None, [s.to_dict() for s in data_samples()])
    metric.compute_metrics(metric.results)
    assert logged == [('\n' + TABLE, 'current')]


def test_empty_results():
    assert QuestionTypeAccuracy().compute_metrics([]) == {}


def test_family_with_a_slash_is_one_family():
    # VQA datasets use the answer type ("yes/no") as the question family
    metric = QuestionTypeAccuracy()
    cases = [('yes/no', 'is the', 0, 0), ('yes/no', 'is the', 0, 1),
             ('number', 'how many', 2, 2)]
    for family, subtype, gt, pred in cases:
        sample = VLDataSample(metainfo=dict(
            question_family=family, question_subtype=subtype))
        sample.set_gt_answer(gt)
        sample.set_pred_answer(pred)
        metric.process(None, [sample.to_dict()])
    metrics = metric.compute_metrics(metric.results)
    assert metrics['yes_no'] == 50.0
    assert metrics['yes_no/is the'] == 50.0
    assert metrics['number'] == 100.0
    assert 'yes' not in metrics
