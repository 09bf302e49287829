"""A new config that inherits a model config and changes two values trains
(issue item 2)."""
import os.path as osp

from mmengine.config import Config

from conftest import RN_CONFIG, run_tool, tiny_data_options

CHILD = """
_base_ = ['{base}']
# the two changes: a narrower g and a larger learning rate
model = dict(fusion=dict(hidden_dims=(64, 64, 64, 64)),
             head=dict(in_channels=64))
optim_wrapper = dict(optimizer=dict(lr=3e-4))
"""


def test_child_config_trains_with_its_changes(tmp_path, data_root):
    child = tmp_path / 'rn_narrow.py'
    child.write_text(CHILD.format(base=RN_CONFIG))
    cfg = Config.fromfile(str(child))
    # inherited untouched
    assert cfg.model.image_encoder.channels == (24, 24, 24, 24)
    assert cfg.train_dataloader.dataset.type == 'SortOfClevrDataset'
    assert cfg.optim_wrapper.type == 'AutocastOptimWrapper'
    # changed
    assert cfg.model.fusion.hidden_dims == (64, 64, 64, 64)
    assert cfg.optim_wrapper.optimizer.lr == 3e-4

    work_dir = str(tmp_path / 'work')
    proc = run_tool('train.py', str(child), '--work-dir', work_dir,
                    '--cfg-options', *tiny_data_options(data_root),
                    'train_cfg.max_epochs=1')
    assert 'lr: 3.0000e-04' in proc.stdout + proc.stderr
    dumped = Config.fromfile(osp.join(work_dir, 'rn_narrow.py'))
    assert dumped.model.fusion.hidden_dims == (64, 64, 64, 64)
    assert dumped.optim_wrapper.optimizer.lr == 3e-4
    from vlframe.utils import safe_torch_load
    state = safe_torch_load(osp.join(work_dir, 'epoch_1.pth'))['state_dict']
    assert tuple(state['fusion.g_layers.3.weight'].shape) == (64, 64)


def test_default_work_dir_is_named_after_the_config(tmp_path, data_root):
    child = tmp_path / 'my_rn.py'
    child.write_text(f"_base_ = ['{RN_CONFIG}']\n")
    run_tool('train.py', str(child), '--cfg-options',
             *tiny_data_options(data_root), 'train_cfg.max_epochs=1',
             cwd=str(tmp_path))
    assert osp.isfile(tmp_path / 'work_dirs' / 'my_rn' / 'epoch_1.pth')
