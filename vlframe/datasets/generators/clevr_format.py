"""A small set in the file layout of CLEVR v1.0, drawn in 2D.

Written for tests and quick runs of the CLEVR pipeline with no download. The
files are what ``CLEVRDataset`` reads from the real release:

* ``<root>/questions/CLEVR_<split>_questions.json``: ``{"info": ...,
  "questions": [{"image_index", "program", "question_index",
  "image_filename", "question_family_index", "split", "answer",
  "question"}]}``; programs are lists of ``{"inputs", "function",
  "value_inputs"}`` (``"type"`` instead of ``"function"`` with
  ``program_key='type'``, as CLEVR's first release), using CLEVR's function
  names, ending in the function that gives the answer;
* ``<root>/images/<split>/CLEVR_<split>_000000.png``;
* ``<root>/scenes/CLEVR_<split>_scenes.json``: the objects of every image
  (``color``, ``size``, ``shape``, ``material``, ``pixel_coords``).

A test split (``with_answers=False``) has, like CLEVR's, no answers, no
programs, no template index and no scene file.

The scenes are flat: on a grey background, ``sphere`` is a disc, ``cube`` a
square, ``cylinder`` an upright rectangle with a rounded top; ``metal``
objects carry a white highlight at their upper left, ``rubber`` ones none;
``large`` objects are about twice the size of ``small`` ones; objects never
touch. Colours are CLEVR's eight (its RGB values). Questions are CLEVR's
five types: exist, count, compare_integer (``equal_integer`` /
``less_than`` / ``greater_than``), query_attribute (``query_<attr>`` of a
uniquely described object) and compare_attribute (``equal_<attr>`` of two
uniquely described objects); answers are from the 28-answer vocabulary.
There are no spatial relations. Everything is a pure function of the
arguments (one ``numpy.random.default_rng(seed)``).
"""
import itertools
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from vlframe.datasets.clevr import (CLEVR_ANSWERS, CLEVR_COLORS,
                                    CLEVR_MATERIALS, CLEVR_SHAPES, CLEVR_SIZES)

__all__ = [
    'CLEVR_COLORS_RGB', 'ATTRIBUTES', 'QUESTION_TEMPLATES', 'make_clevr_scene',
    'render_clevr_scene', 'make_clevr_question', 'generate_clevr_format'
]

# RGB of CLEVR's colours (its generator's properties.json).
CLEVR_COLORS_RGB = {
    'gray': (87, 87, 87),
    'red': (173, 35, 35),
    'blue': (42, 75, 215),
    'green': (29, 105, 20),
    'brown': (129, 74, 25),
    'purple': (129, 38, 192),
    'cyan': (41, 208, 208),
    'yellow': (255, 238, 51),
}
# attribute -> values, in the order CLEVR writes them in a description
ATTRIBUTES = {
    'size': CLEVR_SIZES,
    'color': CLEVR_COLORS,
    'material': CLEVR_MATERIALS,
    'shape': CLEVR_SHAPES,
}
# (family, answering function) -> question_family_index written to the file
QUESTION_TEMPLATES = (
    ('exist', 'exist'),
    ('count', 'count'),
    ('compare_integer', 'equal_integer'),
    ('compare_integer', 'less_than'),
    ('compare_integer', 'greater_than'),
    ('query_attribute', 'query_size'),
    ('query_attribute', 'query_color'),
    ('query_attribute', 'query_material'),
    ('query_attribute', 'query_shape'),
    ('compare_attribute', 'equal_size'),
    ('compare_attribute', 'equal_color'),
    ('compare_attribute', 'equal_material'),
    ('compare_attribute', 'equal_shape'),
)
_FAMILIES = ('exist', 'count', 'compare_integer', 'query_attribute',
             'compare_attribute')
_BACKGROUND_RGB = (200, 200, 200)
_HIGHLIGHT_RGB = (255, 255, 255)
# half-extent in px of an object, per size, at an image height of 160
_HALF_EXTENT = {'large': 16, 'small': 8}
_GAP = 4  # px kept free between objects
_PLURAL = {'cube': 'cubes', 'sphere': 'spheres', 'cylinder': 'cylinders'}


def _half_extent(size: str, height: int) -> int:
    return max(3, int(round(_HALF_EXTENT[size] * height / 160)))


