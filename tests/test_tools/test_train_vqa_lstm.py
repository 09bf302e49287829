"""End to end through tools/train.py: the CNN+LSTM configs on a test-sized
Sort-of-CLEVR (English questions) and a generated VQA v1-format set with
pre-extracted features."""
import glob
import json
import os
import os.path as osp

from conftest import REPO, run_tool, tiny_data_options

SOC_CONFIG = osp.join(REPO, 'configs', 'vqa_lstm',
                      'vqa-lstm_sort-of-clevr.py')
VQA_CONFIG = osp.join(REPO, 'configs', 'vqa_lstm',
                      'vqa-lstm_vgg16-fc7_vqav1.py')

# the configs' model with small widths: the test checks the wiring, not
# the capacity (the LSTM 512 and the 32-256 stem make a step ~10x slower)
SMALL_MODEL = """
model = dict(
    image_encoder=dict(channels=(8, 8, 8, 8)),
    image_neck=dict(in_channels=8 * 5 * 5, out_channels=32),
    question_encoder=dict(tokenizer_dir=TOK, embed_dims=16, hidden_size=16,
                          out_channels=32),
    head=dict(in_channels=32, hidden_dims=(32, )))
"""


def _scalars(work_dir):
    files = glob.glob(osp.join(work_dir, '2*', 'vis_data', 'scalars.json'))
    assert len(files) == 1
    return [json.loads(line) for line in open(files[0])]


def write_small_sort_of_clevr_config(tmp_path, base_config, extra=''):
    """A config inheriting ``base_config`` with SMALL_MODEL, a tokenizer of
    the generator's questions written into ``tmp_path`` and ``extra``
    lines; returns its path."""
    from vlframe.datasets.text_vocab import (count_words,
                                             save_bert_tokenizer,
                                             sort_of_clevr_questions,
                                             vocab_words)
    tok = str(tmp_path / 'tokenizer')
    save_bert_tokenizer(vocab_words(count_words(sort_of_clevr_questions())),
                        tok)
    config = tmp_path / 'vqa-lstm_small.py'
    config.write_text(
        f"_base_ = ['{base_config}']\nTOK = '{tok}'\n" + SMALL_MODEL +
        extra +
        "train_pipeline = [dict(type='TokenizeQuestion', tokenizer_dir=TOK),"
        "\n    dict(type='PackVLInputs', input_keys=('input_ids', ))]\n"
        "train_dataloader = dict(dataset=dict(pipeline=train_pipeline))\n"
        "val_dataloader = dict(dataset=dict(pipeline=train_pipeline))\n"
        "test_dataloader = val_dataloader\n")
    return str(config)


def test_sort_of_clevr_english_questions(tmp_path, data_root):
    config = write_small_sort_of_clevr_config(tmp_path, SOC_CONFIG)
    work_dir = str(tmp_path / 'work')
    opts = tiny_data_options(data_root, train_images=40) + [
        'train_cfg.max_epochs=1', 'train_dataloader.batch_size=40'
    ]
    proc = run_tool('train.py', config, '--work-dir', work_dir,
                    '--cfg-options', *opts, timeout=120)
    text = proc.stdout + proc.stderr
    # 40 images x 20 questions / batch 40
    assert 'Epoch(train) [1][20/20]' in text
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert osp.isfile(
        osp.join(work_dir, 'best_accuracy_overall_epoch_1.pth'))
    lines = _scalars(work_dir)
    losses = [x['loss'] for x in lines if 'loss' in x]
    assert len(losses) == 20 and all(loss > 0 for loss in losses)
    val = [x for x in lines if 'accuracy/overall' in x]
    assert len(val) == 1 and 0 <= val[0]['accuracy/non_relational'] <= 100
    dumped = open(osp.join(work_dir, 'vqa-lstm_small.py')).read()
    assert "type='LSTMQuestionEncoder'" in dumped
    assert "type='ElementwiseProductFusion'" in dumped
    # the config's batches: 2 images x their 20 questions, CNN once each
    assert "type='ImageGroupedSampler'" in dumped
    assert 'share_images=True' in dumped


