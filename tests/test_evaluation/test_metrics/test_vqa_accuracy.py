"""Tests for vlframe/evaluation/metrics/vqa_accuracy.py."""
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.evaluator import Evaluator

import vlframe.evaluation.metrics.vqa_accuracy as vqa_module
from vlframe.evaluation import VQAAccuracy, VQASoftScoreAccuracy
from vlframe.evaluation.functional import soft_targets
from vlframe.evaluation.metrics.vqa_accuracy import MissingAnswersError
from vlframe.registry import METRICS
from vlframe.structures import VLDataSample

CLASSES = ['yes', 'no', '2', 'dog', 'red']
ANS2LABEL = {answer: label for label, answer in enumerate(CLASSES)}

# (question_id, answer_type, question_type, 10 human answers, predicted
# class) and the official per-question value worked out by hand
QUESTIONS = [
    # 10 x 'yes', predicted 'yes': 1.0
    (1, 'yes/no', 'is the', ['yes'] * 10, 0),
    # annotators disagree -> normalised: '2', '2', 'two'->'2' match,
    # 3 of 10 -> 0.9
    (2, 'number', 'how many', ['2', '2', 'two'] + ['3'] * 7, 2),
    # 1 of 10 -> 0.3
    (3, 'other', 'what color is the', ['red'] + ['blue'] * 9, 4),
    # 10 x 'Yes' all identical -> not normalised, 'yes' != 'Yes': 0
    (4, 'yes/no', 'is the', ['Yes'] * 10, 0),
]
EXPECTED = {
    # 100 * (1.0 + 0.9 + 0.3 + 0) / 4 = 100 * 2.2 / 4 = 55.0
    'VQA/acc': 55.0,
    # 100 * (1.0 + 0) / 2 = 50.0
    'VQA/yes/no': 50.0,
    'VQA/number': 90.0,
    'VQA/other': 30.0,
    'VQA/question_type/how many': 90.0,
    'VQA/question_type/is the': 50.0,
    'VQA/question_type/what color is the': 30.0,
}
TABLE = '\n'.join([
    'VQA accuracy (official)              accuracy  questions',
    '--------------------------------------------------------',
    'overall                                55.00%          4',
    'answer type',
    '  yes/no                               50.00%          2',
    '  number                               90.00%          1',
    '  other                                30.00%          1',
    'question type',
    '  how many                             90.00%          1',
    '  is the                               50.00%          2',
    '  what color is the                    30.00%          1',
])


def data_samples(questions=QUESTIONS, with_answers=True):
    samples = []
    for qid, answer_type, question_type, answers, pred in questions:
        meta = dict(question_id=qid, answer_type=answer_type,
                    question_type=question_type)
        sample = VLDataSample(metainfo=meta).set_pred_answer(pred)
        if with_answers:
            sample.set_metainfo(dict(answers=answers))
            labels, scores = soft_targets(answers, ANS2LABEL)
            sample.set_gt_answer(labels).set_gt_answer_weight(scores)
        samples.append(sample)
    return samples


def build_evaluator(**kwargs):
    evaluator = Evaluator(METRICS.build(dict(type='VQAAccuracy', **kwargs)))
    evaluator.dataset_meta = dict(classes=CLASSES)
    return evaluator


def test_official_numbers_through_the_evaluator():
    evaluator = build_evaluator()
    samples = data_samples()
    evaluator.process(samples[:3])  # two batches, as a TestLoop sends them
    evaluator.process(samples[3:])
    metrics = evaluator.evaluate(4)
    assert metrics == EXPECTED
    assert list(metrics)[:4] == [
        'VQA/acc', 'VQA/yes/no', 'VQA/number', 'VQA/other'
    ]


def test_pred_answer_text_takes_precedence():
    metric = VQAAccuracy()
    metric.dataset_meta = dict(classes=CLASSES)
    sample = data_samples(QUESTIONS[3:])[0]
    sample.pred_answer_text = 'Yes'  # matches the 10 'Yes' exactly: 1.0
    metric.process(None, [sample.to_dict()])
    assert metric.results[0]['answer'] == 'Yes'
    assert metric.results[0]['acc'] == 1.0
    # and no dataset_meta is needed for it
    metric = VQAAccuracy()
    metric.process(None, [sample.to_dict()])
    assert metric.compute_metrics(metric.results)['acc'] == 100.0


def test_table_is_logged(monkeypatch):
    logged = []
    monkeypatch.setattr(vqa_module, 'print_log',
                        lambda msg, logger=None, level=None: logged.append(
                            msg))
    metric = VQAAccuracy()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process(None, [s.to_dict() for s in data_samples()])
    metric.compute_metrics(metric.results)
    assert logged == ['\n' + TABLE]


