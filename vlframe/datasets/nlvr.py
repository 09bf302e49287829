"""Cornell NLVR (Suhr et al. 2017), read from the files as distributed."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vlframe.registry import DATASETS, TRANSFORMS
from .sort_of_clevr import DatasetLayoutError

__all__ = ['NLVR_CLASSES', 'NLVRDataset', 'index_nlvr_images']

# gt_answer 0 = false, 1 = true
NLVR_CLASSES = ('false', 'true')
_LABELS = {'false': 0, 'true': 1}
_IMAGE_EXTENSIONS = ('.png', )

EXPECTED_LAYOUT = (
    '<data_root>/<split>/<split>.json (JSON lines: {"sentence", '
    '"identifier": "<n>-<m>", "label": "true"|"false" (absent on hidden '
    'test), "directory", ...}) and '
    '<data_root>/<split>/images/<directory>/<split>-<identifier>-<k>.png '
    'for the six box orders k = 0..5; the layout of the nlvr/ folder of '
    'https://github.com/lil-lab/nlvr')


def index_nlvr_images(img_root: str) -> Dict[str, List[Tuple[int, str]]]:
    """Map every identifier under ``img_root`` to its images.

    One walk of the directory tree (``os.scandir``), so loading costs one
    listing per directory instead of one glob per sentence. File names are
    ``<split>-<n>-<m>-<k>.png``; the identifier is ``<n>-<m>`` and ``k`` the
    box order. Other files are ignored.

    Returns:
        ``{identifier: [(k, path), ...]}`` sorted by ``k``.
    """
    index: Dict[str, Dict[int, str]] = {}
    stack = [img_root]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append(entry.path)
                    continue
                stem, ext = osp.splitext(entry.name)
                if ext.lower() not in _IMAGE_EXTENSIONS:
                    continue
                parts = stem.split('-')
                # <split>, <n>, <m>, <k>; only k must be a number here
                if len(parts) < 4 or not parts[-1].isdigit():
                    continue
                identifier, k = '-'.join(parts[1:-1]), int(parts[-1])
                images = index.setdefault(identifier, {})
                if k in images:
                    raise DatasetLayoutError(
                        f'NLVR image {k} of identifier {identifier} exists '
                        f'twice: {images[k]} and {entry.path}')
                images[k] = entry.path
    return {
        identifier: sorted(images.items())
        for identifier, images in index.items()
    }


@DATASETS.register_module()
class NLVRDataset(BaseDataset):
    """Cornell NLVR: is the sentence true of the image?

    Each line of ``<split>.json`` is one sentence about one set of three
    boxes, rendered as up to six images (the six orders of the boxes). Every
    image of an identifier becomes a sample with the sentence's label:
    ``img_path``, ``question_text`` (the sentence), ``gt_answer`` 0 (false) /
    1 (true) (absent when the file has no labels, e.g. the hidden test set,
    which loads with ``test_mode=True`` for prediction only),
    ``identifier``, ``image_id`` (``<identifier>-<k>``), ``image_order``
    (k), ``sentence_index`` (0-based line of the sentence, blank lines
    counted), ``question_family`` 'nlvr' and ``question_subtype`` 'all'.

    Args:
        data_root: the ``nlvr`` directory holding one folder per split.
        split: 'train', 'dev', 'test' (the public test set), ...
        ann_file: the JSON-lines file; default ``<split>/<split>.json``,
            relative to ``data_root`` unless absolute.
        img_prefix: root of the split's images; default
            ``<split>/images``, relative to ``data_root`` unless absolute.
            Identifiers are matched to image files anywhere below it.
        directories: keep only sentences whose images are in these
            numbered folders of ``img_prefix`` (NLVR's README suggests
            validating on whole folders of train, since the six orders of
            one example would otherwise leak between train and val).
        exclude_directories: drop sentences whose images are in these
            folders.
        pipeline: transforms applied to each sample.
        test_mode: allow a file without labels.
    """

    METAINFO = dict(classes=NLVR_CLASSES, question_families=('nlvr', ))

    def __init__(self,
                 data_root: str = 'data/nlvr',
                 split: str = 'train',
                 ann_file: Optional[str] = None,
                 img_prefix: Optional[str] = None,
                 directories: Optional[Sequence[str]] = None,
                 exclude_directories: Optional[Sequence[str]] = None,
                 pipeline: List = [],
                 test_mode: bool = False,
                 **kwargs):
        self.split = split
        if ann_file is None:
            ann_file = osp.join(split, f'{split}.json')
        if img_prefix is None:
            img_prefix = osp.join(split, 'images')
        self.img_prefix = osp.join(data_root, img_prefix)
        self.directories = None
        if directories is not None:
            self.directories = {str(d) for d in directories}
        self.exclude_directories = {str(d) for d in exclude_directories or ()}
        # build transforms from vlframe's registry (mmengine's Compose would
        # use the root registry, which needs the vlframe default scope)
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        # BaseDataset joins a relative ann_file with data_root
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            **kwargs)

    def _read_sentences(self) -> List[Tuple[int, dict]]:
        """``(line index, record)`` of every non-blank line."""
        path = self.ann_file
        if not osp.isfile(path):
            raise DatasetLayoutError(
                f'NLVR annotation file not found: {path}. Expected layout: '
                f'{EXPECTED_LAYOUT}.')
        records = []
        with open(path, encoding='utf-8') as f:
            for line_index, line in enumerate(f):
                if not line.strip():
                    continue
                where = f'{path}, line {line_index + 1}'
                try:
                    record = json.loads(line)
                except ValueError as err:
                    raise ValueError(
                        f'{where}: not a JSON object ({err}); each line of '
                        'an NLVR file is one JSON object') from None
                if not isinstance(record, dict):
                    raise ValueError(f'{where}: expected a JSON object, got '
                                     f'{type(record).__name__}')
                for key in ('sentence', 'identifier'):
                    if not isinstance(record.get(key), str):
                        raise ValueError(
                            f'{where}: "{key}" must be a string, got '
                            f'{record.get(key)!r} (fields: {sorted(record)})')
                records.append((line_index, record))
        if not records:
            raise DatasetLayoutError(f'NLVR annotation file {path} holds no '
                                     'sentences.')
        return records

    @staticmethod
    def _label(record: dict, where: str) -> int:
        label = record['label']
        # NLVR writes 'true' / 'false'; accept other capitalisations and
        # JSON booleans too
        text = str(label).lower() if isinstance(label, (str, bool)) else None
        if text not in _LABELS:
            raise ValueError(f'{where}: "label" must be "true" or "false", '
                             f'got {label!r}')
        return _LABELS[text]

    def _missing_images_message(self, record: dict, where: str) -> str:
        directory = record.get('directory')
        folder = (
            osp.join(self.img_prefix, str(directory)) if directory is not None
            else osp.join(self.img_prefix, '<any directory>'))
        pattern = osp.join(folder,
                           f'{self.split}-{record["identifier"]}-<k>.png')
        return (f'{where}: no image of identifier '
                f'"{record["identifier"]}" under {self.img_prefix}; '
                f'expected {pattern} for k in 0..5. Expected layout: '
                f'{EXPECTED_LAYOUT}.')

    def _selected(self, record: dict,
                  images: Optional[List[Tuple[int, str]]]) -> bool:
        """Whether the sentence's image folder passes ``directories`` /
        ``exclude_directories`` (its ``directory`` field, else the folder
        its images were found in)."""
        if self.directories is None and not self.exclude_directories:
            return True
        folder = record.get('directory')
        if folder is None and images:
            folder = osp.relpath(osp.dirname(images[0][1]), self.img_prefix)
        folder = str(folder)
        if self.directories is not None and folder not in self.directories:
            return False
        return folder not in self.exclude_directories

    def load_data_list(self) -> List[dict]:
        path = self.ann_file
        records = self._read_sentences()
        if not osp.isdir(self.img_prefix):
            raise DatasetLayoutError(
                f'NLVR image directory not found: {self.img_prefix} (for '
                f'{path}). Expected layout: {EXPECTED_LAYOUT}.')
        images = index_nlvr_images(self.img_prefix)
        with_labels = 'label' in records[0][1]
        if not with_labels and not self.test_mode:
            raise DatasetLayoutError(
                f'NLVR file {path} has no labels (a hidden test split); it '
                'can be used for prediction only: set test_mode=True.')
        data_list = []
        num_kept = 0
        for line_index, record in records:
            where = f'{path}, line {line_index + 1}'
            if ('label' in record) != with_labels:
                raise ValueError(
                    f'{where}: has {"a" if "label" in record else "no"} '
                    f'"label" but the first sentence has '
                    f'{"one" if with_labels else "none"}; a file must be all '
                    'labelled or all unlabelled')
            identifier = record['identifier']
            if not self._selected(record, images.get(identifier)):
                continue
            if identifier not in images:
                raise DatasetLayoutError(
                    self._missing_images_message(record, where))
            label = self._label(record, where) if with_labels else None
            num_kept += 1
            for order, img_path in images[identifier]:
                info = dict(
                    question_id=len(data_list),
                    img_path=img_path,
                    question_text=record['sentence'],
                    identifier=identifier,
                    image_id=f'{identifier}-{order}',
                    image_order=order,
                    sentence_index=line_index,
                    question_family='nlvr',
                    question_subtype='all')
                if label is not None:
                    info['gt_answer'] = label
                data_list.append(info)
        if not data_list:
            folders = sorted({
                osp.relpath(osp.dirname(paths[0][1]), self.img_prefix)
                for paths in images.values()
            })
            raise ValueError(
                f'{path}: directories={sorted(self.directories or [])} / '
                f'exclude_directories={sorted(self.exclude_directories)} '
                f'leave no sentence; the image folders are {folders}')
        print_log(
            f'NLVR {self.split}: {num_kept} sentences, '
            f'{len(data_list)} image samples from {path}'
            f'{"" if with_labels else " (no labels: prediction only)"}',
            logger='current')
        return data_list
