"""Tests for tools/misc/print_config.py (run as a subprocess)."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / 'tools' / 'misc' / 'print_config.py'


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True,
                          text=True,
                          timeout=60)


@pytest.fixture
def child_config(tmp_path):
    (tmp_path / '_base_').mkdir()
    (tmp_path / '_base_' / 'base.py').write_text(
        textwrap.dedent("""\
            model = dict(
                type='RelNet',
                depth=18,
                head=dict(type='RelHead', num_classes=10))
            optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
            train_cfg = dict(by_epoch=True, max_epochs=12)
            work_dir = 'work_dirs/base'
            """))
    child = tmp_path / 'child.py'
    child.write_text(
        textwrap.dedent("""\
            _base_ = ['./_base_/base.py']
            model = dict(depth=50)
            train_cfg = dict(max_epochs=24)
            """))
    return child


def test_print_merged_config(child_config):
    res = run(child_config, '--cfg-options', 'model.head.num_classes=7',
              'optim_wrapper.optimizer.lr=0.02')
    assert res.returncode == 0, res.stderr
    out = res.stdout
    # values from the base, the child and the command line are all there
    assert "type='RelNet'" in out
    assert 'depth=50' in out
    assert 'max_epochs=24' in out
    assert 'num_classes=7' in out
    assert 'lr=0.02' in out
    assert '_base_' not in out
    # stdout is the config itself, i.e. it parses back into the same values
    cfg = Config.fromstring(out, '.py')
    assert cfg.model.depth == 50
    assert cfg.model.head.num_classes == 7
    assert cfg.model.head.type == 'RelHead'
    assert cfg.optim_wrapper.optimizer.lr == 0.02
    assert cfg.train_cfg == dict(by_epoch=True, max_epochs=24)
    assert cfg.work_dir == 'work_dirs/base'


def test_save_path(child_config, tmp_path):
    save_path = tmp_path / 'out' / 'merged.py'
    res = run(child_config, '--cfg-options', 'model.depth=101',
              '--save-path', save_path)
    assert res.returncode == 0, res.stderr
    assert save_path.is_file()
    cfg = Config.fromfile(str(save_path))
    assert cfg.model.depth == 101
    assert cfg.train_cfg.max_epochs == 24
    assert cfg.model.head.num_classes == 10


def test_missing_config(tmp_path):
    res = run(tmp_path / 'nope.py')
    assert res.returncode == 1
    assert 'nope.py' in res.stderr
    assert 'Traceback' not in res.stderr


def test_unknown_cfg_options_key_is_refused(child_config):
    res = run(child_config, '--cfg-options', 'model.hed.num_classes=7')
    assert res.returncode == 2
    assert 'Traceback' not in res.stderr
    assert '"model.hed.num_classes" does not exist' in res.stderr
    assert 'model.head.num_classes' in res.stderr
