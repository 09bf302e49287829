"""Tests for tools/analysis_tools/analyze_logs.py (run as a subprocess)."""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / 'tools' / 'analysis_tools' / 'analyze_logs.py'

ITERS_PER_EPOCH = 40
LOG_INTERVAL = 10
MAX_EPOCHS = 3


def make_records(by_epoch=True):
    """Records shaped like mmengine's LoggerHook/LocalVisBackend output.

    Epoch-based: training lines carry ``epoch``, validation ``step`` is the
    epoch. Iteration-based: no ``epoch``, validation ``step`` is the iter.
    """
    records = []
    for epoch in range(1, MAX_EPOCHS + 1):
        for i in range(LOG_INTERVAL, ITERS_PER_EPOCH + 1, LOG_INTERVAL):
            it = (epoch - 1) * ITERS_PER_EPOCH + i
            loss = 2.0 * math.exp(-it / 50) + 0.2
            # first record of an epoch is slow (warm-up), like real logs
            time = 0.25 + 0.01 * epoch + 0.001 * i
            if i == LOG_INTERVAL:
                time += 0.5
            rec = dict(
                base_lr=0.01,
                lr=0.01 * (1 - it / (ITERS_PER_EPOCH * MAX_EPOCHS)),
                data_time=0.012,
                loss=loss,
                loss_cls=0.6 * loss,
                loss_rel=0.4 * loss,
                time=time,
                epoch=epoch,
                iter=it,
                memory=2048,
                step=it)
            if not by_epoch:
                del rec['epoch']
            records.append(rec)
        records.append({
            'accuracy/overall': 0.5 + 0.1 * epoch,
            'accuracy/relational': 0.4 + 0.1 * epoch,
            'data_time': 0.005,
            'time': 0.08,
            'step': epoch if by_epoch else epoch * ITERS_PER_EPOCH,
        })
    return records


def write_scalars(tmp_path, records, name='exp'):
    path = tmp_path / 'work_dirs' / name / '20240101_120000' / 'vis_data'
    path.mkdir(parents=True)
    path = path / 'scalars.json'
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return path


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True,
                          text=True,
                          timeout=60)


@pytest.fixture
def scalars(tmp_path):
    return write_scalars(tmp_path, make_records())


def assert_png(path, min_bytes=10_000):
    from PIL import Image
    assert path.is_file()
    assert path.stat().st_size > min_bytes
    with Image.open(path) as img:
        assert img.format == 'PNG'
        img.verify()
    with Image.open(path) as img:
        width, height = img.size
        # not a blank canvas
        extrema = img.convert('L').getextrema()
        assert extrema[0] < extrema[1]
    return width, height


def test_plot_curve_train_and_val_keys(scalars, tmp_path):
    out = tmp_path / 'figs' / 'nested' / 'curve.png'  # parents are created
    res = run('plot_curve', scalars, '--keys', 'loss', 'loss_rel',
              'accuracy/relational', '--title', 'test run', '--out', out)
    assert res.returncode == 0, res.stderr
    assert 'save curve to' in res.stdout
    width, height = assert_png(out)
    # two stacked subplots (training + validation)
    assert height > 0.8 * width


def test_plot_curve_default_key_and_two_files(scalars, tmp_path):
    other = write_scalars(tmp_path, make_records(by_epoch=False), 'exp2')
    out = tmp_path / 'loss.png'
    res = run('plot_curve', scalars, other, '--legend', 'epoch-based',
              'iter-based', '--out', out)
    assert res.returncode == 0, res.stderr
    assert 'key: loss' in res.stdout  # default --keys loss
    width, height = assert_png(out)
    # a single subplot
    assert height < width


def test_plot_curve_missing_key_lists_available(scalars, tmp_path):
    out = tmp_path / 'never.png'
    res = run('plot_curve', scalars, '--keys', 'loss', 'accuracy/nope',
              '--out', out)
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr
    assert 'accuracy/nope' in res.stderr
    assert str(scalars) in res.stderr
    for key in ('loss', 'lr', 'loss_rel', 'accuracy/overall',
                'accuracy/relational'):
        assert key in res.stderr
    assert not out.exists()


