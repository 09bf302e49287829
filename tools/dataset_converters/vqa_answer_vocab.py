# Copyright (c) vlframe contributors. All rights reserved.
"""Build the VQA answer vocabulary and the per-question soft targets.

    python tools/dataset_converters/vqa_answer_vocab.py \\
        --annotations A1.json [A2.json ...] --out-dir DIR \\
        [--min-count 9 | --top-k K]

The bottom-up-attention recipe (``tools/compute_softscore.py``), which ViLT
reproduces: each question's ``multiple_choice_answer`` is normalised with
``normalize_answer`` (the official punctuation and digit/article steps, then
commas removed) and counted once per distinct ``question_id`` over all the
given annotation files. Then

* ``--min-count N`` (the default, N = 9): every answer of at least N
  questions, in the order answers are first seen (files in the given order,
  questions in file order). On VQA v2 train2014 + val2014 this is the
  3,129-answer vocabulary of bottom-up-attention and ViLT.
* ``--top-k K``: the K answers of the most questions, most frequent first;
  answers of equal frequency keep their first-seen order (a stable sort),
  so the result is deterministic. K = 1000 is the VQA v1 baseline's
  vocabulary; on VQA v2 trainval, K = 3129 gives the same answers as
  ``--min-count 9`` in frequency order instead of first-seen order.

Writes ``DIR/answer_vocab.json`` (a JSON list of answer strings; the index
is the label) and, for each annotation file ``<name>.json``,
``DIR/<name>_targets.json`` = ``{question_id: {"labels": [...], "scores":
[...]}}`` from the **raw** human answers (``soft_targets``: 0.3 / 0.6 / 0.9
/ 1.0 for 1 / 2 / 3 / 4+ annotators giving a vocabulary entry verbatim).
Prints the vocabulary size and, per file, the coverage: the fraction of
questions with at least one in-vocabulary answer (the others get no label
and an all-zero target).
"""
import argparse
import json
import os.path as osp
from typing import Dict

from vlframe.evaluation.functional import normalize_answer, soft_targets
from vlframe.utils.checkpoint import atomic_write
from vlframe.utils.cli import run_tool

try:
    from tqdm import tqdm
except ImportError:  # tqdm comes with transformers; without it, no bar
    tqdm = None

VOCAB_FILE = 'answer_vocab.json'


