"""Readers of the rating matrices IGMC (Zhang & Chen, ICLR 2020) trains on,
in the formats their publishers distribute.

* MovieLens-100K (https://grouplens.org/datasets/movielens/100k/): the
  official fold ``u1.base`` / ``u1.test`` that IGMC uses
  (``load_official_trainvaltest_split`` in muhanzhang/IGMC
  ``preprocessing.py``), or ``u.data`` split at random 90/10; lines
  ``user item rating timestamp`` (tab-separated), ids from 1.
* MovieLens-1M (https://grouplens.org/datasets/movielens/1m/):
  ``ratings.dat``, lines ``user::item::rating::timestamp``, split at random
  90/10 exactly as IGMC / GC-MC do (``random.seed(1234)``,
  ``random.shuffle`` of the rows, the last ``ceil(0.1 n)`` rows are test).
* Douban, Flixster, YahooMusic: the 3000 x 3000 subsets of Monti et al.
  (2017), ``training_test_dataset.mat`` (MATLAB 7.3 = HDF5), with the fixed
  train/test masks ``Otraining`` / ``Otest`` (``load_data_monti``).

Every reader returns one :class:`RatingData`: 0-based user and item indices,
the train and test ratings, and the sorted distinct rating values (IGMC's
``class_values``; the index of a rating in it is the edge type).
IGMC's "testing" mode is what is reproduced: the training ratings are all of
``Otraining`` / ``u1.base`` / the first 90% (IGMC's train + validation).

Bad input is a :class:`RatingDataError` (a ``ValueError``) naming the file:
a malformed line (with its 1-based number and text), an id outside the
range, a ``.mat`` file without one of its keys, a pair rated twice; a
missing file is a :class:`RatingFileNotFoundError`, which is also a
``FileNotFoundError``.
"""
import math
import os.path as osp
import random
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .sort_of_clevr import DatasetLayoutError

__all__ = [
    'RatingDataError', 'RatingFileNotFoundError', 'RatingData',
    'RATING_FORMATS', 'rating_files', 'read_rating_data',
    'read_movielens_100k', 'read_movielens_1m', 'read_monti_mat',
    'standard_rating_map'
]

RATING_FORMATS = ('monti', 'ml-100k', 'ml-1m')

MONTI_FILE = 'training_test_dataset.mat'
MONTI_KEYS = ('M', 'Otraining', 'Otest')
# the ranges the MovieLens-1M README documents
ML_1M_NUM_USERS, ML_1M_NUM_ITEMS = 6040, 3952

EXPECTED_LAYOUT = {
    'monti': (
        '<data_root>/training_test_dataset.mat, a MATLAB 7.3 (HDF5) file '
        'with the rating matrix "M" and the masks "Otraining" / "Otest" '
        '(users x items), as in raw_data/<douban|flixster|yahoo_music>/ of '
        'https://github.com/muhanzhang/IGMC'),
    'ml-100k': (
        '<data_root>/u1.base and <data_root>/u1.test (or another fold '
        '<fold>.base / <fold>.test; or u.data with fold=None), lines '
        '"user<TAB>item<TAB>rating<TAB>timestamp", and optionally u.info; '
        'the ml-100k/ folder of ml-100k.zip from '
        'https://grouplens.org/datasets/movielens/100k/'),
    'ml-1m': (
        '<data_root>/ratings.dat, lines "user::item::rating::timestamp"; '
        'the ml-1m/ folder of ml-1m.zip from '
        'https://grouplens.org/datasets/movielens/1m/'),
}


class RatingDataError(ValueError):
    """A rating file does not hold what its format says."""


class RatingFileNotFoundError(RatingDataError, DatasetLayoutError):
    """A rating file the format needs is not there."""


