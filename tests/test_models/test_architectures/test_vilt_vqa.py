"""Tests for vlframe/models/architectures/vilt_vqa.py (ViltVQA, the adapter
around transformers' ViltForQuestionAnswering), the AnswerVocabCheckHook
and the configs in configs/vilt/.

A tiny ViLT (2 layers, hidden 32, 16x16 patches) with a tokenizer and an
image processor is written with ``save_pretrained`` to a temporary
directory and loaded through vlframe configs, as the real
``checkpoints/vilt-b32-*`` directories are.
"""
import copy
import os
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper

from vlframe.datasets.text_vocab import SPECIAL_TOKENS, save_bert_tokenizer
from vlframe.registry import HOOKS, MODELS, TRANSFORMS
from vlframe.structures import VLDataSample, stack_answer_targets
from vlframe.utils.checkpoint import safe_torch_load

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
VILT_CONFIGS = osp.join(REPO, 'configs', 'vilt')

# every test runs in the Runner's default scope (tests/conftest.py)
pytestmark = pytest.mark.usefixtures('vlframe_scope')

ANSWERS = ('yes', 'no', '2', 'red')
WORDS = ('what', 'is', 'the', 'color', 'of', 'object', 'how', 'many', 'are',
         'there', '?', 'red', 'dog', 'a')
