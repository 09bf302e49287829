"""CLEVR v1.0 (Johnson et al. 2017), read from the files as distributed."""
import json
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vlframe.registry import DATASETS, TRANSFORMS
from .sort_of_clevr import DatasetLayoutError

__all__ = [
    'CLEVR_ANSWERS', 'CLEVR_COLORS', 'CLEVR_SHAPES', 'CLEVR_MATERIALS',
    'CLEVR_SIZES', 'CLEVR_FAMILIES', 'CLEVR_FAMILY_OF_FUNCTION',
    'clevr_question_family', 'CLEVRDataset'
]

CLEVR_COLORS = ('gray', 'red', 'blue', 'green', 'brown', 'purple', 'cyan',
                'yellow')
CLEVR_SHAPES = ('cube', 'sphere', 'cylinder')
CLEVR_MATERIALS = ('rubber', 'metal')
CLEVR_SIZES = ('large', 'small')
# Every answer of CLEVR v1.0 (28). Fixed, so that class ids do not depend on
# which split was read first; index = class id.
CLEVR_ANSWERS = (('yes', 'no') + tuple(str(n) for n in range(11)) +
                 CLEVR_COLORS + CLEVR_SHAPES + CLEVR_MATERIALS + CLEVR_SIZES)

# The five question types of the CLEVR paper (Fig. 2 / Table 1), decided by
# the function that produces the answer: the last one of the program.
CLEVR_FAMILIES = ('exist', 'count', 'compare_integer', 'query_attribute',
                  'compare_attribute')
CLEVR_FAMILY_OF_FUNCTION = {
    'exist': 'exist',
    'count': 'count',
    'equal_integer': 'compare_integer',
    'less_than': 'compare_integer',
    'greater_than': 'compare_integer',
    'query_size': 'query_attribute',
    'query_color': 'query_attribute',
    'query_material': 'query_attribute',
    'query_shape': 'query_attribute',
    'equal_size': 'compare_attribute',
    'equal_color': 'compare_attribute',
    'equal_material': 'compare_attribute',
    'equal_shape': 'compare_attribute',
}
# Family of questions that come without a program (the test split).
UNKNOWN_FAMILY = 'unknown'

EXPECTED_LAYOUT = (
    '<data_root>/questions/CLEVR_<split>_questions.json ({"info": ..., '
    '"questions": [{"question", "answer" (absent on test), '
    '"image_filename", "image_index", "question_index", '
    '"question_family_index", "program"}, ...]}) and '
    '<data_root>/images/<split>/CLEVR_<split>_000000.png ...; the layout of '
    'CLEVR_v1.0.zip from https://cs.stanford.edu/people/jcjohns/clevr/')


def clevr_question_family(program: Optional[list],
                          where: str) -> Tuple[str, str]:
    """``(family, last function name)`` of a CLEVR program.

    Programs of CLEVR v1.0 name their functions with ``"function"``; the
    first public release used ``"type"``. Both are accepted. A question
    without a program (test split) is ``('unknown', 'unknown')``.

    Args:
        program: the question's ``program`` list, or None.
        where: file and question index, for error messages.
    """
    if program is None:
        return UNKNOWN_FAMILY, UNKNOWN_FAMILY
    if not isinstance(program, list) or not program:
        raise ValueError(f'{where}: "program" must be a non-empty list of '
                         f'functions, got {program!r}')
    last = program[-1]
    name = None
    if isinstance(last, dict):
        name = last.get('function', last.get('type'))
    if not isinstance(name, str):
        raise ValueError(
            f'{where}: the last program step must be a dict with a '
            f'"function" (or older "type") name, got {last!r}')
    if name not in CLEVR_FAMILY_OF_FUNCTION:
        raise ValueError(
            f'{where}: a CLEVR program must end in one of '
            f'{sorted(CLEVR_FAMILY_OF_FUNCTION)} (the function that gives '
            f'the answer), got "{name}"')
    return CLEVR_FAMILY_OF_FUNCTION[name], name


def _answer_text(answer) -> str:
    """CLEVR answers are strings; tolerate bools and ints of older dumps."""
    if isinstance(answer, bool):
        return 'yes' if answer else 'no'
    return str(answer).strip().lower()