@dataclass(frozen=True)
class RatingData:
    """The ratings of one dataset, split into train and test.

    ``*_users`` / ``*_items`` are 0-based indices (int64) into
    ``num_users`` / ``num_items``; ``*_ratings`` the rating values
    (float64). ``rating_values`` is the sorted array of distinct values over
    both splits. ``files`` are the files read, for cache keys.
    """
    num_users: int
    num_items: int
    train_users: np.ndarray
    train_items: np.ndarray
    train_ratings: np.ndarray
    test_users: np.ndarray
    test_items: np.ndarray
    test_ratings: np.ndarray
    rating_values: np.ndarray
    files: Tuple[str, ...]

    def split(self, name: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(users, items, ratings)`` of 'train' or 'test'."""
        if name not in ('train', 'test'):
            raise ValueError(
                f'split must be "train" or "test", got {name!r}')
        return (getattr(self, f'{name}_users'),
                getattr(self, f'{name}_items'),
                getattr(self, f'{name}_ratings'))

    def edge_types(self, ratings: np.ndarray) -> np.ndarray:
        """The index of each rating in ``rating_values`` (IGMC's rating
        label: the relation type of the edge)."""
        return np.searchsorted(self.rating_values, ratings).astype(np.int64)


def standard_rating_map(ratings: np.ndarray) -> np.ndarray:
    """IGMC's ``--standard-rating`` maps onto 1..5 (``Main.py``).

    Half stars 0.5..5 (Flixster, ML-10M) are rounded up,
    ``ceil(x)``; YahooMusic's 1..100 become ``(x - 1) // 20 + 1``; ratings
    already in 1..5 are kept. Other scales are refused.
    """
    ratings = np.asarray(ratings, dtype=np.float64)
    whole = ratings == np.round(ratings)
    half_stars = ratings * 2 == np.round(ratings * 2)
    if np.all(whole & (ratings >= 1) & (ratings <= 5)):
        return ratings.copy()
    if np.all(half_stars & (ratings >= 0.5) & (ratings <= 5)):
        return np.ceil(ratings)
    if np.all(whole & (ratings >= 1) & (ratings <= 100)):
        return (ratings - 1) // 20 + 1
    raise ValueError(
        'standard_rating maps half stars 0.5..5 or integers 1..100 onto '
        f'1..5; these ratings are {np.unique(ratings)[:10]} ...')


# -- MovieLens text files ---------------------------------------------------
@dataclass
class _RatingLines:
    """The parsed lines of one ratings file (ids still 1-based)."""
    path: str
    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    line_numbers: np.ndarray


def _require_file(path: str, data_format: str) -> None:
    if not osp.isfile(path):
        raise RatingFileNotFoundError(
            f'{data_format} rating file not found: {path}. Expected layout: '
            f'{EXPECTED_LAYOUT[data_format]}.')


def _read_rating_lines(path: str, separator: Optional[str],
                       field_names: str) -> _RatingLines:
    """Parse ``user<sep>item<sep>rating<sep>timestamp`` lines.

    ``separator`` None splits on any whitespace (MovieLens-100K is
    tab-separated). Blank lines are skipped; anything else that is not four
    fields of int, int, finite number, int is an error naming the line.
    """
    users: List[int] = []
    items: List[int] = []
    ratings: List[float] = []
    line_numbers: List[int] = []
    # latin-1 decodes any byte, so a stray byte is reported as a bad line
    # with its text rather than as a UnicodeDecodeError
    with open(path, encoding='latin-1') as f:
        for line_number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            fields = line.strip().split(separator)
            try:
                if len(fields) != 4:
                    raise ValueError
                user, item = int(fields[0]), int(fields[1])
                rating = float(fields[2])
                int(fields[3])
                if not math.isfinite(rating):
                    raise ValueError
            except ValueError:
                raise RatingDataError(
                    f'{path}, line {line_number}: expected 4 fields '
                    f'"{field_names}" (integer ids, a numeric rating, an '
                    f'integer timestamp), got {line.rstrip(chr(10))!r}'
                ) from None
            users.append(user)
            items.append(item)
            ratings.append(rating)
            line_numbers.append(line_number)
    return _RatingLines(path, np.asarray(users, dtype=np.int64),
                        np.asarray(items, dtype=np.int64),
                        np.asarray(ratings, dtype=np.float64),
                        np.asarray(line_numbers, dtype=np.int64))


def _check_id_range(lines: _RatingLines, kind: str, ids: np.ndarray,
                    upper: Optional[int], range_source: str) -> None:
    """Ids must be in ``1..upper`` (``1..`` when the count is unknown)."""
    bad = ids < 1 if upper is None else (ids < 1) | (ids > upper)
    if not bad.any():
        return
    k = int(np.flatnonzero(bad)[0])
    line_number = int(lines.line_numbers[k])
    with open(lines.path, encoding='latin-1') as f:
        text = next(t for n, t in enumerate(f, start=1) if n == line_number)
    valid = f'1..{upper} ({range_source})' if upper is not None else '>= 1'
    raise RatingDataError(
        f'{lines.path}, line {line_number}: {kind} id {int(ids[k])} is out '
        f'of range {valid}: {text.rstrip(chr(10))!r}')


def _check_unique_pairs(parts: Sequence[_RatingLines], num_items: int) -> None:
    """A (user, item) pair rated twice (within or across the split files)
    would become two edges and could leak a test rating into training."""
    keys = np.concatenate([p.users * (num_items + 1) + p.items for p in parts])
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    if np.all(counts == 1):
        return
    duplicate_key = keys[first[np.flatnonzero(counts > 1)[0]]]
    where = []
    for part in parts:
        for k in np.flatnonzero(part.users * (num_items + 1) + part.items
                                == duplicate_key):
            where.append(f'{part.path}, line {int(part.line_numbers[k])}')
    user, item = divmod(int(duplicate_key), num_items + 1)
    raise RatingDataError(
        f'user {user} rated item {item} more than once: '
        f'{"; ".join(where)}. Each (user, item) pair must appear once over '
        'the train and test files.')


def _read_movielens_info(path: str) -> Tuple[int, int]:
    """``u.info``: '943 users', '1682 items', '100000 ratings'."""
    counts = {}
    with open(path, encoding='latin-1') as f:
        for line_number, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[0].isdigit():
                raise RatingDataError(
                    f'{path}, line {line_number}: expected "<count> users", '
                    f'"<count> items" or "<count> ratings", got '
                    f'{line.rstrip(chr(10))!r}')
            counts[fields[1]] = int(fields[0])
    for name in ('users', 'items'):
        if name not in counts:
            raise RatingDataError(
                f'{path} has no "<count> {name}" line (found '
                f'{sorted(counts)})')
    return counts['users'], counts['items']


def _random_split(lines: _RatingLines, seed: int, test_ratio: float
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Row indices of train and test, as IGMC's ``load_data`` +
    ``create_trainvaltest_split``: shuffle the rows with Python's
    ``random.seed(seed); random.shuffle``, the last ``ceil(ratio * n)`` rows
    are test. ``random.shuffle`` depends only on the length and the seed, so
    shuffling indices reproduces the authors' split row for row."""
    order = list(range(len(lines.users)))
    random.Random(seed).shuffle(order)
    order = np.asarray(order, dtype=np.int64)
    num_test = int(math.ceil(len(order) * test_ratio))
    return order[:len(order) - num_test], order[len(order) - num_test:]


def _rating_data(num_users: int, num_items: int, train: Tuple, test: Tuple,
                 files: Sequence[str], standard_rating: bool) -> RatingData:
    train_users, train_items, train_ratings = train
    test_users, test_items, test_ratings = test
    if standard_rating:
        # map both splits together: the scale is a property of the dataset
        mapped = standard_rating_map(
            np.concatenate([train_ratings, test_ratings]))
        train_ratings = mapped[:len(train_ratings)]
        test_ratings = mapped[len(train_ratings):]
    rating_values = np.unique(np.concatenate([train_ratings, test_ratings]))
    return RatingData(
        num_users=int(num_users),
        num_items=int(num_items),
        train_users=np.ascontiguousarray(train_users, dtype=np.int64),
        train_items=np.ascontiguousarray(train_items, dtype=np.int64),
        train_ratings=np.ascontiguousarray(train_ratings, dtype=np.float64),
        test_users=np.ascontiguousarray(test_users, dtype=np.int64),
        test_items=np.ascontiguousarray(test_items, dtype=np.int64),
        test_ratings=np.ascontiguousarray(test_ratings, dtype=np.float64),
        rating_values=rating_values,
        files=tuple(files))


def read_movielens_100k(data_root: str,
                        fold: Optional[str] = 'u1',
                        split_seed: int = 1234,
                        test_ratio: float = 0.1,
                        standard_rating: bool = False) -> RatingData:
    """MovieLens-100K.

    Args:
        data_root: the ``ml-100k`` folder.
        fold: read ``<fold>.base`` (train) / ``<fold>.test`` (test); IGMC
            uses ``u1``. None reads ``u.data`` and splits it at random
            (``split_seed``, ``test_ratio``) as IGMC does for datasets
            without an official split.
        standard_rating: apply :func:`standard_rating_map`.

    User ``k`` (1-based id) is index ``k - 1``. ``u.info`` (943 users, 1682
    items), when present, gives ``num_users`` / ``num_items`` and the valid
    id range; otherwise they are the largest ids seen. (IGMC renumbers the
    ids present with ``map_data``; for ML-100K every id is present, so the
    indices are the same.)
    """
    info_path = osp.join(data_root, 'u.info')
    if fold is None:
        paths = [osp.join(data_root, 'u.data')]
    else:
        paths = [osp.join(data_root, f'{fold}.base'),
                 osp.join(data_root, f'{fold}.test')]
    for path in paths:
        _require_file(path, 'ml-100k')
    num_users = num_items = None
    if osp.isfile(info_path):
        num_users, num_items = _read_movielens_info(info_path)
    parts = [
        _read_rating_lines(path, None, 'user item rating timestamp')
        for path in paths
    ]
    for part in parts:
        _check_id_range(part, 'user', part.users, num_users, info_path)
        _check_id_range(part, 'item', part.items, num_items, info_path)
    if num_users is None:
        num_users = int(max(p.users.max(initial=0) for p in parts))
        num_items = int(max(p.items.max(initial=0) for p in parts))
    _check_unique_pairs(parts, num_items)
    files = paths + ([info_path] if osp.isfile(info_path) else [])
    if fold is None:
        lines = parts[0]
        train_rows, test_rows = _random_split(lines, split_seed, test_ratio)
        train = (lines.users[train_rows] - 1, lines.items[train_rows] - 1,
                 lines.ratings[train_rows])
        test = (lines.users[test_rows] - 1, lines.items[test_rows] - 1,
                lines.ratings[test_rows])
    else:
        train = (parts[0].users - 1, parts[0].items - 1, parts[0].ratings)
        test = (parts[1].users - 1, parts[1].items - 1, parts[1].ratings)
    return _rating_data(num_users, num_items, train, test, files,
                        standard_rating)


def read_movielens_1m(data_root: str,
                      split_seed: int = 1234,
                      test_ratio: float = 0.1,
                      standard_rating: bool = False) -> RatingData:
    """MovieLens-1M ``ratings.dat``, split at random 90/10 as IGMC does
    (:func:`_random_split` with seed 1234 reproduces the authors' rows).

    User ``k`` is index ``k - 1`` of 6040 users, movie ``k`` index ``k - 1``
    of 3952 (the ranges the ML-1M README documents; 3706 movies have
    ratings). IGMC renumbers the movies present into 0..3705 with
    ``map_data``; that only relabels nodes, so the subgraphs are the same.
    """
    path = osp.join(data_root, 'ratings.dat')
    _require_file(path, 'ml-1m')
    lines = _read_rating_lines(path, '::', 'user::item::rating::timestamp')
    readme = 'the MovieLens-1M README'
    _check_id_range(lines, 'user', lines.users, ML_1M_NUM_USERS, readme)
    _check_id_range(lines, 'item', lines.items, ML_1M_NUM_ITEMS, readme)
    _check_unique_pairs([lines], ML_1M_NUM_ITEMS)
    train_rows, test_rows = _random_split(lines, split_seed, test_ratio)
    train = (lines.users[train_rows] - 1, lines.items[train_rows] - 1,
             lines.ratings[train_rows])
    test = (lines.users[test_rows] - 1, lines.items[test_rows] - 1,
            lines.ratings[test_rows])
    return _rating_data(ML_1M_NUM_USERS, ML_1M_NUM_ITEMS, train, test, [path],
                        standard_rating)


# -- Monti et al. .mat files -----------------------------------------------
def _load_matlab_matrix(f, path: str, key: str) -> np.ndarray:
    """One matrix of an open MATLAB 7.3 file, rows = users.

    h5py sees MATLAB's column-major arrays transposed, hence the ``.T``
    (IGMC's ``load_matlab_file`` does the same); a MATLAB sparse matrix is
    a group with ``data`` / ``ir`` / ``jc``, i.e. CSC, read as is.
    """
    import h5py
    dataset = f[key]
    if isinstance(dataset, h5py.Group):
        if not all(k in dataset for k in ('data', 'ir', 'jc')):
            raise RatingDataError(
                f'{path}: "{key}" is a group without data/ir/jc (keys '
                f'{sorted(dataset.keys())}), neither a dense nor a MATLAB '
                'sparse matrix')
        import scipy.sparse as sp
        row_indices, col_ptr = np.asarray(dataset['ir']), np.asarray(
            dataset['jc'])
        # MATLAB stores the row count in the group's MATLAB_sparse attribute
        num_rows = int(dataset.attrs.get('MATLAB_sparse',
                                         row_indices.max(initial=-1) + 1))
        return sp.csc_matrix(
            (np.asarray(dataset['data']), row_indices, col_ptr),
            shape=(num_rows, len(col_ptr) - 1)).toarray()
    return np.asarray(dataset).T


def read_monti_mat(data_root: str,
                   standard_rating: bool = False) -> RatingData:
    """Douban / Flixster / YahooMusic ``training_test_dataset.mat``.

    Train = the nonzero entries of ``Otraining``, test = those of ``Otest``,
    in row-major order (``np.where``, as ``load_data_monti``); the rating of
    a pair is ``M[user, item]``. Flixster has the ten half stars 0.5..5,
    Douban 1..5, YahooMusic 71 distinct values in 1..100; IGMC keeps them
    (one edge type each) unless ``--standard-rating`` (here
    ``standard_rating=True``) maps them onto 1..5.
    """
    import h5py
    path = osp.join(data_root, MONTI_FILE)
    _require_file(path, 'monti')
    try:
        f = h5py.File(path, 'r')
    except OSError as err:
        raise RatingDataError(
            f'{path} is not a MATLAB 7.3 (HDF5) file ({err}). Expected '
            f'layout: {EXPECTED_LAYOUT["monti"]}. Re-save it in MATLAB '
            'with save(..., "-v7.3").') from None
    with f:
        for key in MONTI_KEYS:
            if key not in f:
                raise RatingDataError(
                    f'{path} has no key "{key}"; keys present: '
                    f'{sorted(f.keys())}. Expected the rating matrix "M" '
                    'and the masks "Otraining" and "Otest".')
        M, train_mask, test_mask = (
            _load_matlab_matrix(f, path, key) for key in MONTI_KEYS)
    for key, mask in (('Otraining', train_mask), ('Otest', test_mask)):
        if mask.shape != M.shape:
            raise RatingDataError(
                f'{path}: "{key}" is {mask.shape[0]} x {mask.shape[1]} but '
                f'"M" is {M.shape[0]} x {M.shape[1]}')
        unrated = int(np.count_nonzero((mask != 0) & (M == 0)))
        if unrated:
            raise RatingDataError(
                f'{path}: "{key}" marks {unrated} entries where "M" has no '
                'rating (0)')
    overlap = int(np.count_nonzero((train_mask != 0) & (test_mask != 0)))
    if overlap:
        raise RatingDataError(
            f'{path}: {overlap} entries are in both "Otraining" and "Otest"')
    train_users, train_items = np.nonzero(train_mask)
    test_users, test_items = np.nonzero(test_mask)
    train = (train_users, train_items, M[train_users, train_items])
    test = (test_users, test_items, M[test_users, test_items])
    return _rating_data(M.shape[0], M.shape[1], train, test, [path],
                        standard_rating)


def rating_files(data_root: str,
                 data_format: str,
                 fold: Optional[str] = 'u1') -> List[str]:
    """The files :func:`read_rating_data` reads for this format (the ones
    that must exist; ``u.info`` is optional and listed when present)."""
    if data_format == 'monti':
        paths = [osp.join(data_root, MONTI_FILE)]
    elif data_format == 'ml-100k':
        names = ['u.data'] if fold is None else [f'{fold}.base',
                                                 f'{fold}.test']
        paths = [osp.join(data_root, name) for name in names]
    elif data_format == 'ml-1m':
        paths = [osp.join(data_root, 'ratings.dat')]
    else:
        raise ValueError(f'data_format must be one of {RATING_FORMATS}, '
                         f'got {data_format!r}')
    for path in paths:
        _require_file(path, data_format)
    info_path = osp.join(data_root, 'u.info')
    if data_format == 'ml-100k' and osp.isfile(info_path):
        paths.append(info_path)
    return paths


def read_rating_data(data_root: str,
                     data_format: str,
                     fold: Optional[str] = 'u1',
                     split_seed: int = 1234,
                     test_ratio: float = 0.1,
                     standard_rating: bool = False) -> RatingData:
    """Read ``data_root`` in ``data_format`` ('monti', 'ml-100k', 'ml-1m');
    ``fold`` is used by ml-100k, ``split_seed`` / ``test_ratio`` by the
    random splits (ml-1m, ml-100k with ``fold=None``)."""
    if data_format == 'monti':
        return read_monti_mat(data_root, standard_rating=standard_rating)
    if data_format == 'ml-100k':
        return read_movielens_100k(data_root, fold, split_seed, test_ratio,
                                   standard_rating)
    if data_format == 'ml-1m':
        return read_movielens_1m(data_root, split_seed, test_ratio,
                                 standard_rating)
    raise ValueError(f'data_format must be one of {RATING_FORMATS}, got '
                     f'{data_format!r}')