TINY = dict(
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=64,
    image_size=64,
    patch_size=16,
    max_position_embeddings=40,
    pad_token_id=0)


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """The machine's cores are shared with other processes."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_checkpoint(out_dir, model_cls='ViltForQuestionAnswering',
                     id2label=None):
    """A tiny ViLT checkpoint directory as the hub ones are laid out:
    config.json + model.safetensors, preprocessor_config.json, tokenizer."""
    import transformers
    torch.manual_seed(0)
    vocab = list(SPECIAL_TOKENS) + list(WORDS)
    kwargs = dict(TINY, vocab_size=len(vocab))
    if id2label is not None:
        kwargs.update(id2label=dict(enumerate(id2label)),
                      label2id={a: i for i, a in enumerate(id2label)})
    config = transformers.ViltConfig(**kwargs)
    getattr(transformers, model_cls)(config).save_pretrained(out_dir)
    transformers.ViltImageProcessor(
        size=dict(shortest_edge=64), size_divisor=16).save_pretrained(out_dir)
    save_bert_tokenizer(vocab, out_dir)
    return out_dir


@pytest.fixture(scope='module')
def vqa_dir(tmp_path_factory):
    """Like dandelin/vilt-b32-finetuned-vqa: a VQA head and its answers."""
    return write_checkpoint(
        str(tmp_path_factory.mktemp('vilt-finetuned-vqa')), id2label=ANSWERS)


@pytest.fixture(scope='module')
def mlm_dir(tmp_path_factory):
    """Like dandelin/vilt-b32-mlm: pre-trained, no VQA head."""
    return write_checkpoint(
        str(tmp_path_factory.mktemp('vilt-mlm')), 'ViltForMaskedLM')


def pipeline_cfg(checkpoint_dir):
    return [
        dict(type='ViltImagePreprocess', processor_dir=checkpoint_dir),
        dict(type='TokenizeQuestion', tokenizer_dir=checkpoint_dir,
             max_length=40, add_special_tokens=True),
        dict(type='PackVLInputs', input_keys=('input_ids', 'pixel_values')),
    ]


def make_batch(checkpoint_dir):
    """4 questions about images of 4 different sizes, with VQA soft
    targets; the batch the data loader would give."""
    rng = np.random.default_rng(0)
    pipeline = [TRANSFORMS.build(t) for t in pipeline_cfg(checkpoint_dir)]
    samples = []
    specs = [((64, 96), 'What is the color of the dog?', [3, 1], [1.0, 0.3]),
             ((96, 64), 'Is there a dog?', [0], [0.9]),
             ((64, 64), 'How many dogs are there?', [2, 0], [0.6, 0.3]),
             ((80, 112), 'Is the object red?', [1], [1.0])]
    for qid, (shape, text, labels, weights) in enumerate(specs):
        results = dict(
            img=rng.integers(0, 256, shape + (3, ), dtype=np.uint8),
            question_text=text, question_id=qid, gt_answer=labels,
            gt_answer_weight=weights)
        for transform in pipeline:
            results = transform(results)
        samples.append(results)
    return pseudo_collate(samples)


def build(**kwargs):
    cfg = dict(type='ViltVQA',
               data_preprocessor=dict(type='VLDataPreprocessor'))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_padded_inputs_reach_the_model(vqa_dir):
    model = build(pretrained_dir=vqa_dir)
    batch = make_batch(vqa_dir)
    # shorter side 64, both sides multiples of 16: 64x96, 96x64, 64x64 and
    # 80x112 -> 64x89.6 -> 64x80
    assert [tuple(p.shape[1:]) for p in batch['inputs']['pixel_values']
            ] == [(64, 96), (96, 64), (64, 64), (64, 80)]
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    # padded to the largest height and width of the batch
    assert inputs['pixel_values'].shape == (4, 3, 96, 96)
    assert inputs['pixel_mask'].shape == (4, 96, 96)
    assert inputs['pixel_mask'].sum((1, 2)).tolist() == [
        64 * 96, 96 * 64, 64 * 64, 64 * 80]
    assert inputs['input_ids'][:, 0].eq(2).all()  # [CLS]
    assert inputs['attention_mask'].sum(1).tolist() == [
        len(ids) for ids in batch['inputs']['input_ids']
    ]
    logits = model(**data, mode='tensor')
    assert logits.shape == (4, len(ANSWERS))


def test_finetune_a_few_steps_then_predict(vqa_dir):
    """Loaded through the registry from the checkpoint directory, trained
    with mmengine's train_step: the loss goes down; predict gives the
    sigmoid scores, the argmax and the checkpoint's answer text."""
    torch.manual_seed(0)
    model = build(pretrained_dir=vqa_dir, num_labels=len(ANSWERS))
    assert model.answer_vocab == list(ANSWERS)
    batch = make_batch(vqa_dir)
    best = [3, 0, 2, 1]  # each question's highest-scored answer

    def predict():
        model.eval()
        with torch.no_grad():
            return model.test_step(batch)

    before = torch.stack([s.pred_score for s in predict()])  # (4, 4)
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=3e-3))
    model.train()
    losses = [model.train_step(batch, optim)['loss'].item()
              for _ in range(30)]
    # from 2.7 towards the entropy of the soft targets (0.56)
    assert losses[-1] < 0.6 * losses[0], losses

    samples = predict()
    assert len(samples) == 4
    for sample in samples:
        assert isinstance(sample, VLDataSample)
        assert sample.pred_score.shape == (len(ANSWERS), )
        assert ((sample.pred_score > 0) & (sample.pred_score < 1)).all()
        assert int(sample.pred_answer) == int(sample.pred_score.argmax())
        assert sample.pred_answer_text == ANSWERS[int(sample.pred_answer)]
    after = torch.stack([s.pred_score for s in samples])  # (4, 4)
    # the sigmoid scores moved towards the soft targets
    targets = stack_answer_targets(samples, len(ANSWERS))  # (4, 4)
    assert (after - targets).abs().mean() < 0.5 * (before -
                                                   targets).abs().mean()
    assert sum(int(s.pred_answer) == b for s, b in zip(samples, best)) >= 3


