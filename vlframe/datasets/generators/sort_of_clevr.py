"""Sort-of-CLEVR generator (Relation Networks, Santoro et al. 2017).

Reproduces the behaviour of ``sort_of_clevr_generator.py`` in the public
PyTorch reimplementation kimhc6028/relational-networks, which in turn follows
Appendix D of "A simple neural network module for relational reasoning"
(Santoro et al. 2017, arXiv:1706.01427). The code here is written from a
description of that behaviour, not copied.

What is the same as the reference:

* 75x75 images on a white background with exactly 6 objects, one per colour
  (red, green, blue, orange, gray, yellow, in that index order).
* Object centres are integers drawn uniformly from [5, 70) for x (column) and
  y (row); a draw is rejected while it is closer than 10 px (squared distance
  < 100) to an earlier centre.
* With probability 0.5 an object is a filled 11x11 axis-aligned square
  (``cv2.rectangle`` from centre-5 to centre+5), otherwise a filled circle of
  radius 5 (``cv2.circle``). OpenCV does the rasterisation, as in the
  reference, so pixels match.
* Per image: 10 non-relational and 10 binary relational questions (plus 10
  ternary ones when ``ternary=True``), colour and subtype drawn uniformly.
  Ternary questions pick A and B as the first two entries of a random
  permutation of ``range(5)``, so yellow never occurs in them (a quirk of the
  reference that is kept on purpose).
* The 10-class answer vocabulary and its indices (``ANSWER_VOCAB``), and the
  answer rules, including the ``1e-10``-regularised slope of the "on band"
  question.

Differences from the reference:

* One ``numpy.random.Generator`` (``np.random.default_rng(seed)``) drives
  everything, so the data is a pure function of the arguments; the random
  stream is therefore not the reference's (which mixes Python ``random`` and
  the legacy NumPy global state). Each image consumes its random numbers in
  order (objects, then questions), so the first ``n`` images do not depend on
  ``num_images``.
* Images are stored as RGB ``uint8`` instead of BGR float in [0, 1]; the
  colours are the same.
* With ``ternary=False`` the question vector is the paper's 11-dim code
  (6 colour, 2 family, 3 subtype); the reimplementation's 18-dim code is used
  only when ternary questions are requested.
* "Closest to" is the true nearest other object. The reference replaces A's
  own distance by 999 (a squared distance, i.e. ~31.6 px), so when every other
  object is farther than that it answers with A's *own* shape; that happens
  for ~7% of its closest-to questions and changes the answer for ~3.5%.
* "Obtuse" is decided with exact integer geometry (some vertex has a
  non-positive dot product and the triangle is not degenerate), which is the
  reference's rule "largest angle in [90, 180)". The reference evaluates it
  with floating-point law-of-cosines angles, so exact right angles and
  collinear triples fall either way by rounding (~0.25% of its obtuse
  questions differ).
"""
import sys
from typing import Dict, Optional

import cv2
import numpy as np

__all__ = [
    'IMG_SIZE', 'OBJECT_SIZE', 'COLOR_NAMES', 'COLORS_RGB', 'SHAPE_NAMES',
    'ANSWER_VOCAB', 'FAMILY_NAMES', 'SUBTYPE_NAMES', 'question_text',
    'parse_question_text', 'encode_questions', 'compute_answers',
    'generate_sort_of_clevr'
]

IMG_SIZE = 75
OBJECT_SIZE = 5
COLOR_NAMES = ('red', 'green', 'blue', 'orange', 'gray', 'yellow')
# RGB; the reference lists the same colours as OpenCV BGR tuples.
COLORS_RGB = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 156, 0),
              (128, 128, 128), (255, 255, 0))
SHAPE_NAMES = ('rectangle', 'circle')
# Index = class id, exactly as the reference's answer sheet.
ANSWER_VOCAB = ('yes', 'no', 'rectangle', 'circle', '1', '2', '3', '4', '5',
                '6')
