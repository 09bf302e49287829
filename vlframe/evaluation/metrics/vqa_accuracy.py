import json
import logging
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vlframe.evaluation.functional import (ordered_answer_types,
                                           summarize_vqa_accuracy,
                                           vqa_question_accuracy)
from vlframe.registry import METRICS
from vlframe.utils.checkpoint import atomic_write


class MissingAnswersError(ValueError):
    """A data sample to be scored has no human answers (a test split)."""


def _predicted_text(sample: dict, dataset_meta: Optional[dict],
                    metric: str) -> str:
    """``pred_answer_text`` if the head set it, else the vocabulary entry
    of ``pred_answer`` in ``dataset_meta['classes']``."""
    if 'pred_answer_text' in sample:
        return str(sample['pred_answer_text'])
    if 'pred_answer' not in sample:
        raise KeyError(f'{metric} needs "pred_answer" or "pred_answer_text" '
                       f'in every data sample; this one has {sorted(sample)}')
    classes = (dataset_meta or {}).get('classes')
    if classes is None:
        raise ValueError(
            f'{metric} turns pred_answer into text with '
            "dataset_meta['classes'] (the answer vocabulary), but the "
            "dataset's metainfo has no 'classes' and the data sample has no "
            'pred_answer_text')
    index = int(sample['pred_answer'])
    if not 0 <= index < len(classes):
        raise ValueError(
            f'pred_answer {index} is outside the answer vocabulary of '
            f"{len(classes)} classes (dataset_meta['classes']): the head and "
            'the dataset disagree')
    return str(classes[index])


