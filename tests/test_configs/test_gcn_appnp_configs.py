"""GCN and APPNP configs through the command-line tools, on the real Cora
files beside the repository (../shared/data/planetoid)."""
import json
import os
import os.path as osp

import pytest
from conftest import PLANETOID_ROOT, REPO, run_tool
from mmengine.config import Config

needs_cora = pytest.mark.skipif(
    not osp.isdir(osp.join(PLANETOID_ROOT, 'Cora', 'raw')),
    reason='../shared/data/planetoid/Cora/raw is not here')

GCN = osp.join(REPO, 'configs', 'gcn', 'gcn_cora.py')
APPNP = osp.join(REPO, 'configs', 'appnp', 'appnp_cora.py')


def data_root_options(root):
    return [f'{loader}.dataset.data_root={root}'
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')]


@needs_cora
def test_gcn_stops_early_keeps_best_and_test_prints_accuracy(tmp_path):
    work_dir = str(tmp_path / 'gcn')
    # patience 2 with improvements counted from 0.05 on (instead of 10
    # and 0): the validation loss stops improving that fast within a few
    # epochs, long before epoch 200
    proc = run_tool('train.py', GCN, '--work-dir', work_dir, '--cfg-options',
                    *data_root_options(PLANETOID_ROOT),
                    'custom_hooks.1.patience=2',
                    'custom_hooks.1.min_delta=0.05')
    log = proc.stdout + proc.stderr
    assert 'did not improve in the last 2 records' in log
    assert 'Epoch(train) [200]' not in log
    best = [f for f in sorted(os.listdir(work_dir))
            if f.startswith('best_cross_entropy_epoch_')]
    assert len(best) == 1  # the hook keeps only the best
    # ... the epoch of the lowest validation cross-entropy in the log
    val_losses = [
        float(ln.split('cross_entropy: ')[1].split()[0])
        for ln in log.splitlines() if 'Epoch(val)' in ln
    ]
    best_epoch = int(best[0].split('_')[-1].split('.')[0])
    assert best_epoch == 1 + val_losses.index(min(val_losses))
    proc = run_tool('test.py', GCN, osp.join(work_dir, best[0]),
                    '--work-dir', work_dir, '--cfg-options',
                    *data_root_options(PLANETOID_ROOT))
    line = [ln for ln in proc.stdout.splitlines() + proc.stderr.splitlines()
            if 'Epoch(test)' in ln][-1]
    accuracy = float(line.split('accuracy: ')[1].split()[0])
    # above chance (1/7) after the few epochs it trains
    assert accuracy > 30.0


@needs_cora
def test_repeat_runs_reports_mean_and_std(tmp_path):
    out = tmp_path / 'runs.json'
    proc = run_tool(
        osp.join('analysis_tools', 'repeat_runs.py'), APPNP, '--seeds', '0',
        '1', '--work-dir', str(tmp_path / 'runs'), '--out', str(out),
        '--cfg-options', *data_root_options(PLANETOID_ROOT),
        'train_cfg.max_epochs=15')
    result = json.loads(out.read_text())
    accs = [run['metrics']['accuracy'] for run in result['runs']]
    assert [run['seed'] for run in result['runs']] == [0, 1]
    assert accs[0] != accs[1]  # different seeds, different runs
    mean = sum(accs) / 2
    assert result['summary']['accuracy']['mean'] == pytest.approx(mean)
    assert f'accuracy: {mean:.2f} +- ' in proc.stdout
    for seed in (0, 1):
        assert osp.isfile(result['runs'][seed]['best_checkpoint'])


def test_variants_change_graph_and_layer_sizes():
    for algo, first in (('gcn', 'GCNConv'), ('appnp', 'pyg.Linear')):
        for name, features, classes in (('citeseer', 3703, 6),
                                        ('pubmed', 500, 3)):
            cfg = Config.fromfile(
                osp.join(REPO, 'configs', algo, f'{algo}_{name}.py'))
            for loader in ('train', 'val', 'test'):
                dataset = cfg[f'{loader}_dataloader'].dataset
                assert dataset.name.lower() == name
            layers = cfg.model.backbone.layers
            assert [layer.type for layer in layers] == [first, first]
            assert layers[0].in_channels == features
            assert layers[-1].out_channels == classes


def test_planetoid_root_without_raw_files_is_a_clear_error(tmp_path):
    proc = run_tool('train.py', GCN, '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', *data_root_options(str(tmp_path)),
                    check=False)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr
    assert f'no directory {tmp_path}/Cora/raw' in proc.stderr
    assert 'ind.cora.' in proc.stderr
