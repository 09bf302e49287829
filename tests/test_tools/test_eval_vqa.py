"""tools/analysis_tools/eval_vqa.py: the official VQA accuracy of a
results file, from the official question and annotation files.

One run goes through a subprocess as a user would; the error cases call
the tool's ``main`` in this process (through the same ``run_tool`` error
handling) to keep the tests fast.
"""
import importlib.util
import json
import os.path as osp

import pytest
from conftest import REPO, run_tool

from vlframe.utils import cli

TOOL = 'analysis_tools/eval_vqa.py'


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'eval_vqa_tool', osp.join(REPO, 'tools', TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


eval_vqa = load_tool()


def run_in_process(argv, capsys):
    """(exit code, stdout, stderr) of the tool run with ``argv``."""
    code = 0
    try:
        cli.run_tool(lambda: eval_vqa.main(argv),
                     tool_errors=(eval_vqa.EvalVQAError, ))
    except SystemExit as exit:
        code = exit.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err

# (question_id, image_id, question_type, answer_type, 10 human answers,
# predicted answer) and the official per-question value worked out by hand
ROWS = [
    # 10 x 'yes': 1.0
    (11, 1, 'is the', 'yes/no', ['yes'] * 10, 'yes'),
    # disagreement -> normalised: 'Two', '2', '2.' all become '2';
    # 3 of 10 match 'two' -> '2': 0.9
    (12, 1, 'how many', 'number', ['Two', '2', '2.'] + ['3'] * 7, 'two'),
    # 1 of 10: 0.3
    (13, 2, 'what color is the', 'other', ['red'] + ['blue'] * 9, 'red'),
    # 10 x 'Yes', identical -> not normalised: 'yes' scores 0
    (14, 2, 'is the', 'yes/no', ['Yes'] * 10, 'yes'),
]
# overall 100 * (1.0 + 0.9 + 0.3 + 0) / 4 = 55.0; yes/no (1 + 0) / 2 = 50.0
EXPECTED_LINES = [
    'overall: 55.00',
    'yes/no: 50.00',
    'number: 90.00',
    'other: 30.00',
    'per question type:',
    '  how many: 90.00',
    '  is the: 50.00',
    '  what color is the: 30.00',
]


def write_files(tmp_path, rows=ROWS, results=None):
    questions = dict(questions=[
        dict(image_id=img, question=f'question {qid}?', question_id=qid)
        for qid, img, *_ in rows
    ])
    annotations = dict(annotations=[
        dict(question_id=qid, image_id=img, question_type=qtype,
             answer_type=atype, multiple_choice_answer=answers[0],
             answers=[dict(answer=a, answer_confidence='yes', answer_id=i)
                      for i, a in enumerate(answers, 1)])
        for qid, img, qtype, atype, answers, _ in rows
    ])
    if results is None:
        results = [dict(question_id=r[0], answer=r[-1]) for r in rows]
    paths = {}
    for name, data in (('questions', questions),
                       ('annotations', annotations), ('results', results)):
        paths[name] = str(tmp_path / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(data, f)
    return paths


def args_of(paths):
    return ['--questions', paths['questions'], '--annotations',
            paths['annotations'], '--results', paths['results']]


def test_prints_the_official_accuracies(tmp_path):
    paths = write_files(tmp_path)
    out_json = str(tmp_path / 'metrics.json')
    proc = run_tool(TOOL, *args_of(paths), '--out-json', out_json)
    lines = proc.stdout.splitlines()
    assert lines[:len(EXPECTED_LINES)] == EXPECTED_LINES
    with open(out_json) as f:
        saved = json.load(f)
    assert saved['overall'] == 55.0
    assert saved['perAnswerType'] == {'yes/no': 50.0, 'number': 90.0,
                                      'other': 30.0}
    assert saved['perQuestionType']['is the'] == 50.0
    assert saved['numQuestions']['overall'] == 4


def test_results_must_answer_exactly_the_annotated_questions(
        tmp_path, capsys):
    results = [dict(question_id=r[0], answer=r[-1]) for r in ROWS[:3]]
    results.append(dict(question_id=99, answer='yes'))
    paths = write_files(tmp_path, results=results)
    code, _, msg = run_in_process(args_of(paths), capsys)
    assert code == 2
    assert msg.startswith('error: the results file ' + paths['results'])
    assert 'answers 4 questions, the annotations have 4' in msg
    assert '1 annotated questions have no result (e.g. question ids 14)' \
        in msg
    assert '1 results are for questions not in the annotations (e.g. 99)' \
        in msg
    assert 'Traceback' not in msg


def test_questions_and_annotations_must_match(tmp_path, capsys):
    paths = write_files(tmp_path)
    with open(paths['questions']) as f:
        questions = json.load(f)
    questions['questions'] = questions['questions'][:2]  # drops 13 and 14
    with open(paths['questions'], 'w') as f:
        json.dump(questions, f)
    code, _, err = run_in_process(args_of(paths), capsys)
    assert code == 2
    assert (f'the questions file {paths["questions"]} (2 questions) and the '
            f'annotations file {paths["annotations"]} (4 questions) do not '
            'match: 2 annotated question ids are not in the questions file '
            '(e.g. 13, 14)') in err


@pytest.mark.parametrize('results, expected', [
    ({'question_id': 1}, 'must be a JSON list'),
    ([{'question_id': 11}], r'results[0] must be {"question_id": int, '
     '"answer": str}'),
])
def test_malformed_results_file(tmp_path, capsys, results, expected):
    paths = write_files(tmp_path, results=results)
    code, _, err = run_in_process(args_of(paths), capsys)
    assert code == 2
    assert expected in err


def test_in_process_run_matches_and_warns_on_repeated_results(
        tmp_path, capsys):
    # a question answered twice: the official loadRes index keeps the last
    results = [dict(question_id=r[0], answer=r[-1]) for r in ROWS]
    results.insert(0, dict(question_id=14, answer='Yes'))  # then 'yes'
    paths = write_files(tmp_path, results=results)
    code, out, err = run_in_process(args_of(paths), capsys)
    assert code == 0
    assert out.splitlines() == EXPECTED_LINES
    assert '1 results repeat a question id; the last answer of each is ' \
        'scored' in err


def test_missing_file_is_named(tmp_path, capsys):
    paths = write_files(tmp_path)
    paths['annotations'] = str(tmp_path / 'nope.json')
    code, _, err = run_in_process(args_of(paths), capsys)
    assert code == 2
    assert f'annotations file {paths["annotations"]} does not exist' in err
