"""Tests for vlframe/datasets/generators/vqa_format.py."""
import json
import os
import os.path as osp
import re
from collections import Counter

import cv2
import h5py
import numpy as np
import pytest

from vlframe.datasets.generators.sort_of_clevr import COLORS_RGB, IMG_SIZE
from vlframe.datasets.generators.vqa_format import (ANSWER_VARIANTS,
                                                    WRONG_ANSWERS,
                                                    generate_vqa_format_set,
                                                    main, vqa_file_names,
                                                    vqa_question_type)
from vlframe.evaluation.functional.vqa_answers import (normalize_answer,
                                                       vqa_question_accuracy)

QUESTION_KEYS = {'image_id', 'question', 'question_id'}
ANNOTATION_KEYS = {
    'question_type', 'multiple_choice_answer', 'answers', 'image_id',
    'answer_type', 'question_id'
}


def load(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('vqa_gen'))
    paths = generate_vqa_format_set(
        out, split='train2014', num_images=12, seed=4, image_size=150,
        questions_per_family=10)
    return paths


def test_file_names_official():
    assert vqa_file_names('train2014') == dict(
        questions='v2_OpenEnded_mscoco_train2014_questions.json',
        annotations='v2_mscoco_train2014_annotations.json')
    assert vqa_file_names('val2014', 'v1') == dict(
        questions='OpenEnded_mscoco_val2014_questions.json',
        annotations='mscoco_val2014_annotations.json')
    with pytest.raises(ValueError, match='"v1" or "v2"'):
        vqa_file_names('val2014', 'v3')


def test_question_type_is_longest_official_prefix():
    assert vqa_question_type('What is the shape of the red object?') == \
        'what is the'
    assert vqa_question_type('Is the red object on the left?') == 'is the'
    assert vqa_question_type(
        'How many objects have the same shape as the red object?') == \
        'how many'
    assert vqa_question_type('Is there an object on the line?') == 'is there'
    assert vqa_question_type('Why?') == 'none of the above'


def test_official_schema(generated):
    root = osp.dirname(generated['questions'])
    assert osp.basename(generated['questions']) == \
        'v2_OpenEnded_mscoco_train2014_questions.json'
    assert osp.basename(generated['annotations']) == \
        'v2_mscoco_train2014_annotations.json'
    qfile, afile = load(generated['questions']), load(generated['annotations'])
    assert qfile['data_subtype'] == 'train2014' == afile['data_subtype']
    assert qfile['task_type'] == 'Open-Ended'
    assert qfile['data_type'] == 'mscoco'
    questions, annotations = qfile['questions'], afile['annotations']
    assert len(questions) == len(annotations) == 12 * 20
    images = set()
    per_image = Counter()
    for q, a in zip(questions, annotations):
        assert set(q) == QUESTION_KEYS and set(a) == ANNOTATION_KEYS
        assert q['question_id'] == a['question_id']
        assert q['image_id'] == a['image_id']
        # VQA v2 numbering: image_id * 1000 + k
        assert q['question_id'] == q['image_id'] * 1000 + per_image[
            q['image_id']]
        per_image[q['image_id']] += 1
        images.add(q['image_id'])
        assert [h['answer_id'] for h in a['answers']] == list(range(1, 11))
        assert all(
            set(h) == {'answer', 'answer_confidence', 'answer_id'}
            and h['answer_confidence'] in ('yes', 'maybe', 'no')
            for h in a['answers'])
        counts = Counter(h['answer'] for h in a['answers'])
        assert a['multiple_choice_answer'] == counts.most_common(1)[0][0]
        assert counts[a['multiple_choice_answer']] >= 5
        assert a['answer_type'] == ('yes/no' if a['multiple_choice_answer']
                                    in ('yes', 'no') else 'number'
                                    if a['multiple_choice_answer'].isdigit()
                                    else 'other')
        assert a['question_type'] == vqa_question_type(q['question'])
    assert len(images) == 12
    for image_id in images:
        path = osp.join(root, 'train2014',
                        f'COCO_train2014_{image_id:012d}.jpg')
        img = cv2.imread(path)
        assert img.shape == (150, 150, 3)
    assert sorted(os.listdir(osp.join(root, 'train2014'))) == sorted(
        f'COCO_train2014_{i:012d}.jpg' for i in images)
    assert load(generated['answer_vocab']) == [
        'yes', 'no', 'rectangle', 'circle', '1', '2', '3', '4', '5', '6'
    ]


