"""Sort-of-CLEVR, generated on first use and cached under ``data_root``."""
import hashlib
import io
import json
import os.path as osp
import zipfile
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vlframe.registry import DATASETS, TRANSFORMS
from vlframe.utils.checkpoint import atomic_write
from .generators.sort_of_clevr import (ANSWER_VOCAB, FAMILY_NAMES,
                                       SUBTYPE_NAMES, generate_sort_of_clevr,
                                       question_text)

# bump when the generator's output for the same arguments changes, so old
# caches are not reused
GENERATOR_VERSION = 1

_ARRAY_KEYS = ('images', 'object_centers', 'object_shapes', 'question_image',
               'question_family', 'question_subtype', 'question_color_a',
               'question_color_b', 'question_vec', 'answer')

EXPECTED_LAYOUT = (
    '<data_root>/sort_of_clevr_<split>_<hash>.npz holding the arrays '
    f'{", ".join(_ARRAY_KEYS)}, and a .json beside it with the generation '
    'parameters; both are written by SortOfClevrDataset when generate=True')


class DatasetLayoutError(FileNotFoundError):
    """A dataset directory is missing or does not hold what it should."""


@DATASETS.register_module()
class SortOfClevrDataset(BaseDataset):
    """Sort-of-CLEVR (Santoro et al. 2017), as its public reimplementation
    generates it (see ``vlframe/datasets/generators/sort_of_clevr.py``).

    Every question of every image is one sample:
    ``img`` (75, 75, 3) uint8 RGB, ``question`` the float encoding (11-dim
    paper code, 18-dim with ternary questions), ``question_text`` the English
    question, ``gt_answer`` an index into ``ANSWER_VOCAB``,
    ``question_family`` / ``question_subtype`` names for per-type metrics.

    The set is a pure function of its parameters. It is generated the first
    time those parameters are used and cached as one ``.npz`` under
    ``data_root`` whose name carries a hash of the parameters; other
    parameters make another file, the same ones reuse it.

    Args:
        data_root: the cache directory (``data/sort_of_clevr``).
        split: a name for the file ('train', 'test'); the content depends
            only on the other parameters, so give each split its own seed.
        num_images: images to generate (each gives 20 or 30 questions).
        seed: seed of the generator.
        ternary: add the reimplementation's 10 three-object questions per
            image (and switch to its 18-dim encoding).
        ternary_subtype: -1 random, or 0..2 to force one ternary subtype.
        generate: generate a missing set; with False a missing cache is an
            error (for read-only data directories).
        question_families: keep only the questions of these families (names
            from ``FAMILY_NAMES``, e.g. ``('non_relational',)`` for a first
            training stage on them); None keeps all. The generated set and
            its cache are the same either way; ``question_id`` stays the
            question's index in the full set.
        pipeline: transforms applied to each sample.
    """

    METAINFO = dict(
        classes=ANSWER_VOCAB,
        question_families=FAMILY_NAMES,
        question_subtypes=SUBTYPE_NAMES)

    def __init__(self,
                 data_root: str = 'data/sort_of_clevr',
                 split: str = 'train',
                 num_images: int = 9800,
                 seed: int = 1,
                 ternary: bool = False,
                 ternary_subtype: int = -1,
                 generate: bool = True,
                 question_families: Optional[Sequence[str]] = None,
                 pipeline: List = [],
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 **kwargs):
        self.split = split
        self.params = dict(
            num_images=int(num_images),
            seed=int(seed),
            ternary=bool(ternary),
            ternary_subtype=int(ternary_subtype),
            generator_version=GENERATOR_VERSION)
        self.generate = generate
        self.question_families = self._check_families(question_families,
                                                      ternary)
        # build transforms from vlframe's registry (mmengine's Compose would
        # use the root registry, which needs the vlframe default scope)
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]
        self._arrays: Optional[Dict[str, np.ndarray]] = None
        # (N,) index into the arrays' questions of every sample
        self._question_index: Optional[np.ndarray] = None
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            serialize_data=False,
            **kwargs)

    @staticmethod
    def _check_families(families: Optional[Sequence[str]],
                        ternary: bool) -> Optional[tuple]:
        if families is None:
            return None
        if isinstance(families, str):
            families = (families, )
        known = FAMILY_NAMES if ternary else FAMILY_NAMES[:2]
        unknown = [f for f in families if f not in known]
        if unknown or not families:
            raise ValueError(
                f'question_families={tuple(families)!r}: '
                f'{"unknown " + str(unknown) if unknown else "empty"}; '
                f'this set has the families {known}'
                f'{"" if ternary else " (ternary needs ternary=True)"}.')
        return tuple(families)

    # -- cache ------------------------------------------------------------
    @property
    def cache_path(self) -> str:
        key = json.dumps(self.params, sort_keys=True)
        digest = hashlib.sha1(key.encode()).hexdigest()[:10]
        return osp.join(self.data_root,
                        f'sort_of_clevr_{self.split}_{digest}.npz')

    def _load_cache(self, path: str) -> Dict[str, np.ndarray]:
        try:
            npz = np.load(path)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise DatasetLayoutError(
                    f'Sort-of-CLEVR cache {path} is a single array, not an '
                    f'.npz archive. Expected layout: {EXPECTED_LAYOUT}. '
                    'Delete the file to regenerate it.')
            with npz:
                missing = [k for k in _ARRAY_KEYS if k not in npz.files]
                if missing:
                    raise DatasetLayoutError(
                        f'Sort-of-CLEVR cache {path} lacks the arrays '
                        f'{missing}. Expected layout: {EXPECTED_LAYOUT}. '
                        'Delete the file to regenerate it.')
                return {k: npz[k] for k in _ARRAY_KEYS}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            if isinstance(err, DatasetLayoutError):
                raise
            raise DatasetLayoutError(
                f'Sort-of-CLEVR cache {path} is unreadable ({err}). Expected '
                f'layout: {EXPECTED_LAYOUT}. Delete the file to regenerate '
                'it.') from None

    def _generate_and_cache(self, path: str) -> Dict[str, np.ndarray]:
        print_log(
            f'Generating Sort-of-CLEVR {self.split} set '
            f'({self.params["num_images"]} images, seed '
            f'{self.params["seed"]}) into {path}', logger='current')
        arrays = generate_sort_of_clevr(
            num_images=self.params['num_images'],
            seed=self.params['seed'],
            ternary=self.params['ternary'],
            ternary_subtype=self.params['ternary_subtype'],
            progress=True)
        buffer = io.BytesIO()
        np.savez(buffer, **{k: arrays[k] for k in _ARRAY_KEYS})
        # a kill during generation must not leave a half-written cache
        atomic_write(path, buffer.getvalue())
        atomic_write(osp.splitext(path)[0] + '.json',
                     json.dumps(dict(split=self.split, **self.params),
                                indent=2).encode())
        return {k: arrays[k] for k in _ARRAY_KEYS}

    def _check_data_root(self) -> None:
        root = self.data_root
        if osp.exists(root) and not osp.isdir(root):
            raise DatasetLayoutError(
                f'Sort-of-CLEVR data_root {root} exists but is not a '
                f'directory. Expected layout: {EXPECTED_LAYOUT}.')
        if not self.generate and not osp.isfile(self.cache_path):
            raise DatasetLayoutError(
                f'Sort-of-CLEVR set not found: {self.cache_path} does not '
                f'exist and generate=False. Expected layout: '
                f'{EXPECTED_LAYOUT}. Set generate=True to create it.')

    # -- BaseDataset ----------------------------------------------------
    def full_init(self) -> None:
        """Load (or generate) the arrays. Samples stay in arrays: 196k
        per-question dicts would cost memory and start-up time for nothing.
        """
        if self._fully_initialized:
            return
        self._check_data_root()
        path = self.cache_path
        if osp.isfile(path):
            self._arrays = self._load_cache(path)
        else:
            self._arrays = self._generate_and_cache(path)
        family = self._arrays['question_family']
        if self.question_families is None:
            self._question_index = np.arange(len(family))
        else:
            codes = [FAMILY_NAMES.index(f) for f in self.question_families]
            self._question_index = np.flatnonzero(np.isin(family, codes))
        self._fully_initialized = True

    def load_data_list(self) -> List[dict]:
        """All samples as dicts (for inspection; training indexes arrays)."""
        self.full_init()
        return [self.get_data_info(i) for i in range(len(self))]

    def __len__(self) -> int:
        if not self._fully_initialized:
            self.full_init()
        return len(self._question_index)

    def get_data_info(self, idx: int) -> dict:
        a = self._arrays
        sample_idx = idx
        idx = int(self._question_index[idx])
        img_idx = int(a['question_image'][idx])
        family = int(a['question_family'][idx])
        subtype = int(a['question_subtype'][idx])
        family_name = FAMILY_NAMES[family]
        return dict(
            question_id=int(idx),
            img_idx=img_idx,
            img=a['images'][img_idx],  # (75, 75, 3) uint8 RGB, a view
            # a copy: a transform must not write into the dataset
            question=a['question_vec'][idx].copy(),
            question_text=question_text(family, subtype,
                                        int(a['question_color_a'][idx]),
                                        int(a['question_color_b'][idx])),
            question_family=family_name,
            question_subtype=SUBTYPE_NAMES[family_name][subtype],
            gt_answer=int(a['answer'][idx]),
            sample_idx=sample_idx)

    def image_ids(self) -> np.ndarray:
        """(N,) the image index of every sample (``ImageGroupedSampler``)."""
        self.full_init()
        return self._arrays['question_image'][self._question_index]

    @property
    def arrays(self) -> Dict[str, np.ndarray]:
        """The raw generated arrays (images, objects, questions, answers),
        all questions whatever ``question_families`` keeps."""
        self.full_init()
        return self._arrays
