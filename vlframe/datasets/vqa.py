"""VQA v2 and v1 (Antol et al. 2015; Goyal et al. 2017) in the files
visualqa.org distributes."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vlframe.evaluation.functional.vqa_answers import soft_targets
from vlframe.registry import DATASETS, TRANSFORMS
from .sort_of_clevr import DatasetLayoutError
from .transforms.loading import H5_FEATURE_LAYOUT, check_h5_features

__all__ = ['VQADataset', 'ANSWER_TYPES']

ANSWER_TYPES = ('yes/no', 'number', 'other')

EXPECTED_LAYOUT = (
    '<data_root>/v2_OpenEnded_mscoco_<split>_questions.json ({"data_subtype",'
    ' "questions": [{"image_id", "question", "question_id"}]}), '
    '<data_root>/v2_mscoco_<split>_annotations.json ({"annotations": '
    '[{"question_id", "image_id", "question_type", "answer_type", '
    '"multiple_choice_answer", "answers": [{"answer", ...} x 10]}]}; not for '
    'test splits), VQA v1 without the "v2_" prefix; images '
    '<img_prefix>/COCO_<data_subtype>_<image_id:012d>.jpg, or features in '
    'one .h5 (' + H5_FEATURE_LAYOUT + ') or <feature_dir>/<image_id>.npy; '
    'see data/README.md')

_QUESTION_KEYS = ('image_id', 'question', 'question_id')
_ANNOTATION_KEYS = ('question_id', 'image_id', 'question_type',
                    'answer_type', 'answers')
# test-dev questions are a subset of test2015 and use its images
_IMAGE_SUBTYPE = {'test-dev2015': 'test2015'}
_MAX_EXAMPLES = 5


def _examples(ids) -> str:
    ids = sorted(ids)
    more = f', ... ({len(ids)} in all)' if len(ids) > _MAX_EXAMPLES else ''
    return ', '.join(str(i) for i in ids[:_MAX_EXAMPLES]) + more


@DATASETS.register_module()
class VQADataset(BaseDataset):
    """VQA v2 or v1 open-ended questions, one sample per question.

    Each sample has ``question_id``, ``question_text``, ``image_id``, and
    the image as ``img_path`` (``img_prefix``; a loading transform reads
    it) or ``feat_path`` (``feature_file`` / ``feature_dir``;
    ``LoadImageFeature`` reads it). With annotations it also has
    ``answers`` (the raw human answers, ground truth of the official
    metric), ``answer_type``, ``question_type`` (also as
    ``question_family`` / ``question_subtype`` for per-type metrics), and,
    with an answer vocabulary, the soft targets ``gt_answer`` (K,) labels
    and ``gt_answer_weight`` (K,) scores (0.3 / 0.6 / 0.9 / 1.0 for 1 / 2 /
    3 / 4+ annotators giving that raw string; answers outside the
    vocabulary dropped, as bottom-up-attention and ViLT build them).

    The question and annotation files must describe the same questions;
    if not, the error names both files and example ids.

    Args:
        data_root: directory the relative paths below are joined to.
        question_file: ``v2_OpenEnded_mscoco_<split>_questions.json`` (v1:
            ``OpenEnded_mscoco_<split>_questions.json``).
        annotation_file: ``v2_mscoco_<split>_annotations.json`` (v1:
            ``mscoco_<split>_annotations.json``); None for test splits,
            which then load for prediction only (needs ``test_mode=True``).
        answer_vocab_file: JSON list of answers, index = class (written by
            ``tools/dataset_converters/vqa_answer_vocab.py``); becomes
            ``metainfo['classes']``. None: no classes and no targets (for
            looking at data only; training and prediction need it).
        img_prefix: directory of the COCO images,
            ``COCO_<data_subtype>_<image_id:012d>.jpg``.
        feature_file: one ``.h5`` of pre-extracted features, laid out as
            ``image_ids`` (N,) and ``features`` (N, D).
        feature_dir: directory of ``<image_id>.npy`` feature files.
            At most one of the three image sources; none gives
            question-only samples (the "blind" baseline).
        data_subtype: COCO split in the image names; default the questions
            file's ``data_subtype`` ('test-dev2015' -> 'test2015').
        filter_cfg: ``dict(drop_without_label=True)`` drops questions none
            of whose answers is in the vocabulary (as ViLT trains); only
            outside ``test_mode``.
        pipeline: transforms applied to each sample.
    """

    METAINFO = dict(answer_types=ANSWER_TYPES)

    def __init__(self,
                 data_root: str = '',
                 question_file: str = '',
                 annotation_file: Optional[str] = None,
                 answer_vocab_file: Optional[str] = None,
                 img_prefix: Optional[str] = None,
                 feature_file: Optional[str] = None,
                 feature_dir: Optional[str] = None,
                 data_subtype: Optional[str] = None,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 metainfo: Optional[dict] = None,
                 **kwargs):
        if not question_file:
            raise ValueError('VQADataset needs question_file (e.g. '
                             'v2_OpenEnded_mscoco_val2014_questions.json)')
        sources = dict(img_prefix=img_prefix, feature_file=feature_file,
                       feature_dir=feature_dir)
        given = [k for k, v in sources.items() if v]
        if len(given) > 1:
            raise ValueError(f'VQADataset takes one image source, got '
                             f'{" and ".join(given)}')
        if annotation_file is None and not test_mode:
            raise ValueError(
                f'VQADataset: no annotation_file for {question_file}; a '
                'split without answers (test2015, test-dev2015) loads for '
                'prediction only: set test_mode=True')

        def join(path):
            return osp.join(data_root, path) if path else path

        self.question_file = join(question_file)
        self.annotation_file = join(annotation_file)
        self.answer_vocab_file = join(answer_vocab_file)
        self.img_prefix = join(img_prefix)
        self.feature_file = join(feature_file)
        self.feature_dir = join(feature_dir)
        self.data_subtype = data_subtype

        metainfo = dict(metainfo or {})
        self.answer_vocab = None
        if self.answer_vocab_file:
            self.answer_vocab = self._read_vocab(self.answer_vocab_file)
            metainfo.setdefault('classes', self.answer_vocab)
        # build transforms from vlframe's registry (mmengine's Compose would
        # use the root registry, which needs the vlframe default scope)
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]
        super().__init__(
            data_root=data_root,
            metainfo=metainfo,
            pipeline=pipeline,
            test_mode=test_mode,
            **kwargs)

    # -- reading -----------------------------------------------------------
    @staticmethod
    def _read_json(path: str, what: str):
        if not osp.isfile(path):
            raise DatasetLayoutError(
                f'VQA {what} file not found: {path}. Expected layout: '
                f'{EXPECTED_LAYOUT}')
        try:
            with open(path, encoding='utf-8') as f:
                return json.load(f)
        except (ValueError, UnicodeDecodeError) as err:
            raise DatasetLayoutError(
                f'VQA {what} file {path} is not valid JSON ({err}). '
                f'Expected layout: {EXPECTED_LAYOUT}') from None

    @classmethod
    def _read_list(cls, path: str, what: str, key: str,
                   required: Sequence[str]) -> tuple:
        """The file's JSON object and its list ``key`` of entries, each
        checked to be an object holding ``required``."""
        content = cls._read_json(path, what)
        entries = content.get(key) if isinstance(content, dict) else None
        if not isinstance(entries, list):
            got = (f'the keys {sorted(content)}' if isinstance(content, dict)
                   else f'a JSON {type(content).__name__}')
            raise DatasetLayoutError(
                f'VQA {what} file {path} must be a JSON object with a "{key}"'
                f' list, got {got}. Expected layout: {EXPECTED_LAYOUT}')
        keys = frozenset(required)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not keys <= entry.keys():
                fields = (sorted(entry) if isinstance(entry, dict) else
                          f'a JSON {type(entry).__name__}')
                missing = sorted(keys - set(entry)) if isinstance(
                    entry, dict) else sorted(keys)
                raise ValueError(
                    f'VQA {what} file {path}: "{key}"[{i}] lacks the field'
                    f'{"s" if len(missing) > 1 else ""} '
                    f'{", ".join(missing)} (it has {fields}); every entry '
                    f'needs {", ".join(required)}')
        return content, entries

    @classmethod
    def _read_vocab(cls, path: str) -> tuple:
        vocab = cls._read_json(path, 'answer vocabulary')
        if (not isinstance(vocab, list) or not vocab
                or not all(isinstance(a, str) for a in vocab)):
            raise ValueError(
                f'answer vocabulary {path} must be a non-empty JSON list of '
                'answer strings (index = class), as tools/dataset_converters/'
                f'vqa_answer_vocab.py writes it; got {str(vocab)[:80]}')
        if len(set(vocab)) != len(vocab):
            dup = [a for a, n in _count(vocab).items() if n > 1]
            raise ValueError(f'answer vocabulary {path} lists answers more '
                             f'than once: {dup[:_MAX_EXAMPLES]}')
        return tuple(vocab)

    def _check_same_questions(self, questions: list,
                              annotations: list) -> Dict[int, dict]:
        """Annotations by question id, after checking that they are those
        of ``questions``."""
        qfile, afile = self.question_file, self.annotation_file
        by_id = {a['question_id']: a for a in annotations}
        if len(by_id) != len(annotations):
            dup = [i for i, n in _count(
                a['question_id'] for a in annotations).items() if n > 1]
            raise ValueError(f'VQA annotation file {afile} repeats question '
                             f'ids: {_examples(dup)}')
        qids = {q['question_id'] for q in questions}
        if len(qids) != len(questions):
            dup = [i for i, n in _count(
                q['question_id'] for q in questions).items() if n > 1]
            raise ValueError(f'VQA question file {qfile} repeats question '
                             f'ids: {_examples(dup)}')
        no_answer = qids - by_id.keys()
        no_question = by_id.keys() - qids
        if no_answer or no_question:
            lines = [
                f'VQA question file {qfile} ({len(qids)} questions) and '
                f'annotation file {afile} ({len(by_id)} annotations) do not '
                'describe the same questions:'
            ]
            if no_answer:
                lines.append(f'{len(no_answer)} question ids have no '
                             f'annotation, e.g. {_examples(no_answer)}')
            if no_question:
                lines.append(f'{len(no_question)} annotated question ids are '
                             f'not in the question file, e.g. '
                             f'{_examples(no_question)}')
            lines.append('(are both files of the same split and VQA '
                         'version?)')
            raise ValueError(' '.join(lines))
        return by_id

    def _image_source(self, questions: list, content: dict):
        """A function image_id -> {'img_path' or 'feat_path': ...}, after
        checking that the source exists."""
        if self.img_prefix:
            if not osp.isdir(self.img_prefix):
                raise DatasetLayoutError(
                    f'VQA image directory not found: {self.img_prefix}. '
                    f'Expected layout: {EXPECTED_LAYOUT}')
            subtype = self.data_subtype or content.get('data_subtype')
            if not isinstance(subtype, str) or not subtype:
                raise ValueError(
                    f'VQA question file {self.question_file} has no '
                    '"data_subtype" (e.g. "train2014") to name the images '
                    'COCO_<data_subtype>_<image_id:012d>.jpg; pass '
                    'data_subtype=...')
            subtype = _IMAGE_SUBTYPE.get(subtype, subtype)
            template = osp.join(self.img_prefix,
                                f'COCO_{subtype}_{{:012d}}.jpg')
            return 'img_path', template.format
        if self.feature_file:
            if not osp.isfile(self.feature_file):
                raise DatasetLayoutError(
                    f'VQA feature file not found: {self.feature_file}. '
                    f'Expected layout: {EXPECTED_LAYOUT}')
            ids, shape = check_h5_features(self.feature_file)
            missing = {int(q['image_id']) for q in questions} - set(
                ids.tolist())
            if missing:
                raise ValueError(
                    f'feature file {self.feature_file} ({shape[0]} images) '
                    f'has no features for {len(missing)} image ids of '
                    f'{self.question_file}, e.g. {_examples(missing)}')
            path = self.feature_file
            return 'feat_path', lambda image_id: path
        if self.feature_dir:
            if not osp.isdir(self.feature_dir):
                raise DatasetLayoutError(
                    f'VQA feature directory not found: {self.feature_dir}. '
                    f'Expected layout: {EXPECTED_LAYOUT}')
            template = osp.join(self.feature_dir, '{}.npy')
            return 'feat_path', template.format
        return None, None

    # -- BaseDataset ---------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        content, questions = self._read_list(self.question_file, 'question',
                                             'questions', _QUESTION_KEYS)
        if not questions:
            raise DatasetLayoutError(
                f'VQA question file {self.question_file} holds no questions')
        annotations = None
        if self.annotation_file:
            _, ann_list = self._read_list(self.annotation_file, 'annotation',
                                          'annotations', _ANNOTATION_KEYS)
            annotations = self._check_same_questions(questions, ann_list)
        image_key, image_of = self._image_source(questions, content)
        ans2label = ({a: i for i, a in enumerate(self.answer_vocab)}
                     if self.answer_vocab else None)

        targets_of: Dict[tuple, tuple] = {}
        data_list = []
        for q in questions:
            qid, image_id = q['question_id'], q['image_id']
            if not (isinstance(image_id, int)
                    and isinstance(q['question'], str)):
                raise ValueError(
                    f'VQA question file {self.question_file}, question '
                    f'{qid}: "image_id" must be an integer and "question" a '
                    f'string, got {image_id!r} and {q["question"]!r}')
            info = dict(
                question_id=qid, question_text=q['question'],
                image_id=image_id)
            if image_key:
                info[image_key] = image_of(image_id)
            if annotations is not None:
                ann = annotations[qid]
                if ann['image_id'] != image_id:
                    raise ValueError(
                        f'question {qid} is about image {image_id} in '
                        f'{self.question_file} but image {ann["image_id"]} '
                        f'in {self.annotation_file}')
                try:
                    answers = [a['answer'] for a in ann['answers']]
                except (TypeError, KeyError):
                    raise ValueError(
                        f'VQA annotation file {self.annotation_file}, '
                        f'question {qid}: "answers" must be a list of '
                        f'{{"answer": ...}} objects, got '
                        f'{str(ann["answers"])[:80]}') from None
                info.update(
                    answers=answers,
                    answer_type=ann['answer_type'],
                    question_type=ann['question_type'],
                    question_family=ann['answer_type'],
                    question_subtype=ann['question_type'])
                if ans2label is not None:
                    # many questions share their 10 answers ("yes" x 10):
                    # compute each distinct answer list once
                    key = tuple(answers)
                    targets = targets_of.get(key)
                    if targets is None:
                        try:
                            targets = soft_targets(answers, ans2label)
                        except (TypeError, ValueError) as err:
                            raise ValueError(
                                f'VQA annotation file {self.annotation_file}'
                                f', question {qid}: {err}') from None
                        targets_of[key] = targets
                    info['gt_answer'], info['gt_answer_weight'] = targets
            data_list.append(info)
        print_log(
            f'VQA: {len(data_list)} questions from {self.question_file}' +
            ('' if annotations is not None else
             ' (no annotations: prediction only)'), logger='current')
        return data_list

    def filter_data(self) -> List[dict]:
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        unknown = set(self.filter_cfg) - {'drop_without_label'}
        if unknown:
            raise ValueError(f'VQADataset filter_cfg takes drop_without_label'
                             f', got {sorted(unknown)}')
        if not self.filter_cfg.get('drop_without_label', False):
            return self.data_list
        if self.answer_vocab is None:
            raise ValueError('filter_cfg drop_without_label needs '
                             'answer_vocab_file')
        kept = [d for d in self.data_list if d.get('gt_answer')]
        print_log(
            f'VQA: dropped {len(self.data_list) - len(kept)} of '
            f'{len(self.data_list)} questions with no answer in the '
            'vocabulary', logger='current')
        return kept


def _count(items) -> Dict:
    counts: Dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts
