"""Tests for vlframe/datasets/vqa.py on a generated set in the official
VQA v2 / v1 layout (vlframe/datasets/generators/vqa_format.py)."""
import json
import os
import os.path as osp
import shutil
from collections import Counter

import h5py
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from vlframe.datasets import DatasetLayoutError, VQADataset
from vlframe.datasets.generators.vqa_format import generate_vqa_format_set
from vlframe.datasets.transforms.loading import ImageDecodeError
from vlframe.registry import DATASETS
from vlframe.structures import stack_answer_targets

QFILE = 'v2_OpenEnded_mscoco_train2014_questions.json'
AFILE = 'v2_mscoco_train2014_annotations.json'
VOCAB = ('yes', 'no', 'rectangle', 'circle', '1', '2', '3', '4', '5', '6')
SCORES = {1: 0.3, 2: 0.6, 3: 0.9}


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    """A tiny train2014 set (4 images x 10 questions) and a test2015 set."""
    root = str(tmp_path_factory.mktemp('vqa'))
    generate_vqa_format_set(root, split='train2014', num_images=4, seed=1,
                            image_size=40)
    generate_vqa_format_set(root, split='test2015', num_images=2, seed=2)
    return root


@pytest.fixture
def copy_root(root, tmp_path):
    """A private copy of the set that a test may break."""
    dst = str(tmp_path / 'vqa')
    shutil.copytree(root, dst)
    return dst


def build(root, pipeline=(), **kwargs):
    kwargs.setdefault('question_file', QFILE)
    kwargs.setdefault('annotation_file', AFILE)
    kwargs.setdefault('answer_vocab_file', 'answer_vocab.json')
    if not any(k in kwargs for k in ('feature_file', 'feature_dir')):
        kwargs.setdefault('img_prefix', 'train2014')
    return DATASETS.build(
        dict(type='VQADataset', data_root=root, pipeline=list(pipeline),
             **kwargs))


IMAGE_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='mmcv.Resize', scale=(32, 32)),
    dict(type='PackVLInputs', input_keys=())
]
FEATURE_PIPELINE = [
    dict(type='LoadImageFeature'),
    dict(type='PackVLInputs', input_keys=())
]


def read(path):
    with open(path) as f:
        return json.load(f)


def write(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f)


def test_samples_and_soft_targets(root):
    ds = build(root, IMAGE_PIPELINE)
    assert isinstance(ds, VQADataset)
    assert ds.metainfo['classes'] == VOCAB
    assert ds.metainfo['answer_types'] == ('yes/no', 'number', 'other')
    questions = read(osp.join(root, QFILE))['questions']
    annotations = read(osp.join(root, AFILE))['annotations']
    assert len(ds) == len(questions) == 40

    for i in range(len(ds)):
        q, a = questions[i], annotations[i]
        info = ds.get_data_info(i)
        assert info['question_id'] == q['question_id']
        assert info['question_text'] == q['question']
        assert info['image_id'] == q['image_id']
        assert info['img_path'] == osp.join(
            root, 'train2014', f'COCO_train2014_{q["image_id"]:012d}.jpg')
        raw = [h['answer'] for h in a['answers']]
        assert info['answers'] == raw
        assert info['answer_type'] == info['question_family'] == \
            a['answer_type']
        assert info['question_type'] == info['question_subtype'] == \
            a['question_type']
        # soft targets by hand: raw strings counted, out-of-vocab dropped
        expected = {
            VOCAB.index(ans): SCORES.get(n, 1.0)
            for ans, n in Counter(raw).items() if ans in VOCAB
        }
        assert dict(zip(info['gt_answer'], info['gt_answer_weight'])) == \
            pytest.approx(expected)
        # the majority answer gets full credit
        assert expected[VOCAB.index(a['multiple_choice_answer'])] == 1.0
        best = VOCAB[info['gt_answer'][int(
            np.argmax(info['gt_answer_weight']))]]
        assert {'yes/no': ('yes', 'no'), 'number': tuple('123456'),
                'other': ('rectangle', 'circle')}[info['answer_type']] \
            .count(best) == 1

    out = ds[0]
    img = out['inputs']['img']
    assert img.shape == (3, 32, 32) and img.dtype == torch.uint8
    assert img[:, 0, 0].min() > 240  # white background (RGB or BGR)
    sample = out['data_samples']
    assert sample.gt_answer.dtype == torch.long
    assert sample.gt_answer_weight.dtype == torch.float32
    assert sample.gt_answer.shape == sample.gt_answer_weight.shape
    assert sample.answers == ds.get_data_info(0)['answers']
    assert sample.question_type == annotations[0]['question_type']
    assert sample.image_id == questions[0]['image_id']
    assert sample.img_path.endswith('.jpg')

    batch = pseudo_collate([ds[i] for i in range(4)])
    targets = stack_answer_targets(batch['data_samples'], len(VOCAB))
    assert targets.shape == (4, 10) and (targets.max(1).values == 1).all()


