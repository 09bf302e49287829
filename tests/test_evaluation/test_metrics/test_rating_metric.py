"""Tests for vlframe/evaluation/metrics/rating_metric.py."""
import math

import pytest
from mmengine.evaluator import Evaluator

from vlframe.evaluation import RatingMetric
from vlframe.registry import METRICS
from vlframe.structures import GraphDataSample

# (pred, gt): errors -0.5, 0, 2, -1
ROWS = [(3.5, 4.0), (2.0, 2.0), (5.0, 3.0), (0.5, 1.5)]
# mse = (0.25 + 0 + 4 + 1) / 4 = 1.3125; mae = (0.5 + 0 + 2 + 1) / 4
EXPECTED = dict(rmse=math.sqrt(1.3125), mae=0.875)


def samples(rows=ROWS):
    return [
        GraphDataSample().set_pred_rating(p).set_gt_rating(g)
        for p, g in rows
    ]


def test_rmse_and_mae_through_the_evaluator():
    evaluator = Evaluator(METRICS.build(dict(type='RatingMetric')))
    data_samples = samples()
    # two batches, as a TestLoop sends them
    evaluator.process(data_samples[:3])
    evaluator.process(data_samples[3:])
    metrics = evaluator.evaluate(len(ROWS))
    assert metrics == pytest.approx(EXPECTED)
    assert set(metrics) == {'rmse', 'mae'}  # unprefixed


def test_perfect_predictions():
    metric = RatingMetric()
    metric.process(None, [s.to_dict() for s in samples([(4., 4.)] * 3)])
    assert metric.evaluate(3) == dict(rmse=0.0, mae=0.0)


def test_prefix():
    metric = RatingMetric(prefix='test')
    metric.process(None, [s.to_dict() for s in samples()])
    assert metric.evaluate(len(ROWS)) == pytest.approx(
        {f'test/{k}': v for k, v in EXPECTED.items()})


def test_reads_only_the_rating_fields():
    sample = GraphDataSample(metainfo=dict(user=3, item=7))
    sample.set_pred_rating(1.0).set_gt_rating(2.0)
    sample.set_gt_label([0, 1])  # unrelated fields are ignored
    metric = RatingMetric()
    metric.process(None, [sample.to_dict()])
    assert metric.evaluate(1) == dict(rmse=1.0, mae=1.0)


def test_no_samples_is_an_error():
    metric = RatingMetric()
    with pytest.raises(ValueError, match='no samples were evaluated'):
        metric.evaluate(0)


@pytest.mark.parametrize('missing', ['pred_rating', 'gt_rating'])
def test_missing_field_is_an_error(missing):
    sample = samples()[0]
    delattr(sample, missing)
    metric = RatingMetric()
    with pytest.raises(KeyError, match=f'needs "{missing}"'):
        metric.process(None, [sample.to_dict()])
