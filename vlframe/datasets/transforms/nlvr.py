"""Label-preserving augmentation for Cornell NLVR."""
from typing import List, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from vlframe.registry import TRANSFORMS

__all__ = ['PermuteNLVRBoxes']


@TRANSFORMS.register_module()
class PermuteNLVRBoxes(BaseTransform):
    """Put the boxes of an NLVR image in a random order.

    An NLVR image shows three boxes side by side, and the six images of a
    sentence are the six orders of the same three boxes, all with the
    sentence's label: the statements are about the set of boxes, never
    about which box is where. Moving every box panel (its full height and
    width, border included) to another box's slot therefore keeps the
    label. The gaps between boxes are left as they are. Applied before any
    resize, on the image as loaded.

    The order is uniform over all permutations (the identity included),
    drawn from NumPy's global generator, which mmengine seeds in every
    dataloader worker (``worker_init_fn``: seed + worker id) and in the
    main process (``randomness.seed``), so runs are reproducible. The
    chosen order is stored in ``results['box_order']``: slot ``i`` shows the
    input's box ``box_order[i]``.

    The default geometry is NLVR's (and ``generate_nlvr_format``'s): a
    100x400 image with 100-pixel-wide boxes whose left edges are at columns
    0, 150 and 300. An image of another width gets the geometry scaled by
    ``width / image_width`` (rounded), as the generator draws smaller images.

    Args:
        box_starts: left column of each box, for an image ``image_width``
            wide; ascending, the boxes must not overlap.
        box_width: width of every box, for an image ``image_width`` wide.
        image_width: the width the geometry is given for.
        prob: probability of permuting a sample at all.
    """

    def __init__(self,
                 box_starts: Sequence[int] = (0, 150, 300),
                 box_width: int = 100,
                 image_width: int = 400,
                 prob: float = 1.0):
        box_starts = tuple(int(s) for s in box_starts)
        if len(box_starts) < 2:
            raise ValueError('box_starts needs at least two boxes, got '
                             f'{box_starts}')
        if box_width < 1 or box_starts[0] < 0 or any(
                b - a < box_width
                for a, b in zip(box_starts, box_starts[1:])) or (
                    box_starts[-1] + box_width > image_width):
            raise ValueError(
                f'boxes of width {box_width} at columns {box_starts} must be '
                f'ascending, must not overlap and must fit in image_width='
                f'{image_width}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.box_starts = box_starts
        self.box_width = int(box_width)
        self.image_width = int(image_width)
        self.prob = prob

    def panels(self, width: int) -> List[Tuple[int, int]]:
        """``(left, right)`` columns of every box in an image ``width``
        pixels wide."""
        scale = width / self.image_width
        side = int(round(self.box_width * scale))
        panels = [(int(round(start * scale)), int(round(start * scale)) + side)
                  for start in self.box_starts]
        if panels[-1][1] > width or side < 1:
            raise ValueError(
                f'PermuteNLVRBoxes: boxes at {panels} do not fit an image '
                f'{width} pixels wide')
        return panels

    @cache_randomness
    def _random_order(self) -> Tuple[int, ...]:
        num_boxes = len(self.box_starts)
        if np.random.rand() >= self.prob:
            return tuple(range(num_boxes))
        return tuple(int(i) for i in np.random.permutation(num_boxes))

    def transform(self, results: dict) -> dict:
        img = results['img']  # (H, W, C) or (H, W)
        order = self._random_order()
        results['box_order'] = order
        if order == tuple(range(len(order))):
            return results
        panels = self.panels(img.shape[1])
        out = img.copy()
        for slot, box in enumerate(order):
            left, right = panels[slot]
            src_left, src_right = panels[box]
            out[:, left:right] = img[:, src_left:src_right]
        results['img'] = out
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(box_starts={self.box_starts}, '
                f'box_width={self.box_width}, '
                f'image_width={self.image_width}, prob={self.prob})')
