"""tools/analysis_tools/benchmark.py on a tiny generated set (subprocess).

Only the output contract is tested here: the numbers of a 5-iteration run
on a small batch say nothing about the Runner's overhead.
"""
import json
import re

import pytest

from conftest import CNN_MLP_CONFIG, RN_CONFIG, run_tool

TOOL = 'analysis_tools/benchmark.py'
RATIO_LINE = re.compile(r'ratio \(runner / plain\): \d+\.\d\d')


def tiny(data_root, *extra):
    return ['--iters', '5', '--warmup', '2', '--repeats', '1', *extra,
            '--cfg-options', 'train_dataloader.batch_size=8',
            'train_dataloader.dataset.num_images=40',
            f'train_dataloader.dataset.data_root={data_root}']


def side_row(stdout, label):
    """(samples/s, ms/iter, page faults/iter) of a table row."""
    match = re.search(rf'^{label}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s',
                      stdout, re.MULTILINE)
    assert match, f'no {label} row in:\n{stdout[-3000:]}'
    return tuple(float(x) for x in match.groups())


@pytest.mark.parametrize('config, is_rn', [(RN_CONFIG, True),
                                           (CNN_MLP_CONFIG, False)])
def test_benchmark_prints_both_sides_and_the_ratio_last(
        tmp_path, data_root, config, is_rn):
    out = tmp_path / 'results.json'
    proc = run_tool(TOOL, config, *tiny(data_root, '--out', str(out)))
    stdout = proc.stdout
    assert 'page faults/iter' in stdout
    assert 'allocator: M_MMAP_THRESHOLD=' in stdout
    # the machine is part of the result (docs/benchmarks.md)
    assert re.search(r'^cpu: .+ usable cores; bf16 flags: ', stdout,
                     re.MULTILINE)
    for label in ('Runner', 'plain'):
        samples_per_s, ms_per_iter, _ = side_row(stdout, label)
        assert samples_per_s > 0 and ms_per_iter > 0

    naive_lines = [line for line in stdout.splitlines()
                   if line.startswith(('naive RN', 'speedup'))]
    if is_rn:
        assert 'naive RN equality check' in stdout
        assert re.search(r'naive RN equality check .*: passed$', stdout,
                         re.MULTILINE)
        assert re.search(r'^naive RN fp32 \(repeat/concat pairs\): '
                         r'[\d.]+ ms/step', stdout, re.MULTILINE)
        assert re.search(r'^ours \(torch\.autocast.*bfloat16\)\): '
                         r'[\d.]+ ms/step', stdout, re.MULTILINE)
        assert re.search(r'^speedup \(naive fp32 / ours\): [\d.]+x', stdout,
                         re.MULTILINE)
    else:
        assert naive_lines == []

    last = stdout.strip().splitlines()[-1]
    assert RATIO_LINE.fullmatch(last), last

    results = json.loads(out.read_text())
    assert results['batch_size'] == 8 and results['iters'] == 5
    assert {'model_name', 'family', 'cores', 'bf16_flags'} <= set(
        results['cpu'])
    for side in ('runner', 'plain'):
        assert results[side]['samples_per_s'] > 0
        assert results[side]['runs'][0]['samples'] == 5 * 8
        assert 'page_faults_per_iter' in results[side]
    assert f'{results["ratio"]:.2f}' == last.split()[-1]
    assert ('naive_rn' in results) == is_rn
    if is_rn:
        assert results['naive_rn']['check']['passed']
        assert results['naive_rn']['speedup'] > 0


def test_data_only_times_the_dataloader(data_root):
    proc = run_tool(TOOL, CNN_MLP_CONFIG, *tiny(data_root, '--data-only'))
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'data pipeline: [\d.]+ samples/s', last), last
    assert 'ratio (runner' not in proc.stdout
    assert not re.search(r'^(Runner|plain) ', proc.stdout, re.MULTILINE)


def test_bad_cfg_options_key_is_an_error(data_root):
    proc = run_tool(TOOL, RN_CONFIG, '--iters', '1', '--warmup', '1',
                    '--cfg-options', 'train_dataloader.batchsize=8',
                    check=False)
    assert proc.returncode != 0
    assert 'train_dataloader.batchsize' in proc.stderr
    assert 'Did you mean: train_dataloader.batch_size' in proc.stderr
    assert 'Traceback' not in proc.stderr
