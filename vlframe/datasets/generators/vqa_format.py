"""A small generated set in the official VQA v2 (or v1) file layout.

Images, questions and true answers come from the Sort-of-CLEVR generator
(``sort_of_clevr.py``), so the set is learnable and needs no download; the
files are what visualqa.org distributes, so ``VQADataset``, the answer
vocabulary converter and the official evaluator read them unchanged:

.. code-block:: none

    out_dir/
      v2_OpenEnded_mscoco_<split>_questions.json
      v2_mscoco_<split>_annotations.json      (not for test splits)
      <split>/COCO_<split>_<image_id:012d>.jpg
      features/<split>.h5                     image_ids (N,), features (N, D)
      features/<split>/<image_id>.npy         (D,) float32 each
      <split>_scenes.json                     object colours, shapes, centres
                                              (not part of VQA; for checks)
      answer_vocab.json                       the 10 Sort-of-CLEVR answers

What imitates VQA: 10 annotators per question who mostly give the true
answer, sometimes a variant that the official normalisation maps to it
("Yes", "two", "a circle", "2.") and sometimes a wrong answer ("no" for
"yes", "square" for "rectangle", a count off by one); the official
``answer_type`` (yes/no, number, other) and ``question_type`` (the longest
official question-type prefix of the question, e.g. "what is the");
``multiple_choice_answer`` the most common answer; COCO-like image ids and
question ids ``image_id * 1000 + k`` as VQA v2 numbers them.

The features are the image area-averaged to a ``feature_grid`` x
``feature_grid`` RGB grid in [0, 1] (D = 3 * grid**2): a stand-in for CNN
features that keeps object colours and positions.

Everything is a function of the arguments: the Sort-of-CLEVR generator
draws from ``seed``, the annotators and image ids from separate streams
seeded by ``seed``.
"""
import argparse
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from .sort_of_clevr import (ANSWER_VOCAB, COLOR_NAMES, FAMILY_NAMES, IMG_SIZE,
                            SHAPE_NAMES, SUBTYPE_NAMES,
                            generate_sort_of_clevr, question_text)

__all__ = [
    'generate_vqa_format_set', 'vqa_file_names', 'vqa_question_type',
    'ANSWER_VARIANTS', 'WRONG_ANSWERS'
]

# Some of the 65 official VQA question types (mscoco_question_types.txt);
# a question's type is the longest one its words start with.
VQA_QUESTION_TYPES = ('what', 'what is the', 'is the', 'is there', 'is',
                      'how', 'how many')

_NUMBER_WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six')

# Spellings a human might type that the official answer normalisation
# (punctuation, lower case, number words, articles) maps to the answer.
ANSWER_VARIANTS: Dict[str, tuple] = {
    'yes': ('Yes', 'yes.', 'YES'),
    'no': ('No', 'no.', 'NO'),
    'rectangle': ('a rectangle', 'Rectangle', 'the rectangle'),
    'circle': ('a circle', 'Circle', 'the circle'),
}
ANSWER_VARIANTS.update({
    str(k): (_NUMBER_WORDS[k], _NUMBER_WORDS[k].capitalize(), f'{k}.')
    for k in range(1, 7)
})
# Plausible wrong answers: the other yes/no, the other shape (or the
# "square" the 11x11 rectangles look like), a count off by one.
WRONG_ANSWERS: Dict[str, tuple] = {
    'yes': ('no', ),
    'no': ('yes', ),
    'rectangle': ('circle', 'square'),
    'circle': ('rectangle', 'oval'),
}
WRONG_ANSWERS.update({
    str(k): tuple(str(j) for j in (k - 1, k + 1) if 1 <= j <= 6)
    for k in range(1, 7)
})

_NUM_ANNOTATORS = 10
_MAX_WRONG = 3  # so that the true answer stays the most common one
_MAX_VARIANTS = 2
_IMAGE_ID_RANGE = 600000  # COCO 2014/2015 ids are below this


def vqa_file_names(split: str, version: str = 'v2') -> Dict[str, str]:
    """Official question / annotation file names of a split.

    >>> vqa_file_names('val2014')['questions']
    'v2_OpenEnded_mscoco_val2014_questions.json'
    """
    if version not in ('v1', 'v2'):
        raise ValueError(f'version must be "v1" or "v2", got {version!r}')
    prefix = 'v2_' if version == 'v2' else ''
    return dict(
        questions=f'{prefix}OpenEnded_mscoco_{split}_questions.json',
        annotations=f'{prefix}mscoco_{split}_annotations.json')


def vqa_question_type(question: str) -> str:
    """The longest of ``VQA_QUESTION_TYPES`` the question's words begin
    with (VQA's ``question_type`` field), 'none of the above' if none."""
    words = question.lower().rstrip('?').split()
    for qtype in sorted(VQA_QUESTION_TYPES, key=lambda t: -len(t.split())):
        if words[:len(qtype.split())] == qtype.split():
            return qtype
    return 'none of the above'