def test_loss_is_transformers_bce_times_num_labels(vqa_dir):
    model = build(pretrained_dir=vqa_dir)
    data = model.data_preprocessor(make_batch(vqa_dir), True)
    inputs, samples = data['inputs'], data['data_samples']
    torch.manual_seed(1)
    ours = model(inputs, samples, mode='loss')
    labels = torch.zeros(4, len(ANSWERS))
    for row, sample in enumerate(samples):
        labels[row, sample.gt_answer] = sample.gt_answer_weight
    torch.manual_seed(1)
    theirs = model.vilt(
        input_ids=inputs['input_ids'],
        attention_mask=inputs['attention_mask'],
        pixel_values=inputs['pixel_values'],
        pixel_mask=inputs['pixel_mask'],
        labels=labels)
    torch.testing.assert_close(ours['loss'], theirs.loss)
    # by hand: BCE summed over the answers, averaged over the questions
    logits = theirs.logits
    by_hand = -(labels * torch.nn.functional.logsigmoid(logits) +
                (1 - labels) * torch.nn.functional.logsigmoid(-logits))
    torch.testing.assert_close(ours['loss'], by_hand.sum(1).mean())
    # ViLT's train-time VQA score: the target's value at the argmax
    best = logits.argmax(1)
    torch.testing.assert_close(ours['vqa_score'],
                               labels[torch.arange(4), best].mean())


def test_checkpoint_without_vqa_head_gets_a_new_classifier(mlm_dir):
    with pytest.raises(ValueError, match='num_labels'):
        build(pretrained_dir=mlm_dir)
    model = build(pretrained_dir=mlm_dir, num_labels=7)
    assert model.num_labels == 7 and model.answer_vocab is None
    # the transformer comes from the checkpoint, the classifier is new
    from transformers import ViltForMaskedLM
    mlm = ViltForMaskedLM.from_pretrained(mlm_dir, local_files_only=True)
    torch.testing.assert_close(
        model.vilt.vilt.embeddings.patch_embeddings.projection.weight,
        mlm.vilt.embeddings.patch_embeddings.projection.weight)
    # mmengine's Runner calls init_weights(): it must not re-initialise
    before = copy.deepcopy(model.state_dict())
    model.init_weights()
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    data = model.data_preprocessor(make_batch(mlm_dir), False)
    data['data_samples'] = [VLDataSample() for _ in range(4)]
    with torch.no_grad():
        samples = model(**data, mode='predict')
    assert samples[0].pred_score.shape == (7, )
    assert 'pred_answer_text' not in samples[0]


def test_build_from_config_for_training_from_scratch(vqa_dir):
    torch.manual_seed(0)
    model = build(config=dict(TINY, vocab_size=20), num_labels=10)
    assert model.num_labels == 10 and model.answer_vocab is None
    assert model.vilt.config.num_hidden_layers == 2
    # image position embeddings and [CLS] drawn (transformers: zeros),
    # truncated at 2 std, std initializer_range by default
    embeddings = model.vilt.vilt.embeddings
    for param in (embeddings.position_embeddings, embeddings.cls_token):
        assert 0.01 < param.detach().std() < 0.02
        assert param.detach().abs().max() <= 0.04
    wide = build(config=dict(TINY, vocab_size=20), num_labels=10,
                 image_embedding_init_std=1.0)
    assert 0.75 < wide.vilt.vilt.embeddings.position_embeddings.detach(
    ).std() < 1.0
    with pytest.raises(ValueError, match='image_embedding_init_std is for'):
        build(pretrained_dir=vqa_dir, image_embedding_init_std=1.0)
    inputs = dict(
        input_ids=torch.tensor([[2, 5, 6, 3], [2, 7, 3, 0]]),
        pixel_values=torch.randn(2, 3, 64, 64))
    # no attention_mask: from the pad id; no pixel_mask: all pixels
    assert model(inputs, mode='tensor').shape == (2, 10)
    with pytest.raises(ValueError, match='exactly one of'):
        build(num_labels=10)
    with pytest.raises(ValueError, match='needs num_labels'):
        build(config=dict(TINY, vocab_size=20))
    with pytest.raises(ValueError, match='num_labels=3 but config'):
        build(config=dict(TINY, vocab_size=20, num_labels=4), num_labels=3)