def make_clevr_scene(rng: np.random.Generator,
                     image_size: Sequence[int] = (160, 240),
                     min_objects: int = 3,
                     max_objects: int = 6) -> List[dict]:
    """Objects of one image: ``color``, ``size``, ``shape``, ``material``
    and ``pixel_coords`` ``[x, y, 0.0]`` (the centre), never touching."""
    height, width = image_size
    objects: List[dict] = []
    target = int(rng.integers(min_objects, max_objects + 1))
    for _attempt in range(200):
        if len(objects) == target:
            break
        obj = {
            name: str(values[int(rng.integers(len(values)))])
            for name, values in ATTRIBUTES.items()
        }
        half = _half_extent(obj['size'], height)
        x = int(rng.integers(half + 1, width - half - 1))
        y = int(rng.integers(half + 1, height - half - 1))
        if all(
                max(
                    abs(x - o['pixel_coords'][0]), abs(
                        y - o['pixel_coords'][1])) >= half +
                _half_extent(o['size'], height) + _GAP for o in objects):
            obj['pixel_coords'] = [x, y, 0.0]
            objects.append(obj)
    if len(objects) < min_objects:
        raise ValueError(f'could not place {min_objects} objects in an image '
                         f'of {image_size}; use a larger image_size')
    return objects


