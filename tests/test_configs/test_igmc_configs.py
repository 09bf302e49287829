"""configs/igmc/: the paper's settings per dataset, and a short run of
igmc_ml-100k.py on a synthetic MovieLens-100K-format set through
tools/train.py and tools/test.py (the ensemble test included)."""
import os.path as osp

import pytest
from conftest import REPO, run_tool
from mmengine.config import Config

from vlframe.datasets.generators.synthetic_ratings import \
    generate_synthetic_ratings
from vlframe.models import IGMC
from vlframe.registry import MODELS

IGMC_DIR = osp.join(REPO, 'configs', 'igmc')
SHARED_IGMC_DATA = osp.join(osp.dirname(REPO), 'shared', 'data', 'igmc')

# (config, data_root, data_format, max_nodes_per_hop, num_relations,
#  epochs, lr decay step, edge dropout, ensemble epochs): muhanzhang/IGMC
# README commands and Main.py defaults
PAPER_SETTINGS = [
    ('igmc_flixster.py', 'data/igmc/flixster', 'monti', None, 10, 40, 50,
     0.2, [10, 20, 30, 40]),
    ('igmc_douban.py', 'data/igmc/douban', 'monti', None, 5, 40, 50, 0.2,
     [10, 20, 30, 40]),
    ('igmc_yahoo-music.py', 'data/igmc/yahoo_music', 'monti', None, 71, 40,
     50, 0.2, [10, 20, 30, 40]),
    ('igmc_ml-100k.py', 'data/movielens/ml-100k', 'ml-100k', 200, 5, 80, 50,
     0.2, [50, 60, 70, 80]),
    ('igmc_ml-1m.py', 'data/movielens/ml-1m', 'ml-1m', 100, 5, 40, 20, 0.0,
     [25, 30, 35, 40]),
]

pytestmark = pytest.mark.usefixtures('vlframe_scope')


@pytest.mark.parametrize('settings', PAPER_SETTINGS, ids=lambda s: s[0])
def test_paper_settings(settings):
    (name, data_root, data_format, max_nodes, num_relations, epochs, step,
     edge_dropout, ensemble) = settings
    cfg = Config.fromfile(osp.join(IGMC_DIR, name))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        assert dataset.type == 'RatingSubgraphDataset'
        assert dataset.data_root == data_root
        assert dataset.data_format == data_format
        assert dataset.hop == 1
        assert dataset.max_nodes_per_hop == max_nodes
        assert dataset.split == ('train' if loader == 'train_dataloader' else
                                 'test')
        assert cfg[loader].batch_size == 50
        assert cfg[loader].collate_fn == dict(type='pyg_collate')
    assert cfg.test_dataloader.sampler.shuffle is False
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == 'RatingMetric'
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-3,
                                               weight_decay=0)
    assert cfg.param_scheduler == [
        dict(type='StepLR', by_epoch=True, step_size=step, gamma=0.1)
    ]
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.test_cfg == dict(type='CheckpointEnsembleTestLoop',
                                epochs=ensemble)

    model = MODELS.build(cfg.model)
    assert isinstance(model, IGMC)
    assert model.num_relations == num_relations
    assert model.edge_dropout == edge_dropout
    assert type(model.convs[0]).__name__ == 'RGCNConv'
    assert model.regularizer.loss_weight == 0.001


@pytest.mark.skipif(not osp.isdir(SHARED_IGMC_DATA),
                    reason='the Monti .mat files are not here')
@pytest.mark.parametrize('name,folder', [
    ('igmc_flixster.py', 'flixster'), ('igmc_douban.py', 'douban'),
    ('igmc_yahoo-music.py', 'yahoo_music')
])
def test_num_relations_is_the_number_of_ratings_of_the_file(name, folder):
    from vlframe.datasets.rating_readers import read_rating_data
    data = read_rating_data(osp.join(SHARED_IGMC_DATA, folder), 'monti')
    cfg = Config.fromfile(osp.join(IGMC_DIR, name))
    assert cfg.model.num_relations == len(data.rating_values)


def test_pyg_layer_is_one_config_line():
    cfg = Config.fromfile(osp.join(IGMC_DIR, 'igmc_flixster.py'))
    cfg.model.conv.type = 'pyg.RGCNConv'
    # the configs use the authors' per-node mean, which PyG's layer lacks
    with pytest.raises(ValueError, match="normalization='relation'"):
        MODELS.build(cfg.model)
    cfg.model.conv.normalization = 'relation'
    model = MODELS.build(cfg.model)
    assert type(model.convs[0]).__module__.startswith('torch_geometric')


def test_train_and_ensemble_test_on_synthetic_ml_100k(tmp_path):
    data_root = str(tmp_path / 'ml-100k')
    generate_synthetic_ratings(data_root, num_users=60, num_items=80,
                               density=0.1, seed=0)
    work_dir = str(tmp_path / 'work')
    config = osp.join(IGMC_DIR, 'igmc_ml-100k.py')
    data_options = [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ]
    train = run_tool('train.py', config, '--work-dir', work_dir,
                     '--cfg-options', *data_options, 'train_cfg.max_epochs=1',
                     timeout=150)
    log = train.stdout + train.stderr
    assert 'Epoch(train) [1][8/8]' in log  # 384 training pairs / 50
    assert 'rmse:' in log  # the test split scored after the epoch
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))

    test = run_tool('test.py', config, osp.join(work_dir, 'epoch_1.pth'),
                    '--work-dir', work_dir, '--cfg-options', *data_options,
                    'test_cfg.epochs=[1]', timeout=150)
    log = test.stdout + test.stderr
    assert 'ensemble: predicting with' in log
    assert 'Epoch(test)' in log and 'rmse:' in log and 'mae:' in log

    # the config's own ensemble (epochs 50..80) of a 1-epoch run: a clear
    # error naming the missing checkpoints, no traceback
    missing = run_tool('test.py', config, osp.join(work_dir, 'epoch_1.pth'),
                       '--work-dir', work_dir, '--cfg-options', *data_options,
                       timeout=150, check=False)
    assert missing.returncode == 2
    assert 'Traceback' not in missing.stderr
    assert 'epoch_50.pth' in missing.stderr

    # --show-dir draws images; rating subgraphs have none
    show = run_tool('test.py', config, osp.join(work_dir, 'epoch_1.pth'),
                    '--work-dir', work_dir, '--show-dir', 'vis',
                    '--cfg-options', *data_options, 'test_cfg.epochs=None',
                    timeout=150, check=False)
    assert show.returncode == 2
    assert 'Traceback' not in show.stderr
    assert 'has no images' in show.stderr
