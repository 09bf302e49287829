"""tools/dataset_converters/build_question_vocab.py on the real question
formats, written small into a temp dir."""
import importlib.util
import json
import os.path as osp

import pytest

from conftest import REPO, run_tool
from vlframe.datasets import DatasetLayoutError

SCRIPT = 'dataset_converters/build_question_vocab.py'


def _load_tool():
    """The script as a module, to call ``main(argv)`` in this process (a
    subprocess per case would spend most of its time importing)."""
    spec = importlib.util.spec_from_file_location(
        'build_question_vocab', osp.join(REPO, 'tools', SCRIPT))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def _vocab(out_dir):
    with open(out_dir / 'vocab.txt') as f:
        return f.read().splitlines()


@pytest.fixture
def question_files(tmp_path):
    vqa = tmp_path / 'OpenEnded_mscoco_train2014_questions.json'
    vqa.write_text(json.dumps(dict(
        data_subtype='train2014',
        questions=[
            dict(image_id=1, question='What color is the cat?',
                 question_id=10),
            dict(image_id=1, question='Is the cat sleeping?',
                 question_id=11),
        ])))
    clevr = tmp_path / 'CLEVR_train_questions.json'
    clevr.write_text(json.dumps(dict(
        info=dict(split='train'),
        questions=[dict(question='How many cubes are there?',
                        image_filename='CLEVR_train_000000.png')])))
    nlvr = tmp_path / 'train.json'
    nlvr.write_text(
        json.dumps(dict(sentence='There is a yellow cube.',
                        identifier='0-0', label='true')) + '\n\n' +
        json.dumps(dict(sentence='The cat is a cube.', identifier='1-0',
                        label='false')) + '\n')
    return vqa, clevr, nlvr


def test_all_sources_into_one_tokenizer(tmp_path, question_files):
    vqa, clevr, nlvr = question_files
    out = tmp_path / 'tok'
    proc = run_tool(SCRIPT, '--vqa-questions', str(vqa), '--clevr-questions',
                    str(clevr), '--nlvr-jsonl', str(nlvr), '--out-dir',
                    str(out), timeout=120)
    words = _vocab(out)
    assert words[:5] == ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
    # "is" 4; "?", "cat", "the" 3; ".", "a", "cube", "there" 2; ties in
    # alphabetical order
    assert words[5:13] == ['is', '?', 'cat', 'the', '.', 'a', 'cube',
                           'there']
    assert 'What' not in words and 'what' in words
    assert '5 questions from 3 source(s)' in proc.stdout
    assert f'vocabulary size {len(words)}' in proc.stdout

    from vlframe.datasets.transforms import TokenizeQuestion
    ids = TokenizeQuestion(str(out))(
        dict(question_text='Is the cat a cube?'))['input_ids'].tolist()
    assert [words[i] for i in ids] == ['is', 'the', 'cat', 'a', 'cube', '?']


def test_sort_of_clevr_and_min_count(tmp_path, capsys):
    out = tmp_path / 'soc'
    tool.main(['--sort-of-clevr', '--no-ternary', '--min-count', '7',
               '--out-dir', str(out)])
    words = _vocab(out)
    # 36 questions; every colour occurs 6 times, so min-count 7 drops them
    assert '36 questions' in capsys.readouterr().out
    assert 'red' not in words and 'the' in words and 'object' in words
    assert 'between' not in words
    tool.main(['--sort-of-clevr', '--out-dir', str(out)])
    assert {'red', 'yellow', 'between', 'obtuse'} <= set(_vocab(out))


def test_missing_file_is_a_clean_error(tmp_path):
    missing = str(tmp_path / 'missing.json')
    proc = run_tool(SCRIPT, '--vqa-questions', missing, '--out-dir',
                    str(tmp_path / 'o'), check=False, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'Traceback' not in proc.stderr
    message = proc.stderr.strip().splitlines()[-1]
    assert message.startswith('error: ') and missing in message
    assert 'does not exist' in message


def test_malformed_files_name_the_file(tmp_path, question_files):
    vqa, clevr, nlvr = question_files
    annotations = tmp_path / 'mscoco_train2014_annotations.json'
    annotations.write_text(json.dumps(dict(annotations=[])))
    with pytest.raises(DatasetLayoutError) as info:
        tool.main(['--vqa-questions', str(annotations), '--out-dir',
                   str(tmp_path / 'o')])
    assert str(annotations) in str(info.value)
    assert 'no "questions" list' in str(info.value)

    clevr.write_text(json.dumps(dict(questions=[dict(program=[])])))
    with pytest.raises(DatasetLayoutError,
                       match=r'questions\[0\] has no string "question"'):
        tool.main(['--clevr-questions', str(clevr), '--out-dir',
                   str(tmp_path / 'o')])

    nlvr.write_text('{"sentence": "ok"}\nnot json\n')
    with pytest.raises(DatasetLayoutError) as info:
        tool.main(['--nlvr-jsonl', str(nlvr), '--out-dir',
                   str(tmp_path / 'o')])
    assert f'NLVR file {nlvr}, line 2' in str(info.value)

    vqa.write_text('{"questions": ')
    with pytest.raises(DatasetLayoutError, match='is not valid JSON'):
        tool.main(['--vqa-questions', str(vqa), '--out-dir',
                   str(tmp_path / 'o')])


@pytest.mark.parametrize('argv,message', [
    ([], 'give at least one of'),
    (['--sort-of-clevr', '--min-count', '0'], '--min-count must be >= 1'),
])
def test_bad_arguments(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        tool.main(argv + ['--out-dir', str(tmp_path / 'o')])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