def test_images_are_rgb(root):
    ds = build(root, [dict(type='LoadImageFromFile')])
    scenes = read(osp.join(root, 'train2014_scenes.json'))
    image_id = ds.get_data_info(0)['image_id']
    scene = next(s for s in scenes['scenes'] if s['image_id'] == image_id)
    yellow = scene['objects'][5]  # drawn last: never covered
    scale = 40 / scenes['scene_size']
    pixel = ds[0]['img'][int((yellow['y'] + .5) * scale),
                         int((yellow['x'] + .5) * scale)].astype(int)
    assert np.abs(pixel - (255, 255, 0)).max() < 60


def test_h5_and_npy_features(root):
    by_h5 = build(root, FEATURE_PIPELINE,
                  feature_file='features/train2014.h5')
    by_npy = build(root, FEATURE_PIPELINE, feature_dir='features/train2014')
    with h5py.File(osp.join(root, 'features/train2014.h5')) as h5:
        rows = dict(zip(h5['image_ids'][()].tolist(), h5['features'][()]))
    assert by_h5.get_data_info(0)['feat_path'] == osp.join(
        root, 'features/train2014.h5')
    for i in (0, 15, 39):
        image_id = by_h5.get_data_info(i)['image_id']
        assert by_npy.get_data_info(i)['feat_path'] == osp.join(
            root, 'features/train2014', f'{image_id}.npy')
        a = by_h5[i]['inputs']['img_feat']
        b = by_npy[i]['inputs']['img_feat']
        assert a.shape == (192, ) and a.dtype == torch.float32
        assert torch.equal(a, b)
        assert np.array_equal(a.numpy(), rows[image_id])
    # workers forked after the main process opened the file read their own
    loader = DataLoader(by_h5, batch_size=8, num_workers=1,
                        collate_fn=pseudo_collate)
    batches = list(loader)
    assert sum(len(b['inputs']['img_feat']) for b in batches) == 40
    assert torch.equal(batches[0]['inputs']['img_feat'][0],
                       by_h5[0]['inputs']['img_feat'])


def test_h5_without_some_images_fails_at_init(copy_root):
    path = osp.join(copy_root, 'features/train2014.h5')
    with h5py.File(path, 'r') as h5:
        ids, feats = h5['image_ids'][()], h5['features'][()]
    with h5py.File(path, 'w') as h5:
        h5.create_dataset('image_ids', data=ids[1:])
        h5.create_dataset('features', data=feats[1:])
    with pytest.raises(ValueError) as info:
        build(copy_root, feature_file='features/train2014.h5')
    assert str(info.value) == (
        f'feature file {path} (3 images) has no features for 1 image ids of '
        f'{osp.join(copy_root, QFILE)}, e.g. {ids[0]}')


def test_question_only_and_v1(root, tmp_path):
    blind = build(root, img_prefix=None)
    assert 'img_path' not in blind.get_data_info(0)
    v1 = str(tmp_path / 'v1')
    generate_vqa_format_set(v1, split='val2014', num_images=2, seed=3,
                            version='v1', features=())
    ds = build(v1, question_file='OpenEnded_mscoco_val2014_questions.json',
               annotation_file='mscoco_val2014_annotations.json',
               img_prefix='val2014')
    assert len(ds) == 20
    assert osp.isfile(ds.get_data_info(0)['img_path'])
    assert osp.basename(ds.get_data_info(0)['img_path']).startswith(
        'COCO_val2014_')


def test_test_split_loads_for_prediction_only(root, copy_root):
    kwargs = dict(question_file='v2_OpenEnded_mscoco_test2015_questions.json',
                  annotation_file=None, img_prefix='test2015')
    with pytest.raises(ValueError, match='set test_mode=True'):
        build(root, **kwargs)
    ds = build(root, IMAGE_PIPELINE, test_mode=True, **kwargs)
    assert len(ds) == 20 and ds.metainfo['classes'] == VOCAB
    info = ds.get_data_info(3)
    assert sorted(info) == [
        'image_id', 'img_path', 'question_id', 'question_text', 'sample_idx'
    ]
    assert osp.isfile(info['img_path'])
    sample = ds[3]['data_samples']
    assert 'gt_answer' not in sample and 'answers' not in sample
    # test-dev questions name their images after test2015
    qpath = osp.join(copy_root, 'v2_OpenEnded_mscoco_test2015_questions.json')
    content = read(qpath)
    content['data_subtype'] = 'test-dev2015'
    write(osp.join(copy_root, 'test-dev.json'), content)
    dev = build(copy_root, test_mode=True, question_file='test-dev.json',
                annotation_file=None, img_prefix='test2015')
    assert osp.isfile(dev.get_data_info(0)['img_path'])
    # and an explicit data_subtype wins
    other = build(copy_root, test_mode=True, question_file='test-dev.json',
                  annotation_file=None, img_prefix='test2015',
                  data_subtype='val2014')
    assert 'COCO_val2014_' in other.get_data_info(0)['img_path']