def write_vqa_v1_config(tmp_path, num_classes=10):
    """A generated VQA v1-format set with .h5 features (8 train, 4 val
    images), its tokenizer, and a small CNN+LSTM config over it."""
    from vlframe.datasets.generators.vqa_format import \
        generate_vqa_format_set
    from vlframe.datasets.text_vocab import (count_words,
                                             read_vqa_questions,
                                             save_bert_tokenizer,
                                             vocab_words)
    root = tmp_path / 'vqa'
    train = generate_vqa_format_set(str(root), 'train2014', num_images=8,
                                    seed=0, image_size=16, version='v1',
                                    features=('h5', ))
    val = generate_vqa_format_set(str(root), 'val2014', num_images=4, seed=1,
                                  image_size=16, version='v1',
                                  features=('h5', ))
    tok = str(tmp_path / 'tokenizer')
    save_bert_tokenizer(
        vocab_words(count_words(read_vqa_questions(train['questions']))),
        tok)
    feat_dim = 8 * 8 * 3  # the generator's features: the image on 8x8
    results = str(tmp_path / 'val_results.json')
    config = tmp_path / 'vqa-lstm_v1_small.py'
    config.write_text(
        f"_base_ = ['{VQA_CONFIG}']\n"
        f"model = dict(image_neck=dict(in_channels={feat_dim}),\n"
        f"    question_encoder=dict(tokenizer_dir='{tok}', embed_dims=16,\n"
        "        hidden_size=16),\n"
        f"    head=dict(num_classes={num_classes}))\n"
        "pipeline = [dict(type='LoadImageFeature'),\n"
        f"    dict(type='TokenizeQuestion', tokenizer_dir='{tok}'),\n"
        "    dict(type='PackVLInputs', input_keys=('input_ids', ))]\n"
        f"common = dict(data_root='{root}', pipeline=pipeline,\n"
        f"    answer_vocab_file='{osp.basename(train['answer_vocab'])}')\n"
        "train_dataloader = dict(batch_size=20, num_workers=0,\n"
        "    persistent_workers=False, dataset=dict(**common,\n"
        f"    feature_file='{osp.relpath(train['feature_file'], root)}'))\n"
        "val_dataloader = dict(batch_size=20, num_workers=0,\n"
        "    persistent_workers=False, dataset=dict(**common,\n"
        f"    feature_file='{osp.relpath(val['feature_file'], root)}'))\n"
        "test_dataloader = val_dataloader\n"
        "train_cfg = dict(max_epochs=1)\n"
        "default_hooks = dict(logger=dict(interval=1))\n"
        # the test also writes the official results JSON
        f"test_evaluator = dict(type='VQAAccuracy', outfile='{results}')\n")
    return str(config), val, results


def test_vqa_v1_format_with_features(tmp_path):
    config, val, results = write_vqa_v1_config(tmp_path)
    work_dir = str(tmp_path / 'work')
    proc = run_tool('train.py', str(config), '--work-dir', work_dir,
                    timeout=120)
    text = proc.stdout + proc.stderr
    # 8 images x 10 questions / batch 20
    assert 'Epoch(train) [1][4/4]' in text
    lines = _scalars(work_dir)
    assert len([x for x in lines if 'loss' in x]) == 4
    val_acc = [x['VQA/acc'] for x in lines if 'VQA/acc' in x]
    assert len(val_acc) == 1 and 0 <= val_acc[0] <= 100
    assert osp.isfile(osp.join(work_dir, 'best_VQA_acc_epoch_1.pth'))

    # tools/test.py scores the checkpoint and writes the official results
    # JSON; the offline evaluator gives the same numbers from that file
    ckpt = osp.join(work_dir, 'epoch_1.pth')
    proc = run_tool('test.py', str(config), ckpt, '--work-dir', work_dir)
    text = proc.stdout + proc.stderr
    test_acc = float(text.split('VQA/acc: ')[1].split()[0])
    assert test_acc == val_acc[0]
    answers = json.load(open(results))
    assert len(answers) == 4 * 10
    assert set(answers[0]) == {'question_id', 'answer'}
    proc = run_tool(osp.join('analysis_tools', 'eval_vqa.py'), '--questions',
                    val['questions'], '--annotations', val['annotations'],
                    '--results', results)
    lines = proc.stdout.splitlines()
    assert lines[0] == f'overall: {test_acc:.2f}'
    assert {line.split(':')[0] for line in lines[1:4]} <= {
        'yes/no', 'number', 'other'}

    # a test split without annotations: --format-only writes the results
    # JSON for the evaluation server and scores nothing
    os.remove(results)
    proc = run_tool(
        'test.py', str(config), ckpt, '--work-dir', work_dir,
        '--format-only', '--cfg-options',
        'test_dataloader.dataset.annotation_file=None',
        'test_dataloader.dataset.test_mode=True')
    written = json.load(open(results))
    assert [r['question_id'] for r in written] == [
        r['question_id'] for r in answers]
    assert 'VQA/acc: ' not in proc.stdout + proc.stderr


def test_answer_vocab_that_does_not_fit_the_head(tmp_path):
    # the generated vocabulary has 10 answers; a head of 7 is refused before
    # the first step, naming the vocabulary file, with no traceback
    config, _, _ = write_vqa_v1_config(tmp_path, num_classes=7)
    proc = run_tool('train.py', config, '--work-dir',
                    str(tmp_path / 'work'), check=False)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr
    assert 'has 10 answers but the AnswerHead has num_classes=7' in \
        proc.stderr
    assert 'answer_vocab.json' in proc.stderr
