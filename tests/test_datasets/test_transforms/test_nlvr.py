"""Tests for vlframe/datasets/transforms/nlvr.py (PermuteNLVRBoxes)."""
import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from torch.utils.data import Dataset

from vlframe.datasets.generators.nlvr_format import (BOX_ORDERS,
                                                     make_nlvr_examples,
                                                     render_nlvr_image)
from vlframe.datasets.transforms import PermuteNLVRBoxes
from vlframe.registry import TRANSFORMS


@pytest.fixture(scope='module')
def scene():
    """The three boxes of a generated NLVR example (objects in each)."""
    return make_nlvr_examples(1, seed=3, max_objects_per_box=4)[0][
        'structured_rep']


def _permute(transform, img, seed):
    np.random.seed(seed)
    results = transform(dict(img=img, gt_answer=1))
    return results['img'], results['box_order'], results


@pytest.mark.parametrize('image_size', [(100, 400), (50, 200)])
def test_result_is_the_scene_drawn_in_that_box_order(scene, image_size):
    """Every box's pixels move as a whole, border included, to its new
    slot; the image equals NLVR's rendering of that order (one of the
    sentence's six images, all with its label)."""
    original = render_nlvr_image(scene, (0, 1, 2), image_size)
    transform = PermuteNLVRBoxes()
    seen = set()
    for seed in range(40):
        img, order, results = _permute(transform, original.copy(), seed)
        seen.add(order)
        expected = render_nlvr_image(scene, order, image_size)
        np.testing.assert_array_equal(img, expected)
        assert img.dtype == np.uint8 and img.shape == original.shape
        assert results['gt_answer'] == 1  # the label is untouched
    assert seen == set(BOX_ORDERS)  # all six orders occur


def test_each_box_moves_intact_and_gaps_stay():
    # three distinct boxes of random pixels in a 100x400 image
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(100, 400, 3), dtype=np.uint8)
    transform = PermuteNLVRBoxes()
    panels = transform.panels(400)
    assert panels == [(0, 100), (150, 250), (300, 400)]
    for seed in range(10):
        out, order, _ = _permute(transform, img.copy(), seed)
        for slot, box in enumerate(order):
            left, right = panels[slot]
            src_left, src_right = panels[box]
            np.testing.assert_array_equal(out[:, left:right],
                                          img[:, src_left:src_right])
        np.testing.assert_array_equal(out[:, 100:150], img[:, 100:150])
        np.testing.assert_array_equal(out[:, 250:300], img[:, 250:300])


def test_orders_are_uniform_from_numpy_seed():
    transform = PermuteNLVRBoxes()
    img = np.zeros((4, 400, 3), dtype=np.uint8)
    np.random.seed(0)
    orders = [transform(dict(img=img))['box_order'] for _ in range(1200)]
    counts = {order: orders.count(order) for order in BOX_ORDERS}
    assert all(150 <= c <= 250 for c in counts.values()), counts
    np.random.seed(0)
    again = [transform(dict(img=img))['box_order'] for _ in range(1200)]
    assert again == orders


def test_prob_zero_keeps_the_image():
    transform = PermuteNLVRBoxes(prob=0.0)
    img = np.arange(100 * 400 * 3, dtype=np.int64).reshape(100, 400, 3)
    results = transform(dict(img=img))
    assert results['box_order'] == (0, 1, 2)
    assert results['img'] is img


class _Images(Dataset):
    """Samples that only carry a 1x400 image through the transform."""

    def __init__(self, num):
        self.num = num
        self.transform = TRANSFORMS.build(dict(type='PermuteNLVRBoxes'))

    def __len__(self):
        return self.num

    def __getitem__(self, index):
        img = np.zeros((1, 400, 3), dtype=np.uint8)
        order = self.transform(dict(img=img))['box_order']
        return ''.join(str(i) for i in order)  # a string collates as is


def _orders_from_mmengine_loader(seed, num_workers):
    loader = Runner.build_dataloader(
        dict(
            batch_size=4,
            num_workers=num_workers,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=_Images(24)),
        seed=seed)
    if num_workers == 0:
        # the Runner seeds the main process (randomness.seed) itself
        np.random.seed(seed)
    return [order for batch in loader for order in batch]


@pytest.mark.parametrize('num_workers', [0, 2])
def test_dataloader_seed_makes_runs_reproducible(num_workers):
    torch.set_num_threads(1)
    first = _orders_from_mmengine_loader(7, num_workers)
    assert len(first) == 24
    assert {tuple(int(c) for c in o) for o in first} <= set(BOX_ORDERS)
    assert _orders_from_mmengine_loader(7, num_workers) == first
    assert _orders_from_mmengine_loader(8, num_workers) != first


@pytest.mark.parametrize('kwargs', [
    dict(box_starts=(0, 90, 300)),  # boxes 0 and 1 overlap
    dict(box_starts=(150, 0, 300)),  # not ascending
    dict(box_starts=(0, 150, 350)),  # past image_width
    dict(box_starts=(0, )),
    dict(box_width=0),
    dict(prob=1.5),
])
def test_bad_geometry(kwargs):
    with pytest.raises(ValueError):
        PermuteNLVRBoxes(**kwargs)


def test_too_narrow_image_is_an_error_naming_the_sizes():
    transform = PermuteNLVRBoxes(box_starts=(0, 150, 300), box_width=100,
                                 image_width=400)
    # 399 / 400 scales the boxes to 100 wide at 0, 150, 299: fits
    assert transform.panels(399)[-1] == (299, 399)
    with pytest.raises(ValueError, match='2 pixels wide'):
        transform.panels(2)


def test_repr():
    assert repr(PermuteNLVRBoxes()) == (
        'PermuteNLVRBoxes(box_starts=(0, 150, 300), box_width=100, '
        'image_width=400, prob=1.0)')