class AnswerVocabError(Exception):
    """Bad input files or options, reported without a traceback."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='VQA answer vocabulary and soft targets '
        '(bottom-up-attention / ViLT recipe)')
    parser.add_argument(
        '--annotations', nargs='+', required=True,
        help='official annotation files, e.g. '
        'v2_mscoco_train2014_annotations.json '
        'v2_mscoco_val2014_annotations.json')
    parser.add_argument('--out-dir', required=True,
                        help='where answer_vocab.json and the targets go')
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--min-count', type=int,
        help='keep answers of at least this many questions, in first-seen '
        'order (default 9: the 3,129 answers of VQA v2 trainval)')
    group.add_argument(
        '--top-k', type=int,
        help='keep the K answers of the most questions, most frequent '
        'first (ties: first seen first)')
    args = parser.parse_args(argv)
    if args.top_k is None and args.min_count is None:
        args.min_count = 9
    for name in ('top_k', 'min_count'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, '
                         f'got {value}')
    return args


def progress(items, desc: str):
    """A progress bar on a terminal (tqdm, disable=None), else the items."""
    if tqdm is None:
        return items
    return tqdm(items, desc=desc, unit='question', disable=None,
                mininterval=1.0)


def load_annotations(path: str) -> list:
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        raise AnswerVocabError(
            f'annotation file {path} does not exist') from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AnswerVocabError(
            f'annotation file {path} is not valid JSON: {err}') from None
    if not isinstance(data, dict) or not isinstance(
            data.get('annotations'), list):
        raise AnswerVocabError(
            f'annotation file {path} must be a JSON object with an '
            '"annotations" list (the official VQA annotation format)')
    for i, ann in enumerate(data['annotations']):
        if not isinstance(ann, dict) or 'question_id' not in ann:
            raise AnswerVocabError(
                f'{path}: annotations[{i}] has no "question_id"')
        if not isinstance(ann.get('multiple_choice_answer'), str):
            raise AnswerVocabError(
                f'{path}: question_id {ann["question_id"]} has no '
                '"multiple_choice_answer" string')
        answers = ann.get('answers')
        if not isinstance(answers, list) or not all(
                isinstance(a, dict) and isinstance(a.get('answer'), str)
                for a in answers):
            raise AnswerVocabError(
                f'{path}: question_id {ann["question_id"]}: "answers" must '
                'be a list of {"answer": str, ...} (the human answers)')
    return data['annotations']


def count_answers(annotation_lists, names) -> Dict[str, int]:
    """Normalised ``multiple_choice_answer`` -> number of distinct question
    ids that have it, in first-seen order."""
    question_ids = {}
    for annotations, name in zip(annotation_lists, names):
        for ann in progress(annotations, f'counting {name}'):
            answer = normalize_answer(ann['multiple_choice_answer'])
            question_ids.setdefault(answer, set()).add(ann['question_id'])
    return {answer: len(ids) for answer, ids in question_ids.items()}


def select_answers(counts: Dict[str, int], min_count=None, top_k=None) -> list:
    """The vocabulary, index = label (see the module docstring for the
    order of each rule)."""
    if top_k is not None:
        # sorted() is stable: equal counts keep the first-seen order
        ranked = sorted(counts, key=lambda answer: -counts[answer])
        return ranked[:top_k]
    return [a for a, n in counts.items() if n >= min_count]


def build_targets(annotations: list, ans2label: dict, name: str):
    """``{question_id: {labels, scores}}`` and the number of questions with
    at least one label."""
    targets, covered = {}, 0
    for ann in progress(annotations, f'targets {name}'):
        labels, scores = soft_targets([a['answer'] for a in ann['answers']],
                                      ans2label)
        targets[str(ann['question_id'])] = dict(labels=labels, scores=scores)
        covered += bool(labels)
    return targets, covered


def main(argv=None):
    args = parse_args(argv)
    names = [osp.splitext(osp.basename(p))[0] for p in args.annotations]
    repeated = {n for n in names if names.count(n) > 1}
    if repeated:
        raise AnswerVocabError(
            f'annotation files with the same name {sorted(repeated)} would '
            f'write the same <name>_targets.json in {args.out_dir}')
    annotation_lists = [load_annotations(p) for p in args.annotations]
    counts = count_answers(annotation_lists, names)
    vocab = select_answers(counts, args.min_count, args.top_k)
    if not vocab:
        raise AnswerVocabError(
            f'no answer occurs for {args.min_count} or more questions in '
            f'{", ".join(args.annotations)}: lower --min-count')
    rule = (f'top {args.top_k}' if args.top_k is not None else
            f'answers of >= {args.min_count} questions')
    if args.top_k is not None and len(vocab) < args.top_k:
        rule += f' (only {len(counts)} distinct answers)'
    atomic_write(osp.join(args.out_dir, VOCAB_FILE),
                 json.dumps(vocab, ensure_ascii=False).encode('utf-8'))
    print(f'answer vocabulary: {len(vocab)} answers ({rule}) of '
          f'{len(counts)} distinct normalised answers -> '
          f'{osp.join(args.out_dir, VOCAB_FILE)}')

    ans2label = {answer: label for label, answer in enumerate(vocab)}
    for annotations, name in zip(annotation_lists, names):
        targets, covered = build_targets(annotations, ans2label, name)
        out = osp.join(args.out_dir, f'{name}_targets.json')
        atomic_write(out, json.dumps(targets).encode('utf-8'))
        coverage = 100.0 * covered / len(annotations) if annotations else 0.
        print(f'{name}: {len(annotations)} questions, coverage {coverage:.2f}'
              f'% ({covered} with an in-vocabulary answer) -> {out}')


if __name__ == '__main__':
    run_tool(main, tool_errors=(AnswerVocabError, ))
