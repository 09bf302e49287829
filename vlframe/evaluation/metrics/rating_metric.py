import math
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from vlframe.registry import METRICS


@METRICS.register_module()
class RatingMetric(BaseMetric):
    """Root mean squared error and mean absolute error of predicted
    ratings, the matrix completion metrics (IGMC, GC-MC report RMSE).

    Reads only ``pred_rating`` and ``gt_rating`` of each data sample (one
    number each). Keys: ``rmse`` and ``mae``, unprefixed by default, so
    ``tools/test.py`` prints ``rmse: ...`` and a config can keep the best
    checkpoint with ``save_best='rmse', rule='less'``.

    Args:
        collect_device: as in mmengine's ``BaseMetric``.
        prefix: prefix of the keys ("" by default: ``rmse``, ``mae``).
    """
    default_prefix: Optional[str] = ''

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            for key in ('pred_rating', 'gt_rating'):
                if key not in sample:
                    raise KeyError(
                        f'RatingMetric needs "{key}" in every data sample; '
                        f'this one has {sorted(sample)}')
            self.results.append((float(sample['pred_rating']),
                                 float(sample['gt_rating'])))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        if not results:
            raise ValueError(
                'RatingMetric: no samples were evaluated (the dataloader '
                'gave no data, or the metric was never given predictions)')
        errors = [pred - gt for pred, gt in results]
        return dict(
            rmse=math.sqrt(sum(e * e for e in errors) / len(errors)),
            mae=sum(abs(e) for e in errors) / len(errors))