def test_missing_or_incomplete_checkpoint_dir_says_what_to_download(
        tmp_path):
    missing = str(tmp_path / 'checkpoints' / 'vilt-b32-mlm')
    with pytest.raises(FileNotFoundError) as err:
        build(pretrained_dir=missing, num_labels=3129)
    message = str(err.value)
    assert missing in message and 'does not exist' in message
    for what in ('dandelin/vilt-b32-mlm', 'dandelin/vilt-b32-finetuned-vqa',
                 'checkpoints/vilt-b32-mlm', 'config.json',
                 'model.safetensors', 'preprocessor_config.json',
                 'vocab.txt'):
        assert what in message, what

    os.makedirs(missing)
    with open(osp.join(missing, 'config.json'), 'w') as f:
        f.write('{"model_type": "vilt"}')
    with pytest.raises(FileNotFoundError,
                       match=r'incomplete, it lacks model.safetensors'):
        build(pretrained_dir=missing, num_labels=3129)


def test_vocabulary_size_mismatch_is_an_error(vqa_dir):
    # the checkpoint's head answers 4 answers; the config says 3129
    with pytest.raises(ValueError) as err:
        build(pretrained_dir=vqa_dir, num_labels=3129)
    assert 'vocabulary of 4 answers' in str(err.value)
    assert 'num_labels=3129' in str(err.value)
    assert vqa_dir in str(err.value)

    model = build(pretrained_dir=vqa_dir)
    # a dataset with another number of answers: names both sizes
    with pytest.raises(ValueError) as err:
        model.check_answer_vocab(['yes', 'no'], source='VQADataset (x.json)')
    assert 'x.json) has 2 answers' in str(err.value)
    assert 'num_labels=4' in str(err.value)
    # the same answers in another order: wrong classifier rows in training,
    # harmless in testing (predictions carry the checkpoint's text)
    shuffled = ['no', 'yes', '2', 'red']
    model.check_answer_vocab(shuffled, training=False)
    with pytest.raises(ValueError, match='answer 0 is "no" there and "yes"'):
        model.check_answer_vocab(shuffled, training=True)
    model.check_answer_vocab(list(ANSWERS), training=True)


def test_answer_vocab_check_hook(vqa_dir):
    model = build(pretrained_dir=vqa_dir)
    hook = HOOKS.build(dict(type='AnswerVocabCheckHook'))

    def runner_with(classes):
        dataset = SimpleNamespace(metainfo=dict(classes=classes),
                                  answer_vocab_file='vocab.json')
        loader = SimpleNamespace(dataset=dataset)
        return SimpleNamespace(model=model, train_dataloader=loader,
                               val_dataloader=loader, test_dataloader=loader)

    hook.before_train(runner_with(list(ANSWERS)))
    hook.before_test(runner_with(list(ANSWERS)))
    for stage in ('before_train', 'before_val', 'before_test'):
        with pytest.raises(ValueError, match=r'vocab.json\) has 10 answers'):
            getattr(hook, stage)(runner_with([str(i) for i in range(10)]))
    # a model without check_answer_vocab, a dataset without classes: no-op
    other = SimpleNamespace(model=torch.nn.Linear(1, 1),
                            train_dataloader=SimpleNamespace(dataset=None))
    hook.before_train(other)


def test_bad_inputs_are_clear_errors(vqa_dir):
    model = build(pretrained_dir=vqa_dir)
    pixels = torch.zeros(1, 3, 64, 64)
    with pytest.raises(KeyError, match='TokenizeQuestion'):
        model(dict(pixel_values=pixels), mode='tensor')
    with pytest.raises(KeyError, match='ViltImagePreprocess'):
        model(dict(input_ids=torch.tensor([[2, 3]])), mode='tensor')
    with pytest.raises(ValueError, match='max_length=40'):
        model(dict(input_ids=torch.ones(1, 41, dtype=torch.long),
                   pixel_values=pixels), mode='tensor')
    with pytest.raises(ValueError, match='config.vocab_size=19'):
        model(dict(input_ids=torch.tensor([[2, 19]]), pixel_values=pixels),
              mode='tensor')
    with pytest.raises(KeyError, match='config_overrides names "no_such"'):
        build(pretrained_dir=vqa_dir, config_overrides=dict(no_such=1))
    with pytest.raises(ValueError, match='Invalid mode'):
        model(dict(input_ids=torch.tensor([[2, 3]]), pixel_values=pixels),
              mode='nope')