def test_plot_curve_wrong_legend_length(scalars, tmp_path):
    res = run('plot_curve', scalars, '--keys', 'loss', 'accuracy/overall',
              '--legend', 'only-one', '--out', tmp_path / 'x.png')
    assert res.returncode == 1
    assert '--legend' in res.stderr
    assert 'Traceback' not in res.stderr


@pytest.mark.parametrize('task', ['plot_curve', 'cal_train_time'])
def test_malformed_line(tmp_path, task):
    lines = [json.dumps(r) for r in make_records()[:4]]
    lines[2] = lines[2][:-5]  # truncate line 3
    path = tmp_path / 'scalars.json'
    path.write_text('\n'.join(lines) + '\n')
    res = run(task, path)
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr
    assert str(path) in res.stderr
    assert 'line 3' in res.stderr


def test_missing_file(tmp_path):
    path = tmp_path / 'does_not_exist' / 'scalars.json'
    res = run('cal_train_time', path)
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr
    assert str(path) in res.stderr


def expected_times(records, include_outliers=False):
    per_epoch = {}
    for rec in records:
        if 'iter' in rec:
            per_epoch.setdefault(rec.get('epoch'), []).append(rec['time'])
    if not include_outliers:
        per_epoch = {e: t[1:] for e, t in per_epoch.items()}
    all_times = [t for ts in per_epoch.values() for t in ts]
    epoch_avg = {e: sum(t) / len(t) for e, t in per_epoch.items()}
    return sum(all_times) / len(all_times), epoch_avg


@pytest.mark.parametrize('include_outliers', [False, True])
def test_cal_train_time(scalars, include_outliers):
    args = ['cal_train_time', scalars]
    if include_outliers:
        args.append('--include-outliers')
    res = run(*args)
    assert res.returncode == 0, res.stderr
    avg, epoch_avg = expected_times(make_records(), include_outliers)
    assert f'average iter time: {avg:.4f} s/iter' in res.stdout
    slowest = max(epoch_avg, key=epoch_avg.get)
    fastest = min(epoch_avg, key=epoch_avg.get)
    assert f'slowest epoch {slowest}, average time is ' \
           f'{epoch_avg[slowest]:.4f}' in res.stdout
    assert f'fastest epoch {fastest}, average time is ' \
           f'{epoch_avg[fastest]:.4f}' in res.stdout
    # validation `time` values must not leak into the training average
    assert avg > 0.2


def test_cal_train_time_iter_based(tmp_path):
    records = make_records(by_epoch=False)
    path = write_scalars(tmp_path, records)
    res = run('cal_train_time', path)
    assert res.returncode == 0, res.stderr
    avg, _ = expected_times(records)
    assert 'iteration-based' in res.stdout
    assert f'average iter time: {avg:.4f} s/iter' in res.stdout


