"""Bad input gets a clear error from the tools, never a deep traceback
(issue items 8 and 9)."""
import os.path as osp
import pickle

from conftest import (CNN_MLP_CONFIG, RN_CONFIG, run_tool,
                      tiny_data_options)


def _assert_clean_error(proc, *fragments):
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    message = proc.stderr.strip().splitlines()[-1]
    assert message.startswith('error: ')
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_unknown_type_names_registry_scope_and_nearest(tmp_path, data_root):
    config = tmp_path / 'typo.py'
    config.write_text(f"_base_ = ['{RN_CONFIG}']\n"
                      "model = dict(fusion=dict(type='RelationNetwork'))\n")
    proc = run_tool('train.py', str(config), '--work-dir',
                    str(tmp_path / 'w'), '--cfg-options',
                    *tiny_data_options(data_root), check=False)
    _assert_clean_error(proc, '"RelationNetwork"', 'registry', '"model"',
                        'scope "vlframe"', 'RelationNetworkFusion')


def test_unknown_top_level_type(tmp_path, data_root):
    config = tmp_path / 'typo_model.py'
    config.write_text(f"_base_ = ['{RN_CONFIG}']\n"
                      "model = dict(type='VQAModle')\n")
    proc = run_tool('train.py', str(config), '--work-dir',
                    str(tmp_path / 'w'), '--cfg-options',
                    *tiny_data_options(data_root), check=False)
    _assert_clean_error(proc, '"VQAModle"', 'VQAModel')


def test_data_root_that_is_not_a_dataset_directory(tmp_path):
    not_a_dir = tmp_path / 'sort_of_clevr'
    not_a_dir.write_text('this is a file')
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', *tiny_data_options(str(not_a_dir)),
                    check=False)
    _assert_clean_error(proc, str(not_a_dir), 'Expected layout')


def test_corrupt_dataset_cache(tmp_path, data_root):
    # generate the set once, then damage the cache file
    work_dir = str(tmp_path / 'w')
    opts = tiny_data_options(data_root) + ['train_cfg.max_epochs=1']
    run_tool('train.py', RN_CONFIG, '--work-dir', work_dir, '--cfg-options',
             *opts)
    import glob
    cache = sorted(glob.glob(osp.join(data_root, '*train*.npz')))[0]
    with open(cache, 'wb') as f:
        f.write(b'not an npz')
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', work_dir,
                    '--cfg-options', *opts, check=False)
    _assert_clean_error(proc, cache, 'Expected layout')


def test_checkpoint_of_another_model(tmp_path, data_root):
    cnn_dir = str(tmp_path / 'cnn')
    opts = tiny_data_options(data_root) + ['train_cfg.max_epochs=1']
    run_tool('train.py', CNN_MLP_CONFIG, '--work-dir', cnn_dir,
             '--cfg-options', *opts)
    proc = run_tool('test.py', RN_CONFIG, osp.join(cnn_dir, 'epoch_1.pth'),
                    '--work-dir', str(tmp_path / 't'), '--cfg-options',
                    *tiny_data_options(data_root), check=False)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr
    assert 'does not match the model of this config' in proc.stderr
    assert 'missing keys' in proc.stderr
    assert 'fusion.g_layers.0.weight' in proc.stderr
    assert 'unexpected keys' in proc.stderr
    assert 'fusion.fc.weight' in proc.stderr


def test_cfg_options_key_that_does_not_exist(tmp_path, data_root):
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', 'train_dataloader.batchsize=8',
                    check=False)
    _assert_clean_error(proc, 'train_dataloader.batchsize', 'does not exist',
                        'train_dataloader.batch_size')
    proc = run_tool('test.py', RN_CONFIG, 'x.pth', '--cfg-options',
                    'model.fusion.hiden_dims=[8]', check=False)
    _assert_clean_error(proc, 'model.fusion.hidden_dims')


class _RunsCode:
    """Unpickling this calls os.system: the classic malicious checkpoint."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f'touch {self.marker}', ))


def test_checkpoint_that_runs_code_is_refused(tmp_path, data_root):
    import torch
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _RunsCode(marker)}, str(evil))
    proc = run_tool('test.py', RN_CONFIG, str(evil), '--work-dir',
                    str(tmp_path / 't'), '--cfg-options',
                    *tiny_data_options(data_root), check=False)
    _assert_clean_error(proc, 'Refused to load checkpoint', str(evil),
                        'Nothing from it was executed')
    assert not marker.exists()
    # the same file through --resume
    proc = run_tool('train.py', RN_CONFIG, '--work-dir', str(tmp_path / 'r'),
                    '--resume', str(evil), '--cfg-options',
                    *tiny_data_options(data_root), check=False)
    _assert_clean_error(proc, 'Refused to load checkpoint')
    assert not marker.exists()
    # plain pickle would have run it: the test's payload is real
    with open(evil, 'rb') as f:
        assert f.read(2) == b'PK'  # a torch zip archive
    pickle.loads(pickle.dumps(_RunsCode(marker)))
    assert marker.exists()