def test_config_overrides_reach_the_model(vqa_dir):
    model = build(pretrained_dir=vqa_dir,
                  config_overrides=dict(hidden_dropout_prob=0.1))
    assert model.vilt.config.hidden_dropout_prob == 0.1
    assert model.vilt.vilt.embeddings.dropout.p == 0.1


# ------------------------------------------------------------- the configs
def test_vqav2_configs_load_the_real_checkpoints_or_say_what_to_download(
        tmp_path, vqa_dir):
    for name, ckpt in (('vilt-b32_vqav2.py', 'vilt-b32-mlm'),
                       ('vilt-b32-finetuned-vqa_vqav2.py',
                        'vilt-b32-finetuned-vqa')):
        cfg = Config.fromfile(osp.join(VILT_CONFIGS, name))
        assert cfg.model.pretrained_dir == f'checkpoints/{ckpt}'
        assert cfg.model.num_labels == 3129
        assert cfg.test_dataloader.dataset.type == 'VQADataset'
        for transform in cfg.test_dataloader.dataset.pipeline:
            for key in ('processor_dir', 'tokenizer_dir'):
                if key in transform:
                    assert transform[key] == f'checkpoints/{ckpt}'
        model_cfg = copy.deepcopy(cfg.model)
        model_cfg.pretrained_dir = str(tmp_path / 'checkpoints' / ckpt)
        with pytest.raises(FileNotFoundError, match=f'dandelin/{ckpt}'):
            MODELS.build(model_cfg)

    # the fine-tuning recipe of the paper (dandelin/ViLT task_finetune_vqa)
    cfg = Config.fromfile(osp.join(VILT_CONFIGS, 'vilt-b32_vqav2.py'))
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == (
        'AdamW', 1e-4, 0.01)
    assert cfg.train_cfg.max_epochs == 10
    assert cfg.train_dataloader.batch_size * \
        cfg.optim_wrapper.accumulative_counts == 256

    # the test-only config on the tiny stand-in for the fine-tuned one
    cfg = Config.fromfile(
        osp.join(VILT_CONFIGS, 'vilt-b32-finetuned-vqa_vqav2.py'))
    cfg.model.pretrained_dir = vqa_dir
    cfg.model.num_labels = len(ANSWERS)
    model = MODELS.build(cfg.model)
    assert model.answer_vocab == list(ANSWERS)


def test_inference_api_answers_with_the_checkpoints_vocabulary(vqa_dir):
    """init_model + inference_vqa on the test-only config, its checkpoint
    directory replaced by the tiny one: top-k answers named by the
    checkpoint's id2label, sigmoid scores, best first."""
    from vlframe.apis import inference_vqa, init_model
    cfg = Config.fromfile(
        osp.join(VILT_CONFIGS, 'vilt-b32-finetuned-vqa_vqav2.py'))
    cfg.model.pretrained_dir = vqa_dir
    cfg.model.num_labels = len(ANSWERS)
    for transform in cfg.test_dataloader.dataset.pipeline:
        for key in ('processor_dir', 'tokenizer_dir'):
            if key in transform:
                transform[key] = vqa_dir
    model = init_model(cfg)
    answers = inference_vqa(model, np.full((70, 90, 3), 200, np.uint8),
                            'Is there a red dog?', topk=3)
    assert len(answers) == 3
    assert {name for name, _ in answers} <= set(ANSWERS)
    scores = [score for _, score in answers]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score < 1 for score in scores)


