from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric

from vlframe.registry import METRICS


@METRICS.register_module()
class NodeAccuracy(BaseMetric):
    """Node classification accuracy over the nodes of the split mask.

    Reads ``pred_label``, ``pred_score`` (log-probabilities), ``gt_label``
    and ``split_mask`` of each data sample (a whole graph) and reports

    * ``accuracy``: percentage of the masked nodes whose predicted class is
      right, over all graphs' masked nodes together;
    * ``cross_entropy``: the mean negative log-likelihood of the true class
      over the same nodes, the validation loss on which GCN and APPNP stop
      early.

    Keys have no prefix (``default_prefix=''``), so ``tools/test.py``
    prints ``accuracy``.
    """

    default_prefix: Optional[str] = ''

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            for field in ('pred_label', 'pred_score', 'gt_label',
                          'split_mask'):
                if field not in sample:
                    raise KeyError(
                        f'NodeAccuracy: a data sample has no "{field}"; it '
                        'needs pred_label, pred_score, gt_label and '
                        'split_mask')
            mask = sample['split_mask'].bool()
            gt = sample['gt_label'][mask]
            self.results.append(
                dict(
                    correct=int((sample['pred_label'][mask] == gt).sum()),
                    nll_sum=float(
                        F.nll_loss(sample['pred_score'][mask].float(), gt,
                                   reduction='sum')),
                    count=int(mask.sum())))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        count = sum(r['count'] for r in results)
        if count == 0:
            raise ValueError('NodeAccuracy: the split mask selects no node')
        return dict(
            accuracy=100.0 * sum(r['correct'] for r in results) / count,
            cross_entropy=sum(r['nll_sum'] for r in results) / count)
