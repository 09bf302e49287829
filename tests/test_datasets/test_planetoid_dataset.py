import os.path as osp
import shutil

import pytest
import torch
from conftest import PLANETOID_ROOT

from vlframe.datasets import DatasetLayoutError, PlanetoidDataset
from vlframe.structures import GraphDataSample

needs_cora = pytest.mark.skipif(
    not osp.isdir(osp.join(PLANETOID_ROOT, 'Cora', 'raw')),
    reason='../shared/data/planetoid/Cora/raw is not here')


@pytest.fixture(scope='module')
def cora_datasets(tmp_path_factory):
    processed = str(tmp_path_factory.mktemp('planetoid_processed'))
    return {
        split: PlanetoidDataset(
            PLANETOID_ROOT, 'Cora', split=split, processed_root=processed)
        for split in ('train', 'val', 'test')
    }


@needs_cora
def test_cora_public_split(cora_datasets):
    sizes = {}
    for split, dataset in cora_datasets.items():
        assert len(dataset) == 1  # the whole graph: an epoch is one step
        item = dataset[0]
        graph, sample = item['inputs'], item['data_samples']
        assert isinstance(sample, GraphDataSample)
        assert tuple(graph.x.shape) == (2708, 1433)
        assert tuple(graph.edge_index.shape) == (2, 10556)
        assert tuple(sample.gt_label.shape) == (2708, )
        assert sample.split == split
        sizes[split] = int(sample.split_mask.sum())
    # Yang et al. (2016): 20 per class x 7, 500 validation, 1,000 test
    assert sizes == dict(train=140, val=500, test=1000)
    assert cora_datasets['train'].metainfo['num_classes'] == 7
    masks = [cora_datasets[s][0]['data_samples'].split_mask
             for s in ('train', 'val', 'test')]
    assert not (masks[0] & masks[1]).any() and not (masks[1]
                                                     & masks[2]).any()


@needs_cora
def test_features_are_row_normalised(cora_datasets):
    x = cora_datasets['train'][0]['inputs'].x
    sums = x.sum(dim=1)
    nonempty = sums > 0
    assert torch.allclose(sums[nonempty], torch.ones(int(nonempty.sum())))
    raw = PlanetoidDataset(PLANETOID_ROOT, 'Cora', normalize_features=False,
                           processed_root=cora_datasets['train']
                           .processed_root)[0]['inputs'].x
    assert set(raw.unique().tolist()) == {0.0, 1.0}  # binary bag of words


@needs_cora
def test_read_only_root_processes_elsewhere(tmp_path, monkeypatch):
    # a read-only data directory (mode r-x, as ../shared is) is never
    # written to, even by root: the processed tensors go to a cache
    shutil.copytree(osp.join(PLANETOID_ROOT, 'Cora'), tmp_path / 'Cora')
    graph_dir = tmp_path / 'Cora'
    graph_dir.chmod(0o555)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    try:
        dataset = PlanetoidDataset(str(tmp_path), 'Cora', split='test')
        assert int(dataset[0]['data_samples'].split_mask.sum()) == 1000
        assert not (graph_dir / 'processed').exists()
        assert dataset._processed_root().startswith(
            str(tmp_path / 'cache' / 'vlframe' / 'planetoid'))
        assert (tmp_path / 'cache' / 'vlframe' / 'planetoid').is_dir()
    finally:
        graph_dir.chmod(0o755)
    # a writable one gets torch_geometric's own layout
    dataset = PlanetoidDataset(str(tmp_path), 'Cora', split='val')
    assert (graph_dir / 'processed').is_dir()
    assert dataset._processed_root() is None


@needs_cora
def test_missing_raw_file_is_named(tmp_path):
    shutil.copytree(osp.join(PLANETOID_ROOT, 'Cora'), tmp_path / 'Cora')
    (tmp_path / 'Cora' / 'raw' / 'ind.cora.graph').unlink()
    with pytest.raises(DatasetLayoutError) as err:
        PlanetoidDataset(str(tmp_path), 'Cora')
    assert 'ind.cora.graph' in str(err.value)
    assert 'does not download' in str(err.value)


def test_root_without_raw_directory(tmp_path):
    with pytest.raises(DatasetLayoutError) as err:
        PlanetoidDataset(str(tmp_path), 'CiteSeer')
    message = str(err.value)
    assert osp.join(str(tmp_path), 'CiteSeer', 'raw') in message
    assert 'ind.citeseer.' in message


def test_bad_split(tmp_path):
    with pytest.raises(ValueError, match='split must be one of'):
        PlanetoidDataset(str(tmp_path), 'Cora', split='validation')
