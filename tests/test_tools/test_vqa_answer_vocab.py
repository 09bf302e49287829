"""tools/dataset_converters/vqa_answer_vocab.py: the answer vocabulary
(bottom-up-attention / ViLT recipe) and the per-question soft targets.

One run goes through a subprocess as a user would; the others call the
tool's ``main`` in this process to keep the tests fast.
"""
import importlib.util
import json
import os.path as osp

import pytest
from conftest import REPO, run_tool

from vlframe.utils import cli

TOOL = 'dataset_converters/vqa_answer_vocab.py'


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'vqa_answer_vocab_tool', osp.join(REPO, 'tools', TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vocab_tool = load_tool()

# (question_id, multiple_choice_answer, 10 raw human answers)
TRAIN = [
    (1, 'Yes', ['yes'] * 9 + ['Yes']),
    (2, 'two', ['2'] * 3 + ['two'] * 2 + ['3'] * 5),
    (3, 'yes', ['yes'] * 10),
    (4, 'a dog', ['dog'] * 4 + ['a dog'] * 6),
]
VAL = [
    (5, 'Dog.', ['dog'] * 2 + ['cat'] * 8),
    (6, '2', ['2'] * 10),
    (7, 'red', ['red'] + ['blue'] * 9),
    (3, 'yes', ['yes'] * 10),  # question 3 again: counted once
    (8, 'red', ['red'] * 2 + ['orange'] * 8),
    (9, 'dog', ['puppy'] * 10),
]
# normalised multiple_choice_answer -> distinct question ids:
#   'Yes','yes' -> yes {1, 3} = 2; 'two','2' -> 2 {2, 6} = 2;
#   'a dog','Dog.','dog' -> dog {4, 5, 9} = 3; red {7, 8} = 2
# first-seen order: yes, 2, dog, red


def write_annotations(path, rows):
    data = dict(annotations=[
        dict(question_id=qid, image_id=qid * 10, question_type='what is',
             answer_type='other', multiple_choice_answer=mc,
             answers=[dict(answer=a, answer_confidence='yes', answer_id=i)
                      for i, a in enumerate(answers, 1)])
        for qid, mc, answers in rows
    ])
    with open(path, 'w') as f:
        json.dump(data, f)
    return str(path)


@pytest.fixture
def files(tmp_path):
    return [write_annotations(tmp_path / 'train.json', TRAIN),
            write_annotations(tmp_path / 'val.json', VAL)]


def run_in_process(argv, capsys):
    """(exit code, stdout, stderr) of the tool run with ``argv``."""
    code = 0
    try:
        cli.run_tool(lambda: vocab_tool.main(argv),
                     tool_errors=(vocab_tool.AnswerVocabError, ))
    except SystemExit as exit:
        code = exit.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_json(path):
    with open(path) as f:
        return json.load(f)


def test_min_count_vocabulary_and_soft_targets(files, tmp_path):
    out_dir = str(tmp_path / 'vocab')
    proc = run_tool(TOOL, '--annotations', *files, '--out-dir', out_dir,
                    '--min-count', '2')
    vocab_file = osp.join(out_dir, 'answer_vocab.json')
    # every answer of >= 2 questions, in first-seen order
    assert read_json(vocab_file) == ['yes', '2', 'dog', 'red']
    lines = proc.stdout.splitlines()
    assert lines[0] == ('answer vocabulary: 4 answers (answers of >= 2 '
                        f'questions) of 4 distinct normalised answers -> '
                        f'{vocab_file}')
    train_targets = osp.join(out_dir, 'train_targets.json')
    val_targets = osp.join(out_dir, 'val_targets.json')
    assert lines[1] == ('train: 4 questions, coverage 100.00% (4 with an '
                        f'in-vocabulary answer) -> {train_targets}')
    # question 9 ('puppy' x10) has no in-vocabulary answer: 5 / 6 = 83.33%
    assert lines[2] == ('val: 6 questions, coverage 83.33% (5 with an '
                        f'in-vocabulary answer) -> {val_targets}')
    # soft targets count the RAW answers: 'Yes', 'two', 'a dog' are no
    # vocabulary entries and are dropped
    assert read_json(train_targets) == {
        '1': dict(labels=[0], scores=[1.0]),  # 'yes' x9 -> 1.0
        '2': dict(labels=[1], scores=[0.9]),  # '2' x3 -> 0.9
        '3': dict(labels=[0], scores=[1.0]),
        '4': dict(labels=[2], scores=[1.0]),  # 'dog' x4 -> 1.0
    }
    assert read_json(val_targets) == {
        '5': dict(labels=[2], scores=[0.6]),  # 'dog' x2
        '6': dict(labels=[1], scores=[1.0]),
        '7': dict(labels=[3], scores=[0.3]),  # 'red' x1
        '3': dict(labels=[0], scores=[1.0]),
        '8': dict(labels=[3], scores=[0.6]),
        '9': dict(labels=[], scores=[]),
    }


@pytest.mark.parametrize('option, expected', [
    (['--min-count', '3'], ['dog']),
    # most frequent first; the ties at 2 questions keep first-seen order
    (['--top-k', '2'], ['dog', 'yes']),
    (['--top-k', '3'], ['dog', 'yes', '2']),
    (['--top-k', '10'], ['dog', 'yes', '2', 'red']),
])
def test_selection_rules(files, tmp_path, capsys, option, expected):
    out_dir = str(tmp_path / 'vocab')
    code, out, _ = run_in_process(
        ['--annotations', *files, '--out-dir', out_dir, *option], capsys)
    assert code == 0
    assert read_json(osp.join(out_dir, 'answer_vocab.json')) == expected
    assert f'answer vocabulary: {len(expected)} answers' in out


def test_default_min_count_9_finds_nothing_here(files, tmp_path, capsys):
    code, _, err = run_in_process(
        ['--annotations', *files, '--out-dir', str(tmp_path)], capsys)
    assert code == 2
    assert 'no answer occurs for 9 or more questions' in err
    assert 'lower --min-count' in err


def test_bad_annotation_files(tmp_path, capsys):
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(dict(questions=[])))
    code, _, err = run_in_process(
        ['--annotations', str(bad), '--out-dir', str(tmp_path)], capsys)
    assert code == 2
    assert f'annotation file {bad} must be a JSON object with an ' \
        '"annotations" list' in err

    bad.write_text(json.dumps(dict(annotations=[dict(question_id=7)])))
    code, _, err = run_in_process(
        ['--annotations', str(bad), '--out-dir', str(tmp_path)], capsys)
    assert code == 2
    assert f'{bad}: question_id 7 has no "multiple_choice_answer"' in err

    missing = str(tmp_path / 'missing.json')
    code, _, err = run_in_process(
        ['--annotations', missing, '--out-dir', str(tmp_path)], capsys)
    assert code == 2
    assert f'annotation file {missing} does not exist' in err


def test_same_file_names_and_exclusive_options(files, tmp_path, capsys):
    other = tmp_path / 'other'
    other.mkdir()
    again = write_annotations(other / 'train.json', TRAIN)
    code, _, err = run_in_process(
        ['--annotations', files[0], again, '--out-dir', str(tmp_path)],
        capsys)
    assert code == 2
    assert "same name ['train']" in err
    with pytest.raises(SystemExit):
        vocab_tool.parse_args(['--annotations', files[0], '--out-dir', 'x',
                               '--top-k', '3', '--min-count', '2'])
    with pytest.raises(SystemExit):
        vocab_tool.parse_args(['--annotations', files[0], '--out-dir', 'x',
                               '--top-k', '0'])
