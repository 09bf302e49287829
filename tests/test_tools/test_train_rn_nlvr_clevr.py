"""End to end through tools/train.py and tools/test.py: the Relation
Network configs configs/rn/rn_nlvr.py and configs/rn/rn_clevr.py, as they
are, on test-sized sets generated in the real NLVR and CLEVR layouts, with
tokenizers built by tools/dataset_converters/build_question_vocab.py.
Through --cfg-options only the paths, loader sizes, epochs and (to end
the NLVR run early on purpose) the early-stopping thresholds change."""
import glob
import importlib.util
import json
import os.path as osp
import re
import shutil
import tempfile

import pytest

from conftest import REPO, run_tool

NLVR_CONFIG = osp.join(REPO, 'configs', 'rn', 'rn_nlvr.py')
CLEVR_CONFIG = osp.join(REPO, 'configs', 'rn', 'rn_clevr.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture
def short_tmp():
    """A temporary directory with a short path. The paths end up in the
    config, and mmengine formats the config with yapf (``pretty_text``)
    when it prints it, dumps it and saves it in every checkpoint: with
    pytest's long ``tmp_path`` that took about 2 s per call here (the NLVR
    test ran 50 s instead of 19 s), against 0.06 s with a short path."""
    path = tempfile.mkdtemp(prefix='e2e', dir='/tmp')
    yield path
    shutil.rmtree(path, ignore_errors=True)


def build_question_vocab(*argv):
    """tools/dataset_converters/build_question_vocab.py, its ``main`` called
    in this process (a subprocess would mostly spend its time importing)."""
    spec = importlib.util.spec_from_file_location(
        'build_question_vocab',
        osp.join(REPO, 'tools', 'dataset_converters',
                 'build_question_vocab.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(list(argv))


def _scalars(work_dir):
    files = glob.glob(osp.join(work_dir, '2*', 'vis_data', 'scalars.json'))
    assert len(files) == 1
    return [json.loads(line) for line in open(files[0])]


def _data_options(data_root, tokenizer_dir, batch_size, train_tokenize):
    """Point every loader and the question encoder at the local set and
    tokenizer (``TokenizeQuestion`` is step ``train_tokenize`` of the train
    pipeline, step 2 of the others); small batches, no worker processes."""
    opts = [f'model.question_encoder.tokenizer_dir={tokenizer_dir}']
    for loader in LOADERS:
        opts += [
            f'{loader}.dataset.data_root={data_root}',
            f'{loader}.batch_size={batch_size}', f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False'
        ]
    opts += [
        f'train_dataloader.dataset.pipeline.{train_tokenize}.tokenizer_dir='
        f'{tokenizer_dir}',
        f'val_dataloader.dataset.pipeline.2.tokenizer_dir={tokenizer_dir}',
        f'test_dataloader.dataset.pipeline.2.tokenizer_dir={tokenizer_dir}',
        'default_hooks.logger.interval=1'
    ]
    return opts


def _test_accuracy(text):
    found = re.findall(r'accuracy/overall: (\d+\.\d+)', text)
    assert found, text[-3000:]
    return float(found[-1])


def test_rn_nlvr_train_and_test(short_tmp):
    from vlframe.datasets.generators.nlvr_format import generate_nlvr_format
    root = osp.join(short_tmp, 'nlvr')
    train = generate_nlvr_format(root, 'train', num_sentences=12, seed=0)
    generate_nlvr_format(root, 'dev', num_sentences=4, seed=1)
    generate_nlvr_format(root, 'test', num_sentences=4, seed=2)
    tok = osp.join(short_tmp, 'tok')
    build_question_vocab('--nlvr-jsonl', train['ann_file'], '--out-dir', tok)
    # a 50-d GloVe-format file for the tokenizer's words (the config
    # reads data/glove/glove.6B.50d.txt and freezes it)
    words = open(osp.join(tok, 'vocab.txt')).read().split()[5:]
    glove = osp.join(short_tmp, 'glove.6B.50d.txt')
    with open(glove, 'w') as f:
        f.write(''.join(word + ' 0.1' * 25 + ' -0.1' * 25 + '\n'
                        for word in words))

    work_dir = osp.join(short_tmp, 'work')
    opts = _data_options(root, tok, batch_size=24, train_tokenize=3) + [
        f'model.question_encoder.glove_file={glove}',
        'train_cfg.max_epochs=4',
        # early stopping after epoch 2: an improvement of 101 points is
        # impossible, so the second validation does not improve and
        # patience 1 ends the run
        'custom_hooks.1.min_delta=101', 'custom_hooks.1.patience=1'
    ]
    proc = run_tool('train.py', NLVR_CONFIG, '--work-dir', work_dir,
                    '--cfg-options', *opts, timeout=120)
    text = proc.stdout + proc.stderr
    # 12 sentences x 6 box orders / batch 24
    assert 'NLVR train: 12 sentences, 72 image samples' in text
    assert 'Epoch(train) [1][3/3]' in text
    assert 'Epoch(train) [2][3/3]' in text
    assert 'did not improve in the last 1 records' in text
    assert 'Epoch(train) [3]' not in text
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        assert osp.isfile(osp.join(work_dir, name))
    assert not osp.exists(osp.join(work_dir, 'epoch_3.pth'))
    best = glob.glob(osp.join(work_dir, 'best_accuracy_overall_epoch_*.pth'))
    assert len(best) == 1
    assert 'GloVe vectors from' in text
    lines = _scalars(work_dir)
    losses = [x['loss'] for x in lines if 'loss' in x]
    assert len(losses) == 6 and all(0 < loss < 5 for loss in losses)
    val = [x['accuracy/overall'] for x in lines if 'accuracy/overall' in x]
    assert len(val) == 2 and all(0 <= acc <= 100 for acc in val)
    dumped = open(osp.join(work_dir, 'rn_nlvr.py')).read()
    assert "type='PermuteNLVRBoxes'" in dumped
    assert "type='EarlyStoppingHook'" in dumped

    # the public-test split of the generated set, scored by tools/test.py
    proc = run_tool('test.py', NLVR_CONFIG, best[0], '--work-dir', work_dir,
                    '--cfg-options', *opts)
    text = proc.stdout + proc.stderr
    assert 'NLVR test: 4 sentences, 24 image samples' in text
    acc = _test_accuracy(text)
    # 24 images: accuracy is a multiple of 100 / 24
    assert 0 <= acc <= 100
    assert abs(acc * 24 / 100 - round(acc * 24 / 100)) < 1e-3


def test_rn_clevr_train_and_test(short_tmp):
    from vlframe.datasets.generators.clevr_format import \
        generate_clevr_format
    root = osp.join(short_tmp, 'CLEVR_v1.0')
    train = generate_clevr_format(root, 'train', num_images=6,
                                  questions_per_image=4, seed=0)
    generate_clevr_format(root, 'val', num_images=3, questions_per_image=4,
                          seed=1)
    tok = osp.join(short_tmp, 'tok')
    build_question_vocab('--clevr-questions', train['question_file'],
                         '--out-dir', tok)

    work_dir = osp.join(short_tmp, 'work')
    opts = _data_options(root, tok, batch_size=12, train_tokenize=2) + [
        'train_cfg.max_epochs=1'
    ]
    proc = run_tool('train.py', CLEVR_CONFIG, '--work-dir', work_dir,
                    '--cfg-options', *opts, timeout=120)
    text = proc.stdout + proc.stderr
    # 6 images x 4 questions / batch 12
    assert 'Epoch(train) [1][2/2]' in text
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert osp.isfile(
        osp.join(work_dir, 'best_accuracy_overall_epoch_1.pth'))
    lines = _scalars(work_dir)
    assert len([x for x in lines if 'loss' in x]) == 2
    val = [x for x in lines if 'accuracy/overall' in x]
    assert len(val) == 1 and 0 <= val[0]['accuracy/overall'] <= 100

    proc = run_tool('test.py', CLEVR_CONFIG,
                    osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                    work_dir, '--cfg-options', *opts)
    text = proc.stdout + proc.stderr
    acc = _test_accuracy(text)
    assert acc == val[0]['accuracy/overall']  # test = val on CLEVR
    # the per-question-type numbers of CLEVR's families
    assert re.search(r'accuracy/(exist|count|query_attribute): \d', text)
