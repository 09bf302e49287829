# Copyright (c) vlframe contributors. All rights reserved.
"""Score a VQA results file as the official evaluator does.

    python tools/analysis_tools/eval_vqa.py --questions Q.json \\
        --annotations A.json --results R.json [--out-json metrics.json]

Reads the official files: the questions JSON (``{"questions": [{image_id,
question, question_id}]}``), the annotations JSON (``{"annotations":
[{question_id, image_id, question_type, answer_type,
multiple_choice_answer, answers: [{answer, answer_confidence,
answer_id}]}]}``) and a results JSON (``[{"question_id": int, "answer":
str}]``, what ``tools/test.py --format-only`` writes). As the official
``vqa.loadRes``, the results must answer exactly the questions of the
annotation file: to score a subset, make annotation and question files of
that subset.

Prints ``overall: X``, one line per answer type (``yes/no: X``,
``number: X``, ``other: X``) and one per question type, the percentages of
the official ``vqaEval.py`` (``round(100 * mean, 2)``, printed with 2
decimals). ``--out-json`` also writes them as the official ``accuracy``
dict (``overall``, ``perAnswerType``, ``perQuestionType``) plus
``numQuestions``.
"""
import argparse
import json
import sys

from vlframe.evaluation.functional import (ordered_answer_types,
                                           summarize_vqa_accuracy,
                                           vqa_question_accuracy)
from vlframe.utils.checkpoint import atomic_write
from vlframe.utils.cli import run_tool

try:
    from tqdm import tqdm
except ImportError:  # tqdm comes with transformers; without it, no bar
    tqdm = None


