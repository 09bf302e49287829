"""tools/dist_train.sh on CPU: 2 gloo processes equal 1 process with the
same global batch (issue item 7)."""
import glob
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

from conftest import REPO, run_tool, tiny_data_options, tool_env
from vlframe.utils import safe_torch_load

# fp32, no dropout, no batch norm: with those the two runs compute the same
# function; batch norm would normalise each rank's half-batch on its own
# (as it does on GPUs without SyncBN) and dropout draws per-rank masks.
# SGD: its step is linear in the gradient, so float round-off in the
# all-reduce stays round-off (Adam divides by sqrt(v) and blows up the
# round-off of near-zero gradients to lr-sized steps)
EXACT_RN = """
_base_ = ['{base}']
model = dict(
    image_encoder=dict(norm_cfg=None),
    head=dict(dropout=0.0))
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='SGD', lr=1e-3))
"""


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_cpu_processes_match_one(tmp_path, data_root):
    config = tmp_path / 'rn_exact.py'
    config.write_text(
        EXACT_RN.format(
            base=osp.join(REPO, 'configs', 'rn', 'rn_sort-of-clevr.py')))
    opts = tiny_data_options(data_root, train_images=4) + [
        'train_cfg.max_epochs=1'
    ]  # 80 questions: 5 steps of a global batch of 16

    single = str(tmp_path / 'single')
    run_tool('train.py', str(config), '--work-dir', single, '--cfg-options',
             *opts)

    dist = str(tmp_path / 'dist')
    dist_opts = [o for o in opts if not o.startswith('train_dataloader.batch')]
    env = tool_env()
    env.update(PYTHON=sys.executable, PORT=str(_free_port()))
    proc = subprocess.run(
        [
            'bash',
            osp.join(REPO, 'tools', 'dist_train.sh'),
            str(config), '2', '--work-dir', dist, '--cfg-options',
            *dist_opts, 'train_dataloader.batch_size=8'
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]

    # both ranks ran and joined a world of two
    assert 'world size 2, backend gloo, rank 0' in output
    assert 'world size 2, backend gloo, rank 1' in output
    log = glob.glob(osp.join(dist, '2*', '2*.log'))
    assert len(log) == 1  # only rank 0 writes the log file
    assert 'world size 2' in open(log[0]).read()
    # one checkpoint per epoch, written once
    assert sorted(os.listdir(dist)).count('epoch_1.pth') == 1
    assert not glob.glob(osp.join(dist, '.*.tmp'))

    a = safe_torch_load(osp.join(single, 'epoch_1.pth'))['state_dict']
    b = safe_torch_load(osp.join(dist, 'epoch_1.pth'))['state_dict']
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-6)
    assert safe_torch_load(osp.join(dist, 'epoch_1.pth'))['meta']['iter'] == 5

    # the comparison is not vacuous: a run with another global batch ends
    # elsewhere
    other = str(tmp_path / 'other')
    run_tool('train.py', str(config), '--work-dir', other, '--cfg-options',
             *dist_opts, 'train_dataloader.batch_size=8')
    c = safe_torch_load(osp.join(other, 'epoch_1.pth'))['state_dict']
    key = 'fusion.g_layers.0.weight'
    assert (a[key] - c[key]).abs().max() > 100 * (a[key] - b[key]).abs().max()