def test_vqav2_param_groups_follow_vilt(vqa_dir):
    """Head x10 lr; no weight decay on biases and LayerNorms (ViLT's
    set_schedule), including those of the head."""
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(VILT_CONFIGS, 'vilt-b32_vqav2.py'))
    model = build(pretrained_dir=vqa_dir)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    seen = set()
    for group in optim.optimizer.param_groups:
        for param in group['params']:
            name = names[id(param)]
            seen.add(name)
            head = '.classifier.' in name
            no_decay = name.endswith('bias') or 'LayerNorm' in name or \
                'layernorm' in name or 'classifier.1.' in name
            assert group['lr'] == pytest.approx(1e-3 if head else 1e-4), name
            assert group['weight_decay'] == pytest.approx(
                0.0 if no_decay else 0.01), name
    assert seen == set(names.values())


def tiny_sort_of_clevr_cfg(config_name, tokenizer_dir='tokenizer'):
    """A Sort-of-CLEVR ViLT config shrunk to a test-sized set of 2 train / 1
    val / 1 test images under ./soc, 1 epoch, work dir ./work."""
    cfg = Config.fromfile(osp.join(VILT_CONFIGS, config_name))
    for split, images in (('train', 2), ('val', 1), ('test', 1)):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.update(num_images=images, data_root='soc')
        loader.update(batch_size=8, num_workers=0, persistent_workers=False)
        for transform in loader.dataset.pipeline:
            if transform.type == 'TokenizeQuestion':
                transform.tokenizer_dir = tokenizer_dir
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = 'work'
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    return cfg


def save_sort_of_clevr_tokenizer(out_dir='tokenizer'):
    from vlframe.datasets.text_vocab import (count_words,
                                             sort_of_clevr_questions,
                                             vocab_words)
    save_bert_tokenizer(
        vocab_words(count_words(sort_of_clevr_questions())), out_dir)


def test_sort_of_clevr_config_trains_and_tests(tmp_path, monkeypatch):
    """The tiny from-scratch config, on a test-sized set: 2 iterations of
    training, a validation and a test, with the tokenizer the converter
    builds."""
    from mmengine.runner import Runner

    # short relative paths: mmengine formats the config with yapf, whose
    # line-breaking search takes seconds on long absolute paths
    monkeypatch.chdir(tmp_path)
    save_sort_of_clevr_tokenizer()
    cfg = tiny_sort_of_clevr_cfg('vilt-tiny_scratch_sort-of-clevr.py')
    assert cfg.model.config.patch_size == 15
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert 0 <= metrics['accuracy/non_relational'] <= 100
    assert osp.isfile(osp.join('work', 'epoch_1.pth'))


def test_two_stage_configs_train_non_relational_then_all(
        tmp_path, monkeypatch):
    """Stage 1 trains on the non-relational questions only; stage 2 starts
    from stage 1's last checkpoint (the same weights) and trains on all."""
    from mmengine.runner import Runner
    monkeypatch.chdir(tmp_path)  # short paths, see the test above
    save_sort_of_clevr_tokenizer()
    stage1 = tiny_sort_of_clevr_cfg(
        'vilt-tiny_scratch_pos-std-3_stage1-non-rel-4e_sort-of-clevr.py')
    stage2 = tiny_sort_of_clevr_cfg(
        'vilt-tiny_pos-std-3_stage2-all-8e_sort-of-clevr.py')
    # the real schedules: 4 epochs, constant after the warm-up; then 8
    # epochs decaying to 0; the same model in both
    assert Config.fromfile(osp.join(
        VILT_CONFIGS, 'vilt-tiny_scratch_pos-std-3_stage1-non-rel-4e_'
        'sort-of-clevr.py')).train_cfg.max_epochs == 4
    assert len(stage1.param_scheduler) == 1
    assert stage2.param_scheduler[1].end == 8
    assert stage1.model == stage2.model
    assert stage1.model.image_embedding_init_std == 3.0
    # stage 2's load_from is where stage 1 writes its last checkpoint
    assert stage2.load_from == ('work_dirs/vilt-tiny_scratch_pos-std-3_'
                                'stage1-non-rel-4e_sort-of-clevr/epoch_4.pth')
    assert stage2.train_dataloader.dataset.get('question_families') is None

    runner = Runner.from_cfg(stage1)
    dataset = runner.train_dataloader.dataset
    assert len(dataset) == 20  # the 10 non-relational questions x 2 images
    assert {dataset.get_data_info(i)['question_family']
            for i in range(len(dataset))} == {'non_relational'}
    runner.train()
    stage1_weights = safe_torch_load(
        osp.join('work', 'epoch_1.pth'), map_location='cpu')['state_dict']

    stage2.load_from = osp.join('work', 'epoch_1.pth')
    stage2.work_dir = 'work2'
    runner = Runner.from_cfg(stage2)
    assert len(runner.train_dataloader.dataset) == 40
    runner.load_or_resume()
    loaded = runner.model.state_dict()
    assert loaded.keys() == stage1_weights.keys()
    for key, value in stage1_weights.items():
        assert torch.equal(loaded[key], value), key
    runner.train()
    assert osp.isfile(osp.join('work2', 'epoch_1.pth'))


