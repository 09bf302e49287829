"""tools/misc/pretrain_question_encoder.py: the bag-of-words pre-training
of the CNN+LSTM question encoder on a test-sized Sort-of-CLEVR, and the
VQA training that loads the result frozen (through tools/train.py)."""
import importlib.util
import os.path as osp

import pytest
import torch

from conftest import REPO, run_tool, tiny_data_options
from test_train_vqa_lstm import write_small_sort_of_clevr_config

CONFIG = osp.join(REPO, 'configs', 'vqa_lstm',
                  'vqa-lstm_bow-pretrained-q_sort-of-clevr.py')


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'pretrain_question_encoder',
        osp.join(REPO, 'tools', 'misc', 'pretrain_question_encoder.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture
def small_config(tmp_path):
    """The config with small widths, its own tokenizer and the encoder
    weights read from (and written to) the temp dir."""
    weights = str(tmp_path / 'q.pth')
    config = write_small_sort_of_clevr_config(
        tmp_path, CONFIG,
        f"model['question_encoder']['pretrained'] = '{weights}'\n")
    return config, weights


def test_pretrain_then_train_with_the_encoder_frozen(tmp_path, data_root,
                                                     small_config, capsys):
    config, weights = small_config
    data = tiny_data_options(data_root, train_images=40)
    tool.main([config, '--steps', '5', '--cfg-options', *data])
    out = capsys.readouterr().out
    # the distinct questions of the 40 training images, as the dataset has
    from vlframe.datasets import SortOfClevrDataset
    dataset = SortOfClevrDataset(data_root=data_root, num_images=40)
    texts = {dataset.get_data_info(i)['question_text']
             for i in range(len(dataset))}
    assert f'{len(texts)} distinct training questions' in out
    assert 'questions reconstructed exactly' in out
    saved = torch.load(weights, weights_only=True)
    assert saved['meta']['steps'] == 5
    assert saved['meta']['num_questions'] == len(texts)
    assert 'lstm.weight_ih_l0' in saved['state_dict']

    work_dir = str(tmp_path / 'work')
    proc = run_tool('train.py', config, '--work-dir', work_dir,
                    '--cfg-options', *data, 'train_cfg.max_epochs=1',
                    'train_dataloader.batch_size=40', timeout=120)
    assert f'weights loaded from {weights} (frozen)' in proc.stdout
    from vlframe.utils.checkpoint import safe_torch_load
    checkpoint = safe_torch_load(osp.join(work_dir, 'epoch_1.pth'))
    trained = checkpoint['state_dict']
    # the encoder is exactly the pre-trained one ...
    for name, value in saved['state_dict'].items():
        assert torch.equal(trained['question_encoder.' + name], value), name
    # ... and Adam stepped every other parameter, none of the encoder's
    stepped = checkpoint['optimizer']['state']
    encoder_params = len(saved['state_dict'])
    model_params = sum(1 for k in trained if 'running_' not in k
                       and 'num_batches_tracked' not in k)
    assert len(stepped) == model_params - encoder_params > 0


def test_refuses_to_overwrite_and_needs_an_output(tmp_path, data_root,
                                                  small_config):
    config, weights = small_config
    open(weights, 'w').close()
    with pytest.raises(tool.PretrainConfigError, match='--force'):
        tool.main([config, '--steps', '1', '--cfg-options',
                   *tiny_data_options(data_root)])
    assert osp.getsize(weights) == 0  # left as it was
    plain = osp.join(REPO, 'configs', 'vqa_lstm', 'vqa-lstm_sort-of-clevr.py')
    with pytest.raises(tool.PretrainConfigError, match='--out'):
        tool.main([plain, '--steps', '1'])
    rn = osp.join(REPO, 'configs', 'rn', 'rn_sort-of-clevr.py')
    with pytest.raises(tool.PretrainConfigError, match='LSTMQuestionEncoder'):
        tool.main([rn, '--out', str(tmp_path / 'x.pth')])


def test_missing_weights_stop_training_with_the_command_to_write_them(
        tmp_path, data_root, small_config):
    config, weights = small_config
    proc = run_tool('train.py', config, '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', *tiny_data_options(data_root),
                    check=False, timeout=120)
    assert proc.returncode != 0
    assert f'{weights} do not exist' in proc.stderr
    assert 'pretrain_question_encoder.py' in proc.stderr