def test_format_only_writes_the_official_results_file(tmp_path, monkeypatch):
    logged = []
    monkeypatch.setattr(vqa_module, 'print_log',
                        lambda msg, logger=None, level=None: logged.append(
                            msg))
    outfile = str(tmp_path / 'out' / 'vqa_results.json')
    evaluator = build_evaluator(format_only=True, outfile=outfile)
    # a test split: no answers, no ground truth at all
    evaluator.process(data_samples(with_answers=False))
    assert evaluator.evaluate(4) == {}
    with open(outfile) as f:
        results = json.load(f)
    assert results == [
        dict(question_id=1, answer='yes'),
        dict(question_id=2, answer='2'),
        dict(question_id=3, answer='red'),
        dict(question_id=4, answer='yes'),
    ]
    assert all(type(r['question_id']) is int for r in results)
    assert not glob.glob(osp.join(tmp_path, 'out', '.*.tmp'))
    assert logged == [f'VQAAccuracy: wrote 4 answers in the official results '
                      f'format to {outfile}']


def test_outfile_without_format_only_writes_and_scores(tmp_path):
    outfile = str(tmp_path / 'r.json')
    evaluator = build_evaluator(outfile=outfile)
    evaluator.process(data_samples())
    assert evaluator.evaluate(4) == EXPECTED
    assert [r['question_id'] for r in json.load(open(outfile))] == [1, 2, 3, 4]


def test_format_only_needs_an_outfile():
    with pytest.raises(ValueError, match='needs outfile'):
        VQAAccuracy(format_only=True)


def test_split_without_answers_says_use_format_only():
    evaluator = build_evaluator()
    with pytest.raises(MissingAnswersError) as info:
        evaluator.process(data_samples(with_answers=False))
    msg = str(info.value)
    assert 'question_id 1 has no "answers"' in msg
    assert 'this split has no annotations' in msg
    assert '--format-only' in msg


def test_missing_vocabulary_and_bad_prediction_index():
    sample = data_samples(QUESTIONS[:1])[0].to_dict()
    metric = VQAAccuracy()  # no dataset_meta
    with pytest.raises(ValueError, match=r"dataset_meta\['classes'\]"):
        metric.process(None, [sample])
    metric.dataset_meta = dict(classes=CLASSES)
    sample['pred_answer'] = torch.tensor(5)
    with pytest.raises(ValueError, match='pred_answer 5 is outside the '
                       'answer vocabulary of 5 classes'):
        metric.process(None, [sample])
    del sample['pred_answer']
    with pytest.raises(KeyError, match='pred_answer_text'):
        metric.process(None, [sample])


def test_question_id_needed_for_the_results_file(tmp_path):
    metric = VQAAccuracy(format_only=True, outfile=str(tmp_path / 'r.json'))
    with pytest.raises(KeyError, match='question_id'):
        metric.process(None, [dict(pred_answer_text='yes')])


def test_empty_results():
    assert VQAAccuracy().compute_metrics([]) == {}
    assert VQASoftScoreAccuracy().compute_metrics([]) == {}


def test_soft_score_accuracy_is_not_the_official_number():
    evaluator = Evaluator(
        METRICS.build(dict(type='VQASoftScoreAccuracy')))
    evaluator.process(data_samples())
    # soft scores of the predicted classes (raw strings counted):
    #   q1 'yes' x10 -> 1.0; q2 exact '2' x2 -> 0.6 ('two' is not '2');
    #   q3 'red' x1 -> 0.3; q4 'Yes' is no vocabulary entry -> no label, 0
    # 100 * (1.0 + 0.6 + 0.3 + 0) / 4 = 47.5, where the official is 55.0
    assert evaluator.evaluate(4) == {'VQA/soft_acc': pytest.approx(47.5)}


def test_soft_score_single_label_and_bad_weights():
    metric = VQASoftScoreAccuracy()
    single = VLDataSample().set_gt_answer(3).set_pred_answer(3).to_dict()
    wrong = VLDataSample().set_gt_answer(3).set_pred_answer(1).to_dict()
    metric.process(None, [single, wrong])
    assert metric.results == [1.0, 0.0]
    bad = VLDataSample().set_gt_answer([1, 2]).set_gt_answer_weight(
        [0.3]).set_pred_answer(1).to_dict()
    with pytest.raises(ValueError, match='2 labels but gt_answer_weight 1'):
        metric.process(None, [bad])
    with pytest.raises(KeyError, match='needs "gt_answer"'):
        metric.process(None, [dict(pred_answer=torch.tensor(1))])