def test_annotators_disagree_like_humans(generated):
    annotations = load(generated['annotations'])['annotations']
    unanimous = sum(
        len({h['answer'] for h in a['answers']}) == 1 for a in annotations)
    # seeded disagreement: most questions are unanimous, many are not
    assert 0.25 * len(annotations) < unanimous < 0.75 * len(annotations)
    for a in annotations:
        truth = a['multiple_choice_answer']
        # the official metric gives the true answer full credit
        assert vqa_question_accuracy(
            truth, [h['answer'] for h in a['answers']]) == 1.0
        for h in a['answers']:
            assert (h['answer'] == truth or h['answer'] in
                    ANSWER_VARIANTS[truth] or h['answer'] in
                    WRONG_ANSWERS[truth])


def test_variants_normalise_to_the_answer_and_wrong_ones_do_not():
    for answer, variants in ANSWER_VARIANTS.items():
        for variant in variants:
            assert variant != answer
            assert normalize_answer(variant) == answer, variant
        for wrong in WRONG_ANSWERS[answer]:
            assert normalize_answer(wrong) != answer


def _truth(question, objects):
    """The answer recomputed from the scene (binary-question templates)."""
    by_color = {o['color']: o for o in objects}
    half = IMG_SIZE / 2
    m = re.fullmatch(r'Is the (\w+) object on the (left|top)\?', question)
    if m:
        o = by_color[m.group(1)]
        return 'yes' if (o['x'] if m.group(2) == 'left' else o['y']) < half \
            else 'no'
    m = re.fullmatch(r'(.*) the (\w+) object\?', question)
    head, target = m.group(1), by_color[m.group(2)]
    others = [o for o in objects if o is not target]

    def sq_dist(o):
        return (o['x'] - target['x'])**2 + (o['y'] - target['y'])**2

    if head == 'What is the shape of':
        return target['shape']
    if head == 'What is the shape of the object closest to':
        return min(others, key=sq_dist)['shape']
    if head == 'What is the shape of the object furthest from':
        return max(others, key=sq_dist)['shape']
    assert head == 'How many objects have the same shape as', question
    return str(sum(o['shape'] == target['shape'] for o in objects))


def test_answers_match_the_drawn_scene(generated):
    scenes = {s['image_id']: s for s in load(generated['scenes'])['scenes']}
    qs = load(generated['questions'])['questions']
    anns = load(generated['annotations'])['annotations']
    checked = Counter()
    for q, a in zip(qs, anns):
        truth = _truth(q['question'], scenes[q['image_id']]['objects'])
        assert a['multiple_choice_answer'] == truth, q['question']
        checked[a['question_type']] += 1
    assert set(checked) == {'what is the', 'is the', 'how many'}