def _answer_type(answer: str) -> str:
    if answer in ('yes', 'no'):
        return 'yes/no'
    return 'number' if answer.isdigit() else 'other'


def _human_answers(answer: str, rng: np.random.Generator, p_variant: float,
                   p_wrong: float) -> List[dict]:
    """10 annotator answers: mostly ``answer``, a few variants and wrong
    ones, in a random order."""
    n_wrong = min(int(rng.binomial(_NUM_ANNOTATORS, p_wrong)), _MAX_WRONG)
    n_variant = min(int(rng.binomial(_NUM_ANNOTATORS - n_wrong, p_variant)),
                    _MAX_VARIANTS)
    variants, wrong = ANSWER_VARIANTS[answer], WRONG_ANSWERS[answer]
    given = ([answer] * (_NUM_ANNOTATORS - n_wrong - n_variant) +
             [variants[i] for i in rng.integers(0, len(variants), n_variant)]
             + [wrong[i] for i in rng.integers(0, len(wrong), n_wrong)])
    order = rng.permutation(_NUM_ANNOTATORS)
    sure = rng.random(_NUM_ANNOTATORS) < 0.85
    answers = []
    for answer_id, i in enumerate(order.tolist(), start=1):
        text = given[i]
        confidence = 'yes' if sure[answer_id - 1] else 'maybe'
        answers.append(
            dict(
                answer=text,
                answer_confidence=confidence,
                answer_id=answer_id))
    return answers


def _dump_json(obj, path: str) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f)