def load_tool():
    """Import the script as a module to inspect the records it reads."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('analyze_logs', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_resumed_run(tmp_path, by_epoch=True):
    """A run killed in epoch 3 after its epoch-2 checkpoint and resumed:
    mmengine writes a second timestamp folder that repeats epoch 3."""
    records = make_records(by_epoch)
    first_iter_of_epoch3 = 2 * ITERS_PER_EPOCH + LOG_INTERVAL
    cut = next(i for i, r in enumerate(records)
               if r.get('iter') == first_iter_of_epoch3)
    # the killed part got through half of epoch 3 with other values
    killed = [dict(r, loss=99.0) for r in records[cut:cut + 2]]
    work_dir = tmp_path / 'work_dirs' / 'resumed'
    for stamp, part in (('20240101_120000', records[:cut] + killed),
                        ('20240102_080000', records[cut:])):
        folder = work_dir / stamp / 'vis_data'
        folder.mkdir(parents=True)
        (folder / 'scalars.json').write_text(
            ''.join(json.dumps(r) + '\n' for r in part))
    return work_dir, records


@pytest.mark.parametrize('by_epoch', [True, False])
def test_work_dir_joins_resumed_parts(tmp_path, by_epoch):
    work_dir, records = write_resumed_run(tmp_path, by_epoch)
    log = load_tool().ScalarLog(str(work_dir))
    assert len(log.files) == 2
    # exactly the records of an uninterrupted run, the killed part dropped
    assert log.train + log.val == sorted(
        records, key=lambda r: ('iter' not in r, r['step']))
    assert [r['step'] for r in log.val] == (
        [1, 2, 3] if by_epoch else [40, 80, 120])
    assert all(r['loss'] < 99 for r in log.train)


def test_plot_curve_and_train_time_of_a_work_dir(tmp_path):
    work_dir, records = write_resumed_run(tmp_path)
    out = tmp_path / 'resumed.png'
    res = run('plot_curve', work_dir, '--keys', 'loss', 'accuracy/overall',
              '--out', out)
    assert res.returncode == 0, res.stderr
    assert 'key: loss (12 points, 2 resumed parts joined)' in res.stdout
    assert 'key: accuracy/overall (3 points, 2 resumed parts joined)' \
        in res.stdout
    assert_png(out)
    res = run('cal_train_time', work_dir)
    assert res.returncode == 0, res.stderr
    avg, _ = expected_times(records)
    assert f'average iter time: {avg:.4f} s/iter' in res.stdout


def test_directory_without_scalars(tmp_path):
    res = run('plot_curve', tmp_path, '--out', tmp_path / 'x.png')
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr
    assert str(tmp_path) in res.stderr
    assert 'vis_data/scalars.json' in res.stderr



def test_plus_joins_the_stages_of_a_schedule(tmp_path):
    stage1 = write_scalars(tmp_path, make_records(), 'stage1')
    stage2 = write_scalars(tmp_path, make_records(), 'stage2')
    other = write_scalars(tmp_path, make_records(), 'other')
    tool = load_tool()
    log = tool.load_logs([f'{stage1}+{stage2}'])[0]
    # 3 epochs of 40 iterations each: stage 2 starts at iteration 120 and
    # epoch 3, so its epoch 1 is drawn as epoch 4
    assert log.starts == [(120, 3)]
    assert [r['step'] for r in log.val] == [1, 2, 3, 4, 5, 6]
    assert [r['step'] for r in log.train] == list(range(10, 241, 10))
    assert [r['epoch'] for r in log.train][11:13] == [3, 4]
    assert [r['accuracy/overall'] for r in log.val] == pytest.approx(
        [0.6, 0.7, 0.8] * 2)
    assert tool.run_label(f'{stage1}+{stage2}') == \
        'stage1/20240101_120000+stage2/20240101_120000'
    out = tmp_path / 'chained.png'
    res = run('plot_curve', f'{stage1}+{stage2}', other, '--keys', 'loss',
              'accuracy/overall', '--out', out)
    assert res.returncode == 0, res.stderr
    assert 'key: loss (24 points, 2 runs one after another)' in res.stdout
    assert 'key: accuracy/overall (6 points, 2 runs one after another)' \
        in res.stdout
    assert f'plot curve of {other}, key: loss (12 points)' in res.stdout
    assert_png(out)


def test_plus_joins_iteration_based_runs_but_not_mixed(tmp_path):
    iters1 = write_scalars(tmp_path, make_records(by_epoch=False), 'it1')
    iters2 = write_scalars(tmp_path, make_records(by_epoch=False), 'it2')
    tool = load_tool()
    # validation steps of iteration-based runs are iterations
    log = tool.load_logs([f'{iters1}+{iters2}'])[0]
    assert log.starts == [(120, 120)]
    assert [r['step'] for r in log.val] == [40, 80, 120, 160, 200, 240]
    epochs = write_scalars(tmp_path, make_records(), 'ep')
    res = run('plot_curve', f'{epochs}+{iters1}', '--out',
              tmp_path / 'x.png')
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr
    assert 'epoch-based and iteration-based runs cannot be joined' \
        in res.stderr