def render_clevr_scene(
    objects: Sequence[dict],
    image_size: Sequence[int] = (160, 240)) -> np.ndarray:
    """uint8 RGB (H, W, 3) drawing of the objects (see module doc)."""
    height, width = image_size
    image = np.full((height, width, 3), _BACKGROUND_RGB, dtype=np.uint8)
    for obj in objects:
        x, y = int(obj['pixel_coords'][0]), int(obj['pixel_coords'][1])
        half = _half_extent(obj['size'], height)
        color = CLEVR_COLORS_RGB[obj['color']]
        if obj['shape'] == 'sphere':
            cv2.circle(image, (x, y), half, color, -1)
        elif obj['shape'] == 'cube':
            cv2.rectangle(image, (x - half, y - half), (x + half, y + half),
                          color, -1)
        else:  # cylinder: narrower than tall, rounded top
            half_w = max(2, int(round(half * 0.6)))
            cap = max(1, half_w // 2)
            cv2.rectangle(image, (x - half_w, y - half + cap),
                          (x + half_w, y + half), color, -1)
            cv2.ellipse(image, (x, y - half + cap), (half_w, cap), 0, 0, 360,
                        color, -1)
        if obj['material'] == 'metal':
            offset = max(1, half // 3)
            cv2.circle(image, (x - offset, y - offset), max(1, half // 4),
                       _HIGHLIGHT_RGB, -1)
    return image


# ---------------------------------------------------------------- questions
def _matches(obj: dict, filters: Dict[str, str]) -> bool:
    return all(obj[name] == value for name, value in filters.items())


def _describe(filters: Dict[str, str], plural: bool = False) -> str:
    """'large red metal cube', 'small things', 'red objects' ..."""
    words = [filters[n] for n in ('size', 'color', 'material') if n in filters]
    if 'shape' in filters:
        noun = _PLURAL[filters['shape']] if plural else filters['shape']
    else:
        noun = 'things' if plural else 'thing'
    return ' '.join(words + [noun])


def _filter_program(filters: Dict[str, str], start: int,
                    key: str) -> List[dict]:
    """scene, then one filter_<attr> per attribute, chained; program
    indices start at ``start``."""
    program = [{'inputs': [], key: 'scene', 'value_inputs': []}]
    for name in ATTRIBUTES:
        if name in filters:
            program.append({
                'inputs': [start + len(program) - 1],
                key: f'filter_{name}',
                'value_inputs': [filters[name]]
            })
    return program


def _random_filters(rng: np.random.Generator, objects: Sequence[dict],
                    from_object: bool) -> Dict[str, str]:
    """1-3 attributes; values of a random object if ``from_object``."""
    names = list(ATTRIBUTES)
    chosen = sorted(
        rng.choice(len(names), size=int(rng.integers(1, 4)), replace=False))
    obj = objects[int(rng.integers(len(objects)))]
    filters = {}
    for i in chosen:
        name = names[i]
        values = ATTRIBUTES[name]
        filters[name] = (
            obj[name] if from_object else str(values[int(
                rng.integers(len(values)))]))
    return filters


def _unique_filters(rng: np.random.Generator, objects: Sequence[dict],
                    index: int, exclude: str) -> Optional[Dict[str, str]]:
    """Fewest attributes (never ``exclude``) that single out
    ``objects[index]``; ties broken at random; None if impossible."""
    names = [n for n in ATTRIBUTES if n != exclude]
    target = objects[index]
    for count in range(1, len(names) + 1):
        subsets = list(itertools.combinations(names, count))
        for j in rng.permutation(len(subsets)):
            filters = {n: target[n] for n in subsets[j]}
            if sum(_matches(o, filters) for o in objects) == 1:
                return filters
    return None


def _pick_unique(rng: np.random.Generator,
                 objects: Sequence[dict],
                 exclude: str,
                 avoid: Optional[int] = None):
    """A random object that can be described uniquely without ``exclude``:
    ``(index, filters)`` or None."""
    for index in rng.permutation(len(objects)):
        if index == avoid:
            continue
        filters = _unique_filters(rng, objects, int(index), exclude)
        if filters is not None:
            return int(index), filters
    return None


def make_clevr_question(rng: np.random.Generator,
                        objects: Sequence[dict],
                        family: str,
                        program_key: str = 'function') -> Optional[dict]:
    """A question of ``family`` about ``objects``.

    Returns:
        dict with ``question``, ``answer`` (in ``CLEVR_ANSWERS``),
        ``program`` and ``question_family_index``; None when the scene
        cannot support the family (e.g. no object can be described
        uniquely).
    """
    key = program_key
    if family == 'exist':
        filters = _random_filters(rng, objects, bool(rng.random() < 0.5))
        found = any(_matches(o, filters) for o in objects)
        program = _filter_program(filters, 0, key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'exist',
            'value_inputs': []
        })
        article = 'an' if _describe(filters)[0] in 'aeiou' else 'a'
        text = f'Is there {article} {_describe(filters)}?'
        answer, function = ('yes' if found else 'no'), 'exist'
    elif family == 'count':
        filters = _random_filters(rng, objects, bool(rng.random() < 0.7))
        count = sum(_matches(o, filters) for o in objects)
        program = _filter_program(filters, 0, key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'count',
            'value_inputs': []
        })
        text = f'How many {_describe(filters, plural=True)} are there?'
        answer, function = str(count), 'count'
    elif family == 'compare_integer':
        function = ('equal_integer', 'less_than',
                    'greater_than')[int(rng.integers(3))]
        first = _random_filters(rng, objects, True)
        second = _random_filters(rng, objects, True)
        if first == second:
            return None
        count_a = sum(_matches(o, first) for o in objects)
        count_b = sum(_matches(o, second) for o in objects)
        program = _filter_program(first, 0, key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'count',
            'value_inputs': []
        })
        index_a = len(program) - 1
        program += _filter_program(second, len(program), key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'count',
            'value_inputs': []
        })
        program.append({
            'inputs': [index_a, len(program) - 1],
            key: function,
            'value_inputs': []
        })
        a = _describe(first, plural=True)
        b = _describe(second, plural=True)
        if function == 'equal_integer':
            text = f'Are there the same number of {a} and {b}?'
            holds = count_a == count_b
        elif function == 'less_than':
            text = f'Are there fewer {a} than {b}?'
            holds = count_a < count_b
        else:
            text = f'Are there more {a} than {b}?'
            holds = count_a > count_b
        answer = 'yes' if holds else 'no'
    elif family == 'query_attribute':
        attribute = list(ATTRIBUTES)[int(rng.integers(len(ATTRIBUTES)))]
        picked = _pick_unique(rng, objects, attribute)
        if picked is None:
            return None
        index, filters = picked
        program = _filter_program(filters, 0, key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'unique',
            'value_inputs': []
        })
        function = f'query_{attribute}'
        program.append({
            'inputs': [len(program) - 1],
            key: function,
            'value_inputs': []
        })
        desc = _describe(filters)
        text = {
            'size': f'What size is the {desc}?',
            'color': f'What color is the {desc}?',
            'material': f'What is the {desc} made of?',
            'shape': f'What shape is the {desc}?',
        }[attribute]
        answer = objects[index][attribute]
    elif family == 'compare_attribute':
        attribute = list(ATTRIBUTES)[int(rng.integers(len(ATTRIBUTES)))]
        first = _pick_unique(rng, objects, attribute)
        if first is None:
            return None
        second = _pick_unique(rng, objects, attribute, avoid=first[0])
        if second is None:
            return None
        program = _filter_program(first[1], 0, key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'unique',
            'value_inputs': []
        })
        index_a = len(program) - 1
        program += _filter_program(second[1], len(program), key)
        program.append({
            'inputs': [len(program) - 1],
            key: 'unique',
            'value_inputs': []
        })
        function = f'equal_{attribute}'
        program.append({
            'inputs': [index_a, len(program) - 1],
            key: function,
            'value_inputs': []
        })
        a, b = _describe(first[1]), _describe(second[1])
        text = {
            'size': f'Is the {a} the same size as the {b}?',
            'color': f'Does the {a} have the same color as the {b}?',
            'material': f'Is the {a} made of the same material as the {b}?',
            'shape': f'Does the {a} have the same shape as the {b}?',
        }[attribute]
        same = objects[first[0]][attribute] == objects[second[0]][attribute]
        answer = 'yes' if same else 'no'
    else:
        raise ValueError(f'unknown family {family!r}; one of {_FAMILIES}')
    assert answer in CLEVR_ANSWERS, answer
    return dict(
        question=text,
        answer=answer,
        program=program,
        question_family_index=QUESTION_TEMPLATES.index((family, function)))


