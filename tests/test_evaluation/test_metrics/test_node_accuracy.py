import math

import pytest
import torch

from vlframe.evaluation.metrics import NodeAccuracy
from vlframe.structures import GraphDataSample


def _sample(pred, gt, mask, probs):
    sample = GraphDataSample()
    sample.set_pred_label(torch.tensor(pred))
    sample.set_gt_label(torch.tensor(gt))
    sample.set_split_mask(torch.tensor(mask))
    sample.set_pred_score(torch.tensor(probs).log())
    return sample.to_dict()


def test_accuracy_and_cross_entropy_by_hand():
    metric = NodeAccuracy()
    probs = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]
    # masked nodes 0, 1, 2: predictions 0, 1, 0 against labels 0, 0, 0
    metric.process(None, [_sample([0, 1, 0, 1], [0, 0, 0, 1],
                                  [True, True, True, False], probs)])
    result = metric.evaluate(1)
    assert result['accuracy'] == pytest.approx(100 * 2 / 3)
    expected_ce = -(math.log(0.9) + math.log(0.2) + math.log(0.6)) / 3
    assert result['cross_entropy'] == pytest.approx(expected_ce, rel=1e-6)
    assert set(result) == {'accuracy', 'cross_entropy'}  # no prefix


def test_nodes_of_all_graphs_count_together():
    metric = NodeAccuracy()
    probs = [[0.7, 0.3]] * 2
    metric.process(None, [_sample([0, 0], [0, 0], [True, True], probs),
                          _sample([0, 0], [1, 1], [True, False], probs)])
    assert metric.evaluate(2)['accuracy'] == pytest.approx(100 * 2 / 3)


def test_empty_mask_and_missing_field():
    metric = NodeAccuracy()
    metric.process(None, [_sample([0], [0], [False], [[0.5, 0.5]])])
    with pytest.raises(ValueError, match='selects no node'):
        metric.evaluate(1)
    sample = _sample([0], [0], [True], [[0.5, 0.5]])
    del sample['pred_score']
    with pytest.raises(KeyError, match='pred_score'):
        NodeAccuracy().process(None, [sample])
