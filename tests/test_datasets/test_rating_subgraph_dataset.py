"""Tests for vlframe/datasets/rating_subgraph_dataset.py."""
import glob
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader
from torch_geometric.data import Batch, Data

import vlframe.datasets.rating_subgraph_dataset as dataset_module
from vlframe.datasets import (RatingFileNotFoundError, RatingSubgraphDataset,
                              pyg_collate)
from vlframe.datasets.generators import generate_synthetic_ratings
from vlframe.datasets.rating_subgraph_dataset import \
    default_subgraph_cache_dir
from vlframe.registry import DATASETS
from vlframe.structures import GraphDataSample

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
IGMC_DATA = osp.join(REPO, '..', 'shared', 'data', 'igmc')


@pytest.fixture
def ml100k_root(tmp_path):
    root = str(tmp_path / 'ml-100k')
    generate_synthetic_ratings(root, num_users=50, num_items=60,
                               density=0.1, seed=0)
    return root


def build(root, cache_dir, **kwargs):
    cfg = dict(
        type='RatingSubgraphDataset',
        data_root=root,
        data_format='ml-100k',
        split='train',
        num_workers=1,
        cache_dir=str(cache_dir))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def read_ratings(path):
    """{(user index, item index): rating} of a u.data-format file."""
    ratings = {}
    with open(path) as f:
        for line in f:
            user, item, rating, _ = line.split('\t')
            ratings[(int(user) - 1, int(item) - 1)] = float(rating)
    return ratings


def cache_files(cache_dir):
    return sorted(glob.glob(osp.join(str(cache_dir), '*.npz')))


def test_samples(ml100k_root, tmp_path):
    dataset = build(ml100k_root, tmp_path / 'cache')
    expected = read_ratings(osp.join(ml100k_root, 'u1.base'))
    assert len(dataset) == len(expected) == 240
    assert dataset.metainfo['rating_values'] == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert dataset.metainfo['num_relations'] == 5

    for idx in (0, 17, 239):
        sample = dataset[idx]
        assert set(sample) == {'inputs', 'data_samples'}
        data, data_sample = sample['inputs'], sample['data_samples']
        assert isinstance(data, Data)
        assert isinstance(data_sample, GraphDataSample)
        user, item = data_sample.user, data_sample.item
        assert data_sample.gt_rating.item() == expected[(user, item)]
        assert data_sample.split == 'train'
        assert data.x.shape == (data.num_nodes, 4)
        assert data.node_label[:2].tolist() == [0, 1]
        assert data.edge_index.dtype == torch.long
        assert data.edge_type.dtype == torch.long
        assert data.edge_index.shape == (2, len(data.edge_type))
        # the rating to predict is not an edge of its own subgraph
        edges = set(map(tuple, data.edge_index.t().tolist()))
        assert (0, 1) not in edges and (1, 0) not in edges
        # every edge is a training rating, typed by its value
        ids = dataset.subgraphs.node_id[dataset.subgraphs.node_ptr[idx]:
                                        dataset.subgraphs.node_ptr[idx + 1]]
        labels = data.node_label.tolist()
        for (a, b), t in zip(data.edge_index.t().tolist(),
                             data.edge_type.tolist()):
            if labels[a] % 2 == 0:
                assert expected[(ids[a], ids[b])] == t + 1


def test_test_split_and_collate(ml100k_root, tmp_path):
    dataset = build(ml100k_root, tmp_path / 'cache', split='test')
    test_ratings = read_ratings(osp.join(ml100k_root, 'u1.test'))
    assert len(dataset) == 60
    loader = DataLoader(dataset, batch_size=8, collate_fn=pyg_collate)
    batch = next(iter(loader))
    assert isinstance(batch['inputs'], Batch)
    assert batch['inputs'].num_graphs == 8
    assert batch['inputs'].batch.shape == (batch['inputs'].num_nodes, )
    assert len(batch['data_samples']) == 8
    for data_sample in batch['data_samples']:
        assert data_sample.gt_rating.item() == test_ratings[(
            data_sample.user, data_sample.item)]


def test_cache_is_reused(ml100k_root, tmp_path, monkeypatch):
    cache_dir = tmp_path / 'cache'
    first = build(ml100k_root, cache_dir)
    assert cache_files(cache_dir) == [first.cache_path]

    def no_extraction(*args, **kwargs):
        raise AssertionError('extracted again instead of loading the cache')

    monkeypatch.setattr(dataset_module, 'extract_subgraphs', no_extraction)
    again = build(ml100k_root, cache_dir)
    assert len(again) == len(first)
    for name, value in first.subgraphs.to_arrays().items():
        np.testing.assert_array_equal(value,
                                      again.subgraphs.to_arrays()[name])
    np.testing.assert_array_equal(again.ratings, first.ratings)
    assert again.metainfo == first.metainfo
    # the seed only matters with max_nodes_per_hop: same cache
    assert build(ml100k_root, cache_dir, seed=9).cache_path == \
        first.cache_path


