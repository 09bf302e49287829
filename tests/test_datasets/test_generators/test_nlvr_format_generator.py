"""Tests for vlframe/datasets/generators/nlvr_format.py.

Labels are checked against the pixels: objects are found in the drawn image
by colour and connected components, their shapes from how much of their
bounding box they fill, and each sentence is parsed and evaluated here, on
those objects, independently of the generator's own evaluation.
"""
import json
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest

from vlframe.datasets.generators.nlvr_format import (BOX_ORDERS,
                                                     generate_nlvr_format,
                                                     make_nlvr_examples)

# NLVR's colour strings and the RGB they are drawn in
RGB = {'Yellow': (255, 255, 0), 'Black': (0, 0, 0), '#0099ff': (0, 153, 255)}
WORD_TO_COLOR = {'yellow': 'Yellow', 'black': 'Black', 'blue': '#0099ff'}
NUMBERS = {
    w: i
    for i, w in enumerate(('zero', 'one', 'two', 'three', 'four', 'five',
                           'six', 'seven', 'eight'))
}
REAL_KEYS = [
    'sentence', 'label', 'identifier', 'directory', 'evals', 'structured_rep'
]


def read_rgb(path):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    assert image is not None, path
    return image[..., ::-1]


def slot(image, i, height=100):
    """The i-th box of an NLVR image (boxes at x = 0, 150, 300)."""
    return image[:height, i * 150:i * 150 + 100]


def detect_objects(box_pixels):
    """[(colour, shape, extent)] of the objects drawn in one box."""
    found = []
    for color, rgb in RGB.items():
        mask = np.all(box_pixels == rgb, axis=-1).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
        for x, y, w, h, area in stats[1:]:
            fill = area / float(w * h)
            shape = ('square' if fill > 0.95 else
                     'circle' if fill > 0.6 else 'triangle')
            found.append((color, shape, int(max(w, h))))
    return sorted(found)


def evaluate(sentence, boxes):
    """Truth of a generated sentence over detected boxes (test's parser)."""
    objects = [o for box in boxes for o in box]
    m = re.fullmatch(r'There (?:is|are) exactly (\w+) (\w+) objects?\.',
                     sentence)
    if m:
        color = WORD_TO_COLOR[m.group(2)]
        return sum(o[0] == color for o in objects) == NUMBERS[m.group(1)]
    m = re.fullmatch(
        r'There (?:is|are) exactly (\w+) (square|circle|triangle)s?\.',
        sentence)
    if m:
        return sum(o[1] == m.group(2) for o in objects) == NUMBERS[m.group(1)]
    m = re.fullmatch(r'There is a box with only (\w+) objects\.', sentence)
    if m:
        color = WORD_TO_COLOR[m.group(1)]
        return any(box and all(o[0] == color for o in box) for box in boxes)
    m = re.fullmatch(r'There is a box with exactly (\w+) objects?\.', sentence)
    if m:
        return any(len(box) == NUMBERS[m.group(1)] for box in boxes)
    m = re.fullmatch(r'Every box has a (\w+) object\.', sentence)
    if m:
        color = WORD_TO_COLOR[m.group(1)]
        return all(any(o[0] == color for o in box) for box in boxes)
    m = re.fullmatch(r'There is a (\w+) (square|circle|triangle)\.', sentence)
    if m:
        color = WORD_TO_COLOR[m.group(1)]
        return any(o[0] == color and o[1] == m.group(2) for o in objects)
    raise AssertionError(f'unparsed sentence: {sentence}')


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('nlvr'))
    info = generate_nlvr_format(root, 'train', num_sentences=24, seed=3)
    return root, info


