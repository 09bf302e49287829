import math
from typing import Iterator, Optional, Sized

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from vlframe.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class ImageGroupedSampler(Sampler):
    """Shuffle questions in groups of ``questions_per_image`` questions about
    one image, so that a batch asks several questions of each of its images.

    Sort-of-CLEVR asks 20 questions per image; drawn one by one, a batch of
    64 shows 64 different images and a CNN trained end to end runs 20 times
    per image per epoch. With groups of k questions about one image (and
    ``VLDataPreprocessor(share_images=True)``, which encodes each distinct
    image of a batch once) it runs 20 / k times. Every question is still
    seen exactly once per epoch.

    Per epoch (seeded by ``seed + epoch``, the same on every rank): the
    questions of each image are shuffled and cut into groups of k (the last
    group of an image may be smaller), the groups of all images are
    shuffled, and the indices are read group after group. In distributed
    training rank r takes groups r, r + world_size, ...; the group list is
    padded by repeating its start, as ``DefaultSampler(round_up=True)``
    pads samples, so every rank gets the same number of groups.

    Args:
        dataset: a dataset with ``image_ids()`` -> (N,) array, the image of
            each sample (``SortOfClevrDataset``).
        questions_per_image: group size k; None puts all questions of an
            image in one group.
        shuffle: shuffle within and across groups (False: dataset order,
            for inspection).
        seed: shuffling seed; None draws one shared by all ranks.
    """

    def __init__(self,
                 dataset: Sized,
                 questions_per_image: Optional[int] = None,
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        if not hasattr(dataset, 'image_ids'):
            raise TypeError(
                f'ImageGroupedSampler needs a dataset with image_ids() (the '
                f'image of every sample); {type(dataset).__name__} has none')
        if questions_per_image is not None and (
                isinstance(questions_per_image, bool)
                or not isinstance(questions_per_image, int)
                or questions_per_image < 1):
            raise ValueError('questions_per_image must be an int >= 1 or '
                             f'None, got {questions_per_image!r}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.questions_per_image = questions_per_image
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        image_ids = np.asarray(dataset.image_ids())
        if len(image_ids) != len(dataset):
            raise ValueError(
                f'{type(dataset).__name__}.image_ids() gave '
                f'{len(image_ids)} ids for {len(dataset)} samples')
        # the samples of each image, in dataset order
        _, image_of_sample = np.unique(image_ids, return_inverse=True)
        order = np.argsort(image_of_sample, kind='stable')
        starts = np.flatnonzero(
            np.diff(image_of_sample[order], prepend=-1))  # (num_images,)
        self.samples_per_image = np.split(order, starts[1:])
        sizes = [len(samples) for samples in self.samples_per_image]
        group = questions_per_image or max(sizes)
        self.num_groups = sum(math.ceil(size / group) for size in sizes)
        self.groups_per_rank = math.ceil(self.num_groups / self.world_size)

    def groups(self) -> list:
        """This epoch's groups, shuffled, before the split across ranks."""
        rng = np.random.default_rng(self.seed + self.epoch)
        groups = []
        for samples in self.samples_per_image:
            if self.shuffle:
                samples = rng.permutation(samples)
            size = self.questions_per_image or len(samples)
            groups.extend(samples[i:i + size]
                          for i in range(0, len(samples), size))
        if self.shuffle:
            groups = [groups[i] for i in rng.permutation(len(groups))]
        return groups

    def __iter__(self) -> Iterator[int]:
        return iter(
            torch.from_numpy(np.concatenate(self._rank_groups())).tolist())

    def __len__(self) -> int:
        if self.world_size == 1:
            return len(self.dataset)
        # padding repeats groups, whose sizes may differ: count them
        return sum(len(group) for group in self._rank_groups())

    def _rank_groups(self) -> list:
        groups = self.groups()
        total = self.groups_per_rank * self.world_size
        groups = (groups * math.ceil(total / len(groups)))[:total]
        return groups[self.rank:total:self.world_size]

    def set_epoch(self, epoch: int) -> None:
        """Called by the train loop each epoch: a new shuffle."""
        self.epoch = epoch
