"""The configs in configs/vqa_lstm/ load, agree with themselves (tokenizer,
feature and answer sizes) and build their models."""
import glob
import os.path as osp

import pytest
import torch
from conftest import learning_rate_per_parameter
from mmengine.config import Config

from vlframe.datasets.text_vocab import (count_words, save_bert_tokenizer,
                                         sort_of_clevr_questions,
                                         vocab_words)
from vlframe.models import (ElementwiseProductFusion, L2NormProjection,
                            LSTMQuestionEncoder, VQAModel)
from vlframe.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs', 'vqa_lstm')
CONFIGS = sorted(glob.glob(osp.join(CFG_DIR, '*.py')))

pytestmark = pytest.mark.usefixtures('vlframe_scope')


@pytest.fixture(scope='module')
def tokenizer_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('tok'))
    save_bert_tokenizer(vocab_words(count_words(sort_of_clevr_questions())),
                        out)
    return out


def _tokenizer_dirs(cfg):
    """Every tokenizer_dir the config names (model and pipelines)."""
    dirs = {cfg.model.question_encoder.tokenizer_dir}
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'TokenizeQuestion':
                dirs.add(step['tokenizer_dir'])
    return dirs


def test_configs_are_found():
    assert {osp.basename(p) for p in CONFIGS} >= {
        'vqa-lstm_sort-of-clevr.py', 'vqa-lstm_vgg16-fc7_vqav1.py',
        'vqa-lstm_vgg16_vqav1.py'
    }


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_one_tokenizer_per_config(path):
    cfg = Config.fromfile(path)
    assert len(_tokenizer_dirs(cfg)) == 1
    for loader in ('train_dataloader', 'val_dataloader'):
        pipeline = [s['type'] for s in cfg[loader].dataset.pipeline]
        assert pipeline[-2:] == ['TokenizeQuestion', 'PackVLInputs']
        assert cfg[loader].dataset.pipeline[-1].input_keys == ('input_ids', )
    encoder = cfg.model.question_encoder
    # the deeper LSTM Q
    assert (encoder.embed_dims, encoder.hidden_size, encoder.num_layers,
            encoder.output, encoder.out_channels) == (300, 512, 2,
                                                      'hidden_cell', 1024)


def test_sort_of_clevr_config_builds(tokenizer_dir):
    cfg = Config.fromfile(osp.join(CFG_DIR, 'vqa-lstm_sort-of-clevr.py'))
    assert _tokenizer_dirs(cfg) == {'data/sort_of_clevr/tokenizer'}
    assert cfg.train_dataloader.dataset.type == 'SortOfClevrDataset'
    # batches of 16 images x their 20 questions, each image encoded once
    assert cfg.train_dataloader.sampler == dict(
        type='ImageGroupedSampler', questions_per_image=20)
    assert cfg.train_dataloader.batch_size == 320
    assert cfg.model.data_preprocessor.share_images
    assert cfg.model.question_encoder.forget_bias == 1.0
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=1.0)
    assert cfg.train_cfg.max_epochs == 24
    cfg.model.question_encoder.tokenizer_dir = tokenizer_dir
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    assert isinstance(model, VQAModel)
    assert isinstance(model.question_encoder, LSTMQuestionEncoder)
    assert isinstance(model.image_neck, L2NormProjection)
    assert isinstance(model.fusion, ElementwiseProductFusion)
    assert model.question_encoder.vocab_size == 42
    assert model.head.num_classes == 10
    # the feature map is flattened into the projection: 5x5x256 on 75x75
    with torch.no_grad():
        model.eval()
        fmap = model.image_encoder(torch.zeros(1, 3, 75, 75))
    assert fmap.shape == (1, 256, 5, 5)
    assert model.image_neck.in_channels == fmap[0].numel()


@pytest.mark.parametrize('name', ['vqa-lstm_vgg16-fc7_vqav1.py',
                                  'vqa-lstm_vgg16_vqav1.py'])
def test_vqa_v1_configs(name, tokenizer_dir):
    cfg = Config.fromfile(osp.join(CFG_DIR, name))
    assert cfg.model.head.num_classes == 1000
    assert cfg.model.image_neck.in_channels == 4096
    for loader in ('train_dataloader', 'val_dataloader'):
        dataset = cfg[loader].dataset
        assert dataset.type == 'VQADataset'
        assert 'v2_' not in dataset.question_file  # VQA v1 files
        assert dataset.answer_vocab_file == 'v1/answer_vocab.json'
    assert cfg.val_evaluator.type == 'VQAAccuracy'
    assert cfg.default_hooks.checkpoint.save_best == 'VQA/acc'
    if name == 'vqa-lstm_vgg16_vqav1.py':
        assert cfg.model.image_encoder.type == 'TorchvisionBackbone'
        assert cfg.model.image_encoder.name == 'vgg16'
        assert cfg.model.image_encoder.frozen
        assert cfg.train_dataloader.dataset.feature_file is None
        assert cfg.train_dataloader.dataset.img_prefix == 'train2014'
        return  # VGG-16 is 138M parameters: not built here
    assert cfg.model.image_encoder is None
    assert cfg.train_dataloader.dataset.feature_file.endswith('.h5')
    cfg.model.question_encoder.tokenizer_dir = tokenizer_dir
    model = MODELS.build(cfg.model)
    model.eval()
    ids = torch.tensor([[5, 6, 7], [8, 9, 0]])
    with torch.no_grad():
        logits = model(dict(img_feat=torch.rand(2, 4096), input_ids=ids,
                            attention_mask=(ids != 0).long()))
    assert logits.shape == (2, 1000)


def test_missing_tokenizer_is_a_clear_error():
    from vlframe.datasets import DatasetLayoutError
    cfg = Config.fromfile(osp.join(CFG_DIR, 'vqa-lstm_sort-of-clevr.py'))
    cfg.model.question_encoder.tokenizer_dir = '/nonexistent/tokenizer'
    with pytest.raises(DatasetLayoutError,
                       match='/nonexistent/tokenizer does not exist.*'
                       'build_question_vocab.py'):
        MODELS.build(cfg.model)


@pytest.mark.parametrize('name, lr, question_lr', [
    ('vqa-lstm_sort-of-clevr.py', 1e-3, 1e-3),
    ('vqa-lstm_q-lr-0.1x_sort-of-clevr.py', 1e-3, 1e-4),
    ('vqa-lstm_lr-2e-3_q-lr-0.05x_sort-of-clevr.py', 2e-3, 1e-4),
])
def test_sort_of_clevr_learning_rates(name, lr, question_lr, tokenizer_dir):
    """The variants' rates reach the optimizer: every question encoder
    parameter at question_lr, every other one at lr."""
    cfg = Config.fromfile(osp.join(CFG_DIR, name))
    cfg.model.question_encoder.tokenizer_dir = tokenizer_dir
    model = MODELS.build(cfg.model)
    lr_of = learning_rate_per_parameter(model, cfg.optim_wrapper)
    for param_name, param_lr in lr_of.items():
        expected = (question_lr if param_name.startswith('question_encoder.')
                    else lr)
        assert param_lr == pytest.approx(expected), param_name