class EvalVQAError(Exception):
    """Bad input files, reported without a traceback."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Official VQA accuracy of a results file')
    parser.add_argument(
        '--questions', required=True,
        help='official questions JSON, e.g. '
        'v2_OpenEnded_mscoco_val2014_questions.json')
    parser.add_argument(
        '--annotations', required=True,
        help='official annotations JSON, e.g. '
        'v2_mscoco_val2014_annotations.json')
    parser.add_argument(
        '--results', required=True,
        help='results JSON: [{"question_id": int, "answer": str}, ...]')
    parser.add_argument(
        '--out-json', help='also write the accuracies to this JSON file')
    return parser.parse_args(argv)


def load_json(path: str, what: str):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except FileNotFoundError:
        raise EvalVQAError(f'{what} file {path} does not exist') from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise EvalVQAError(f'{what} file {path} is not valid JSON: '
                           f'{err}') from None


def _examples(ids, limit=5) -> str:
    ids = sorted(ids)
    shown = ', '.join(str(i) for i in ids[:limit])
    return shown + (', ...' if len(ids) > limit else '')


def _list_field(data, key: str, path: str, what: str) -> list:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise EvalVQAError(f'{what} file {path} must be a JSON object with a '
                           f'"{key}" list (the official format)')
    return data[key]


def load_questions(path: str) -> dict:
    """question_id -> image_id of the official questions file."""
    questions = _list_field(
        load_json(path, 'questions'), 'questions', path, 'questions')
    image_of = {}
    for i, q in enumerate(questions):
        if not isinstance(q, dict) or 'question_id' not in q:
            raise EvalVQAError(f'{path}: questions[{i}] has no '
                               '"question_id"')
        image_of[q['question_id']] = q.get('image_id')
    return image_of


def load_annotations(path: str) -> list:
    """The annotations in file order (the official evaluation order),
    each checked for the fields the accuracy needs."""
    annotations = _list_field(
        load_json(path, 'annotations'), 'annotations', path, 'annotations')
    seen = set()
    for i, ann in enumerate(annotations):
        if not isinstance(ann, dict) or 'question_id' not in ann:
            raise EvalVQAError(f'{path}: annotations[{i}] has no '
                               '"question_id"')
        question_id = ann['question_id']
        if question_id in seen:
            raise EvalVQAError(f'{path}: question_id {question_id} is '
                               'annotated twice')
        seen.add(question_id)
        for key in ('answer_type', 'question_type'):
            if not isinstance(ann.get(key), str):
                raise EvalVQAError(f'{path}: question_id {question_id} has '
                                   f'no "{key}" string')
        answers = ann.get('answers')
        if (not isinstance(answers, list) or not answers or not all(
                isinstance(a, dict) and isinstance(a.get('answer'), str)
                for a in answers)):
            raise EvalVQAError(
                f'{path}: question_id {question_id}: "answers" must be a '
                'non-empty list of {"answer": str, ...} (the human answers)')
    return annotations


def load_results(path: str) -> dict:
    """question_id -> answer; a question answered twice keeps its last
    answer, as the official ``loadRes`` index does (with a warning)."""
    results = load_json(path, 'results')
    if not isinstance(results, list):
        raise EvalVQAError(f'results file {path} must be a JSON list of '
                           '{"question_id": int, "answer": str}')
    answer_of = {}
    for i, res in enumerate(results):
        if (not isinstance(res, dict) or 'question_id' not in res
                or not isinstance(res.get('answer'), str)):
            raise EvalVQAError(
                f'{path}: results[{i}] must be {{"question_id": int, '
                f'"answer": str}}, got {res!r}')
        answer_of[res['question_id']] = res['answer']
    if len(answer_of) < len(results):
        print(f'warning: {path}: {len(results) - len(answer_of)} results '
              'repeat a question id; the last answer of each is scored',
              file=sys.stderr)
    return answer_of


def check_questions_match(image_of: dict, annotations: list, q_path: str,
                          a_path: str) -> None:
    """The questions and annotations files describe the same questions of
    the same images."""
    ann_ids = {ann['question_id'] for ann in annotations}
    missing = ann_ids - set(image_of)
    extra = set(image_of) - ann_ids
    if missing or extra:
        raise EvalVQAError(
            f'the questions file {q_path} ({len(image_of)} questions) and '
            f'the annotations file {a_path} ({len(ann_ids)} questions) do '
            f'not match: {len(missing)} annotated question ids are not in '
            f'the questions file (e.g. {_examples(missing)}), '
            f'{len(extra)} question ids have no annotation (e.g. '
            f'{_examples(extra)}); use files of the same split')
    wrong_image = [
        ann['question_id'] for ann in annotations
        if 'image_id' in ann and ann['image_id'] != image_of[
            ann['question_id']]
    ]
    if wrong_image:
        raise EvalVQAError(
            f'the questions file {q_path} and the annotations file {a_path} '
            f'give different image ids to {len(wrong_image)} questions '
            f'(e.g. question ids {_examples(wrong_image)})')


def check_results_match(answer_of: dict, annotations: list, r_path: str,
                        a_path: str) -> None:
    """As the official ``loadRes``: the results answer exactly the
    annotated questions."""
    ann_ids = {ann['question_id'] for ann in annotations}
    missing = ann_ids - set(answer_of)
    extra = set(answer_of) - ann_ids
    if missing or extra:
        raise EvalVQAError(
            f'the results file {r_path} does not correspond to the '
            f'annotations {a_path}: it answers {len(answer_of)} questions, '
            f'the annotations have {len(ann_ids)}; {len(missing)} annotated '
            f'questions have no result (e.g. question ids '
            f'{_examples(missing)}) and {len(extra)} results are for '
            f'questions not in the annotations (e.g. {_examples(extra)}). '
            'The official evaluator needs a result for every question of '
            'the annotation file and no others')


def evaluate(annotations: list, answer_of: dict) -> dict:
    """The official report (``summarize_vqa_accuracy``) of the results,
    per question in annotation-file order."""
    accuracies, answer_types, question_types = [], [], []
    progress = annotations
    if tqdm is not None:
        # a bar on a terminal only (disable=None), for the 200k-question sets
        progress = tqdm(annotations, desc='scoring', unit='question',
                        disable=None, mininterval=1.0)
    for ann in progress:
        accuracies.append(
            vqa_question_accuracy(answer_of[ann['question_id']],
                                  [a['answer'] for a in ann['answers']]))
        answer_types.append(ann['answer_type'])
        question_types.append(ann['question_type'])
    return summarize_vqa_accuracy(accuracies, answer_types, question_types)


def format_report(summary: dict) -> str:
    lines = [f'overall: {summary["overall"]:.2f}']
    for name in ordered_answer_types(summary['perAnswerType']):
        lines.append(f'{name}: {summary["perAnswerType"][name]:.2f}')
    lines.append('per question type:')
    for name in sorted(summary['perQuestionType']):
        lines.append(f'  {name}: {summary["perQuestionType"][name]:.2f}')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    image_of = load_questions(args.questions)
    annotations = load_annotations(args.annotations)
    if not annotations:
        raise EvalVQAError(f'the annotations file {args.annotations} has '
                           'no questions')
    check_questions_match(image_of, annotations, args.questions,
                          args.annotations)
    answer_of = load_results(args.results)
    check_results_match(answer_of, annotations, args.results,
                        args.annotations)
    summary = evaluate(annotations, answer_of)
    print(format_report(summary))
    if args.out_json:
        atomic_write(args.out_json,
                     json.dumps(summary, indent=2).encode('utf-8'))
        print(f'accuracies written to {args.out_json}')


if __name__ == '__main__':
    run_tool(main, tool_errors=(EvalVQAError, ))
