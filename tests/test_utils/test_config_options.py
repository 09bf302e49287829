"""Tests for vlframe/utils/config.py."""
import os.path as osp

import pytest
from mmengine.config import Config

from vlframe.utils import ConfigKeyError, merge_cfg_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RN_CONFIG = osp.join(REPO, 'configs/rn/rn_sort-of-clevr.py')


@pytest.fixture(scope='module')
def rn_cfg_text():
    return Config.fromfile(RN_CONFIG).pretty_text


@pytest.fixture
def cfg():
    return Config.fromfile(RN_CONFIG)


def test_existing_keys_are_merged(cfg):
    merge_cfg_options(
        cfg, {
            'train_dataloader.batch_size': 8,
            'train_dataloader.dataset.num_images': 3,
            'train_cfg.max_epochs': 1,
            'optim_wrapper.optimizer.lr': 0.01,
            'model.fusion.hidden_dims': (32, 32),
        })
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_dataloader.dataset.num_images == 3
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    assert cfg.optim_wrapper.type == 'AutocastOptimWrapper'  # untouched
    assert tuple(cfg.model.fusion.hidden_dims) == (32, 32)
    # the val set is another dict
    assert cfg.val_dataloader.dataset.num_images == 200


def test_list_index_paths(cfg):
    assert cfg.custom_hooks[0].type == 'RNGStateHook'
    merge_cfg_options(cfg, {'custom_hooks.0.type': 'MyHook',
                            'vis_backends.0.type': 'TensorboardVisBackend'})
    assert cfg.custom_hooks[0].type == 'MyHook'
    assert cfg.vis_backends[0].type == 'TensorboardVisBackend'
    # the other hooks of the list are kept
    assert [h.type for h in cfg.custom_hooks] == ['MyHook',
                                                  'AnswerVocabCheckHook']


def test_param_scheduler_index_path():
    cfg = Config(dict(param_scheduler=[
        dict(type='LinearLR', begin=0, end=5),
        dict(type='MultiStepLR', begin=5, end=20, milestones=[10, 15]),
    ]))
    merge_cfg_options(cfg, {'param_scheduler.0.end': 2,
                            'param_scheduler.1.milestones': [12]})
    assert cfg.param_scheduler[0].end == 2
    assert cfg.param_scheduler[0].begin == 0
    assert cfg.param_scheduler[1].milestones == [12]
    assert cfg.param_scheduler[1].end == 20
    # index past the end
    with pytest.raises(ConfigKeyError, match='"param_scheduler.2.end" does '
                       'not exist'):
        merge_cfg_options(cfg, {'param_scheduler.2.end': 3})


def test_empty_list_in_rn_config_has_no_index(cfg):
    assert cfg.param_scheduler == []
    with pytest.raises(ConfigKeyError, match='"param_scheduler.0.end"'):
        merge_cfg_options(cfg, {'param_scheduler.0.end': 3})


def test_missing_key_is_refused_with_suggestion(cfg, rn_cfg_text):
    with pytest.raises(ConfigKeyError) as info:
        merge_cfg_options(cfg, {'train_dataloader.batchsize': 8},
                          config_path='configs/rn/rn_sort-of-clevr.py')
    err = info.value
    assert isinstance(err, KeyError)
    msg = str(err)
    assert msg.startswith('--cfg-options key "train_dataloader.batchsize" '
                          'does not exist in configs/rn/rn_sort-of-clevr.py.'
                          ' Did you mean: train_dataloader.batch_size')
    assert 'tools/misc/print_config.py' in msg
    # nothing was merged
    assert 'batchsize' not in cfg.train_dataloader
    assert cfg.pretty_text == rn_cfg_text


def test_one_bad_key_refuses_all(cfg, rn_cfg_text):
    with pytest.raises(ConfigKeyError, match='"model.fusion.hiden_dims"') \
            as info:
        merge_cfg_options(cfg, {'train_cfg.max_epochs': 1,
                                'model.fusion.hiden_dims': (8, )})
    assert 'Did you mean: model.fusion.hidden_dims' in str(info.value)
    assert cfg.train_cfg.max_epochs == 20
    assert cfg.pretty_text == rn_cfg_text


@pytest.mark.parametrize('key', [
    'nothing_like_this_at_all',
    'model.type.sub',  # through a string
    'custom_hooks.x.type',  # non-numeric list index
    'custom_hooks.-1.type',
])
def test_other_missing_keys(cfg, key):
    with pytest.raises(ConfigKeyError) as info:
        merge_cfg_options(cfg, {key: 1})
    assert f'--cfg-options key "{key}" does not exist in the config.' in str(
        info.value)


def test_no_hint_when_nothing_is_close(cfg):
    with pytest.raises(ConfigKeyError) as info:
        merge_cfg_options(cfg, {'zzzzzzzzzzzzzzzzzz': 1})
    assert 'Did you mean' not in str(info.value)


def test_empty_options_are_a_no_op(cfg, rn_cfg_text):
    merge_cfg_options(cfg, {})
    merge_cfg_options(cfg, None)
    assert cfg.pretty_text == rn_cfg_text
