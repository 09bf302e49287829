"""Tests for vlframe/datasets/rating_readers.py and the synthetic rating
generator (vlframe/datasets/generators/synthetic_ratings.py)."""
import filecmp
import math
import os
import os.path as osp
import random

import h5py
import numpy as np
import pytest

from vlframe.datasets.generators import (generate_synthetic_ratings,
                                         synthetic_rating_matrix)
from vlframe.datasets.rating_readers import (RatingDataError,
                                             RatingFileNotFoundError,
                                             read_monti_mat,
                                             read_movielens_100k,
                                             read_movielens_1m,
                                             read_rating_data,
                                             standard_rating_map)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
IGMC_DATA = osp.join(REPO, '..', 'shared', 'data', 'igmc')


def write_lines(path, lines):
    with open(path, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))


@pytest.fixture
def ml100k_root(tmp_path):
    """A hand-written ML-100K folder: 3 users, 4 items."""
    root = str(tmp_path / 'ml-100k')
    os.makedirs(root)
    write_lines(osp.join(root, 'u1.base'), [
        '1\t1\t5\t874965758', '1\t2\t3\t876893171', '2\t1\t4\t888550871',
        '3\t4\t1\t889751712'
    ])
    write_lines(osp.join(root, 'u1.test'),
                ['2\t3\t2\t888551005', '3\t1\t4\t889751999'])
    write_lines(osp.join(root, 'u.info'),
                ['3 users', '4 items', '6 ratings'])
    return root


def make_mat(path, keys=('M', 'Otraining', 'Otest')):
    """A MATLAB 7.3 file as MATLAB writes it: h5py sees the transpose."""
    M = np.array([[5, 0, 3], [0, 4, 0]], dtype=np.float64)  # 2 users x 3
    arrays = dict(
        M=M,
        Otraining=np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64),
        Otest=np.array([[0, 0, 1], [0, 0, 0]], dtype=np.float64))
    with h5py.File(path, 'w') as f:
        for key in keys:
            f.create_dataset(key, data=arrays[key].T)