def generate_vqa_format_set(out_dir: str,
                            split: str = 'train2014',
                            num_images: int = 100,
                            seed: int = 0,
                            image_size: int = IMG_SIZE,
                            questions_per_family: int = 5,
                            ternary: bool = False,
                            version: str = 'v2',
                            with_annotations: Optional[bool] = None,
                            features: Sequence[str] = ('h5', 'npy'),
                            feature_grid: int = 8,
                            p_variant: float = 0.04,
                            p_wrong: float = 0.04,
                            jpeg_quality: int = 95) -> Dict[str, str]:
    """Write a generated set in the official VQA layout (module docstring).

    Args:
        out_dir: the data root to write into (created if needed); existing
            files of the same split are overwritten.
        split: the COCO-style split name, e.g. 'train2014', 'val2014',
            'test2015'; it names the files, the image directory and the
            ``data_subtype``.
        num_images: images (each gets ``2 * questions_per_family``
            questions, 3x with ``ternary``).
        seed: seed; give each split its own.
        image_size: side of the saved JPEGs; the 75 px Sort-of-CLEVR images
            are upscaled (bilinear) when larger.
        questions_per_family: questions per image of each Sort-of-CLEVR
            family (non-relational, relational, ternary).
        ternary: also ask the three-object questions.
        version: 'v2' (``v2_`` file-name prefix) or 'v1'.
        with_annotations: write the annotation file; default: not for
            splits whose name starts with 'test' (they have no answers).
        features: which feature files to write: 'h5', 'npy', both or none.
        feature_grid: features are the image averaged to this grid.
        p_variant, p_wrong: chance that an annotator types a variant of
            the answer / a wrong answer (at most 2 variants and 3 wrong
            answers per question, so the true answer is given by >= 5).
        jpeg_quality: JPEG quality of the images.

    Returns:
        dict of the written paths: ``questions``, ``annotations`` (if
        written), ``img_dir``, ``feature_file`` / ``feature_dir`` (if
        written), ``scenes``, ``answer_vocab``.
    """
    if int(image_size) < 1 or int(feature_grid) < 1:
        raise ValueError('image_size and feature_grid must be >= 1, got '
                         f'{image_size} and {feature_grid}')
    unknown = set(features) - {'h5', 'npy'}
    if unknown:
        raise ValueError(f'features may hold "h5" and "npy", got {unknown}')
    if with_annotations is None:
        with_annotations = not split.startswith('test')
    names = vqa_file_names(split, version)

    arrays = generate_sort_of_clevr(
        num_images=num_images,
        seed=seed,
        ternary=ternary,
        questions_per_family=questions_per_family,
        progress=False)
    # separate streams: the scenes stay those of Sort-of-CLEVR with `seed`
    annotator_rng = np.random.default_rng([seed, 1])
    id_rng = np.random.default_rng([seed, 2])
    image_ids = np.sort(
        id_rng.choice(_IMAGE_ID_RANGE - 1, size=num_images, replace=False) +
        1).tolist()

    img_dir = osp.join(out_dir, split)
    os.makedirs(img_dir, exist_ok=True)
    paths = dict(img_dir=img_dir)
    images = arrays['images']  # (N, 75, 75, 3) RGB
    for image_id, img in zip(image_ids, images):
        if image_size != IMG_SIZE:
            img = cv2.resize(
                img, (image_size, image_size), interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(
            osp.join(img_dir, f'COCO_{split}_{image_id:012d}.jpg'),
            np.ascontiguousarray(img[..., ::-1]),  # RGB -> BGR for OpenCV
            [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])

    questions, annotations = [], []
    per_image = Counter()
    for q in range(len(arrays['answer'])):
        img_idx = int(arrays['question_image'][q])
        image_id = image_ids[img_idx]
        question_id = image_id * 1000 + per_image[img_idx]
        per_image[img_idx] += 1
        text = question_text(
            int(arrays['question_family'][q]),
            int(arrays['question_subtype'][q]),
            int(arrays['question_color_a'][q]),
            int(arrays['question_color_b'][q]))
        questions.append(
            dict(image_id=image_id, question=text, question_id=question_id))
        answer = ANSWER_VOCAB[int(arrays['answer'][q])]
        human = _human_answers(answer, annotator_rng, p_variant, p_wrong)
        most_common = Counter(a['answer'] for a in human).most_common(1)[0][0]
        annotations.append(
            dict(
                question_type=vqa_question_type(text),
                multiple_choice_answer=most_common,
                answers=human,
                image_id=image_id,
                answer_type=_answer_type(answer),
                question_id=question_id))

    info = dict(
        description=('vlframe generated VQA-format set (Sort-of-CLEVR '
                     'scenes)'),
        version='2.0' if version == 'v2' else '1.0',
        seed=seed,
        num_images=num_images)
    common = dict(
        info=info,
        license=dict(name='generated', url=''),
        data_subtype=split,
        data_type='mscoco')
    paths['questions'] = osp.join(out_dir, names['questions'])
    _dump_json(
        dict(task_type='Open-Ended', questions=questions, **common),
        paths['questions'])
    if with_annotations:
        paths['annotations'] = osp.join(out_dir, names['annotations'])
        _dump_json(dict(annotations=annotations, **common),
                   paths['annotations'])

    if features:
        grid = int(feature_grid)
        feats = np.stack([
            cv2.resize(img, (grid, grid), interpolation=cv2.INTER_AREA)
            for img in images
        ]).reshape(num_images, -1).astype(np.float32) / 255  # (N, 3*g*g)
        feat_root = osp.join(out_dir, 'features')
        os.makedirs(feat_root, exist_ok=True)
        if 'h5' in features:
            import h5py
            paths['feature_file'] = osp.join(feat_root, f'{split}.h5')
            with h5py.File(paths['feature_file'], 'w') as h5:
                h5.create_dataset('image_ids',
                                  data=np.asarray(image_ids, dtype=np.int64))
                h5.create_dataset('features', data=feats)
        if 'npy' in features:
            paths['feature_dir'] = osp.join(feat_root, split)
            os.makedirs(paths['feature_dir'], exist_ok=True)
            for image_id, feat in zip(image_ids, feats):
                np.save(
                    osp.join(paths['feature_dir'], f'{image_id}.npy'), feat)

    scenes = [
        dict(
            image_id=image_id,
            objects=[
                dict(color=COLOR_NAMES[c], shape=SHAPE_NAMES[int(shape)],
                     x=int(x), y=int(y))
                for c, ((x, y), shape) in enumerate(
                    zip(arrays['object_centers'][i].tolist(),
                        arrays['object_shapes'][i]))
            ]) for i, image_id in enumerate(image_ids)
    ]
    paths['scenes'] = osp.join(out_dir, f'{split}_scenes.json')
    _dump_json(
        dict(image_size=int(image_size), scene_size=IMG_SIZE, scenes=scenes,
             question_families=list(FAMILY_NAMES),
             question_subtypes=SUBTYPE_NAMES), paths['scenes'])
    paths['answer_vocab'] = osp.join(out_dir, 'answer_vocab.json')
    _dump_json(list(ANSWER_VOCAB), paths['answer_vocab'])
    return paths


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, str]:
    parser = argparse.ArgumentParser(
        description='Write a generated VQA-format set (Sort-of-CLEVR '
        'scenes, official VQA v2/v1 files).')
    parser.add_argument('--out-dir', default='data/vqa_synthetic')
    parser.add_argument('--split', default='train2014')
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--image-size', type=int, default=IMG_SIZE)
    parser.add_argument('--questions-per-family', type=int, default=5)
    parser.add_argument('--ternary', action='store_true')
    parser.add_argument('--version', choices=('v1', 'v2'), default='v2')
    parser.add_argument(
        '--features', nargs='*', default=['h5', 'npy'],
        help='feature files to write: h5, npy (none: pass no value)')
    parser.add_argument('--feature-grid', type=int, default=8)
    args = parser.parse_args(argv)
    paths = generate_vqa_format_set(
        args.out_dir,
        split=args.split,
        num_images=args.num_images,
        seed=args.seed,
        image_size=args.image_size,
        questions_per_family=args.questions_per_family,
        ternary=args.ternary,
        version=args.version,
        features=args.features,
        feature_grid=args.feature_grid)
    for key, path in paths.items():
        print(f'{key}: {path}')
    return paths


if __name__ == '__main__':
    main()
