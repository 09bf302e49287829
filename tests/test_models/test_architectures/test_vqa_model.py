"""Tests for vlframe/models/architectures/vqa_model.py, built from the
configs in configs/_base_/models/."""
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from vlframe.datasets import SortOfClevrDataset
from vlframe.datasets.transforms import PackVLInputs
from vlframe.models import (ConcatMLPFusion, ConvStem, RelationNetworkFusion,
                            VLDataPreprocessor, VQAModel)
from vlframe.registry import MODELS
from vlframe.structures import VLDataSample

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
MODEL_CFGS = {
    'rn': osp.join(REPO, 'configs/_base_/models/relation_network.py'),
    'cnn_mlp': osp.join(REPO, 'configs/_base_/models/cnn_mlp.py'),
}


# every test runs in the Runner's default scope (tests/conftest.py; see
# test_build_without_default_scope for why)
pytestmark = pytest.mark.usefixtures('vlframe_scope')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """The machine's cores are shared: 2 OpenMP threads competing with
    other processes are ~10x slower than one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def build(name):
    torch.manual_seed(0)
    cfg = Config.fromfile(MODEL_CFGS[name])
    return MODELS.build(cfg.model)


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    return SortOfClevrDataset(
        data_root=str(tmp_path_factory.mktemp('soc')), num_images=4, seed=3,
        pipeline=[PackVLInputs(input_keys=('question', ))])


@pytest.fixture(scope='module')
def batch(dataset):
    # 8 questions: 4 non-relational and 4 relational ones of 2 images
    return pseudo_collate([dataset[i] for i in (0, 1, 10, 11, 20, 21, 30,
                                                31)])


def test_rn_config_builds_relation_network():
    model = build('rn')
    assert isinstance(model, VQAModel)
    assert isinstance(model.image_encoder, ConvStem)
    assert isinstance(model.fusion, RelationNetworkFusion)
    assert isinstance(model.data_preprocessor, VLDataPreprocessor)
    assert model.question_encoder is None
    assert model.fusion.question_dim == 11
    assert [l.out_features for l in model.fusion.g_layers] == [256] * 4
    assert model.head.num_classes == 10


def test_cnn_mlp_config_builds_baseline():
    model = build('cnn_mlp')
    assert isinstance(model.fusion, ConcatMLPFusion)
    assert model.fusion.fc.in_features == 24 * 25 + 11
    assert model.head.mlp[-1].in_features == 256


def test_default_data_preprocessor():
    model = VQAModel(
        image_encoder=dict(type='ConvStem', channels=(4, )),
        fusion=dict(type='ConcatMLPFusion', in_channels=4, num_objects=4,
                    question_dim=2, out_channels=3),
        head=dict(type='AnswerHead', in_channels=3, num_classes=2,
                  hidden_dims=()))
    assert isinstance(model.data_preprocessor, VLDataPreprocessor)
    assert not model.data_preprocessor.normalize
    logits = model(dict(img=torch.rand(2, 3, 4, 4), question=torch.rand(2, 2)))
    assert logits.shape == (2, 2)


@pytest.mark.parametrize('name', ['rn', 'cnn_mlp'])
def test_three_modes_on_dataset_batch(name, batch):
    model = build(name)
    data = model.data_preprocessor(batch, training=True)
    img = data['inputs']['img']
    assert img.shape == (8, 3, 75, 75) and img.dtype == torch.float32
    assert 0.0 <= img.min() and img.max() <= 1.0  # / 255
    assert data['inputs']['question'].shape == (8, 11)

    model.train()
    losses = model(**data, mode='loss')
    assert list(losses) == ['loss']
    assert losses['loss'].shape == ()
    assert torch.isfinite(losses['loss']) and losses['loss'].item() > 0
    assert losses['loss'].requires_grad

    model.eval()
    gt = torch.stack([s.gt_answer for s in batch['data_samples']])
    with torch.no_grad():
        logits = model(**data, mode='tensor')
        eval_loss = model(**data, mode='loss')['loss']
        preds = model(**data, mode='predict')
    assert logits.shape == (8, 10)
    torch.testing.assert_close(eval_loss,
                               torch.nn.functional.cross_entropy(logits, gt))
    assert len(preds) == 8
    for k, sample in enumerate(preds):
        assert isinstance(sample, VLDataSample)
        assert int(sample.pred_answer) == int(logits[k].argmax())
        assert int(sample.gt_answer) == int(gt[k])
        assert sample.question_family == ('non_relational' if k % 4 < 2
                                          else 'relational')

    # the runner's entry points
    with torch.no_grad():
        outputs = model.val_step(batch)
    assert len(outputs) == 8 and 'pred_answer' in outputs[0]


@pytest.mark.parametrize('name,lr,ratio', [('rn', 1e-4, 0.3),
                                           ('cnn_mlp', 1e-3, 0.6)])
def test_overfits_one_small_batch(name, lr, ratio, dataset):
    # 2 non-relational + 2 relational questions; dropout off so that the
    # objective is a fixed function of the weights (BN uses batch stats)
    batch = pseudo_collate([dataset[i] for i in (0, 10, 20, 30)])
    torch.manual_seed(0)
    cfg = Config.fromfile(MODEL_CFGS[name])
    cfg.model.head.dropout = 0.0
    model = MODELS.build(cfg.model)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    data = model.data_preprocessor(batch, training=True)
    model.train()
    losses = []
    for _ in range(6):
        loss = model(**data, mode='loss')['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert losses[-1] < ratio * losses[0], losses


def test_invalid_mode_raises(batch):
    model = build('cnn_mlp')
    data = model.data_preprocessor(batch)
    with pytest.raises(ValueError,
                       match='Invalid mode "train": use loss, predict or '
                       'tensor'):
        model(**data, mode='train')


def test_question_encoder_is_applied():
    torch.manual_seed(0)
    model = VQAModel(
        image_encoder=dict(type='ConvStem', channels=(4, )),
        question_encoder=dict(type='Tanh'),
        fusion=dict(type='RelationNetworkFusion', in_channels=4,
                    question_dim=5, hidden_dims=(6, )),
        head=dict(type='AnswerHead', in_channels=6, num_classes=3,
                  hidden_dims=()))
    assert isinstance(model.question_encoder, torch.nn.Tanh)
    model.eval()
    img, question = torch.rand(2, 3, 8, 8), torch.randn(2, 5) * 3
    with torch.no_grad():
        feats = model.extract_feat(dict(img=img, question=question))
        expected = model.fusion(model.image_encoder(img), torch.tanh(question))
        unencoded = model.fusion(model.image_encoder(img), question)
    assert feats.shape == (2, 6)
    torch.testing.assert_close(feats, expected)
    assert not torch.allclose(feats, unencoded)


def test_build_without_default_scope(monkeypatch):
    # drop every default scope (the autouse fixture's included)
    monkeypatch.setattr(DefaultScope, '_instance_dict', OrderedDict())
    assert DefaultScope.get_current_instance() is None
    cfg = Config.fromfile(MODEL_CFGS['rn'])
    model = MODELS.build(cfg.model)
    assert isinstance(model.data_preprocessor, VLDataPreprocessor)


# ---- token ids, pre-extracted features (the CNN+LSTM baseline) ---------
@pytest.fixture(scope='module')
def soc_tokenizer(tmp_path_factory):
    from vlframe.datasets.text_vocab import (count_words,
                                             save_bert_tokenizer,
                                             sort_of_clevr_questions,
                                             vocab_words)
    out = str(tmp_path_factory.mktemp('tok'))
    save_bert_tokenizer(vocab_words(count_words(sort_of_clevr_questions())),
                        out)
    return out


def _lstm_model(tokenizer_dir, image_encoder=True, feat_dim=None):
    torch.manual_seed(0)
    return VQAModel(
        data_preprocessor=dict(type='VLDataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.]),
        image_encoder=(dict(type='ConvStem', channels=(8, 8, 8))
                       if image_encoder else None),
        image_neck=dict(type='L2NormProjection',
                        in_channels=feat_dim or 8 * 10 * 10,
                        out_channels=16),
        question_encoder=dict(type='LSTMQuestionEncoder',
                              tokenizer_dir=tokenizer_dir, embed_dims=8,
                              hidden_size=8, out_channels=16),
        fusion=dict(type='ElementwiseProductFusion'),
        head=dict(type='AnswerHead', in_channels=16, num_classes=10,
                  hidden_dims=(16, ), act='tanh', dropout_before_hidden=0.5,
                  dropout=0.0))


def test_token_ids_go_to_the_question_encoder(dataset, soc_tokenizer):
    from vlframe.datasets.transforms import TokenizeQuestion
    tokenize = TokenizeQuestion(soc_tokenizer)
    pack = PackVLInputs(input_keys=('input_ids', ))
    # a non-relational (9 ids) and a relational question (up to 11)
    items = [pack(tokenize(dataset.get_data_info(i))) for i in (0, 10, 11)]
    batch = pseudo_collate(items)
    model = _lstm_model(soc_tokenizer)
    data = model.data_preprocessor(batch, training=True)
    inputs = data['inputs']
    assert inputs['input_ids'].shape[0] == 3
    lengths = [len(x['inputs']['input_ids']) for x in items]
    assert inputs['attention_mask'].sum(1).tolist() == lengths
    model.train()
    loss = model(**data, mode='loss')['loss']
    assert torch.isfinite(loss) and loss.requires_grad
    loss.backward()
    assert model.question_encoder.lstm.weight_ih_l0.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        expected = model.image_neck(model.image_encoder(inputs['img'])) * \
            model.question_encoder(inputs['input_ids'],
                                   inputs['attention_mask'])
        preds = model(**data, mode='predict')
    torch.testing.assert_close(feats, expected)
    assert [int(p.gt_answer) for p in preds] == [
        int(s.gt_answer) for s in batch['data_samples']]


def test_pre_extracted_features_need_no_image_encoder(soc_tokenizer):
    model = _lstm_model(soc_tokenizer, image_encoder=False, feat_dim=12)
    assert model.image_encoder is None
    batch = dict(
        inputs=dict(img_feat=[torch.rand(12), torch.rand(12)],
                    input_ids=[torch.tensor([5, 6, 7]), torch.tensor([8])]),
        data_samples=[
            VLDataSample().set_gt_answer(torch.tensor([1, 2])).
            set_gt_answer_weight([1.0, 0.3]),
            VLDataSample().set_gt_answer(torch.tensor([4])).
            set_gt_answer_weight([0.6])
        ])
    data = model.data_preprocessor(batch, training=True)
    model.train()
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss'])
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(data['inputs'])
        expected = model.image_neck(data['inputs']['img_feat']) * \
            model.question_encoder(data['inputs']['input_ids'],
                                   data['inputs']['attention_mask'])
    torch.testing.assert_close(feats, expected)


def test_missing_parts_and_inputs_are_clear_errors(soc_tokenizer):
    ids = dict(input_ids=torch.tensor([[5, 6]]),
               attention_mask=torch.ones(1, 2, dtype=torch.long))
    no_text = VQAModel(
        image_encoder=dict(type='ConvStem', channels=(4, )),
        fusion=dict(type='ConcatMLPFusion', in_channels=4, num_objects=4,
                    question_dim=2, out_channels=3),
        head=dict(type='AnswerHead', in_channels=3, num_classes=2))
    with pytest.raises(ValueError, match='no question_encoder'):
        no_text.extract_feat(dict(img=torch.rand(1, 3, 4, 4), **ids))
    with pytest.raises(KeyError, match='needs inputs\\["input_ids"\\] or '):
        no_text.extract_feat(dict(img=torch.rand(1, 3, 4, 4)))
    no_image = _lstm_model(soc_tokenizer, image_encoder=False, feat_dim=12)
    with pytest.raises(ValueError, match='no image_encoder'):
        no_image.extract_feat(dict(img=torch.rand(1, 3, 8, 8), **ids))
    with pytest.raises(KeyError, match='needs inputs\\["img"\\] or '):
        no_image.extract_feat(ids)
    with pytest.raises(TypeError, match='needs a fusion and a head'):
        VQAModel(image_encoder=dict(type='ConvStem'))


def test_check_answer_vocab_names_the_vocabulary():
    """What AnswerVocabCheckHook calls before train / val / test."""
    model = build('rn')
    model.check_answer_vocab([str(i) for i in range(10)], 'SortOfClevrDataset')
    with pytest.raises(ValueError) as info:
        model.check_answer_vocab(
            [str(i) for i in range(1000)],
            'VQADataset (answer_vocab_file data/vqa/v1/answer_vocab.json)',
            training=True)
    msg = str(info.value)
    assert 'data/vqa/v1/answer_vocab.json' in msg
    assert 'has 1000 answers' in msg and 'num_classes=10' in msg


def test_shared_images_give_the_same_answers_as_copies(dataset,
                                                        soc_tokenizer):
    """VLDataPreprocessor(share_images=True) sends each image once; the
    model's output must not change (eval mode: batch norm uses its running
    statistics, so the batch's make-up does not matter)."""
    from vlframe.datasets.transforms import TokenizeQuestion
    tokenize = TokenizeQuestion(soc_tokenizer)
    pack = PackVLInputs(input_keys=('input_ids', ))
    # questions 0-2 are about image 0, 20-21 about image 1
    items = [pack(tokenize(dataset.get_data_info(i)))
             for i in (0, 20, 1, 21, 2)]
    model = _lstm_model(soc_tokenizer).eval()
    copies = model.data_preprocessor(pseudo_collate(items))
    model.data_preprocessor.share_images = True
    shared = model.data_preprocessor(pseudo_collate(items))
    assert shared['inputs']['img'].shape[0] == 2
    assert shared['inputs']['img_index'].tolist() == [0, 1, 0, 1, 0]
    with torch.no_grad():
        torch.testing.assert_close(
            model(**shared, mode='tensor'), model(**copies, mode='tensor'))
    # training runs through the shared images too
    model.train()
    loss = model(**shared, mode='loss')['loss']
    loss.backward()
    assert model.image_encoder.blocks[0].conv.weight.grad.abs().sum() > 0