# -- MovieLens-100K ---------------------------------------------------------
def test_movielens_100k_official_fold(ml100k_root):
    data = read_movielens_100k(ml100k_root)
    assert (data.num_users, data.num_items) == (3, 4)
    # 1-based ids in the file, 0-based indices here, file order kept
    np.testing.assert_array_equal(data.train_users, [0, 0, 1, 2])
    np.testing.assert_array_equal(data.train_items, [0, 1, 0, 3])
    np.testing.assert_array_equal(data.train_ratings, [5, 3, 4, 1])
    np.testing.assert_array_equal(data.test_users, [1, 2])
    np.testing.assert_array_equal(data.test_items, [2, 0])
    np.testing.assert_array_equal(data.test_ratings, [2, 4])
    # distinct values of both splits (2 occurs only in test)
    np.testing.assert_array_equal(data.rating_values, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(data.edge_types(data.train_ratings),
                                  [4, 2, 3, 0])
    users, items, ratings = data.split('test')
    np.testing.assert_array_equal(ratings, [2, 4])
    assert data.files == (osp.join(ml100k_root, 'u1.base'),
                          osp.join(ml100k_root, 'u1.test'),
                          osp.join(ml100k_root, 'u.info'))


def test_movielens_100k_without_info_uses_largest_ids(ml100k_root):
    os.remove(osp.join(ml100k_root, 'u.info'))
    data = read_movielens_100k(ml100k_root)
    assert (data.num_users, data.num_items) == (3, 4)


def test_random_split_reproduces_igmc_shuffle(tmp_path):
    """u.data / ratings.dat are split as IGMC's load_data does: Python's
    random.seed(1234); random.shuffle(rows); the last ceil(10%) are test."""
    root = str(tmp_path)
    rows = [(u, i, (u * 7 + i) % 5 + 1) for u in range(1, 8)
            for i in range(1, 6)]  # 35 ratings
    write_lines(
        osp.join(root, 'ratings.dat'),
        [f'{u}::{i}::{r}::97830{k:04d}' for k, (u, i, r) in enumerate(rows)])
    data = read_movielens_1m(root)
    shuffled = list(rows)
    random.seed(1234)
    random.shuffle(shuffled)
    num_test = math.ceil(0.1 * len(rows))  # 4
    expected_test = shuffled[len(rows) - num_test:]
    expected_train = shuffled[:len(rows) - num_test]
    assert list(zip(data.test_users + 1, data.test_items + 1,
                    data.test_ratings)) == expected_test
    assert list(zip(data.train_users + 1, data.train_items + 1,
                    data.train_ratings)) == expected_train
    # the ranges of the ML-1M README
    assert (data.num_users, data.num_items) == (6040, 3952)
    # another seed, another split
    other = read_movielens_1m(root, split_seed=1)
    assert set(zip(other.test_users, other.test_items)) != set(
        zip(data.test_users, data.test_items))


def test_movielens_100k_u_data_random_split(ml100k_root):
    base = open(osp.join(ml100k_root, 'u1.base')).read()
    test = open(osp.join(ml100k_root, 'u1.test')).read()
    with open(osp.join(ml100k_root, 'u.data'), 'w') as f:
        f.write(base + test)
    data = read_movielens_100k(ml100k_root, fold=None)
    assert len(data.train_users) == 5 and len(data.test_users) == 1
    assert data.files[0] == osp.join(ml100k_root, 'u.data')


def test_read_rating_data_dispatches(ml100k_root):
    data = read_rating_data(ml100k_root, 'ml-100k')
    assert len(data.train_users) == 4
    with pytest.raises(ValueError, match='data_format must be one of'):
        read_rating_data(ml100k_root, 'netflix')


# -- bad MovieLens input ------------------------------------------------------
@pytest.mark.parametrize('bad_line', [
    '2\t2\tfive\t881250949',  # rating not a number
    '2\t2\t3',  # a field missing
    '2\tx\t3\t881250949',  # item id not an integer
    '2\t2\tnan\t881250949',  # not a finite rating
])
def test_malformed_line_names_file_and_line(ml100k_root, bad_line):
    path = osp.join(ml100k_root, 'u1.test')
    write_lines(path, ['2\t3\t2\t888551005', '', bad_line])
    with pytest.raises(RatingDataError) as info:
        read_movielens_100k(ml100k_root)
    message = str(info.value)
    # blank lines count: the bad line is line 3 of the file
    assert f'{path}, line 3' in message
    assert repr(bad_line) in message
    assert isinstance(info.value, ValueError)


def test_malformed_ml_1m_line(tmp_path):
    path = str(tmp_path / 'ratings.dat')
    write_lines(path, ['1::1193::5::978300760', '1\t661\t3\t978302109'])
    with pytest.raises(RatingDataError,
                       match=r'ratings.dat, line 2: expected 4 fields '
                       r'"user::item::rating::timestamp"'):
        read_movielens_1m(str(tmp_path))


def test_item_id_out_of_range_names_range(ml100k_root):
    path = osp.join(ml100k_root, 'u1.base')
    with open(path, 'a') as f:
        f.write('2\t5\t3\t888550871\n')  # u.info says 4 items
    with pytest.raises(RatingDataError) as info:
        read_movielens_100k(ml100k_root)
    message = str(info.value)
    assert f'{path}, line 5' in message
    assert 'item id 5 is out of range 1..4' in message
    assert 'u.info' in message


def test_user_id_zero_is_out_of_range(ml100k_root):
    os.remove(osp.join(ml100k_root, 'u.info'))
    write_lines(osp.join(ml100k_root, 'u1.test'), ['0\t1\t3\t888550871'])
    with pytest.raises(RatingDataError,
                       match=r'u1.test, line 1: user id 0 is out of range'):
        read_movielens_100k(ml100k_root)


def test_ml_1m_user_beyond_readme_range(tmp_path):
    write_lines(str(tmp_path / 'ratings.dat'),
                ['1::1::5::978300760', '6041::1::4::978300761'])
    with pytest.raises(RatingDataError,
                       match=r'line 2: user id 6041 is out of range 1..6040'):
        read_movielens_1m(str(tmp_path))


def test_pair_rated_in_both_splits_is_refused(ml100k_root):
    with open(osp.join(ml100k_root, 'u1.test'), 'a') as f:
        f.write('1\t2\t4\t888551111\n')  # (1, 2) is in u1.base
    with pytest.raises(RatingDataError) as info:
        read_movielens_100k(ml100k_root)
    message = str(info.value)
    assert 'u1.base, line 2' in message and 'u1.test, line 3' in message


def test_missing_file_names_it_and_the_layout(ml100k_root):
    os.remove(osp.join(ml100k_root, 'u1.test'))
    with pytest.raises(RatingFileNotFoundError) as info:
        read_movielens_100k(ml100k_root)
    message = str(info.value)
    assert osp.join(ml100k_root, 'u1.test') in message
    assert 'Expected layout' in message and 'u1.base' in message
    # both a ValueError (bad rating data) and a FileNotFoundError
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, FileNotFoundError)


