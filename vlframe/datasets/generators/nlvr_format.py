"""A small, learnable set in the layout of Cornell NLVR.

Written for tests and quick runs of the NLVR pipeline with no download. It
follows the real corpus (github.com/lil-lab/nlvr, ``nlvr/``) where that is
cheap:

* ``<root>/<split>/<split>.json``: JSON lines with ``sentence``, ``label``
  ('true' / 'false'), ``identifier`` ``<n>-<m>``, ``directory``, ``evals``
  and ``structured_rep`` (three boxes, each a list of objects with
  ``x_loc``, ``y_loc`` (top-left, in a 100x100 box), ``type`` (square,
  circle, triangle), ``color`` (``Yellow``, ``Black``, ``#0099ff``) and
  ``size`` (10, 20, 30)), with the real field names and values;
* ``<root>/<split>/images/<directory>/<split>-<identifier>-<k>.png``: the
  three boxes side by side, in the ``k``-th of the six box orders, so every
  identifier has up to six images with one label, as in NLVR;
* sentences are written for a presentation of four scenes (``<n>-0`` ..
  ``<n>-3``) and are true of two and false of two of them when the scene
  sampler manages it, so the sentence alone does not give the label.

Unlike NLVR, the sentences come from six templates (existence, counts by
colour or shape, box properties) and the label is computed from the scene,
never from people; no "tower" scenes. Images are (100, 400) by default, as
NLVR's; the Relation Network's 50x200 input is a resize in the pipeline.
Everything is a pure function of the arguments (one
``numpy.random.default_rng(seed)``).
"""
import argparse
import itertools
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

__all__ = [
    'NLVR_COLORS_RGB', 'NLVR_COLOR_WORDS', 'NLVR_SHAPES', 'NLVR_SIZES',
    'BOX_ORDERS', 'TEMPLATES', 'statement_text', 'statement_truth',
    'render_nlvr_image', 'make_nlvr_examples', 'generate_nlvr_format'
]

# NLVR's colour strings -> RGB and the word used in sentences.
NLVR_COLORS_RGB = {
    'Yellow': (255, 255, 0),
    'Black': (0, 0, 0),
    '#0099ff': (0, 153, 255),
}
NLVR_COLOR_WORDS = {'Yellow': 'yellow', 'Black': 'black', '#0099ff': 'blue'}
NLVR_SHAPES = ('square', 'circle', 'triangle')
NLVR_SIZES = (10, 20, 30)
BOX_ORDERS = tuple(itertools.permutations(range(3)))  # k = 0..5

_BOX = 100  # box side in structured_rep units
_BOX_STRIDE = 150  # boxes at x = 0, 150, 300 of a 400-unit-wide image
_GAP = 3  # units kept free between objects so they never touch
_BORDER_RGB = (128, 128, 128)
_BACKGROUND_RGB = (255, 255, 255)
_NUMBER_WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
                 'eight', 'nine', 'ten', 'eleven', 'twelve')
# statement templates; their parameters are listed in statement_text
TEMPLATES = ('exist', 'count_color', 'count_shape', 'box_only_color',
             'box_count', 'every_box_color')
_SENTENCES_PER_PRESENTATION = 4


def statement_text(template: str, params: Tuple) -> str:
    """English sentence of a template with its parameters.

    ``exist (color, shape)``, ``count_color (color, k)``, ``count_shape
    (shape, k)``, ``box_only_color (color,)``, ``box_count (k,)``,
    ``every_box_color (color,)``; ``color`` is an NLVR colour string.
    """
    if template == 'exist':
        color, shape = params
        return f'There is a {NLVR_COLOR_WORDS[color]} {shape}.'
    if template == 'count_color':
        color, k = params
        word = NLVR_COLOR_WORDS[color]
        if k == 1:
            return f'There is exactly one {word} object.'
        return f'There are exactly {_NUMBER_WORDS[k]} {word} objects.'
    if template == 'count_shape':
        shape, k = params
        if k == 1:
            return f'There is exactly one {shape}.'
        return f'There are exactly {_NUMBER_WORDS[k]} {shape}s.'
    if template == 'box_only_color':
        return (f'There is a box with only {NLVR_COLOR_WORDS[params[0]]} '
                'objects.')
    if template == 'box_count':
        k = params[0]
        noun = 'object' if k == 1 else 'objects'
        return f'There is a box with exactly {_NUMBER_WORDS[k]} {noun}.'
    if template == 'every_box_color':
        return f'Every box has a {NLVR_COLOR_WORDS[params[0]]} object.'
    raise ValueError(f'unknown template {template!r}; one of {TEMPLATES}')