def generate_clevr_format(root: str,
                          split: str = 'train',
                          num_images: int = 10,
                          questions_per_image: int = 5,
                          seed: int = 0,
                          image_size: Sequence[int] = (160, 240),
                          min_objects: int = 3,
                          max_objects: int = 6,
                          with_answers: bool = True,
                          program_key: str = 'function') -> Dict:
    """Write a split in the CLEVR v1.0 layout under ``root``.

    Families cycle through the five types question by question (a family
    the scene cannot support is replaced by the next one).

    Args:
        root: the dataset root (``CLEVRDataset``'s ``data_root``).
        split: 'train', 'val', 'test', ...
        num_images: images (>= 1).
        questions_per_image: questions per image (>= 1).
        seed: seed of the generator; give each split its own.
        image_size: (H, W); CLEVR's renders are (320, 480).
        min_objects, max_objects: objects per image (3..10, as CLEVR).
        with_answers: False writes a test split (no answers, programs,
            template indices or scenes).
        program_key: 'function' (CLEVR v1.0) or 'type' (its first release).

    Returns:
        dict with ``question_file``, ``image_dir``, ``scene_file`` (None
        without answers), ``num_images``, ``num_questions``.
    """
    for name, value, low in (('num_images', num_images, 1),
                             ('questions_per_image', questions_per_image,
                              1), ('seed', seed, 0)):
        if isinstance(
                value,
                bool) or not isinstance(value,
                                        (int, np.integer)) or value < low:
            raise ValueError(f'{name} must be an int >= {low}, got {value!r}')
    if not 1 <= min_objects <= max_objects <= 10:
        raise ValueError('need 1 <= min_objects <= max_objects <= 10, got '
                         f'{min_objects}, {max_objects}')
    if program_key not in ('function', 'type'):
        raise ValueError("program_key must be 'function' or 'type', got "
                         f'{program_key!r}')
    height, width = (int(v) for v in image_size)
    rng = np.random.default_rng(seed)
    image_dir = osp.join(root, 'images', split)
    os.makedirs(image_dir, exist_ok=True)
    questions, scenes = [], []
    for image_index in range(num_images):
        objects = make_clevr_scene(rng, (height, width), min_objects,
                                   max_objects)
        filename = f'CLEVR_{split}_{image_index:06d}.png'
        image = render_clevr_scene(objects, (height, width))
        path = osp.join(image_dir, filename)
        if not cv2.imwrite(path, image[..., ::-1]):  # RGB -> BGR
            raise OSError(f'could not write {path}')
        scenes.append(
            dict(
                split=split,
                image_index=image_index,
                image_filename=filename,
                objects=objects))
        for _ in range(questions_per_image):
            for shift in range(len(_FAMILIES)):
                family = _FAMILIES[(len(questions) + shift) % len(_FAMILIES)]
                made = make_clevr_question(rng, objects, family, program_key)
                if made is not None:
                    break
            else:  # exist and count always succeed
                raise AssertionError('no question family fits the scene')
            record = dict(
                image_index=image_index,
                program=made['program'],
                question_index=len(questions),
                image_filename=filename,
                question_family_index=made['question_family_index'],
                split=split,
                answer=made['answer'],
                question=made['question'])
            if not with_answers:
                for key in ('program', 'question_family_index', 'answer'):
                    del record[key]
            questions.append(record)
    info = dict(
        split=split,
        version='1.0',
        generator='vlframe clevr_format',
        seed=int(seed))
    question_file = osp.join(root, 'questions',
                             f'CLEVR_{split}_questions.json')
    os.makedirs(osp.dirname(question_file), exist_ok=True)
    with open(question_file, 'w', encoding='utf-8') as f:
        json.dump(dict(info=info, questions=questions), f)
    scene_file = None
    if with_answers:
        scene_file = osp.join(root, 'scenes', f'CLEVR_{split}_scenes.json')
        os.makedirs(osp.dirname(scene_file), exist_ok=True)
        with open(scene_file, 'w', encoding='utf-8') as f:
            json.dump(dict(info=info, scenes=scenes), f)
    return dict(
        question_file=question_file,
        image_dir=image_dir,
        scene_file=scene_file,
        num_images=int(num_images),
        num_questions=len(questions))