def test_missing_monti_file(tmp_path):
    with pytest.raises(RatingFileNotFoundError,
                       match='training_test_dataset.mat'):
        read_monti_mat(str(tmp_path))


# -- Monti .mat ---------------------------------------------------------------
def test_monti_mat_transposed_and_split(tmp_path):
    make_mat(str(tmp_path / 'training_test_dataset.mat'))
    data = read_monti_mat(str(tmp_path))
    assert (data.num_users, data.num_items) == (2, 3)
    np.testing.assert_array_equal(data.train_users, [0, 1])
    np.testing.assert_array_equal(data.train_items, [0, 1])
    np.testing.assert_array_equal(data.train_ratings, [5, 4])
    np.testing.assert_array_equal(data.test_users, [0])
    np.testing.assert_array_equal(data.test_items, [2])
    np.testing.assert_array_equal(data.test_ratings, [3])
    np.testing.assert_array_equal(data.rating_values, [3, 4, 5])


def test_monti_mat_missing_key(tmp_path):
    path = str(tmp_path / 'training_test_dataset.mat')
    make_mat(path, keys=('M', 'Otraining'))
    with pytest.raises(RatingDataError) as info:
        read_monti_mat(str(tmp_path))
    message = str(info.value)
    assert path in message
    assert 'no key "Otest"' in message
    assert "keys present: ['M', 'Otraining']" in message


def test_monti_mat_not_hdf5(tmp_path):
    path = str(tmp_path / 'training_test_dataset.mat')
    with open(path, 'wb') as f:
        f.write(b'MATLAB 5.0 MAT-file, not HDF5')
    with pytest.raises(RatingDataError, match='not a MATLAB 7.3'):
        read_monti_mat(str(tmp_path))


def test_monti_mask_on_unrated_entry(tmp_path):
    path = str(tmp_path / 'training_test_dataset.mat')
    make_mat(path)
    with h5py.File(path, 'r+') as f:
        mask = f['Otest'][()]
        mask[1, 0] = 1  # stored transposed: user 0, item 1, where M is 0
        f['Otest'][...] = mask
    with pytest.raises(RatingDataError,
                       match='"Otest" marks 1 entries where "M" has no'):
        read_monti_mat(str(tmp_path))


@pytest.fixture(scope='module')
def real_monti():
    if not osp.isdir(IGMC_DATA):
        pytest.skip(f'{IGMC_DATA} is absent')
    return {
        name: read_monti_mat(osp.join(IGMC_DATA, name))
        for name in ('flixster', 'douban', 'yahoo_music')
    }


@pytest.mark.parametrize('name, num_ratings, num_test, values', [
    ('flixster', 26173, 2617, np.arange(1, 11) / 2),
    ('douban', 136891, 13689, np.arange(1, 6)),
    ('yahoo_music', 5335, 533, None),
])
def test_real_monti_files(real_monti, name, num_ratings, num_test, values):
    """The counts the GC-MC / IGMC papers give (Flixster 26,173 ratings,
    Douban 136,891, YahooMusic 5,335) and their ~90/10 fixed splits."""
    data = real_monti[name]
    assert (data.num_users, data.num_items) == (3000, 3000)
    assert len(data.train_users) + len(data.test_users) == num_ratings
    assert len(data.test_users) == num_test
    if values is not None:
        np.testing.assert_array_equal(data.rating_values, values)
    else:  # YahooMusic: 71 distinct values on a 1..100 scale
        assert len(data.rating_values) == 71
        assert data.rating_values[0] == 1 and data.rating_values[-1] == 100
    train = set(zip(data.train_users.tolist(), data.train_items.tolist()))
    test = set(zip(data.test_users.tolist(), data.test_items.tolist()))
    assert len(train) == len(data.train_users) and not train & test


