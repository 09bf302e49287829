import logging
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vlframe.registry import METRICS


@METRICS.register_module()
class QuestionTypeAccuracy(BaseMetric):
    """Exact-match answer accuracy, overall, per question family and per
    question subtype, in percent (the RN paper's Sort-of-CLEVR numbers).

    Reads only data samples: ``pred_answer``, ``gt_answer`` and the meta
    fields ``question_family`` / ``question_subtype``.

    Keys (with the default prefix ``accuracy``): ``accuracy/overall``,
    ``accuracy/<family>`` (e.g. ``accuracy/relational``) and
    ``accuracy/<family>/<subtype>`` (e.g. ``accuracy/relational/closest``).
    A summary table is logged after each evaluation. A '/' in a family name
    becomes '_' (VQA's answer type "yes/no" is reported as ``yes_no``).
    """
    default_prefix: Optional[str] = 'accuracy'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            for key in ('pred_answer', 'gt_answer'):
                if key not in sample:
                    raise KeyError(
                        f'QuestionTypeAccuracy needs "{key}" in every data '
                        f'sample; this one has {sorted(sample)}')
            self.results.append(
                dict(
                    correct=int(sample['pred_answer']) == int(
                        sample['gt_answer']),
                    # a '/' in a family name ("yes/no") would read as a
                    # family/subtype key
                    family=str(sample.get('question_family',
                                          'all')).replace('/', '_'),
                    subtype=sample.get('question_subtype', 'all')))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if not results:
            print_log('QuestionTypeAccuracy: no samples were evaluated',
                      logger='current', level=logging.WARNING)
            return {}
        totals: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
        for r in results:
            for key in ('overall', r['family'],
                        f'{r["family"]}/{r["subtype"]}'):
                totals[key][0] += r['correct']
                totals[key][1] += 1
        metrics = {
            key: 100.0 * correct / count
            for key, (correct, count) in sorted(totals.items())
        }
        print_log('\n' + self.format_table(metrics, totals), logger='current')
        return metrics

    @staticmethod
    def format_table(metrics: Dict[str, float],
                     totals: Dict[str, List[int]]) -> str:
        """Overall, family rows, then indented subtype rows."""
        families = sorted(k for k in metrics if '/' not in k and
                          k != 'overall')
        lines = [f'{"question type":<28}{"accuracy":>9}{"questions":>11}',
                 '-' * 48]

        def row(name, key):
            lines.append(f'{name:<28}{metrics[key]:>8.2f}%'
                         f'{totals[key][1]:>11d}')

        row('overall', 'overall')
        for family in families:
            row(family, family)
            for key in sorted(k for k in metrics
                              if k.startswith(family + '/')):
                row('  ' + key.split('/', 1)[1], key)
        return '\n'.join(lines)
