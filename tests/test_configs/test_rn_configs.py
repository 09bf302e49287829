"""Every config in configs/rn/ loads and builds its model, and each RN run
and its CNN+MLP comparison run train on the same questions."""
import glob
import os.path as osp

import pytest
from conftest import learning_rate_per_parameter
from mmengine.config import Config

from vlframe.models import VQAModel
from vlframe.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RN_DIR = osp.join(REPO, 'configs', 'rn')
# the Sort-of-CLEVR configs; NLVR / CLEVR: test_rn_nlvr_clevr_configs.py
CONFIGS = sorted(glob.glob(osp.join(RN_DIR, '*sort-of-clevr*.py')))

# (RN config, the CNN+MLP config its README compares it with)
COMPARISONS = [
    ('rn_sort-of-clevr.py', 'cnn-mlp_sort-of-clevr_20e.py'),
    ('rn_sort-of-clevr_6e.py', 'cnn-mlp_sort-of-clevr_6e.py'),
    ('rn_sort-of-clevr_12e.py', 'cnn-mlp_sort-of-clevr_12e.py'),
    ('rn_sort-of-clevr_stem-0.1x_9e.py', 'cnn-mlp_sort-of-clevr_stem-0.1x_9e.py'),
]


pytestmark = pytest.mark.usefixtures('vlframe_scope')


def test_configs_are_found():
    names = {osp.basename(p) for p in CONFIGS}
    assert {'rn_sort-of-clevr.py', 'cnn-mlp_sort-of-clevr.py',
            'rn_sort-of-clevr_demo.py'} <= names
    for pair in COMPARISONS:
        assert set(pair) <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_its_model(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert isinstance(model, VQAModel)
    assert cfg.train_dataloader.dataset.type == 'SortOfClevrDataset'
    assert cfg.train_cfg.max_epochs >= 1
    # the question code of the data and the size the model expects agree
    code_size = 18 if cfg.train_dataloader.dataset.ternary else 11
    assert model.fusion.question_dim == code_size


@pytest.mark.parametrize('rn_name,cnn_name', COMPARISONS)
def test_comparison_runs_see_the_same_questions(rn_name, cnn_name):
    rn = Config.fromfile(osp.join(RN_DIR, rn_name))
    cnn = Config.fromfile(osp.join(RN_DIR, cnn_name))
    assert rn.model.fusion.type == 'RelationNetworkFusion'
    assert cnn.model.fusion.type == 'ConcatMLPFusion'
    assert rn.train_cfg.max_epochs == cnn.train_cfg.max_epochs
    assert rn.train_dataloader.batch_size == cnn.train_dataloader.batch_size
    assert rn.train_dataloader.dataset == cnn.train_dataloader.dataset
    assert rn.val_dataloader.dataset == cnn.val_dataloader.dataset
    assert rn.optim_wrapper.optimizer == cnn.optim_wrapper.optimizer
    assert (rn.optim_wrapper.get('paramwise_cfg') ==
            cnn.optim_wrapper.get('paramwise_cfg'))
    assert rn.param_scheduler == cnn.param_scheduler
    assert rn.randomness == cnn.randomness


@pytest.mark.parametrize('name', [
    'rn_sort-of-clevr_stem-0.1x_9e.py', 'cnn-mlp_sort-of-clevr_stem-0.1x_9e.py'
])
def test_stem_trains_at_a_tenth_of_the_rate(name):
    cfg = Config.fromfile(osp.join(RN_DIR, name))
    model = MODELS.build(cfg.model)
    lr_of = learning_rate_per_parameter(model, cfg.optim_wrapper)
    for param_name, lr in lr_of.items():
        expected = 1e-4 if param_name.startswith('image_encoder.') else 1e-3
        assert lr == pytest.approx(expected), param_name
