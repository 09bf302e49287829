"""Tests for vlframe/datasets/clevr.py (CLEVR v1.0 question files)."""
import json
import os
import os.path as osp
import shutil

import pytest
import torch

import vlframe.datasets.transforms.loading  # noqa: F401 (registers it)
from vlframe.datasets import CLEVRDataset, DatasetLayoutError
from vlframe.datasets.clevr import CLEVR_ANSWERS
from vlframe.datasets.generators.clevr_format import generate_clevr_format
from vlframe.registry import DATASETS

# the paper's five question types, by the program's last function
EXPECTED_FAMILY = {
    'exist': 'exist',
    'count': 'count',
    'equal_integer': 'compare_integer',
    'less_than': 'compare_integer',
    'greater_than': 'compare_integer',
    'query_size': 'query_attribute',
    'query_color': 'query_attribute',
    'query_material': 'query_attribute',
    'query_shape': 'query_attribute',
    'equal_size': 'compare_attribute',
    'equal_color': 'compare_attribute',
    'equal_material': 'compare_attribute',
    'equal_shape': 'compare_attribute',
}
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(
        type='PackVLInputs',
        input_keys=(),
        meta_keys=('question_id', 'question_text', 'img_path',
                   'question_family', 'question_subtype'))
]


@pytest.fixture(scope='module')
def clevr_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('CLEVR_v1.0'))
    generate_clevr_format(
        root, 'train', num_images=4, questions_per_image=5, seed=0)
    generate_clevr_format(
        root,
        'test',
        num_images=2,
        questions_per_image=3,
        seed=1,
        with_answers=False)
    return root


@pytest.fixture
def root_copy(clevr_root, tmp_path):
    """A private copy to break."""
    dst = str(tmp_path / 'CLEVR_v1.0')
    shutil.copytree(clevr_root, dst)
    return dst


def questions_of(root, split='train'):
    path = osp.join(root, 'questions', f'CLEVR_{split}_questions.json')
    with open(path) as f:
        return path, json.load(f)


def rewrite(path, content):
    with open(path, 'w') as f:
        json.dump(content, f)


def test_answer_vocabulary_is_clevrs_28():
    assert len(CLEVR_ANSWERS) == len(set(CLEVR_ANSWERS)) == 28
    assert CLEVR_ANSWERS[:13] == ('yes', 'no', '0', '1', '2', '3', '4', '5',
                                  '6', '7', '8', '9', '10')
    assert set(CLEVR_ANSWERS[13:]) == {
        'gray', 'red', 'blue', 'green', 'brown', 'purple', 'cyan', 'yellow',
        'cube', 'sphere', 'cylinder', 'rubber', 'metal', 'large', 'small'
    }


def test_build_from_registry_and_load_samples(clevr_root):
    ds = DATASETS.build(
        dict(
            type='CLEVRDataset',
            data_root=clevr_root,
            split='train',
            pipeline=PIPELINE))
    assert isinstance(ds, CLEVRDataset)
    assert ds.metainfo['classes'] == CLEVR_ANSWERS
    path, content = questions_of(clevr_root)
    questions = content['questions']
    assert len(ds) == len(questions) == 20
    for i in (0, 7, 19):
        q = questions[i]
        info = ds.get_data_info(i)
        assert info['question_id'] == q['question_index']
        assert info['image_id'] == q['image_index']
        assert info['question_text'] == q['question']
        assert info['img_path'] == osp.join(clevr_root, 'images', 'train',
                                            q['image_filename'])
        assert CLEVR_ANSWERS[info['gt_answer']] == q['answer']
        assert info['question_family_index'] == q['question_family_index']
        packed = ds[i]
        img = packed['inputs']['img']
        assert img.shape == (3, 160, 240) and img.dtype == torch.uint8
        sample = packed['data_samples']
        assert int(sample.gt_answer) == info['gt_answer']
        assert sample.question_text == q['question']


def test_families_and_subtypes_from_the_last_function(clevr_root):
    ds = CLEVRDataset(data_root=clevr_root, split='train')
    _, content = questions_of(clevr_root)
    seen = set()
    for q, info in zip(content['questions'], ds.load_data_list()):
        last = q['program'][-1]['function']
        assert info['question_subtype'] == last
        assert info['question_family'] == EXPECTED_FAMILY[last]
        seen.add(info['question_family'])
    assert seen == set(EXPECTED_FAMILY.values())
    assert ds.metainfo['question_families'] == ('exist', 'count',
                                                'compare_integer',
                                                'query_attribute',
                                                'compare_attribute')


def test_older_type_key_of_programs(tmp_path):
    root = str(tmp_path)
    generate_clevr_format(root, 'val', 2, 5, seed=4, program_key='type')
    ds = CLEVRDataset(data_root=root, split='val')
    _, content = questions_of(root, 'val')
    for q, info in zip(content['questions'], ds.load_data_list()):
        assert info['question_subtype'] == q['program'][-1]['type']