def test_images_show_the_scene(generated):
    root = osp.dirname(generated['questions'])
    scale = 150 / IMG_SIZE
    names = [o['color'] for o in load(generated['scenes'])['scenes'][0]
             ['objects']]
    assert names == ['red', 'green', 'blue', 'orange', 'gray', 'yellow']
    for scene in load(generated['scenes'])['scenes']:
        path = osp.join(root, 'train2014',
                        f'COCO_train2014_{scene["image_id"]:012d}.jpg')
        img = cv2.imread(path)[..., ::-1].astype(int)  # RGB
        assert (img[0, 0] > 240).all()  # white background
        objects = scene['objects']
        for i, o in enumerate(objects):
            # objects are drawn in colour order; skip ones a later object
            # may cover
            if any(abs(p['x'] - o['x']) <= 11 and abs(p['y'] - o['y']) <= 11
                   for p in objects[i + 1:]):
                continue
            row, col = int((o['y'] + 0.5) * scale), int((o['x'] + 0.5) * scale)
            assert np.abs(img[row, col] - COLORS_RGB[i]).max() < 40, o
            # 4 px diagonally from the centre: inside a square, outside a
            # circle of radius 5
            r2, c2 = int((o['y'] + 4.5) * scale), int((o['x'] + 4.5) * scale)
            inside = np.abs(img[r2, c2] - COLORS_RGB[i]).max() < 60
            if not any(abs(p['x'] - o['x']) <= 16 and abs(p['y'] - o['y'])
                       <= 16 for p in objects if p is not o):
                assert inside == (o['shape'] == 'rectangle'), o


def test_features(generated):
    questions = load(generated['questions'])['questions']
    image_ids = sorted({q['image_id'] for q in questions})
    with h5py.File(generated['feature_file'], 'r') as h5:
        ids = h5['image_ids'][()]
        feats = h5['features'][()]
    assert ids.dtype == np.int64 and sorted(ids.tolist()) == image_ids
    assert feats.shape == (12, 3 * 8 * 8) and feats.dtype == np.float32
    assert 0 <= feats.min() and feats.max() <= 1
    assert len(np.unique(feats, axis=0)) == 12
    for image_id, feat in zip(ids.tolist(), feats):
        npy = np.load(osp.join(generated['feature_dir'], f'{image_id}.npy'))
        assert np.array_equal(npy, feat)


def test_deterministic_from_seed(tmp_path):
    a = generate_vqa_format_set(str(tmp_path / 'a'), num_images=3, seed=7)
    b = generate_vqa_format_set(str(tmp_path / 'b'), num_images=3, seed=7)
    c = generate_vqa_format_set(str(tmp_path / 'c'), num_images=3, seed=8)
    for key in ('questions', 'annotations', 'scenes'):
        assert load(a[key]) == load(b[key])
        assert load(a[key]) != load(c[key])
    for name in os.listdir(a['img_dir']):
        with open(osp.join(a['img_dir'], name), 'rb') as fa, \
                open(osp.join(b['img_dir'], name), 'rb') as fb:
            assert fa.read() == fb.read()
    with h5py.File(a['feature_file']) as fa, \
            h5py.File(b['feature_file']) as fb:
        assert np.array_equal(fa['features'][()], fb['features'][()])


def test_test_split_and_v1_and_no_features(tmp_path):
    paths = generate_vqa_format_set(
        str(tmp_path), split='test2015', num_images=2, seed=1, version='v1',
        features=())
    assert 'annotations' not in paths
    assert sorted(os.listdir(tmp_path)) == [
        'OpenEnded_mscoco_test2015_questions.json', 'answer_vocab.json',
        'test2015', 'test2015_scenes.json'
    ]
    qfile = load(paths['questions'])
    assert qfile['data_subtype'] == 'test2015'
    assert qfile['info']['version'] == '1.0'


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='features may hold'):
        generate_vqa_format_set(str(tmp_path), num_images=1, features=('zip',))
    with pytest.raises(ValueError, match='image_size'):
        generate_vqa_format_set(str(tmp_path), num_images=1, image_size=0)
    with pytest.raises(ValueError, match='num_images'):
        generate_vqa_format_set(str(tmp_path), num_images=0)


def test_cli(tmp_path, capsys):
    out = str(tmp_path / 'cli')
    paths = main(['--out-dir', out, '--split', 'val2014', '--num-images',
                  '2', '--seed', '3', '--features', 'npy'])
    printed = capsys.readouterr().out
    assert f'questions: {out}/v2_OpenEnded_mscoco_val2014_questions.json' \
        in printed
    assert 'feature_dir' in paths and 'feature_file' not in paths
    assert len(load(paths['annotations'])['annotations']) == 2 * 10
