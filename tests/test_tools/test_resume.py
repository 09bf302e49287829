"""A run killed with SIGKILL and resumed ends exactly where an uninterrupted
run ends (issue item 8)."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import torch

from conftest import REPO, RN_CONFIG, run_tool, tiny_data_options, tool_env
from vlframe.utils import safe_torch_load

EPOCHS = 4


def _options(data_root):
    return tiny_data_options(data_root, train_images=6) + [
        f'train_cfg.max_epochs={EPOCHS}'
    ]


def _val_metrics(work_dir):
    import glob
    import json
    scalars = sorted(glob.glob(osp.join(work_dir, '2*', 'vis_data',
                                        'scalars.json')))
    out = {}
    for path in scalars:
        for line in open(path):
            row = json.loads(line)
            if 'accuracy/overall' in row:
                out[row['step']] = row['accuracy/overall']
    return out


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path, data_root):
    straight = str(tmp_path / 'straight')
    run_tool('train.py', RN_CONFIG, '--work-dir', straight, '--cfg-options',
             *_options(data_root))

    killed = str(tmp_path / 'killed')
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), RN_CONFIG, '--work-dir', killed,
        '--cfg-options', *_options(data_root)
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    last = osp.join(killed, 'last_checkpoint')
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if osp.isfile(last) and open(last).read().strip():
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, 'run finished before the kill'
    resumed_from = open(last).read().strip()
    assert not resumed_from.endswith(f'epoch_{EPOCHS}.pth')

    proc = run_tool('train.py', RN_CONFIG, '--work-dir', killed, '--resume',
                    '--cfg-options', *_options(data_root))
    assert f'Load checkpoint from {resumed_from}' in proc.stdout + proc.stderr
    assert 'resumed epoch' in (proc.stdout + proc.stderr).lower()

    a = safe_torch_load(osp.join(straight, f'epoch_{EPOCHS}.pth'))
    b = safe_torch_load(osp.join(killed, f'epoch_{EPOCHS}.pth'))
    assert a['meta']['epoch'] == b['meta']['epoch'] == EPOCHS
    assert a['meta']['iter'] == b['meta']['iter']
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key in a['state_dict']:
        assert torch.equal(a['state_dict'][key], b['state_dict'][key]), key
    # the optimizer state continued too
    for sa, sb in zip(a['optimizer']['state'].values(),
                      b['optimizer']['state'].values()):
        assert torch.equal(sa['exp_avg'], sb['exp_avg'])
    # and so did the metrics: every epoch validated by both runs (the
    # killed one may have died before validating its last saved epoch)
    straight_metrics = _val_metrics(straight)
    resumed_metrics = _val_metrics(killed)
    assert sorted(straight_metrics) == list(range(1, EPOCHS + 1))
    assert EPOCHS in resumed_metrics
    for epoch, value in resumed_metrics.items():
        assert straight_metrics[epoch] == value


def test_resume_from_explicit_checkpoint(tmp_path, data_root):
    work_dir = str(tmp_path / 'w')
    opts = tiny_data_options(data_root) + ['train_cfg.max_epochs=1']
    run_tool('train.py', RN_CONFIG, '--work-dir', work_dir, '--cfg-options',
             *opts)
    opts[-1] = 'train_cfg.max_epochs=2'
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', work_dir,
                    '--resume', osp.join(work_dir, 'epoch_1.pth'),
                    '--cfg-options', *opts)
    assert 'resumed epoch: 1' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
