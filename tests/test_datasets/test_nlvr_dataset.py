"""Tests for vlframe/datasets/nlvr.py (Cornell NLVR JSON lines + PNGs)."""
import json
import os
import os.path as osp
import shutil
from collections import defaultdict

import cv2
import numpy as np
import pytest
import torch

import vlframe.datasets.nlvr as nlvr_module
import vlframe.datasets.transforms.loading  # noqa: F401 (registers it)
from vlframe.datasets import DatasetLayoutError, NLVRDataset
from vlframe.datasets.generators.nlvr_format import generate_nlvr_format
from vlframe.registry import DATASETS

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(
        type='PackVLInputs',
        input_keys=(),
        meta_keys=('question_id', 'question_text', 'img_path', 'image_id',
                   'question_family', 'question_subtype'))
]
# two lines exactly as in nlvr/dev/dev.json of github.com/lil-lab/nlvr
# (structured_rep shortened)
REAL_LINES = [
    '{"sentence":"There is a tower with four blocks.","label":"true",'
    '"identifier":"3125-1","directory":"2","evals":{"r1":"true","r4":"true",'
    '"r7":"true","r0":"true","r6":"true"},"structured_rep":[[{"y_loc":80,'
    '"type":"square","color":"Yellow","x_loc":40,"size":20}],[],[]]}',
    '{"sentence":"There is a tower with a blue block over a yellow block",'
    '"label":"false","identifier":"3877-2","directory":"1","evals":{"r1":'
    '"false"},"structured_rep":[[],[],[]]}',
]


@pytest.fixture(scope='module')
def nlvr_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('nlvr'))
    generate_nlvr_format(root, 'train', num_sentences=8, seed=0)
    generate_nlvr_format(
        root,
        'test',
        num_sentences=4,
        seed=1,
        images_per_identifier=2,
        with_labels=False)
    return root


@pytest.fixture
def root_copy(nlvr_root, tmp_path):
    dst = str(tmp_path / 'nlvr')
    shutil.copytree(nlvr_root, dst)
    return dst


def read_lines(root, split='train'):
    path = osp.join(root, split, f'{split}.json')
    with open(path) as f:
        return path, [json.loads(line) for line in f if line.strip()]