def test_position_std_3_config_changes_only_the_position_scale_and_length():
    base = Config.fromfile(
        osp.join(VILT_CONFIGS, 'vilt-tiny_scratch_sort-of-clevr.py'))
    cfg = Config.fromfile(osp.join(
        VILT_CONFIGS, 'vilt-tiny_scratch_pos-std-3_12e_sort-of-clevr.py'))
    assert cfg.model.image_embedding_init_std == 3.0
    assert cfg.train_cfg.max_epochs == 12
    # the same warm-up, then the decay to 0 stretched to epoch 12
    assert cfg.param_scheduler[0] == base.param_scheduler[0]
    assert cfg.param_scheduler[1].end == 12
    assert cfg.param_scheduler[1].end_factor == 0.0
    assert cfg.model.config == base.model.config
    assert cfg.optim_wrapper == base.optim_wrapper
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    positions = model.vilt.vilt.embeddings.position_embeddings
    # a normal of std 3 truncated at +-2 std has std 0.88 * 3
    assert 2.4 < float(positions.std()) < 2.9
    assert float(positions.abs().max()) <= 6.0


def test_vqav2_config_fine_tunes_and_tests_on_a_generated_vqa_set(
        tmp_path, monkeypatch, mlm_dir):
    """vilt-b32_vqav2.py end to end on a generated set in the official VQA
    layout (JPEG files, soft targets, the official metric), the tiny
    stand-in for vilt-b32-mlm in place of the real checkpoint."""
    from mmengine.runner import Runner
    from vlframe.datasets.generators.vqa_format import \
        generate_vqa_format_set
    monkeypatch.chdir(tmp_path)  # short paths, see the test above
    os.symlink(mlm_dir, 'ckpt')
    for split, seed in (('train2014', 0), ('val2014', 1)):
        generate_vqa_format_set(
            'vqa', split=split, num_images=2, seed=seed, features=())
    cfg = Config.fromfile(osp.join(VILT_CONFIGS, 'vilt-b32_vqav2.py'))
    cfg.model.pretrained_dir = 'ckpt'
    cfg.model.num_labels = 10  # the generated set's answer_vocab.json
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.data_root = 'vqa'
        for transform in loader.dataset.pipeline:
            for key in ('processor_dir', 'tokenizer_dir'):
                if key in transform:
                    transform[key] = 'ckpt'
    cfg.optim_wrapper.accumulative_counts = 1
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = 'work'
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert 0 <= metrics['VQA/acc'] <= 100
    assert 0 <= metrics['VQA/soft_acc'] <= 100

    # a vocabulary of another size than the head: refused before training
    cfg.model.num_labels = 12
    cfg.work_dir = 'work2'
    with pytest.raises(ValueError, match=r'answer_vocab.json\) has 10 '
                       r'answers .* num_labels=12'):
        Runner.from_cfg(cfg).train()