def test_layout_is_nlvr(generated):
    root, info = generated
    assert info['ann_file'] == osp.join(root, 'train', 'train.json')
    assert info['num_sentences'] == 24 and info['num_images'] == 24 * 6
    lines = read_lines(info['ann_file'])
    assert len(lines) == 24
    for n, record in enumerate(lines):
        assert list(record) == REAL_KEYS
        assert record['label'] in ('true', 'false')
        assert record['evals'] == {'r0': record['label']}
        # presentations of four: identifiers n-0 .. n-3 share the sentence
        assert record['identifier'] == f'{n // 4}-{n % 4}'
        assert record['sentence'] == lines[n - n % 4]['sentence']
        assert record['directory'] == str((n // 4) % 2)
        assert len(record['structured_rep']) == 3
        for box in record['structured_rep']:
            for obj in box:
                assert sorted(obj) == [
                    'color', 'size', 'type', 'x_loc', 'y_loc'
                ]
                assert obj['size'] in (10, 20, 30)
                assert 0 <= obj['x_loc'] <= 100 - obj['size']
                assert 0 <= obj['y_loc'] <= 100 - obj['size']
        for k in range(6):
            path = osp.join(root, 'train', 'images', record['directory'],
                            f'train-{record["identifier"]}-{k}.png')
            assert osp.isfile(path), path
    # nothing else was written
    written = sum(
        len(files)
        for _, _, files in os.walk(osp.join(root, 'train', 'images')))
    assert written == 24 * 6


def test_labels_hold_on_the_drawn_images(generated):
    root, info = generated
    for record in read_lines(info['ann_file']):
        folder = osp.join(root, 'train', 'images', record['directory'])
        image = read_rgb(
            osp.join(folder, f'train-{record["identifier"]}-0.png'))
        assert image.shape == (100, 400, 3)
        boxes = [detect_objects(slot(image, i)) for i in range(3)]
        # the drawing is the structured representation ...
        for box, rep in zip(boxes, record['structured_rep']):
            assert [(c, s) for c, s, _ in box] == sorted(
                (o['color'], o['type']) for o in rep)
        # ... and the sentence's label is its truth on the drawing
        assert evaluate(record['sentence'],
                        boxes) == (record['label'] == 'true'), record


def test_six_images_are_the_box_orders(generated):
    root, info = generated
    record = read_lines(info['ann_file'])[5]
    folder = osp.join(root, 'train', 'images', record['directory'])
    images = [
        read_rgb(osp.join(folder, f'train-{record["identifier"]}-{k}.png'))
        for k in range(6)
    ]
    assert len(set(BOX_ORDERS)) == 6
    for k, order in enumerate(BOX_ORDERS):
        for i, box in enumerate(order):
            np.testing.assert_array_equal(
                slot(images[k], i), slot(images[0], box))


def test_labels_balanced_and_not_given_by_the_sentence():
    examples = make_nlvr_examples(80, seed=0)
    labels = [e['label'] for e in examples]
    assert 0.4 <= np.mean(labels) <= 0.6
    # each presentation's one sentence is true of some scenes, false of
    # others, so a model has to look at the image
    mixed = [
        len({e['label']
             for e in examples[i:i + 4]}) == 2 for i in range(0, 80, 4)
    ]
    assert np.mean(mixed) >= 0.8
    assert len({e['template'] for e in examples}) >= 5


def test_deterministic_from_seed(tmp_path):
    a = generate_nlvr_format(
        str(tmp_path / 'a'), 'dev', 8, seed=11, images_per_identifier=2)
    b = generate_nlvr_format(
        str(tmp_path / 'b'), 'dev', 8, seed=11, images_per_identifier=2)
    c = generate_nlvr_format(
        str(tmp_path / 'c'), 'dev', 8, seed=12, images_per_identifier=2)
    assert open(a['ann_file']).read() == open(b['ann_file']).read()
    assert open(a['ann_file']).read() != open(c['ann_file']).read()
    for rel in ('0/dev-0-0-0.png', '1/dev-1-3-1.png'):
        np.testing.assert_array_equal(
            read_rgb(osp.join(a['img_dir'], rel)),
            read_rgb(osp.join(b['img_dir'], rel)))
    assert a['num_images'] == 16


def test_unlabelled_split(tmp_path):
    info = generate_nlvr_format(
        str(tmp_path),
        'test',
        4,
        seed=1,
        images_per_identifier=1,
        with_labels=False)
    for record in read_lines(info['ann_file']):
        assert 'label' not in record and 'evals' not in record
        assert list(record) == [
            'sentence', 'identifier', 'directory', 'structured_rep'
        ]


@pytest.mark.parametrize('kwargs, message', [
    (dict(images_per_identifier=7), 'images_per_identifier'),
    (dict(image_size=(100, 300)), 'image_size'),
    (dict(num_sentences=0), 'num_sentences'),
    (dict(max_objects_per_box=9), 'max_objects_per_box'),
])
def test_bad_arguments(tmp_path, kwargs, message):
    args = dict(root=str(tmp_path), split='train', num_sentences=4, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        generate_nlvr_format(**args)