def write_lines(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def test_build_from_registry_and_load_samples(nlvr_root):
    ds = DATASETS.build(
        dict(
            type='NLVRDataset',
            data_root=nlvr_root,
            split='train',
            pipeline=PIPELINE))
    assert isinstance(ds, NLVRDataset)
    assert ds.metainfo['classes'] == ('false', 'true')
    _, lines = read_lines(nlvr_root)
    assert len(ds) == 8 * 6
    info = ds.get_data_info(9)  # sentence 1, image 3
    record = lines[1]
    assert info['identifier'] == record['identifier'] == '0-1'
    assert info['image_order'] == 3 and info['image_id'] == '0-1-3'
    assert info['question_text'] == record['sentence']
    assert info['gt_answer'] == (1 if record['label'] == 'true' else 0)
    assert info['question_family'] == 'nlvr'
    assert info['img_path'] == osp.join(nlvr_root, 'train', 'images',
                                        record['directory'], 'train-0-1-3.png')
    packed = ds[9]
    img = packed['inputs']['img']
    assert img.shape == (3, 100, 400) and img.dtype == torch.uint8
    sample = packed['data_samples']
    assert int(sample.gt_answer) == info['gt_answer']
    assert sample.question_text == record['sentence']
    assert sample.image_id == '0-1-3'


def test_every_image_of_an_identifier_is_a_sample(root_copy):
    path, lines = read_lines(root_copy)
    # real NLVR identifiers can lack some of the six orders
    folder = osp.join(root_copy, 'train', 'images', lines[2]['directory'])
    for k in (1, 4):
        os.remove(osp.join(folder, f'train-{lines[2]["identifier"]}-{k}.png'))
    ds = NLVRDataset(data_root=root_copy)
    by_identifier = defaultdict(list)
    for info in ds.load_data_list():
        by_identifier[info['identifier']].append(info)
    assert len(ds) == 8 * 6 - 2
    for record in lines:
        infos = by_identifier[record['identifier']]
        expected = ([0, 2, 3, 5] if record is lines[2] else list(range(6)))
        assert [i['image_order'] for i in infos] == expected
        label = 1 if record['label'] == 'true' else 0
        assert {i['gt_answer'] for i in infos} == {label}
        assert {i['question_text'] for i in infos} == {record['sentence']}
        assert all(osp.isfile(i['img_path']) for i in infos)
    # question ids are the sample positions
    assert [i['question_id']
            for i in ds.load_data_list()] == list(range(len(ds)))


def test_images_are_indexed_with_one_listing_per_folder(
        root_copy, monkeypatch):
    calls = []
    real_scandir = os.scandir

    def counting_scandir(path):
        calls.append(path)
        return real_scandir(path)

    monkeypatch.setattr(nlvr_module.os, 'scandir', counting_scandir)
    NLVRDataset(data_root=root_copy)
    # images/ and its two numbered folders, once each, for 8 sentences
    assert len(calls) == 3 and len(set(calls)) == 3


def test_real_file_lines_and_names(tmp_path):
    root = str(tmp_path)
    write_lines_dir = osp.join(root, 'dev')
    os.makedirs(write_lines_dir)
    write_lines(osp.join(write_lines_dir, 'dev.json'), REAL_LINES)
    blank = np.full((100, 400, 3), 255, np.uint8)
    for directory, identifier in (('2', '3125-1'), ('1', '3877-2')):
        folder = osp.join(root, 'dev', 'images', directory)
        os.makedirs(folder, exist_ok=True)
        for k in range(6):
            cv2.imwrite(osp.join(folder, f'dev-{identifier}-{k}.png'), blank)
    # unrelated files in the image tree are ignored
    open(osp.join(root, 'dev', 'images', '.DS_Store'), 'w').close()
    ds = NLVRDataset(data_root=root, split='dev', pipeline=PIPELINE)
    assert len(ds) == 12
    assert [ds.get_data_info(i)['gt_answer']
            for i in (0, 5, 6, 11)] == [1, 1, 0, 0]
    assert ds.get_data_info(7)['img_path'] == osp.join(root, 'dev', 'images',
                                                       '1', 'dev-3877-2-1.png')
    assert ds[11]['inputs']['img'].shape == (3, 100, 400)


def test_hidden_test_split_loads_for_prediction_only(nlvr_root):
    ds = NLVRDataset(
        data_root=nlvr_root, split='test', test_mode=True, pipeline=PIPELINE)
    assert len(ds) == 4 * 2
    assert 'gt_answer' not in ds.get_data_info(3)
    assert 'gt_answer' not in ds[3]['data_samples']
    with pytest.raises(DatasetLayoutError, match='test_mode=True'):
        NLVRDataset(data_root=nlvr_root, split='test')


def test_directory_selection(nlvr_root):
    _, lines = read_lines(nlvr_root)
    val = NLVRDataset(data_root=nlvr_root, directories=['1'])
    train = NLVRDataset(data_root=nlvr_root, exclude_directories=['1'])
    in_1 = {r['identifier'] for r in lines if r['directory'] == '1'}
    assert {i['identifier'] for i in val.load_data_list()} == in_1
    assert not in_1 & {i['identifier'] for i in train.load_data_list()}
    assert len(val) + len(train) == 8 * 6
    with pytest.raises(ValueError, match=r"leave no sentence.*\['0', '1'\]"):
        NLVRDataset(data_root=nlvr_root, directories=['7'])


def test_paths_can_be_overridden(nlvr_root, tmp_path):
    ann = str(tmp_path / 'sentences.jsonl')
    shutil.copy(osp.join(nlvr_root, 'train', 'train.json'), ann)
    ds = NLVRDataset(
        data_root=nlvr_root,
        split='train',
        ann_file=ann,
        img_prefix='train/images')
    assert len(ds) == 8 * 6


def test_bad_json_line_names_file_and_line(root_copy):
    path, _ = read_lines(root_copy)
    with open(path) as f:
        lines = f.read().splitlines()
    lines[2] = lines[2][:-5]  # truncated
    write_lines(path, lines)
    with pytest.raises(ValueError) as err:
        NLVRDataset(data_root=root_copy)
    assert f'{path}, line 3' in str(err.value)
    assert 'JSON' in str(err.value)


@pytest.mark.parametrize('field, value, message', [
    ('label', 'maybe', r'line 2: "label" must be "true" or "false", got '
     r"'maybe'"),
    ('sentence', None, r'line 2: "sentence" must be a string'),
    ('identifier', 12, r'line 2: "identifier" must be a string'),
])
def test_bad_fields_name_file_and_line(root_copy, field, value, message):
    path, records = read_lines(root_copy)
    records[1][field] = value
    write_lines(path, [json.dumps(r) for r in records])
    with pytest.raises(ValueError, match=message):
        NLVRDataset(data_root=root_copy)


def test_identifier_without_images_names_the_expected_path(root_copy):
    path, records = read_lines(root_copy)
    records[3]['identifier'] = '99-0'
    write_lines(path, [json.dumps(r) for r in records])
    with pytest.raises(DatasetLayoutError) as err:
        NLVRDataset(data_root=root_copy)
    msg = str(err.value)
    assert f'{path}, line 4' in msg
    expected = osp.join(root_copy, 'train', 'images', records[3]['directory'],
                        'train-99-0-<k>.png')
    assert expected in msg and 'k in 0..5' in msg


def test_unreadable_image_names_the_file(root_copy):
    ds = NLVRDataset(data_root=root_copy, pipeline=PIPELINE)
    path = ds.get_data_info(4)['img_path']
    with open(path, 'wb') as f:
        f.write(b'not a png')
    with pytest.raises(OSError, match=path.replace('.', r'\.')):
        ds[4]


def test_missing_files_and_folders(root_copy):
    with pytest.raises(DatasetLayoutError) as err:
        NLVRDataset(data_root=root_copy, split='dev')
    assert osp.join('dev', 'dev.json') in str(err.value)
    assert '<split>-<identifier>-<k>.png' in str(err.value)
    shutil.rmtree(osp.join(root_copy, 'train', 'images'))
    with pytest.raises(DatasetLayoutError, match='image directory'):
        NLVRDataset(data_root=root_copy)
    path, _ = read_lines(root_copy)
    write_lines(path, ['', ''])
    with pytest.raises(DatasetLayoutError, match='holds no sentences'):
        NLVRDataset(data_root=root_copy)


def test_an_image_in_two_folders_is_an_error(root_copy):
    _, records = read_lines(root_copy)
    images = osp.join(root_copy, 'train', 'images')
    name = f'train-{records[0]["identifier"]}-2.png'
    other = '1' if records[0]['directory'] == '0' else '0'
    shutil.copy(
        osp.join(images, records[0]['directory'], name),
        osp.join(images, other, name))
    with pytest.raises(DatasetLayoutError, match='exists twice'):
        NLVRDataset(data_root=root_copy)