def test_mismatched_question_ids(copy_root):
    apath = osp.join(copy_root, AFILE)
    content = read(apath)
    anns = content['annotations']
    dropped = [anns[3]['question_id'], anns[7]['question_id']]
    extra = dict(anns[0], question_id=999999001)
    content['annotations'] = [
        a for a in anns if a['question_id'] not in dropped
    ] + [extra]
    write(apath, content)
    with pytest.raises(ValueError) as info:
        build(copy_root)
    qpath = osp.join(copy_root, QFILE)
    assert str(info.value) == (
        f'VQA question file {qpath} (40 questions) and annotation file '
        f'{apath} (39 annotations) do not describe the same questions: '
        f'2 question ids have no annotation, e.g. {min(dropped)}, '
        f'{max(dropped)} 1 annotated question ids are not in the question '
        'file, e.g. 999999001 (are both files of the same split and VQA '
        'version?)')


def test_many_mismatches_show_five_examples(root, copy_root):
    # val annotations of another set against the train questions
    other = osp.join(copy_root, 'other')
    paths = generate_vqa_format_set(other, split='train2014', num_images=3,
                                    seed=9, features=())
    with pytest.raises(ValueError) as info:
        build(root, annotation_file=paths['annotations'])
    msg = str(info.value)
    assert '40 question ids have no annotation, e.g. ' in msg
    assert '... (40 in all)' in msg and '... (30 in all)' in msg


def test_malformed_files(copy_root):
    apath = osp.join(copy_root, AFILE)
    qpath = osp.join(copy_root, QFILE)
    content = read(apath)
    del content['annotations'][5]['answers']
    write(apath, content)
    with pytest.raises(ValueError) as info:
        build(copy_root)
    assert str(info.value).startswith(
        f'VQA annotation file {apath}: "annotations"[5] lacks the field '
        'answers (it has [')

    content['annotations'][5]['answers'] = ['yes'] * 10
    write(apath, content)
    with pytest.raises(ValueError, match='"answers" must be a list of'):
        build(copy_root)

    write(qpath, dict(data_subtype='train2014', question=[]))
    with pytest.raises(DatasetLayoutError) as info:
        build(copy_root)
    assert str(info.value).startswith(
        f'VQA question file {qpath} must be a JSON object with a '
        '"questions" list, got the keys [\'data_subtype\', \'question\']')

    write(qpath, dict(data_subtype='train2014', questions=[]))
    with pytest.raises(DatasetLayoutError, match=f'VQA question file {qpath} '
                       'holds no questions'):
        build(copy_root)

    with open(qpath, 'w') as f:
        f.write('{"questions": [')
    with pytest.raises(DatasetLayoutError, match=f'VQA question file {qpath} '
                       'is not valid JSON'):
        build(copy_root)
    os.remove(qpath)
    with pytest.raises(DatasetLayoutError, match=f'VQA question file not '
                       f'found: {qpath}'):
        build(copy_root)


def test_bad_vocabulary_and_arguments(root, tmp_path):
    vocab = str(tmp_path / 'vocab.json')
    write(vocab, {'yes': 0})
    with pytest.raises(ValueError, match=f'answer vocabulary {vocab} must '
                       'be a non-empty JSON list'):
        build(root, answer_vocab_file=vocab)
    write(vocab, ['yes', 'no', 'yes'])
    with pytest.raises(ValueError, match="more than once: \\['yes'\\]"):
        build(root, answer_vocab_file=vocab)
    with pytest.raises(ValueError, match='one image source, got img_prefix '
                       'and feature_dir'):
        build(root, feature_dir='features/train2014', img_prefix='train2014')
    with pytest.raises(DatasetLayoutError, match='VQA image directory not '
                       'found: .*val2014'):
        build(root, img_prefix='val2014')


def test_drop_questions_without_label(root, tmp_path):
    vocab = str(tmp_path / 'vocab.json')
    write(vocab, ['yes', 'no'])
    full = build(root, answer_vocab_file=vocab)
    kept = build(root, answer_vocab_file=vocab,
                 filter_cfg=dict(drop_without_label=True))
    assert len(full) == 40
    types = Counter(full.get_data_info(i)['answer_type'] for i in range(40))
    assert 0 < len(kept) < 40
    # every yes/no question has a label; others only if a human said yes/no
    assert len(kept) >= types['yes/no']
    assert all(kept.get_data_info(i)['gt_answer'] for i in range(len(kept)))


def test_missing_and_corrupt_images_name_the_file(copy_root):
    ds = build(copy_root, IMAGE_PIPELINE)
    info = ds.get_data_info(0)
    path = info['img_path']
    content = b'\xff\xd8\xff\xe0 not really a jpeg'  # a JPEG header only
    with open(path, 'wb') as f:
        f.write(content)
    with pytest.raises(ImageDecodeError) as err:
        ds[0]
    assert str(err.value).startswith(
        f'cannot decode image file {path} (question_id '
        f'{info["question_id"]}, image_id {info["image_id"]}): '
        f'{len(content)} bytes that are not a readable image')
    os.remove(path)
    with pytest.raises(FileNotFoundError) as err:
        ds[0]
    assert str(err.value) == (
        f'image file not found: {path} (question_id {info["question_id"]}, '
        f'image_id {info["image_id"]})')
