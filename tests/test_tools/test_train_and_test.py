"""End to end: tools/train.py then tools/test.py on a tiny generated set."""
import glob
import json
import os.path as osp
import pickle

import torch

from conftest import RN_CONFIG, run_tool, tiny_data_options


def test_train_then_test_writes_the_expected_work_dir(tmp_path, data_root):
    work_dir = str(tmp_path / 'work')
    opts = tiny_data_options(data_root) + ['train_cfg.max_epochs=1']
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', work_dir,
                    '--cfg-options', *opts)
    assert 'Epoch(train) [1][5/5]' in proc.stdout + proc.stderr

    # the work_dir contract of issue item 6
    assert osp.isfile(osp.join(work_dir, 'rn_sort-of-clevr.py'))
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert osp.isfile(
        osp.join(work_dir, 'best_accuracy_overall_epoch_1.pth'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == osp.join(work_dir, 'epoch_1.pth')
    logs = glob.glob(osp.join(work_dir, '2*', '2*.log'))
    assert len(logs) == 1
    scalars = glob.glob(osp.join(work_dir, '2*', 'vis_data', 'scalars.json'))
    assert len(scalars) == 1
    lines = [json.loads(line) for line in open(scalars[0])]
    train_lines = [x for x in lines if 'loss' in x]
    val_lines = [x for x in lines if 'accuracy/overall' in x]
    assert len(train_lines) == 5  # 80 questions / batch 16, logged each iter
    assert len(val_lines) == 1
    assert 0 <= val_lines[0]['accuracy/overall'] <= 100
    # no temporary files of the atomic writes are left behind
    assert not glob.glob(osp.join(work_dir, '.*.tmp'))

    # the dumped config is a complete config: it trains no differently
    dumped = open(osp.join(work_dir, 'rn_sort-of-clevr.py')).read()
    assert "type='RelationNetworkFusion'" in dumped

    ckpt = osp.join(work_dir, 'epoch_1.pth')
    out = str(tmp_path / 'results.pkl')
    show_dir = 'vis'
    proc = run_tool('test.py', RN_CONFIG, ckpt, '--work-dir', work_dir,
                    '--out', out, '--show-dir', show_dir, '--cfg-options',
                    *tiny_data_options(data_root))
    text = proc.stdout + proc.stderr
    assert 'accuracy/overall' in text
    assert 'relational' in text and 'non_relational' in text
    # the test metrics equal the validation of the same checkpoint
    test_acc = float(text.split('accuracy/overall: ')[1].split()[0])
    assert abs(test_acc - val_lines[0]['accuracy/overall']) < 1e-6

    with open(out, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 40  # 2 test images x 20 questions
    assert {'pred_answer', 'gt_answer', 'pred_score'} <= set(results[0])
    assert isinstance(results[0]['pred_answer'], torch.Tensor)

    pngs = glob.glob(osp.join(work_dir, '2*', show_dir, '*.png'))
    assert len(pngs) == 4  # one question in 10 is drawn


def test_amp_on_cpu_and_auto_scale_lr(tmp_path, data_root):
    """--amp trains in bfloat16 on a machine without CUDA (mmengine's
    AmpOptimWrapper would assert a GPU); --auto-scale-lr scales the lr by
    total batch / base_batch_size."""
    from conftest import CNN_MLP_CONFIG
    from mmengine.config import Config
    work_dir = str(tmp_path / 'amp')
    proc = run_tool('train.py', CNN_MLP_CONFIG, '--work-dir', work_dir,
                    '--amp', '--auto-scale-lr', '--cfg-options',
                    *tiny_data_options(data_root), 'train_cfg.max_epochs=1')
    dumped = Config.fromfile(osp.join(work_dir, 'cnn-mlp_sort-of-clevr.py'))
    assert dumped.optim_wrapper.type == 'AutocastOptimWrapper'
    assert dumped.optim_wrapper.dtype == 'bfloat16'
    # base lr 1e-4 for a batch of 64; this run's batch is 16
    assert dumped.auto_scale_lr.base_batch_size == 64
    assert 'lr: 2.5000e-05' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
