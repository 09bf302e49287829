"""IGMC's samples: the enclosing subgraph of every rated (user, item) pair,
with the rating as the regression target."""
import logging
import os
import os.path as osp
from typing import List, Optional

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vlframe.registry import DATASETS, TRANSFORMS
from vlframe.structures import GraphDataSample
from vlframe.utils.paths import is_writable_dir, user_cache_dir
from .rating_readers import RATING_FORMATS, rating_files, read_rating_data
from .rating_subgraphs import (EXTRACTION_VERSION, EnclosingSubgraphs,
                               RatingGraph, SubgraphCache, extract_subgraphs,
                               file_fingerprints)

__all__ = ['RatingSubgraphDataset', 'default_subgraph_cache_dir']


def default_subgraph_cache_dir(data_root: str) -> str:
    """``<data_root>/subgraph_cache`` when ``data_root`` is writable,
    otherwise ``$XDG_CACHE_HOME/vlframe/rating_subgraphs`` (default
    ``~/.cache/vlframe/rating_subgraphs``); cache keys hold the data files'
    hashes, so datasets sharing that directory never collide."""
    if is_writable_dir(data_root):
        return osp.join(data_root, 'subgraph_cache')
    return user_cache_dir('rating_subgraphs')


@DATASETS.register_module()
class RatingSubgraphDataset(BaseDataset):
    """Enclosing subgraphs of rated pairs (IGMC, Zhang & Chen 2020).

    Reads the ratings (:mod:`vlframe.datasets.rating_readers`), builds the
    graph of the *training* ratings, and extracts around every pair of
    ``split`` its ``hop``-hop enclosing subgraph in that graph
    (:mod:`vlframe.datasets.rating_subgraphs`; a training pair's own rating
    is removed from its subgraph, a test pair's is not in the graph). The
    subgraphs are cached on disk on first use; the same arguments and data
    files load the cache, any change rebuilds it.

    A sample is ``dict(inputs=Data, data_samples=GraphDataSample)``:
    ``inputs.x`` (n, 2 * hop + 2) one-hot node labels, ``inputs.node_label``
    (n,), ``inputs.edge_index`` (2, E), ``inputs.edge_type`` (E,) (index in
    ``metainfo['rating_values']``), node 0 the target user and node 1 the
    target item; ``data_samples.gt_rating`` the rating value, metainfo
    ``user``, ``item`` (0-based indices), ``split``, ``sample_idx``.
    Collate with ``collate_fn=dict(type='pyg_collate')``.

    ``metainfo``: ``rating_values`` (sorted tuple of the distinct ratings of
    both splits) and ``num_relations`` (their number), known after
    ``full_init`` (at construction unless ``lazy_init=True``).

    Args:
        data_root: the directory holding the files: ``.../flixster`` with
            ``training_test_dataset.mat`` (``data_format='monti'``),
            ``.../ml-100k`` with ``u1.base`` / ``u1.test`` ('ml-100k'),
            ``.../ml-1m`` with ``ratings.dat`` ('ml-1m').
        data_format: 'monti', 'ml-100k' or 'ml-1m'.
        split: 'train' or 'test'.
        hop: enclosing subgraph depth (IGMC: 1).
        max_nodes_per_hop: keep at most this many random users and items
            per hop (IGMC: 200 for ML-100K, 100 for ML-1M); None keeps all.
        seed: of that random choice (only used with max_nodes_per_hop).
        num_workers: extraction processes.
        cache_dir: where the extracted subgraphs go; default
            :func:`default_subgraph_cache_dir`.
        standard_rating: map ratings onto 1..5 as IGMC's
            ``--standard-rating`` (half stars rounded up; YahooMusic's
            1..100 to ``(x - 1) // 20 + 1``). Off in the paper's runs.
        fold: ML-100K fold read as ``<fold>.base`` / ``<fold>.test`` (IGMC:
            'u1'); None splits ``u.data`` at random.
        split_seed, test_ratio: the random 90/10 split of ML-1M (and of
            ML-100K with ``fold=None``); 1234 and 0.1 reproduce IGMC's.
        pipeline: transforms applied to each sample.
    """

    METAINFO: dict = dict()

    def __init__(self,
                 data_root: str,
                 data_format: str = 'monti',
                 split: str = 'train',
                 hop: int = 1,
                 max_nodes_per_hop: Optional[int] = None,
                 seed: int = 1,
                 num_workers: int = 2,
                 cache_dir: Optional[str] = None,
                 standard_rating: bool = False,
                 fold: Optional[str] = 'u1',
                 split_seed: int = 1234,
                 test_ratio: float = 0.1,
                 pipeline: List = [],
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 **kwargs):
        if data_format not in RATING_FORMATS:
            raise ValueError(f'data_format must be one of {RATING_FORMATS}, '
                             f'got {data_format!r}')
        if split not in ('train', 'test'):
            raise ValueError(f'split must be "train" or "test", got {split!r}')
        self.data_format = data_format
        self.split = split
        self.hop = int(hop)
        self.max_nodes_per_hop = (None if max_nodes_per_hop is None else
                                  int(max_nodes_per_hop))
        self.seed = int(seed)
        self.num_workers = int(num_workers)
        self.standard_rating = bool(standard_rating)
        self.fold = fold
        self.split_seed = int(split_seed)
        self.test_ratio = float(test_ratio)
        self.cache_dir = cache_dir or default_subgraph_cache_dir(data_root)
        self._subgraphs: Optional[EnclosingSubgraphs] = None
        self._ratings: Optional[np.ndarray] = None
        self._cache_path: Optional[str] = None
        # build transforms from vlframe's registry (mmengine's Compose would
        # use the root registry, which needs the vlframe default scope)
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            serialize_data=False,
            **kwargs)

    # -- cache ------------------------------------------------------------
    def _reader_options(self) -> dict:
        """The reader arguments that matter for this format."""
        options = dict(standard_rating=self.standard_rating)
        if self.data_format == 'ml-100k':
            options['fold'] = self.fold
        if self.data_format == 'ml-1m' or (self.data_format == 'ml-100k'
                                           and self.fold is None):
            options.update(split_seed=self.split_seed,
                           test_ratio=self.test_ratio)
        return options

    def cache_key(self) -> dict:
        """What the cached subgraphs depend on. Raises the reader's
        missing-file error when a data file is absent."""
        files = rating_files(self.data_root, self.data_format, self.fold)
        return dict(
            version=EXTRACTION_VERSION,
            data_format=self.data_format,
            reader=self._reader_options(),
            files=file_fingerprints(files),
            split=self.split,
            hop=self.hop,
            max_nodes_per_hop=self.max_nodes_per_hop,
            # the seed changes nothing when every node is kept
            seed=self.seed if self.max_nodes_per_hop is not None else None)

    @property
    def cache_path(self) -> str:
        """The cache file this dataset loaded or wrote (before
        ``full_init``: the one it would use)."""
        if self._cache_path is not None:
            return self._cache_path
        return SubgraphCache(self.cache_dir).path(self.cache_key())

    def _extract(self) -> dict:
        data = read_rating_data(self.data_root, self.data_format,
                                **self._reader_options())
        graph = RatingGraph.from_ratings(
            data.num_users, data.num_items, data.train_users,
            data.train_items, data.edge_types(data.train_ratings))
        users, items, ratings = data.split(self.split)
        print_log(
            f'Extracting {len(users)} {self.split} enclosing subgraphs '
            f'(hop {self.hop}, max_nodes_per_hop {self.max_nodes_per_hop}) '
            f'of {self.data_root} with {self.num_workers} worker(s)',
            logger='current')
        subgraphs = extract_subgraphs(
            graph,
            users,
            items,
            hop=self.hop,
            max_nodes_per_hop=self.max_nodes_per_hop,
            seed=self.seed,
            num_workers=self.num_workers)
        return dict(
            subgraphs=subgraphs,
            ratings=ratings.astype(np.float32),
            rating_values=data.rating_values)

    # -- BaseDataset ------------------------------------------------------
    def full_init(self) -> None:
        """Load the cached subgraphs, or extract and cache them."""
        if self._fully_initialized:
            return
        key = self.cache_key()
        cache = SubgraphCache(self.cache_dir)
        loaded = cache.load(key)
        if loaded is not None:
            subgraphs, extra = loaded
            ratings, rating_values = extra['ratings'], extra['rating_values']
            print_log(
                f'Loaded {len(subgraphs)} {self.split} subgraphs from '
                f'{cache.path(key)}',
                logger='current')
        else:
            extracted = self._extract()
            subgraphs = extracted['subgraphs']
            ratings = extracted['ratings']
            rating_values = extracted['rating_values']
            try:
                path = cache.save(key, subgraphs, ratings=ratings,
                                  rating_values=rating_values)
                print_log(f'Cached the subgraphs in {path}', logger='current')
            except OSError as err:
                print_log(
                    f'Could not write the subgraph cache into '
                    f'{self.cache_dir} ({err}); set cache_dir to a '
                    'writable directory to avoid extracting again',
                    logger='current',
                    level=logging.WARNING)
        self._subgraphs, self._ratings = subgraphs, ratings
        self._cache_path = cache.path(key)
        self._metainfo.update(
            rating_values=tuple(float(v) for v in rating_values),
            num_relations=len(rating_values))
        self._fully_initialized = True

    def load_data_list(self) -> List[dict]:
        """The pairs as dicts, for inspection (samples are built from the
        arrays in :meth:`get_data_info`)."""
        self.full_init()
        return [
            dict(
                user=int(self._subgraphs.users[k]),
                item=int(self._subgraphs.items[k]),
                gt_rating=float(self._ratings[k]),
                sample_idx=k) for k in range(len(self))
        ]

    def __len__(self) -> int:
        if not self._fully_initialized:
            self.full_init()
        return len(self._subgraphs)

    def get_data_info(self, idx: int) -> dict:
        sample = GraphDataSample(
            metainfo=dict(
                user=int(self._subgraphs.users[idx]),
                item=int(self._subgraphs.items[idx]),
                split=self.split,
                sample_idx=int(idx)))
        sample.set_gt_rating(float(self._ratings[idx]))
        return dict(inputs=self._subgraphs.graph(idx), data_samples=sample)

    @property
    def subgraphs(self) -> EnclosingSubgraphs:
        """All subgraphs in their concatenated arrays."""
        self.full_init()
        return self._subgraphs

    @property
    def ratings(self) -> np.ndarray:
        """(P,) float32 rating of every pair."""
        self.full_init()
        return self._ratings