@METRICS.register_module()
class VQAAccuracy(BaseMetric):
    """The official VQA accuracy (GT-Vision-Lab/VQA ``vqaEval.py``), in
    percent, rounded to 2 decimals as the official evaluator rounds.

    Each prediction is scored against the 10 raw human answers with
    :func:`vlframe.evaluation.functional.vqa_question_accuracy` (the official
    normalisation, quirks included, and the mean over the 10
    leave-one-annotator-out subsets of ``min(1, matches / 3)``); the overall,
    per answer type and per question type numbers are
    ``round(100 * mean, 2)`` of the unrounded per-question values. This is
    the number to report; :class:`VQASoftScoreAccuracy` is a cheaper
    train-time proxy that differs from it.

    Reads only data samples: the meta fields ``answers`` (the raw human
    answer strings), ``answer_type``, ``question_type`` and ``question_id``,
    and the prediction ``pred_answer_text`` or else
    ``dataset_meta['classes'][pred_answer]``.

    Keys (default prefix ``VQA``): ``VQA/acc`` (overall), ``VQA/yes/no``,
    ``VQA/number``, ``VQA/other`` (the answer types present) and
    ``VQA/question_type/<type>`` (e.g. ``VQA/question_type/what color is
    the``). A table with the number of questions of each row is logged.

    Args:
        format_only (bool): Only write the official results file
            ``[{"question_id": int, "answer": str}]`` to ``outfile`` (for a
            test-dev / test-std submission, whose splits have no answers)
            and return no metrics. Defaults to False.
        outfile (str, optional): Where to write the results file. Required
            with ``format_only``; without it, the file is written as well,
            so ``tools/analysis_tools/eval_vqa.py`` can score it again.
        collect_device, prefix, collect_dir: as :class:`BaseMetric`.
    """
    default_prefix: Optional[str] = 'VQA'

    def __init__(self,
                 format_only: bool = False,
                 outfile: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        if format_only and not outfile:
            raise ValueError('VQAAccuracy(format_only=True) needs outfile, '
                             'the path of the results JSON to write')
        self.format_only = format_only
        self.outfile = outfile

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            result = dict(
                question_id=sample.get('question_id'),
                answer=_predicted_text(sample, self.dataset_meta,
                                       'VQAAccuracy'))
            if self.outfile and result['question_id'] is None:
                raise KeyError(
                    'VQAAccuracy writes the results file with the '
                    '"question_id" of every data sample; this one has '
                    f'{sorted(sample)}')
            if not self.format_only:
                answers = sample.get('answers')
                if answers is None:
                    raise MissingAnswersError(
                        'VQAAccuracy: data sample of question_id '
                        f'{result["question_id"]} has no "answers" (the '
                        'human answers): this split has no annotations, so '
                        'it cannot be scored. Use --format-only (tools/'
                        'test.py) to write the results file for the '
                        'evaluation server instead.')
                result.update(
                    acc=vqa_question_accuracy(result['answer'], answers),
                    answer_type=sample.get('answer_type'),
                    question_type=sample.get('question_type'))
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if self.outfile:
            self.write_results(results, self.outfile)
        if self.format_only:
            return {}
        if not results:
            print_log('VQAAccuracy: no samples were evaluated',
                      logger='current', level=logging.WARNING)
            return {}
        summary = summarize_vqa_accuracy(
            [r['acc'] for r in results],
            answer_types=[r['answer_type'] for r in results],
            question_types=[r['question_type'] for r in results])
        metrics = {'acc': summary['overall']}
        for answer_type in ordered_answer_types(summary['perAnswerType']):
            metrics[answer_type] = summary['perAnswerType'][answer_type]
        for question_type in sorted(summary['perQuestionType']):
            metrics[f'question_type/{question_type}'] = summary[
                'perQuestionType'][question_type]
        print_log('\n' + self.format_table(summary), logger='current')
        return metrics

    @staticmethod
    def write_results(results: List[dict], outfile: str) -> None:
        """The official results JSON, one entry per question (the first
        prediction of a question id that occurs twice)."""
        entries, seen = [], set()
        for r in results:
            question_id = int(r['question_id'])
            if question_id not in seen:
                seen.add(question_id)
                entries.append(dict(question_id=question_id,
                                    answer=r['answer']))
        if len(entries) < len(results):
            print_log(
                f'VQAAccuracy: {len(results) - len(entries)} repeated '
                'question ids were written once', logger='current',
                level=logging.WARNING)
        atomic_write(outfile, json.dumps(entries).encode('utf-8'))
        print_log(f'VQAAccuracy: wrote {len(entries)} answers in the '
                  f'official results format to {osp.abspath(outfile)}',
                  logger='current')

    @staticmethod
    def format_table(summary: dict) -> str:
        """Overall, then the answer types, then the question types, each
        with its number of questions."""
        counts = summary['numQuestions']
        width = max([36] + [
            len(t) + 4 for t in summary['perQuestionType']])
        lines = [f'{"VQA accuracy (official)":<{width}}{"accuracy":>9}'
                 f'{"questions":>11}', '-' * (width + 20)]

        def row(name, value, count):
            lines.append(f'{name:<{width}}{value:>8.2f}%{count:>11d}')

        row('overall', summary['overall'], counts['overall'])
        if summary['perAnswerType']:
            lines.append('answer type')
            for name in ordered_answer_types(summary['perAnswerType']):
                row('  ' + name, summary['perAnswerType'][name],
                    counts['perAnswerType'][name])
        if summary['perQuestionType']:
            lines.append('question type')
            for name in sorted(summary['perQuestionType']):
                row('  ' + name, summary['perQuestionType'][name],
                    counts['perQuestionType'][name])
        return '\n'.join(lines)


@METRICS.register_module()
class VQASoftScoreAccuracy(BaseMetric):
    """Train-time VQA accuracy: the mean soft score of the predicted class,
    in percent. **Not** the official VQA number; report
    :class:`VQAAccuracy` (``VQA/acc``).

    For each sample the score is the ``gt_answer_weight`` entry of the
    ``gt_answer`` label equal to ``pred_answer`` (0.3 / 0.6 / 0.9 / 1.0 for
    1 / 2 / 3 / 4+ annotators), or 0 when the prediction is none of them
    (ViLT's ``VQAScore``, MMF's ``vqa_accuracy``). It needs no answer
    strings and no text normalisation, so it is cheap to run every epoch.
    It equals the official per-question value only when the annotators'
    raw strings are already the normalised vocabulary entries: the soft
    targets count raw strings, so with answers ``["2", "2", "two", "Two",
    ...]`` the class ``"2"`` gets the score of 2 annotators (0.6) while the
    official metric, normalising both sides when annotators disagree,
    counts 4 matches (1.0). A sample with a single 0-dim ``gt_answer`` and
    no weights scores 1 for a match.

    Key (default prefix ``VQA``): ``VQA/soft_acc``.
    """
    default_prefix: Optional[str] = 'VQA'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            for key in ('pred_answer', 'gt_answer'):
                if key not in sample:
                    raise KeyError(
                        f'VQASoftScoreAccuracy needs "{key}" in every data '
                        f'sample; this one has {sorted(sample)}')
            labels = sample['gt_answer'].reshape(-1).tolist()  # (K,)
            if 'gt_answer_weight' in sample:
                weights = sample['gt_answer_weight'].reshape(-1).tolist()
                if len(weights) != len(labels):
                    raise ValueError(
                        f'gt_answer has {len(labels)} labels but '
                        f'gt_answer_weight {len(weights)} weights')
            else:
                weights = [1.0] * len(labels)
            # a repeated label keeps its last weight, as stack_answer_targets
            score_of = dict(zip(labels, weights))
            self.results.append(
                float(score_of.get(int(sample['pred_answer']), 0.0)))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        if not results:
            print_log('VQASoftScoreAccuracy: no samples were evaluated',
                      logger='current', level=logging.WARNING)
            return {}
        return {'soft_acc': 100.0 * sum(results) / len(results)}
