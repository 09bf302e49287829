"""Shared helpers: run the command-line tools the way a user does."""
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.registry import DefaultScope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
RN_CONFIG = osp.join(REPO, 'configs', 'rn', 'rn_sort-of-clevr.py')
CNN_MLP_CONFIG = osp.join(REPO, 'configs', 'rn', 'cnn-mlp_sort-of-clevr.py')
# real data beside the repository (../shared/data); tests that read it skip
# when it is absent
SHARED_DATA = osp.normpath(osp.join(REPO, '..', 'shared', 'data'))
PLANETOID_ROOT = osp.join(SHARED_DATA, 'planetoid')


def tiny_data_options(data_root, train_images=4, test_images=2):
    """--cfg-options that shrink Sort-of-CLEVR to a test-sized set."""
    return [
        f'train_dataloader.dataset.num_images={train_images}',
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.num_images={test_images}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.num_images={test_images}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=16',
        'default_hooks.logger.interval=1',
    ]


def tool_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    # two processes may share the 2 cores in distributed tests
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def run_tool(*args, timeout=300, check=True, cwd=None):
    """Run ``python tools/<args>``; returns the CompletedProcess."""
    cmd = [sys.executable, osp.join(REPO, 'tools', args[0]), *args[1:]]
    proc = subprocess.run(cmd, cwd=cwd or REPO, env=tool_env(),
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(cmd)} exited {proc.returncode}\n'
            f'--- stdout ---\n{proc.stdout[-4000:]}\n'
            f'--- stderr ---\n{proc.stderr[-4000:]}')
    return proc


def learning_rate_per_parameter(model, optim_wrapper_cfg):
    """{parameter name: the lr its optimizer group starts with}, as the
    config's optim_wrapper (paramwise_cfg included) builds them."""
    from mmengine.optim import build_optim_wrapper
    optim_wrapper = build_optim_wrapper(model, optim_wrapper_cfg)
    lr_of = {}
    for group in optim_wrapper.optimizer.param_groups:
        for param in group['params']:
            lr_of[id(param)] = group['lr']
    return {name: lr_of[id(param)]
            for name, param in model.named_parameters()}


@pytest.fixture
def data_root(tmp_path):
    return str(tmp_path / 'sort_of_clevr')


@pytest.fixture
def vlframe_scope():
    """The default scope the Runner sets from ``default_scope = 'vlframe'``:
    mmengine's BaseModel builds ``data_preprocessor`` with mmengine's root
    MODELS registry, which finds VLDataPreprocessor only in this scope."""
    with DefaultScope.overwrite_default_scope('vlframe'):
        yield
