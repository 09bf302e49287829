"""configs/rn/rn_nlvr.py and configs/rn/rn_clevr.py: what they set up,
the sizes of their models, and a batch of a generated set in each real
layout through their pipelines and models."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import EarlyStoppingHook

from vlframe.datasets.generators.clevr_format import generate_clevr_format
from vlframe.datasets.generators.nlvr_format import generate_nlvr_format
from vlframe.datasets.text_vocab import (count_words, read_clevr_questions,
                                         read_nlvr_sentences,
                                         save_bert_tokenizer,
                                         tokenizer_vocab, vocab_words)
from vlframe.models import (AnswerHead, BinaryAnswerHead, ConvStem,
                            LSTMQuestionEncoder, RelationNetworkFusion)
from vlframe.registry import DATASETS, HOOKS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NLVR_CONFIG = osp.join(REPO, 'configs', 'rn', 'rn_nlvr.py')
CLEVR_CONFIG = osp.join(REPO, 'configs', 'rn', 'rn_clevr.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')

pytestmark = pytest.mark.usefixtures('vlframe_scope')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def nlvr_set(tmp_path_factory):
    """A 4-sentence NLVR-format train split (24 images of 100x400), its
    tokenizer and a 50-d GloVe-format file for its words."""
    root = str(tmp_path_factory.mktemp('nlvr'))
    info = generate_nlvr_format(root, 'train', num_sentences=4, seed=0)
    tok = osp.join(root, 'tokenizer')
    save_bert_tokenizer(
        vocab_words(count_words(read_nlvr_sentences(info['ann_file']))), tok)
    glove = osp.join(root, 'glove.6B.50d.txt')
    with open(glove, 'w') as f:
        for k, word in enumerate(tokenizer_vocab(tok)[5:]):  # no specials
            f.write(word + ''.join(f' {k + d / 100:.2f}'
                                   for d in range(50)) + '\n')
    return root, tok, glove


@pytest.fixture(scope='module')
def clevr_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('clevr'))
    info = generate_clevr_format(root, 'train', num_images=2,
                                 questions_per_image=4, seed=0)
    tok = osp.join(root, 'tokenizer')
    save_bert_tokenizer(
        vocab_words(count_words(read_clevr_questions(
            info['question_file']))), tok)
    return root, tok


def _tokenizer_dirs(cfg):
    dirs = {cfg.model.question_encoder.tokenizer_dir}
    for loader in LOADERS:
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'TokenizeQuestion':
                dirs.add(step['tokenizer_dir'])
    return dirs


def _use_local_data(cfg, data_root, tok):
    cfg.model.question_encoder.tokenizer_dir = tok
    for loader in LOADERS:
        cfg[loader].dataset.data_root = data_root
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'TokenizeQuestion':
                step['tokenizer_dir'] = tok


def _linear_sizes(modules):
    return [(m.in_features, m.out_features) for m in modules
            if isinstance(m, torch.nn.Linear)]


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


def test_nlvr_config_setup():
    cfg = Config.fromfile(NLVR_CONFIG)
    assert _tokenizer_dirs(cfg) == {'data/nlvr/tokenizer'}
    train = [s['type'] for s in cfg.train_dataloader.dataset.pipeline]
    # the box permutation acts on the 100x400 image, before the resize
    assert train == ['LoadImageFromFile', 'PermuteNLVRBoxes', 'Resize',
                     'TokenizeQuestion', 'PackVLInputs']
    for loader in LOADERS:
        dataset = cfg[loader].dataset
        assert dataset.type == 'NLVRDataset'
        assert dataset.data_root == 'data/nlvr'
        resize = [s for s in dataset.pipeline if s['type'] == 'Resize'][0]
        assert resize['scale'] == (200, 50) and not resize['keep_ratio']
        if loader != 'train_dataloader':
            assert 'PermuteNLVRBoxes' not in [
                s['type'] for s in dataset.pipeline]
    assert [cfg[loader].dataset.split for loader in LOADERS] == [
        'train', 'dev', 'test']
    assert cfg.train_dataloader.batch_size == 256
    # Adam 3e-4 with decoupled weight decay, none on biases and norms
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 3e-4
    assert cfg.optim_wrapper.optimizer.weight_decay > 0
    assert cfg.optim_wrapper.paramwise_cfg == dict(norm_decay_mult=0.0,
                                                   bias_decay_mult=0.0)
    assert cfg.param_scheduler == []
    assert cfg.train_cfg.max_epochs == 50 and cfg.train_cfg.val_interval == 1
    # early stopping and the best checkpoint watch the same dev metric
    assert cfg.default_hooks.checkpoint.save_best == 'accuracy/overall'
    stopping = [h for h in cfg.custom_hooks
                if h['type'] == 'EarlyStoppingHook']
    assert len(stopping) == 1
    assert stopping[0]['monitor'] == 'accuracy/overall'
    assert stopping[0]['rule'] == 'greater' and stopping[0]['strict']
    assert 'RNGStateHook' in [h['type'] for h in cfg.custom_hooks]
    # mmengine's own hook, from vlframe's registry
    hook = HOOKS.build(stopping[0])
    assert type(hook) is EarlyStoppingHook
    assert (hook.patience, hook.min_delta) == (5, 0.1)
    encoder = cfg.model.question_encoder
    assert encoder.glove_file == 'data/glove/glove.6B.50d.txt'
    assert (encoder.embed_dims, encoder.freeze_embedding) == (50, True)


def test_nlvr_model_sizes(nlvr_set):
    _, tok, glove = nlvr_set
    cfg = Config.fromfile(NLVR_CONFIG)
    cfg.model.question_encoder.tokenizer_dir = tok
    cfg.model.question_encoder.glove_file = glove
    model = MODELS.build(cfg.model)
    model.init_weights()
    stem = model.image_encoder
    assert isinstance(stem, ConvStem)
    assert [b.conv.out_channels for b in stem.blocks] == [16, 16, 16, 32]
    assert all(b.conv.stride == (1, 1) for b in stem.blocks)
    assert [p.kernel_size for p in stem.pools] == [4, 3, 2]
    encoder = model.question_encoder
    assert isinstance(encoder, LSTMQuestionEncoder)
    assert encoder.lstm.hidden_size == 64 and encoder.lstm.bidirectional
    assert encoder.lstm.num_layers == 1 and encoder.out_channels == 128
    # the GloVe rows (word 5, the first after the special tokens, has
    # 0.00 0.01 ... 0.49), frozen; the special tokens have none
    torch.testing.assert_close(encoder.embedding.weight[5],
                               torch.arange(50) / 100)
    assert not encoder.embedding.weight[:5].any()
    assert not encoder.embedding.weight.requires_grad
    # g: 3 x 128 over [o_i (32), o_j (32), q (128)], each with BN
    fusion = model.fusion
    assert isinstance(fusion, RelationNetworkFusion)
    assert not fusion.with_coordinates and fusion.with_norm
    assert _linear_sizes(fusion.g_layers) == [(192, 128), (128, 128),
                                              (128, 128)]
    assert _num_params(fusion) == (192 * 128 + 128 + 2 * (128 * 128 + 128) +
                                   3 * 2 * 128)
    # f: 2 x [128, BN, ReLU, dropout 0.5], one logit
    head = model.head
    assert isinstance(head, BinaryAnswerHead)
    assert _linear_sizes(head.mlp) == [(128, 128), (128, 128), (128, 1)]
    assert [m.p for m in head.mlp
            if isinstance(m, torch.nn.Dropout) and m.p] == [0.5, 0.5]
    assert _num_params(head) == (2 * (128 * 128 + 128 + 2 * 128) + 128 + 1)


def test_nlvr_batch_through_pipeline_and_model(nlvr_set):
    root, tok, glove = nlvr_set
    cfg = Config.fromfile(NLVR_CONFIG)
    _use_local_data(cfg, root, tok)
    cfg.model.question_encoder.glove_file = glove
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 24
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    batch = model.data_preprocessor(
        pseudo_collate([dataset[i] for i in range(8)]), training=True)
    inputs, samples = batch['inputs'], batch['data_samples']
    assert inputs['img'].shape == (8, 3, 50, 200)
    assert 0 <= float(inputs['img'].min()) <= float(inputs['img'].max()) <= 1
    assert inputs['input_ids'].shape[0] == 8
    assert model.encode_image(inputs).shape == (8, 32, 2, 8)
    assert model.encode_question(inputs).shape == (8, 128)
    assert model.extract_feat(inputs).shape == (8, 128)
    model.train()
    losses = model(inputs, samples, mode='loss')
    assert torch.isfinite(losses['loss']) and losses['loss'] > 0
    model.eval()
    with torch.no_grad():
        assert model(inputs, mode='tensor').shape == (8, 1)
        predicted = model(inputs, samples, mode='predict')
    for sample in predicted:
        assert sample.pred_score.shape == (2, )
        assert int(sample.pred_answer) == int(sample.pred_score[1] > 0.5)
    model.check_answer_vocab(dataset.metainfo['classes'])


def test_clevr_config_setup():
    cfg = Config.fromfile(CLEVR_CONFIG)
    assert _tokenizer_dirs(cfg) == {'data/clevr/tokenizer'}
    for loader in LOADERS:
        dataset = cfg[loader].dataset
        assert dataset.type == 'CLEVRDataset'
        assert dataset.data_root == 'data/CLEVR_v1.0'
        resize = [s for s in dataset.pipeline if s['type'] == 'Resize'][0]
        assert resize['scale'] == (128, 128)
    assert cfg.train_dataloader.dataset.split == 'train'
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=2.5e-4)
    assert cfg.default_hooks.checkpoint.save_best == 'accuracy/overall'
    assert cfg.val_evaluator.type == 'QuestionTypeAccuracy'


def test_clevr_model_sizes_and_batch(clevr_set):
    root, tok = clevr_set
    cfg = Config.fromfile(CLEVR_CONFIG)
    _use_local_data(cfg, root, tok)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    stem = model.image_encoder
    assert [b.conv.out_channels for b in stem.blocks] == [24] * 4
    assert all(b.conv.stride == (2, 2) for b in stem.blocks)
    assert len(stem.pools) == 0
    encoder = model.question_encoder
    assert encoder.embedding.embedding_dim == 32
    assert (encoder.lstm.hidden_size, encoder.lstm.num_layers,
            encoder.lstm.bidirectional) == (128, 1, False)
    assert encoder.out_channels == 128
    # g: 4 x 256 over [o_i, o_j] (24 + 2 coordinates each) and q (128)
    assert model.fusion.with_coordinates and not model.fusion.with_norm
    assert _linear_sizes(model.fusion.g_layers) == [(180, 256)] + [
        (256, 256)] * 3
    # f: 256, 256, dropout 0.5, 28 answers
    head = model.head
    assert type(head) is AnswerHead
    assert _linear_sizes(head.mlp) == [(256, 256), (256, 256), (256, 28)]
    assert isinstance(head.mlp[-2], torch.nn.Dropout)
    assert head.mlp[-2].p == 0.5

    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 8
    model.check_answer_vocab(dataset.metainfo['classes'])
    batch = model.data_preprocessor(
        pseudo_collate([dataset[i] for i in range(4)]), training=True)
    inputs, samples = batch['inputs'], batch['data_samples']
    assert inputs['img'].shape == (4, 3, 128, 128)
    # 128 -> 64 -> 32 -> 16 -> 8: 64 objects
    assert model.encode_image(inputs).shape == (4, 24, 8, 8)
    assert model.encode_question(inputs).shape == (4, 128)
    model.train()
    assert torch.isfinite(model(inputs, samples, mode='loss')['loss'])
    model.eval()
    with torch.no_grad():
        predicted = model(inputs, samples, mode='predict')
    assert predicted[0].pred_score.shape == (28, )
