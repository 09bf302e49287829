"""tools/analysis_tools/probe_object_features.py: linear probes of object
colour and shape on the image encoder's cells."""
import re

import torch
from conftest import RN_CONFIG, run_tool


def data_options(data_root):
    return [
        'train_dataloader.dataset.num_images=60',
        f'train_dataloader.dataset.data_root={data_root}',
        'test_dataloader.dataset.num_images=20',
        f'test_dataloader.dataset.data_root={data_root}',
    ]


def parse_table(stdout):
    rows = re.findall(r'^\s+(\d)\s+(\d+)x(\d+)\s+([\d.]+)\s+([\d.]+)$',
                      stdout, flags=re.M)
    return {int(d): (int(h), int(w), float(c), float(s))
            for d, h, w, c, s in rows}


def test_probe_reports_every_depth(data_root):
    proc = run_tool('analysis_tools/probe_object_features.py', RN_CONFIG,
                    '--train-images', '60', '--test-images', '20',
                    '--cfg-options', *data_options(data_root))
    assert 'objects: 360 train, 120 test' in proc.stdout
    table = parse_table(proc.stdout)
    assert sorted(table) == [1, 2, 3, 4]
    # the stride-2 stem halves the 75x75 image four times
    assert [table[d][:2] for d in (1, 2, 3, 4)] == [(38, 38), (19, 19),
                                                    (10, 10), (5, 5)]
    for _, _, colour, shape in table.values():
        assert 0 <= colour <= 100 and 0 <= shape <= 100
    # one 3x3 conv over the raw pixels still separates the six colours
    # linearly, far above the 16.7% of chance
    assert table[1][2] >= 90


def test_probe_depth_out_of_range(data_root):
    proc = run_tool('analysis_tools/probe_object_features.py', RN_CONFIG,
                    '--depths', '5', '--cfg-options', *data_options(data_root),
                    check=False)
    assert proc.returncode == 2
    assert 'the encoder has 4 blocks' in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_probe_mismatched_checkpoint(data_root, tmp_path):
    bogus = tmp_path / 'other.pth'
    torch.save({'state_dict': {'something.else': torch.zeros(1)}}, bogus)
    proc = run_tool('analysis_tools/probe_object_features.py', RN_CONFIG,
                    str(bogus), '--cfg-options', *data_options(data_root),
                    check=False)
    assert proc.returncode == 2
    assert 'unexpected keys' in proc.stderr