def statement_truth(template: str, params: Tuple,
                    boxes: Sequence[Sequence[dict]]) -> bool:
    """Whether the statement holds for the scene (a structured_rep)."""
    objects = [o for box in boxes for o in box]
    if template == 'exist':
        color, shape = params
        return any(o['color'] == color and o['type'] == shape for o in objects)
    if template == 'count_color':
        color, k = params
        return sum(o['color'] == color for o in objects) == k
    if template == 'count_shape':
        shape, k = params
        return sum(o['type'] == shape for o in objects) == k
    if template == 'box_only_color':
        return any(
            box and all(o['color'] == params[0] for o in box) for box in boxes)
    if template == 'box_count':
        return any(len(box) == params[0] for box in boxes)
    if template == 'every_box_color':
        return all(any(o['color'] == params[0] for o in box) for box in boxes)
    raise ValueError(f'unknown template {template!r}; one of {TEMPLATES}')


def _check_image_size(image_size: Sequence[int]) -> Tuple[int, int]:
    height, width = (int(v) for v in image_size)
    if height < 50 or width != 4 * height:
        raise ValueError('image_size must be (H, 4 * H) with H >= 50 (NLVR '
                         f'images are 100 x 400), got {tuple(image_size)}')
    return height, width


def render_nlvr_image(
    boxes: Sequence[Sequence[dict]],
    order: Sequence[int] = (0, 1, 2),
    image_size: Sequence[int] = (100, 400)
) -> np.ndarray:
    """Draw three boxes side by side, box ``order[i]`` in slot ``i``.

    Returns:
        uint8 RGB array (H, W, 3) on a white background; each box has a
        grey border, objects are filled shapes in their NLVR colours.
    """
    height, width = _check_image_size(image_size)
    scale = height / _BOX
    image = np.full((height, width, 3), _BACKGROUND_RGB, dtype=np.uint8)
    side = int(round(_BOX * scale))
    for slot, box_index in enumerate(order):
        left = int(round(slot * _BOX_STRIDE * scale))
        cv2.rectangle(image, (left, 0), (left + side - 1, side - 1),
                      _BORDER_RGB, 1)
        for obj in boxes[box_index]:
            x0 = left + int(round(obj['x_loc'] * scale))
            y0 = int(round(obj['y_loc'] * scale))
            size = int(round(obj['size'] * scale))
            color = NLVR_COLORS_RGB[obj['color']]
            if obj['type'] == 'square':
                cv2.rectangle(image, (x0, y0), (x0 + size - 1, y0 + size - 1),
                              color, -1)
            elif obj['type'] == 'circle':
                half = size // 2
                cv2.circle(image, (x0 + half, y0 + half), half, color, -1)
            else:  # triangle pointing up
                points = np.array(
                    [[x0, y0 + size - 1], [x0 + size - 1, y0 + size - 1],
                     [x0 + (size - 1) // 2, y0]],
                    dtype=np.int32)
                cv2.fillConvexPoly(image, points, color)
    return image


def _sample_box(rng: np.random.Generator, max_objects: int) -> List[dict]:
    """1..max_objects objects placed in a 100x100 box, never touching."""
    objects: List[dict] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        size = int(rng.choice(NLVR_SIZES))
        for _attempt in range(50):
            x, y = (int(v) for v in rng.integers(0, _BOX - size + 1, size=2))
            if all(x + size + _GAP <= o['x_loc'] or o['x_loc'] + o['size'] +
                   _GAP <= x or y + size + _GAP <= o['y_loc'] or o['y_loc'] +
                   o['size'] + _GAP <= y for o in objects):
                break
        else:
            continue  # the box is too full for this one; leave it out
        objects.append(
            dict(
                y_loc=y,
                type=str(rng.choice(NLVR_SHAPES)),
                color=str(rng.choice(list(NLVR_COLORS_RGB))),
                x_loc=x,
                size=size))
    return objects


def _sample_statement(rng: np.random.Generator,
                      max_objects: int) -> Tuple[str, Tuple]:
    template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
    color = str(rng.choice(list(NLVR_COLORS_RGB)))
    shape = str(rng.choice(NLVR_SHAPES))
    if template == 'exist':
        return template, (color, shape)
    if template == 'count_color':
        return template, (color, int(rng.integers(1, 5)))
    if template == 'count_shape':
        return template, (shape, int(rng.integers(1, 5)))
    if template == 'box_count':
        return template, (int(rng.integers(1, max_objects + 1)), )
    return template, (color, )


def make_nlvr_examples(num_sentences: int,
                       seed: int,
                       max_objects_per_box: int = 4,
                       num_directories: int = 2,
                       max_scene_tries: int = 100) -> List[dict]:
    """Sentences, scenes and labels (no files).

    Sentences come in presentations of four identifiers ``<n>-0..<n>-3``
    sharing one sentence; the target labels of a presentation are a random
    order of (true, true, false, false), and scenes are drawn until the
    sentence has the target label (at most ``max_scene_tries``; after that
    the last scene is kept with its actual label).

    Returns:
        one dict per sentence: ``sentence``, ``label`` (bool),
        ``identifier``, ``directory`` (str, shared by a presentation),
        ``structured_rep`` (three lists of objects), ``template``,
        ``params``.
    """
    for name, value, low in (('num_sentences', num_sentences,
                              1), ('max_objects_per_box', max_objects_per_box,
                                   1), ('num_directories', num_directories, 1),
                             ('max_scene_tries', max_scene_tries,
                              1), ('seed', seed, 0)):
        if isinstance(
                value,
                bool) or not isinstance(value,
                                        (int, np.integer)) or value < low:
            raise ValueError(f'{name} must be an int >= {low}, got {value!r}')
    rng = np.random.default_rng(seed)
    examples = []
    num_presentations = -(-num_sentences // _SENTENCES_PER_PRESENTATION)
    for n in range(num_presentations):
        template, params = _sample_statement(rng, max_objects_per_box)
        targets = rng.permutation([True, True, False, False])
        for m in range(_SENTENCES_PER_PRESENTATION):
            if len(examples) == num_sentences:
                break
            for _ in range(max_scene_tries):
                boxes = [
                    _sample_box(rng, max_objects_per_box) for _ in range(3)
                ]
                label = statement_truth(template, params, boxes)
                if label == bool(targets[m]):
                    break
            examples.append(
                dict(
                    sentence=statement_text(template, params),
                    label=label,
                    identifier=f'{n}-{m}',
                    directory=str(n % num_directories),
                    structured_rep=boxes,
                    template=template,
                    params=params))
    return examples


def generate_nlvr_format(root: str,
                         split: str = 'train',
                         num_sentences: int = 40,
                         seed: int = 0,
                         images_per_identifier: int = 6,
                         image_size: Sequence[int] = (100, 400),
                         max_objects_per_box: int = 4,
                         num_directories: int = 2,
                         with_labels: bool = True) -> Dict:
    """Write a split in the NLVR layout under ``root`` (see module doc).

    Args:
        root: the dataset root (``NLVRDataset``'s ``data_root``).
        split: split name used in the folder and file names.
        num_sentences: sentences (lines); each has
            ``images_per_identifier`` images.
        seed: seed of the generator; give each split its own.
        images_per_identifier: 1..6, the first box orders of
            ``BOX_ORDERS`` (NLVR has all six).
        image_size: (H, W) with W = 4 H.
        max_objects_per_box: 1..8 objects per box (NLVR has up to 8).
        num_directories: numbered image folders; the four identifiers of a
            presentation share one, as in NLVR.
        with_labels: False writes no ``label`` / ``evals`` (a hidden test
            split).

    Returns:
        dict with ``ann_file``, ``img_dir``, ``num_sentences``,
        ``num_images`` and ``examples`` (as ``make_nlvr_examples`` returns).
    """
    if not 1 <= int(images_per_identifier) <= len(BOX_ORDERS):
        raise ValueError('images_per_identifier must be in 1..6, got '
                         f'{images_per_identifier!r}')
    if not 1 <= int(max_objects_per_box) <= 8:
        raise ValueError('max_objects_per_box must be in 1..8, got '
                         f'{max_objects_per_box!r}')
    _check_image_size(image_size)
    examples = make_nlvr_examples(num_sentences, seed, max_objects_per_box,
                                  num_directories)
    split_dir = osp.join(root, split)
    img_dir = osp.join(split_dir, 'images')
    num_images = 0
    lines = []
    for example in examples:
        folder = osp.join(img_dir, example['directory'])
        os.makedirs(folder, exist_ok=True)
        for k in range(int(images_per_identifier)):
            image = render_nlvr_image(example['structured_rep'], BOX_ORDERS[k],
                                      image_size)
            path = osp.join(folder, f'{split}-{example["identifier"]}-{k}.png')
            if not cv2.imwrite(path, image[..., ::-1]):  # RGB -> BGR
                raise OSError(f'could not write {path}')
            num_images += 1
        record = dict(sentence=example['sentence'])
        label = 'true' if example['label'] else 'false'
        if with_labels:
            record['label'] = label
        record['identifier'] = example['identifier']
        record['directory'] = example['directory']
        if with_labels:
            record['evals'] = {'r0': label}
        record['structured_rep'] = example['structured_rep']
        lines.append(json.dumps(record, separators=(',', ':')))
    ann_file = osp.join(split_dir, f'{split}.json')
    with open(ann_file, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    return dict(
        ann_file=ann_file,
        img_dir=img_dir,
        num_sentences=len(examples),
        num_images=num_images,
        examples=examples)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        description='Write an NLVR-format synthetic set (train and dev).')
    parser.add_argument(
        'root', help='output directory, e.g. '
        'data/nlvr_synthetic')
    parser.add_argument('--train-sentences', type=int, default=400)
    parser.add_argument('--dev-sentences', type=int, default=100)
    parser.add_argument(
        '--seed', type=int, default=0, help='train uses seed, dev seed + 1')
    parser.add_argument('--images-per-identifier', type=int, default=6)
    args = parser.parse_args(argv)
    for offset, (split, count) in enumerate(
        (('train', args.train_sentences), ('dev', args.dev_sentences))):
        info = generate_nlvr_format(
            args.root,
            split,
            count,
            seed=args.seed + offset,
            images_per_identifier=args.images_per_identifier)
        print(f'{split}: {info["num_sentences"]} sentences, '
              f'{info["num_images"]} images -> {info["ann_file"]}')


if __name__ == '__main__':
    main()