@DATASETS.register_module()
class CLEVRDataset(BaseDataset):
    """CLEVR v1.0 questions over its rendered images.

    Every question is one sample: ``img_path``, ``question_text``,
    ``question_id`` (CLEVR's ``question_index``), ``image_id`` (its
    ``image_index``),
    ``gt_answer`` (index into ``CLEVR_ANSWERS``; absent on the test split,
    which has no answers and loads for prediction only, with
    ``test_mode=True``), ``question_family`` (one of ``CLEVR_FAMILIES``, from
    the program's last function; ``'unknown'`` without a program) and
    ``question_subtype`` (that function's name, e.g. ``query_color``), and
    ``question_family_index`` (CLEVR's template family, -1 if absent).

    Images are not opened here: a loading transform in the pipeline reads
    ``img_path`` and names a missing or unreadable file.

    Args:
        data_root: the extracted ``CLEVR_v1.0`` directory.
        split: 'train', 'val' or 'test'.
        question_file: questions JSON; default
            ``questions/CLEVR_<split>_questions.json``. Relative paths are
            relative to ``data_root``.
        img_prefix: directory of the split's images; default
            ``images/<split>``. Relative to ``data_root`` unless absolute.
        pipeline: transforms applied to each sample.
        test_mode: allow a question file without answers.
    """

    METAINFO = dict(classes=CLEVR_ANSWERS, question_families=CLEVR_FAMILIES)

    def __init__(self,
                 data_root: str = 'data/CLEVR_v1.0',
                 split: str = 'train',
                 question_file: Optional[str] = None,
                 img_prefix: Optional[str] = None,
                 pipeline: List = [],
                 test_mode: bool = False,
                 **kwargs):
        self.split = split
        if question_file is None:
            question_file = osp.join('questions',
                                     f'CLEVR_{split}_questions.json')
        if img_prefix is None:
            img_prefix = osp.join('images', split)
        self.question_file = osp.join(data_root, question_file)
        self.img_prefix = osp.join(data_root, img_prefix)
        # build transforms from vlframe's registry (mmengine's Compose would
        # use the root registry, which needs the vlframe default scope)
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            **kwargs)

    def _read_questions(self) -> list:
        path = self.question_file
        if not osp.isfile(path):
            raise DatasetLayoutError(
                f'CLEVR question file not found: {path}. Expected layout: '
                f'{EXPECTED_LAYOUT}.')
        try:
            with open(path, encoding='utf-8') as f:
                content = json.load(f)
        except (ValueError, UnicodeDecodeError) as err:
            raise DatasetLayoutError(
                f'CLEVR question file {path} is not valid JSON ({err}). '
                f'Expected layout: {EXPECTED_LAYOUT}.') from None
        questions = (
            content.get('questions') if isinstance(content, dict) else None)
        if not isinstance(questions, list):
            got = (f'the keys {sorted(content)}' if isinstance(content, dict)
                   else f'a {type(content).__name__}')
            raise DatasetLayoutError(
                f'CLEVR question file {path} must be a JSON object with a '
                f'"questions" list, got {got}. Expected layout: '
                f'{EXPECTED_LAYOUT}.')
        if not questions:
            raise DatasetLayoutError(
                f'CLEVR question file {path} holds no questions.')
        return questions

    def load_data_list(self) -> List[dict]:
        path = self.question_file
        questions = self._read_questions()
        if not osp.isdir(self.img_prefix):
            raise DatasetLayoutError(
                f'CLEVR image directory not found: {self.img_prefix} (for '
                f'{path}). Expected layout: {EXPECTED_LAYOUT}.')
        answer_to_label = {a: i for i, a in enumerate(CLEVR_ANSWERS)}
        with_answers = 'answer' in questions[0]
        if not with_answers and not self.test_mode:
            raise DatasetLayoutError(
                f'CLEVR question file {path} has no answers (a test split); '
                'it can be used for prediction only: set test_mode=True.')
        data_list = []
        for pos, q in enumerate(questions):
            index = pos
            if isinstance(q, dict):
                index = q.get('question_index', pos)
            where = f'{path}, question_index {index}'
            if not isinstance(q, dict):
                raise ValueError(f'{where}: a question must be a JSON '
                                 f'object, got {q!r}')
            for key in ('question', 'image_filename'):
                if not isinstance(q.get(key), str):
                    raise ValueError(f'{where}: "{key}" must be a string, got '
                                     f'{q.get(key)!r} (fields: {sorted(q)})')
            if ('answer' in q) != with_answers:
                raise ValueError(
                    f'{where}: has {"an" if "answer" in q else "no"} '
                    f'"answer" but question 0 has '
                    f'{"one" if with_answers else "none"}; a split must be '
                    'all answered or all unanswered')
            family, subtype = clevr_question_family(q.get('program'), where)
            info = dict(
                question_id=int(index),
                image_id=int(q.get('image_index', -1)),
                img_path=osp.join(self.img_prefix, q['image_filename']),
                question_text=q['question'],
                question_family=family,
                question_subtype=subtype,
                question_family_index=int(q.get('question_family_index', -1)))
            if with_answers:
                answer = _answer_text(q['answer'])
                if answer not in answer_to_label:
                    raise ValueError(
                        f'{where}: answer "{q["answer"]}" is not one of the '
                        f'{len(CLEVR_ANSWERS)} CLEVR answers '
                        f'{list(CLEVR_ANSWERS)}')
                info['gt_answer'] = answer_to_label[answer]
            data_list.append(info)
        print_log(
            f'CLEVR {self.split}: {len(data_list)} questions from {path}'
            f'{"" if with_answers else " (no answers: prediction only)"}',
            logger='current')
        return data_list