def test_real_yahoo_music_standard_rating():
    path = osp.join(IGMC_DATA, 'yahoo_music')
    if not osp.isdir(path):
        pytest.skip(f'{path} is absent')
    data = read_monti_mat(path, standard_rating=True)
    np.testing.assert_array_equal(data.rating_values, [1, 2, 3, 4, 5])


# -- rating maps --------------------------------------------------------------
def test_standard_rating_map():
    # IGMC Main.py --standard-rating: half stars -> ceil
    np.testing.assert_array_equal(
        standard_rating_map([0.5, 1, 1.5, 2.5, 4.5, 5]), [1, 1, 2, 3, 5, 5])
    # YahooMusic 1..100 -> (x - 1) // 20 + 1
    np.testing.assert_array_equal(
        standard_rating_map([1, 20, 21, 40, 41, 81, 100]),
        [1, 1, 2, 2, 3, 5, 5])
    np.testing.assert_array_equal(standard_rating_map([1, 3, 5]), [1, 3, 5])
    with pytest.raises(ValueError, match='standard_rating'):
        standard_rating_map([0.3, 2])


# -- the synthetic generator --------------------------------------------------
def test_generator_is_deterministic(tmp_path):
    a = generate_synthetic_ratings(str(tmp_path / 'a'), 40, 50, seed=3)
    b = generate_synthetic_ratings(str(tmp_path / 'b'), 40, 50, seed=3)
    c = generate_synthetic_ratings(str(tmp_path / 'c'), 40, 50, seed=4)
    assert a == b == dict(
        num_users=40, num_items=50, num_ratings=100, num_train=80,
        num_test=20)
    for name in ('u.data', 'u1.base', 'u1.test', 'u.info'):
        assert filecmp.cmp(tmp_path / 'a' / name, tmp_path / 'b' / name,
                           shallow=False)
    assert c['num_ratings'] == 100
    assert not filecmp.cmp(tmp_path / 'a' / 'u.data',
                           tmp_path / 'c' / 'u.data', shallow=False)


def test_generator_output_reads_back(tmp_path):
    root = str(tmp_path / 'synthetic')
    stats = generate_synthetic_ratings(root, 60, 70, density=0.1, seed=0)
    data = read_movielens_100k(root)
    assert (data.num_users, data.num_items) == (60, 70)
    assert len(data.train_users) == stats['num_train'] == 336
    assert len(data.test_users) == stats['num_test'] == 84
    assert set(data.rating_values) <= {1, 2, 3, 4, 5}
    # u1.base + u1.test is u.data, and the folds are disjoint
    full = read_movielens_100k(root, fold=None, test_ratio=0.5)
    every = set(zip(full.train_users, full.train_items)) | set(
        zip(full.test_users, full.test_items))
    assert every == set(zip(data.train_users, data.train_items)) | set(
        zip(data.test_users, data.test_items))
    assert len(every) == 420


def test_synthetic_ratings_follow_the_low_rank_scores():
    """Without noise a rating is round(clip(3 + 1.25 * (U V^T)_ui, 1, 5));
    with the default noise it still tracks the low-rank score: learnable."""
    exact = synthetic_rating_matrix(100, 120, rank=2, density=0.2,
                                    noise_std=0.0, seed=0)
    scores = exact['scores'][exact['users'], exact['items']]
    np.testing.assert_array_equal(exact['ratings'],
                                  np.round(np.clip(3 + 1.25 * scores, 1, 5)))
    assert set(np.unique(exact['ratings'])) == {1, 2, 3, 4, 5}
    noisy = synthetic_rating_matrix(100, 120, rank=2, density=0.2, seed=0)
    scores = noisy['scores'][noisy['users'], noisy['items']]
    assert np.corrcoef(scores, noisy['ratings'])[0, 1] > 0.8