@pytest.mark.parametrize('change', [
    dict(hop=2),
    dict(max_nodes_per_hop=3),
    dict(split='test'),
    dict(standard_rating=True),
])
def test_cache_rebuilt_when_a_key_parameter_changes(ml100k_root, tmp_path,
                                                    change):
    cache_dir = tmp_path / 'cache'
    first = build(ml100k_root, cache_dir)
    changed = build(ml100k_root, cache_dir, **change)
    assert changed.cache_path != first.cache_path
    assert cache_files(cache_dir) == sorted(
        [first.cache_path, changed.cache_path])
    if 'hop' in change:
        assert changed[0]['inputs'].x.shape[1] == 6


def test_cache_rebuilt_when_seed_changes_with_sampling(ml100k_root,
                                                       tmp_path):
    cache_dir = tmp_path / 'cache'
    a = build(ml100k_root, cache_dir, max_nodes_per_hop=2, seed=1)
    b = build(ml100k_root, cache_dir, max_nodes_per_hop=2, seed=2)
    assert a.cache_path != b.cache_path
    assert len(cache_files(cache_dir)) == 2
    assert not np.array_equal(a.subgraphs.node_id, b.subgraphs.node_id)


def test_cache_rebuilt_when_the_data_changes(ml100k_root, tmp_path):
    cache_dir = tmp_path / 'cache'
    first = build(ml100k_root, cache_dir)
    with open(osp.join(ml100k_root, 'u1.base'), 'a') as f:
        f.write('50\t60\t5\t881250949\n')  # absent from the generated set
    changed = build(ml100k_root, cache_dir)
    assert changed.cache_path != first.cache_path
    assert len(changed) == len(first) + 1
    assert changed.ratings[-1] == 5.0


def test_default_cache_dir(tmp_path, monkeypatch):
    writable = str(tmp_path / 'data')
    os.makedirs(writable)
    assert default_subgraph_cache_dir(writable) == osp.join(
        writable, 'subgraph_cache')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    monkeypatch.setattr(dataset_module.os, 'access', lambda *args: False)
    assert default_subgraph_cache_dir(writable) == osp.join(
        str(tmp_path / 'xdg'), 'vlframe', 'rating_subgraphs')


def test_missing_files(tmp_path):
    with pytest.raises(RatingFileNotFoundError, match='u1.base'):
        build(str(tmp_path), tmp_path / 'cache')
    with pytest.raises(RatingFileNotFoundError,
                       match='training_test_dataset.mat'):
        build(str(tmp_path), tmp_path / 'cache', data_format='monti')
    with pytest.raises(ValueError, match='data_format must be one of'):
        build(str(tmp_path), tmp_path / 'cache', data_format='netflix')


def test_movielens_1m_format(tmp_path):
    root = str(tmp_path / 'ml-1m')
    os.makedirs(root)
    rng = np.random.default_rng(0)
    pairs = rng.choice(40 * 50, size=300, replace=False)
    with open(osp.join(root, 'ratings.dat'), 'w') as f:
        for k, pair in enumerate(pairs):
            user, item = divmod(int(pair), 50)
            f.write(f'{user + 1}::{item + 1}::{k % 5 + 1}::97830{k:04d}\n')
    train = build(root, tmp_path / 'cache', data_format='ml-1m')
    test = build(root, tmp_path / 'cache', data_format='ml-1m',
                 split='test')
    assert len(test) == math.ceil(0.1 * 300) and len(train) == 270
    assert train.metainfo['num_relations'] == 5


def test_lazy_init(ml100k_root, tmp_path):
    dataset = build(ml100k_root, tmp_path / 'cache', lazy_init=True)
    assert cache_files(tmp_path / 'cache') == []
    assert len(dataset) == 240
    assert dataset.metainfo['num_relations'] == 5


def test_real_flixster_test_split(tmp_path):
    root = osp.join(IGMC_DATA, 'flixster')
    if not osp.isdir(root):
        pytest.skip(f'{root} is absent')
    dataset = RatingSubgraphDataset(
        data_root=root,
        data_format='monti',
        split='test',
        max_nodes_per_hop=200,
        num_workers=2,
        cache_dir=str(tmp_path))
    assert len(dataset) == 2617
    assert dataset.metainfo['rating_values'] == tuple(np.arange(1, 11) / 2)
    assert dataset.metainfo['num_relations'] == 10
    ratings = dataset.ratings
    assert set(np.unique(ratings)) <= set(np.arange(1, 11) / 2)
    sample = dataset[0]
    assert sample['inputs'].x.shape[1] == 4
    assert sample['inputs'].edge_type.max() < 10