FAMILY_NAMES = ('non_relational', 'relational', 'ternary')
SUBTYPE_NAMES = {
    'non_relational': ('shape', 'horizontal', 'vertical'),
    'relational': ('closest', 'furthest', 'count'),
    'ternary': ('between', 'on_band', 'obtuse'),
}

_NUM_OBJECTS = len(COLOR_NAMES)
_NUM_SUBTYPES = 3
# Colours A/B of ternary questions come from a permutation of range(5): the
# reference's quirk that excludes yellow.
_TERNARY_COLOR_POOL = 5
# Centres must be at least 2 * OBJECT_SIZE apart (squared distance >= 100).
_MIN_SQ_DIST = (2 * OBJECT_SIZE)**2
# Candidate centres drawn per RNG call; most images need 6-8 draws in total,
# so one call usually suffices while the stream stays deterministic.
_CANDIDATE_BATCH = 8
_YES, _NO, _RECTANGLE = 0, 1, 2
_COUNT_BASE = 4  # class of the count "1" is 4, hence count k -> 3 + k
_BAND_HALF_WIDTH = 12  # px, the reference's grace threshold
_BAND_EPS = 1e-10  # added to dx so vertical lines do not divide by zero


def _check_int(name: str, value, low: int, high: Optional[int],
               allowed: str) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is an int in range."""
    ok = (isinstance(value, (int, np.integer))
          and not isinstance(value, (bool, np.bool_)) and value >= low
          and (high is None or value <= high))
    if not ok:
        raise ValueError(f'{name} must be {allowed}, got {value!r}')


def question_text(family: int,
                  subtype: int,
                  color_a: int,
                  color_b: int = -1) -> str:
    """English sentence of a question.

    Args:
        family: 0 non-relational, 1 relational, 2 ternary.
        subtype: 0..2, see ``SUBTYPE_NAMES``.
        color_a: index into ``COLOR_NAMES`` of the queried object.
        color_b: second object of ternary questions; ignored otherwise.
    """
    _check_int('family', family, 0, 2, 'an int in 0..2')
    _check_int('subtype', subtype, 0, 2, 'an int in 0..2')
    _check_int('color_a', color_a, 0, _NUM_OBJECTS - 1, 'an int in 0..5')
    a = COLOR_NAMES[color_a]
    if family == 0:
        return (f'What is the shape of the {a} object?',
                f'Is the {a} object on the left?',
                f'Is the {a} object on the top?')[subtype]
    if family == 1:
        return (f'What is the shape of the object closest to the {a} object?',
                f'What is the shape of the object furthest from the {a} '
                'object?',
                f'How many objects have the same shape as the {a} object?'
                )[subtype]
    _check_int('color_b', color_b, 0, _NUM_OBJECTS - 1,
               'an int in 0..5 for ternary questions')
    b = COLOR_NAMES[color_b]
    return (f'How many objects are between the {a} object and the {b} '
            'object?',
            f'Is there an object on the line through the {a} object and the '
            f'{b} object?',
            f'How many objects form an obtuse triangle with the {a} object '
            f'and the {b} object?')[subtype]


def _normalize_question(text: str) -> str:
    return ' '.join(text.lower().replace('?', ' ').split())


def _question_table() -> Dict[str, tuple]:
    """Every sentence ``question_text`` can produce -> its arguments."""
    table = {}
    for family in range(3):
        for subtype in range(_NUM_SUBTYPES):
            for a in range(_NUM_OBJECTS):
                for b in (range(_NUM_OBJECTS) if family == 2 else [-1]):
                    if family == 2 and a == b:
                        continue
                    text = question_text(family, subtype, a, b)
                    table[_normalize_question(text)] = (family, subtype, a, b)
    return table


_QUESTION_TABLE: Optional[Dict[str, tuple]] = None


def parse_question_text(text: str) -> tuple:
    """Inverse of ``question_text``: ``(family, subtype, color_a, color_b)``.

    Case, spacing and the question mark do not matter. A sentence that is
    not one of the generator's questions is a ValueError that shows the
    templates, so a demo user learns what the model can be asked.
    """
    global _QUESTION_TABLE
    if _QUESTION_TABLE is None:
        _QUESTION_TABLE = _question_table()
    if not isinstance(text, str):
        raise TypeError(f'question must be a str, got {type(text).__name__}')
    key = _normalize_question(text)
    if key not in _QUESTION_TABLE:
        templates = sorted({
            question_text(f, s, 0, 1).replace('red', '<colour>').replace(
                'green', '<colour>')
            for f in range(3) for s in range(_NUM_SUBTYPES)
        })
        raise ValueError(
            f'"{text}" is not a Sort-of-CLEVR question. Colours: '
            f'{", ".join(COLOR_NAMES)}; questions: ' + ' | '.join(templates))
    return _QUESTION_TABLE[key]


def encode_questions(family: np.ndarray, subtype: np.ndarray,
                     color_a: np.ndarray, color_b: np.ndarray,
                     ternary: bool) -> np.ndarray:
    """One-hot question vectors.

    ``ternary=False``: the paper's 11 dims, [0:6] colour A, [6:8] family
    (non-relational, relational), [8:11] subtype. ``ternary=True``: the
    reimplementation's 18 dims, [0:6] colour A, [6:12] colour B (ternary
    questions only), [12:15] family, [15:18] subtype.

    Returns:
        float32 array (Q, 11) or (Q, 18).
    """
    family = np.asarray(family, dtype=np.int64)
    subtype = np.asarray(subtype, dtype=np.int64)
    color_a = np.asarray(color_a, dtype=np.int64)
    color_b = np.asarray(color_b, dtype=np.int64)
    if ternary:
        dim, family_off, subtype_off = 18, 12, 15
    else:
        if np.any(family > 1):
            raise ValueError('family must be 0 or 1 when ternary=False')
        dim, family_off, subtype_off = 11, 6, 8
    rows = np.arange(family.shape[0])
    vec = np.zeros((family.shape[0], dim), dtype=np.float32)  # (Q, dim)
    vec[rows, color_a] = 1
    vec[rows, family_off + family] = 1
    vec[rows, subtype_off + subtype] = 1
    if ternary:
        is_ternary = family == 2
        vec[rows[is_ternary], _NUM_OBJECTS + color_b[is_ternary]] = 1
    return vec


def compute_answers(object_centers: np.ndarray, object_shapes: np.ndarray,
                    question_image: np.ndarray, question_family: np.ndarray,
                    question_subtype: np.ndarray, question_color_a: np.ndarray,
                    question_color_b: np.ndarray) -> np.ndarray:
    """Answer class ids (index into ``ANSWER_VOCAB``) for many questions.

    Everything is vectorised: pairwise distances are computed once per image
    and every question only gathers from per-image tables.

    Args:
        object_centers: int (N, 6, 2) centres as (x, y), indexed by colour.
        object_shapes: int (N, 6), 0 rectangle, 1 circle.
        question_*: int (Q,) fields as returned by ``generate_sort_of_clevr``
            (``question_color_b`` is only read for ternary questions).

    Returns:
        int64 array (Q,).
    """
    centers = np.asarray(object_centers, dtype=np.int64)
    shapes = np.asarray(object_shapes, dtype=np.int64)
    img = np.asarray(question_image, dtype=np.int64)
    fam = np.asarray(question_family, dtype=np.int64)
    sub = np.asarray(question_subtype, dtype=np.int64)
    ca = np.asarray(question_color_a, dtype=np.int64)
    cb = np.asarray(question_color_b, dtype=np.int64)
    half = IMG_SIZE / 2  # 37.5: integer centres are never exactly on it

    # ---- per-image tables ------------------------------------------------
    diff = centers[:, :, None, :] - centers[:, None, :, :]  # (N, 6, 6, 2)
    sq_dist = (diff**2).sum(-1)  # (N, 6, 6)
    # An object is not its own neighbour (see module docstring on the 999).
    eye = np.eye(_NUM_OBJECTS, dtype=bool)
    closest = np.where(eye, np.iinfo(np.int64).max, sq_dist).argmin(-1)
    furthest = sq_dist.argmax(-1)  # (N, 6); argmax takes the first tie
    same_shape = (shapes[:, :, None] == shapes[:, None, :]).sum(-1)  # (N, 6)

    # ---- non-relational / binary relational ------------------------------
    shape_a = shapes[img, ca]  # (Q,)
    xa, ya = centers[img, ca, 0], centers[img, ca, 1]  # (Q,)
    non_rel = np.select([sub == 0, sub == 1],
                        [_RECTANGLE + shape_a,
                         np.where(xa < half, _YES, _NO)],
                        np.where(ya < half, _YES, _NO))
    rel = np.select([sub == 0, sub == 1], [
        _RECTANGLE + shapes[img, closest[img, ca]],
        _RECTANGLE + shapes[img, furthest[img, ca]]
    ], _COUNT_BASE - 1 + same_shape[img, ca])
    answer = np.where(fam == 0, non_rel, rel)

    # ---- ternary ---------------------------------------------------------
    t = np.nonzero(fam == 2)[0]
    if t.size:
        cen = centers[img[t]]  # (T, 6, 2)
        a = cen[np.arange(t.size), ca[t]][:, None, :]  # (T, 1, 2)
        b = cen[np.arange(t.size), cb[t]][:, None, :]  # (T, 1, 2)
        objs = np.arange(_NUM_OBJECTS)
        others = ((objs != ca[t, None]) & (objs != cb[t, None]))  # (T, 6)

        # between: centre inside the closed bounding box of A and B.
        lo, hi = np.minimum(a, b), np.maximum(a, b)  # (T, 1, 2)
        inside = ((cen >= lo) & (cen <= hi)).all(-1) & others  # (T, 6)
        between = _COUNT_BASE + inside.sum(-1)

        # on band: |y_line(x_C) - y_C| <= 12 with the reference's slope,
        # evaluated in the same float64 order so boundary cases agree.
        ax, ay = a[:, 0, 0], a[:, 0, 1]  # (T,)
        bx, by = b[:, 0, 0], b[:, 0, 1]
        slope = (by - ay) / ((bx - ax) + _BAND_EPS)  # (T,)
        icpt = ay - slope * ax
        y_line = slope[:, None] * cen[..., 0] + icpt[:, None]  # (T, 6)
        cy = cen[..., 1]
        on_band = ((y_line - _BAND_HALF_WIDTH <= cy) &
                   (cy <= y_line + _BAND_HALF_WIDTH) & others).any(-1)
        band = np.where(on_band, _YES, _NO)

        # obtuse (or right) and non-degenerate triangle ABC, exact in ints.
        ab, ac, bc = b - a, cen - a, cen - b  # (T, 1|6, 2)
        dot_a = (ab * ac).sum(-1)  # (T, 6) angle at A >= 90 <=> dot <= 0
        dot_b = (-ab * bc).sum(-1)
        dot_c = (ac * bc).sum(-1)
        cross = ab[..., 0] * ac[..., 1] - ab[..., 1] * ac[..., 0]  # (T, 6)
        obtuse = (((dot_a <= 0) | (dot_b <= 0) | (dot_c <= 0)) & (cross != 0)
                  & others)
        obtuse_ans = _COUNT_BASE + obtuse.sum(-1)

        answer[t] = np.select([sub[t] == 0, sub[t] == 1], [between, band],
                              obtuse_ans)
    return answer.astype(np.int64)


def _place_objects(rng: np.random.Generator):
    """Centres (6, 2) int64 as (x, y) and shapes (6,) int64 of one image."""
    low, high = OBJECT_SIZE, IMG_SIZE - OBJECT_SIZE
    centers = []
    pool = []
    while len(centers) < _NUM_OBJECTS:
        if not pool:
            # Rejection sampling consumes i.i.d. draws one at a time, so
            # taking them from a batch is the reference's redraw loop.
            pool = rng.integers(low, high,
                                size=(_CANDIDATE_BATCH, 2)).tolist()[::-1]
        x, y = pool.pop()
        if all(
            (x - px)**2 + (y - py)**2 >= _MIN_SQ_DIST for px, py in centers):
            centers.append((x, y))
    # Same probability as the reference's ``random() < 0.5 -> rectangle``.
    shapes = np.where(rng.random(_NUM_OBJECTS) < 0.5, 0, 1)
    return np.asarray(centers, dtype=np.int64), shapes.astype(np.int64)


def _draw(image: np.ndarray, centers: np.ndarray, shapes: np.ndarray) -> None:
    """Draw the objects in colour order (later ones occlude earlier ones)."""
    for color, (x, y), shape in zip(COLORS_RGB, centers.tolist(),
                                    shapes.tolist()):
        if shape == 0:
            cv2.rectangle(image, (x - OBJECT_SIZE, y - OBJECT_SIZE),
                          (x + OBJECT_SIZE, y + OBJECT_SIZE), color, -1)
        else:
            cv2.circle(image, (x, y), OBJECT_SIZE, color, -1)


class _Progress:
    """Progress over images: mmengine's bar if available, else plain text.

    Updates are batched (about 100 per run) because each mmengine update
    writes a full line and queries the terminal size.
    """

    def __init__(self, total: int, enabled: bool):
        self.enabled = enabled
        self.total = total
        self.step = max(1, total // 100)
        self.pending = 0
        self.done = 0
        self.bar = None
        if not enabled:
            return
        try:
            from mmengine.utils import ProgressBar
        except ImportError:
            ProgressBar = None
        if ProgressBar is not None:
            # Pass the current stdout: the default argument is bound when
            # mmengine is imported and would bypass later redirections.
            self.bar = ProgressBar(total, file=sys.stdout)

    def update(self) -> None:
        if not self.enabled:
            return
        self.pending += 1
        if self.pending >= self.step or self.done + self.pending == self.total:
            self.done += self.pending
            if self.bar is not None:
                self.bar.update(self.pending)
            else:
                sys.stdout.write(f'\rsort-of-clevr: {self.done}/{self.total}')
                sys.stdout.flush()
            self.pending = 0

    def close(self) -> None:
        if self.enabled:
            sys.stdout.write('\n')
            sys.stdout.flush()


def generate_sort_of_clevr(num_images: int,
                           seed: int,
                           ternary: bool = False,
                           ternary_subtype: int = -1,
                           questions_per_family: int = 10,
                           progress: bool = True) -> Dict[str, np.ndarray]:
    """Generate Sort-of-CLEVR images, questions and answers.

    Args:
        num_images: number of images N (>= 1). The reference makes 200 test
            images then 9,800 train images; splitting is up to the caller.
        seed: seed of the single ``np.random.default_rng`` stream.
        ternary: also ask the reimplementation's ternary questions; switches
            the question vector from 11 to 18 dims.
        ternary_subtype: -1 draws the ternary subtype uniformly; 0..2 fixes
            it (the reference's ``--t-subtype``).
        questions_per_family: questions per family per image (10 in the
            reference).
        progress: print a progress bar over images to stdout.

    Returns:
        dict of numpy arrays, with F = 2 (3 if ternary) families and
        Q = N * questions_per_family * F questions ordered image-major, then
        family, then question:

        - ``images`` uint8 (N, 75, 75, 3), RGB, white background;
        - ``object_centers`` int64 (N, 6, 2), (x, y) indexed by colour;
        - ``object_shapes`` int64 (N, 6), 0 rectangle, 1 circle;
        - ``question_image``, ``question_family``, ``question_subtype``,
          ``question_color_a``, ``question_color_b`` (-1 when unused),
          ``answer``: int64 (Q,);
        - ``question_vec`` float32 (Q, 11), or (Q, 18) if ternary.
    """
    _check_int('num_images', num_images, 1, None, 'an int >= 1')
    _check_int('seed', seed, 0, None, 'an int >= 0')
    _check_int('questions_per_family', questions_per_family, 1, None,
               'an int >= 1')
    _check_int('ternary_subtype', ternary_subtype, -1, 2,
               'an int in -1..2 (-1 = random, 0..2 = fixed subtype)')
    if not isinstance(ternary, (bool, np.bool_)):
        raise ValueError(f'ternary must be a bool, got {ternary!r}')
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f'progress must be a bool, got {progress!r}')

    n, qpf = int(num_images), int(questions_per_family)
    num_families = 3 if ternary else 2
    rng = np.random.default_rng(seed)

    images = np.full((n, IMG_SIZE, IMG_SIZE, 3), 255,
                     dtype=np.uint8)  # (N, 75, 75, 3)
    centers = np.empty((n, _NUM_OBJECTS, 2), dtype=np.int64)  # (N, 6, 2)
    shapes = np.empty((n, _NUM_OBJECTS), dtype=np.int64)  # (N, 6)
    # Per-question fields laid out (N, F, qpf) so that flattening gives the
    # image-major, family, question order.
    color_a = np.empty((n, num_families, qpf), dtype=np.int64)
    color_b = np.full((n, num_families, qpf), -1, dtype=np.int64)
    subtype = np.empty((n, num_families, qpf), dtype=np.int64)
    family = np.broadcast_to(
        np.arange(num_families)[None, :, None], (n, num_families, qpf))
    pool5 = np.tile(np.arange(_TERNARY_COLOR_POOL), (qpf, 1))  # (qpf, 5)

    bar = _Progress(n, bool(progress))
    for i in range(n):
        centers[i], shapes[i] = _place_objects(rng)
        _draw(images[i], centers[i], shapes[i])
        # Non-relational and binary relational: colour uniform over all 6.
        color_a[i, :2] = rng.integers(0, _NUM_OBJECTS, size=(2, qpf))
        subtype[i, :2] = rng.integers(0, _NUM_SUBTYPES, size=(2, qpf))
        if ternary:
            # A, B = first two entries of a permutation of range(5), per row.
            perm = rng.permuted(pool5, axis=1)  # (qpf, 5)
            color_a[i, 2], color_b[i, 2] = perm[:, 0], perm[:, 1]
            if ternary_subtype >= 0:
                subtype[i, 2] = ternary_subtype
            else:
                subtype[i, 2] = rng.integers(0, _NUM_SUBTYPES, size=qpf)
        bar.update()
    bar.close()

    q_image = np.broadcast_to(
        np.arange(n)[:, None, None],
        (n, num_families, qpf)).reshape(-1)  # (Q,)
    q_family = family.reshape(-1)
    q_subtype = subtype.reshape(-1)
    q_color_a = color_a.reshape(-1)
    q_color_b = color_b.reshape(-1)
    answer = compute_answers(centers, shapes, q_image, q_family, q_subtype,
                             q_color_a, q_color_b)
    question_vec = encode_questions(q_family, q_subtype, q_color_a, q_color_b,
                                    ternary)
    return {
        'images': images,
        'object_centers': centers,
        'object_shapes': shapes,
        'question_image': q_image.astype(np.int64),
        'question_family': q_family.astype(np.int64),
        'question_subtype': q_subtype,
        'question_color_a': q_color_a,
        'question_color_b': q_color_b,
        'question_vec': question_vec,
        'answer': answer,
    }