def test_test_split_loads_for_prediction_only(clevr_root):
    ds = CLEVRDataset(
        data_root=clevr_root, split='test', test_mode=True, pipeline=PIPELINE)
    assert len(ds) == 6
    info = ds.get_data_info(4)
    assert 'gt_answer' not in info
    assert info['question_family'] == info['question_subtype'] == 'unknown'
    assert 'gt_answer' not in ds[4]['data_samples']
    with pytest.raises(DatasetLayoutError, match='test_mode=True'):
        CLEVRDataset(data_root=clevr_root, split='test')


def test_paths_can_be_overridden(clevr_root, tmp_path):
    moved = str(tmp_path / 'elsewhere')
    shutil.copytree(osp.join(clevr_root, 'images', 'train'), moved)
    ds = CLEVRDataset(
        data_root=clevr_root,
        split='train',
        question_file='questions/CLEVR_train_questions.json',
        img_prefix=moved)  # absolute: not joined with data_root
    assert ds.get_data_info(0)['img_path'].startswith(moved)
    ds = CLEVRDataset(
        data_root='',
        question_file=osp.join(clevr_root, 'questions',
                               'CLEVR_train_questions.json'),
        img_prefix=moved)
    assert len(ds) == 20


def test_unknown_answer_names_file_and_question(root_copy):
    path, content = questions_of(root_copy)
    content['questions'][3]['answer'] = 'maybe'
    rewrite(path, content)
    with pytest.raises(ValueError) as err:
        CLEVRDataset(data_root=root_copy)
    msg = str(err.value)
    assert path in msg and 'question_index 3' in msg and '"maybe"' in msg
    assert '28 CLEVR answers' in msg


def test_answers_of_older_dumps_are_normalised(root_copy):
    path, content = questions_of(root_copy)
    exist = next(q for q in content['questions']
                 if q['program'][-1]['function'] == 'exist')
    count = next(q for q in content['questions']
                 if q['program'][-1]['function'] == 'count')
    expected = {
        exist['question_index']: exist['answer'] == 'yes',
        count['question_index']: int(count['answer'])
    }
    exist['answer'] = expected[exist['question_index']]  # a JSON bool
    count['answer'] = expected[count['question_index']]  # a JSON int
    rewrite(path, content)
    ds = CLEVRDataset(data_root=root_copy)
    infos = {i['question_id']: i for i in ds.load_data_list()}
    assert CLEVR_ANSWERS[infos[exist['question_index']]['gt_answer']] == (
        'yes' if expected[exist['question_index']] else 'no')
    assert CLEVR_ANSWERS[infos[count['question_index']]['gt_answer']] == str(
        expected[count['question_index']])


def test_unknown_last_function_names_it(root_copy):
    path, content = questions_of(root_copy)
    content['questions'][2]['program'][-1]['function'] = 'relate'
    rewrite(path, content)
    with pytest.raises(ValueError, match=r'question_index 2.*"relate"'):
        CLEVRDataset(data_root=root_copy)


def test_mixed_answered_and_unanswered(root_copy):
    path, content = questions_of(root_copy)
    del content['questions'][5]['answer']
    rewrite(path, content)
    with pytest.raises(ValueError, match='question_index 5.*all answered'):
        CLEVRDataset(data_root=root_copy)


def test_missing_or_malformed_question_file(root_copy):
    path, _ = questions_of(root_copy)
    with pytest.raises(DatasetLayoutError) as err:
        CLEVRDataset(data_root=root_copy, split='val')
    assert 'CLEVR_val_questions.json' in str(err.value)
    assert 'images/<split>/CLEVR_<split>_000000.png' in str(err.value)
    with open(path, 'w') as f:
        f.write('{"questions": [')
    with pytest.raises(DatasetLayoutError, match='not valid JSON'):
        CLEVRDataset(data_root=root_copy)
    rewrite(path, [{'question': 'q'}])
    with pytest.raises(DatasetLayoutError, match='"questions" list'):
        CLEVRDataset(data_root=root_copy)
    rewrite(path, {'questions': [{'image_filename': 'a.png', 'answer': 'no'}]})
    with pytest.raises(ValueError, match='"question" must be a string'):
        CLEVRDataset(data_root=root_copy)


def test_missing_image_directory_and_file(root_copy):
    image = osp.join(root_copy, 'images', 'train', 'CLEVR_train_000001.png')
    os.remove(image)
    ds = CLEVRDataset(data_root=root_copy, pipeline=PIPELINE)
    ds[0]  # image 0 is still there
    # questions 5..9 are about image 1
    with pytest.raises(FileNotFoundError, match='CLEVR_train_000001.png'):
        ds[5]
    shutil.rmtree(osp.join(root_copy, 'images', 'train'))
    with pytest.raises(DatasetLayoutError, match='image directory'):
        CLEVRDataset(data_root=root_copy)
