"""Tests for vlframe/datasets/generators/clevr_format.py.

Answers are checked against the pixels: objects are found in the drawn
image (connected components; colour from the pixels, shape from the
bounding box, material from the white highlight, size from the extent) and
every question's program is executed here, on those objects, by an
executor written for the test.
"""
import json
import os.path as osp
from collections import Counter

import cv2
import numpy as np
import pytest

from vlframe.datasets.generators.clevr_format import generate_clevr_format

# CLEVR's colours (its generator's data/properties.json)
CLEVR_RGB = {
    (87, 87, 87): 'gray',
    (173, 35, 35): 'red',
    (42, 75, 215): 'blue',
    (29, 105, 20): 'green',
    (129, 74, 25): 'brown',
    (129, 38, 192): 'purple',
    (41, 208, 208): 'cyan',
    (255, 238, 51): 'yellow',
}
WHITE = (255, 255, 255)
# the CLEVR paper's question types, by the answering function
FAMILY = {
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
ANSWERS_28 = {
    'yes', 'no', 'gray', 'red', 'blue', 'green', 'brown', 'purple', 'cyan',
    'yellow', 'cube', 'sphere', 'cylinder', 'rubber', 'metal', 'large', 'small'
} | {str(n)
     for n in range(11)}


def read_rgb(path):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    assert image is not None, path
    return image[..., ::-1]


def detect_objects(image):
    """Objects as dicts of the four attributes plus their centre (x, y)."""
    pixels = image.reshape(-1, 3)
    colors, counts = np.unique(pixels, axis=0, return_counts=True)
    background = colors[counts.argmax()]
    mask = np.any(image != background, axis=-1).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, 8)
    objects = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        inside = image[labels == i]
        values, freq = np.unique(inside, axis=0, return_counts=True)
        body = tuple(int(v) for v in values[freq.argmax()])
        has_white = np.all(inside == WHITE, axis=-1).any()
        # every pixel is the body colour or the white highlight
        assert np.all(np.all(inside == body, -1) | np.all(inside == WHITE, -1))
        if h / w > 1.3:
            shape = 'cylinder'
        elif area / float(w * h) > 0.95:
            shape = 'cube'
        else:
            shape = 'sphere'
        objects.append(
            dict(
                color=CLEVR_RGB[body],
                shape=shape,
                material='metal' if has_white else 'rubber',
                size='large' if h > 25 else 'small',
                center=(x + w // 2, y + h // 2)))
    return objects


def execute(program, objects):
    """Run a CLEVR program (without spatial relations) on objects."""
    outputs = []
    for step in program:
        name = step['function'] if 'function' in step else step['type']
        args = [outputs[i] for i in step['inputs']]
        values = step['value_inputs']
        if name == 'scene':
            out = list(range(len(objects)))
        elif name.startswith('filter_'):
            attr = name[len('filter_'):]
            out = [i for i in args[0] if objects[i][attr] == values[0]]
        elif name == 'unique':
            assert len(args[0]) == 1, 'unique() of a non-unique set'
            out = args[0][0]
        elif name == 'count':
            out = len(args[0])
        elif name == 'exist':
            out = bool(args[0])
        elif name.startswith('query_'):
            out = objects[args[0]][name[len('query_'):]]
        elif name == 'equal_integer':
            out = args[0] == args[1]
        elif name == 'less_than':
            out = args[0] < args[1]
        elif name == 'greater_than':
            out = args[0] > args[1]
        elif name.startswith('equal_'):
            attr = name[len('equal_'):]
            out = objects[args[0]][attr] == objects[args[1]][attr]
        else:
            raise AssertionError(f'unexpected function {name}')
        outputs.append(out)
    answer = outputs[-1]
    if isinstance(answer, bool):
        return 'yes' if answer else 'no'
    return str(answer)


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('clevr'))
    info = generate_clevr_format(
        root, 'train', num_images=8, questions_per_image=5, seed=2)
    with open(info['question_file']) as f:
        questions = json.load(f)
    with open(info['scene_file']) as f:
        scenes = json.load(f)
    return root, info, questions, scenes


def test_layout_is_clevr(generated):
    root, info, questions, scenes = generated
    assert info['question_file'] == osp.join(root, 'questions',
                                             'CLEVR_train_questions.json')
    assert sorted(questions) == ['info', 'questions']
    assert len(questions['questions']) == info['num_questions'] == 40
    for i, q in enumerate(questions['questions']):
        assert sorted(q) == sorted([
            'image_index', 'program', 'question_index', 'image_filename',
            'question_family_index', 'split', 'answer', 'question'
        ])
        assert q['question_index'] == i and q['image_index'] == i // 5
        assert q['image_filename'] == f'CLEVR_train_{i // 5:06d}.png'
        assert osp.isfile(
            osp.join(root, 'images', 'train', q['image_filename']))
        for step in q['program']:
            assert sorted(step) == ['function', 'inputs', 'value_inputs']
    assert len(scenes['scenes']) == 8


def test_answers_hold_on_the_drawn_images(generated):
    root, _, questions, scenes = generated
    detected = {}
    for scene in scenes['scenes']:
        image = read_rgb(
            osp.join(root, 'images', 'train', scene['image_filename']))
        assert image.shape == (160, 240, 3)
        objects = detect_objects(image)
        # the drawing is the scene file
        assert len(objects) == len(scene['objects'])
        for obj in scene['objects']:
            x, y = obj['pixel_coords'][:2]
            match = [o for o in objects if o['center'] == (x, y)]
            assert len(match) == 1, obj
            for attr in ('color', 'shape', 'material', 'size'):
                assert match[0][attr] == obj[attr], (attr, obj)
        detected[scene['image_index']] = objects
    for q in questions['questions']:
        answer = execute(q['program'], detected[q['image_index']])
        assert answer == q['answer'], q
        assert q['answer'] in ANSWERS_28


def test_families_from_the_last_function(generated):
    _, _, questions, _ = generated
    families = Counter()
    family_index = {}
    for q in questions['questions']:
        last = q['program'][-1]['function']
        families[FAMILY[last]] += 1
        # one template index per answering function
        assert family_index.setdefault(last, q['question_family_index']) == \
            q['question_family_index']
    # the five types cycle question by question
    assert sorted(families) == sorted(set(FAMILY.values()))
    assert min(families.values()) >= 5
    assert len(set(family_index.values())) == len(family_index)


def test_answers_cover_the_vocabulary_kinds(tmp_path):
    info = generate_clevr_format(
        str(tmp_path), 'val', num_images=30, questions_per_image=5, seed=0)
    with open(info['question_file']) as f:
        answers = Counter(q['answer'] for q in json.load(f)['questions'])
    assert answers['yes'] > 0 and answers['no'] > 0
    assert any(a.isdigit() for a in answers)
    assert any(a in ('cube', 'sphere', 'cylinder') for a in answers)
    assert any(a in ('rubber', 'metal') for a in answers)
    assert set(answers) <= ANSWERS_28


def test_deterministic_from_seed(tmp_path):
    a = generate_clevr_format(str(tmp_path / 'a'), 'val', 3, 4, seed=7)
    b = generate_clevr_format(str(tmp_path / 'b'), 'val', 3, 4, seed=7)
    c = generate_clevr_format(str(tmp_path / 'c'), 'val', 3, 4, seed=8)
    read = lambda info: open(info['question_file']).read()  # noqa: E731
    assert read(a) == read(b) and read(a) != read(c)
    np.testing.assert_array_equal(
        read_rgb(osp.join(a['image_dir'], 'CLEVR_val_000002.png')),
        read_rgb(osp.join(b['image_dir'], 'CLEVR_val_000002.png')))


def test_test_split_and_older_program_key(tmp_path):
    info = generate_clevr_format(
        str(tmp_path), 'test', 2, 3, seed=1, with_answers=False)
    with open(info['question_file']) as f:
        for q in json.load(f)['questions']:
            assert sorted(q) == sorted([
                'image_index', 'question_index', 'image_filename', 'split',
                'question'
            ])
    assert info['scene_file'] is None
    info = generate_clevr_format(
        str(tmp_path), 'old', 2, 3, seed=1, program_key='type')
    with open(info['question_file']) as f:
        for q in json.load(f)['questions']:
            assert all(
                sorted(s) == ['inputs', 'type', 'value_inputs']
                for s in q['program'])


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_images=0), 'num_images'),
    (dict(questions_per_image=0), 'questions_per_image'),
    (dict(min_objects=5, max_objects=4), 'min_objects'),
    (dict(program_key='fn'), 'program_key'),
])
def test_bad_arguments(tmp_path, kwargs, message):
    args = dict(root=str(tmp_path), split='train', num_images=1, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        generate_clevr_format(**args)
