"""Tests for vlframe/datasets/samplers/image_grouped_sampler.py."""
import numpy as np
import pytest

from vlframe.datasets import ImageGroupedSampler, SortOfClevrDataset
from vlframe.datasets.samplers import image_grouped_sampler
from vlframe.registry import DATA_SAMPLERS


class _Questions:
    """6 images with 5, 5, 5, 5, 3 and 1 questions, interleaved."""

    def __init__(self):
        self.ids = np.array([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 0,
                             1, 2, 3, 4, 0, 1, 2, 3])

    def __len__(self):
        return len(self.ids)

    def image_ids(self):
        return self.ids


def _runs(indices, size):
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def test_groups_of_k_questions_about_one_image():
    data = _Questions()
    sampler = ImageGroupedSampler(data, questions_per_image=2, seed=0)
    indices = list(sampler)
    assert len(sampler) == len(indices) == 24
    assert sorted(indices) == list(range(24))  # each question once
    # every group is questions of one image: 2, or fewer at an image's end
    groups = sampler.groups()
    assert [len(g) for g in groups].count(2) == 9  # 4 x (2, 2, 1) + (2, 1) + (1)
    assert len(groups) == 15
    for group in groups:
        assert len(set(data.ids[group])) == 1
    # read group after group
    assert indices == np.concatenate(groups).tolist()


def test_all_questions_of_an_image_together_and_new_order_per_epoch():
    data = _Questions()
    sampler = ImageGroupedSampler(data, seed=3)
    first = list(sampler)
    # None: one group per image; consecutive indices share the image
    changes = np.count_nonzero(np.diff(data.ids[first]))
    assert changes == 5  # 6 images, 5 boundaries
    sampler.set_epoch(1)
    second = list(sampler)
    assert sorted(second) == sorted(first) and second != first
    sampler.set_epoch(0)
    assert list(sampler) == first  # seeded by seed + epoch


def test_ranks_split_the_groups(monkeypatch):
    data = _Questions()
    per_rank = []
    for rank in (0, 1):
        monkeypatch.setattr(image_grouped_sampler, 'get_dist_info',
                            lambda rank=rank: (rank, 2))
        sampler = ImageGroupedSampler(data, questions_per_image=4, seed=5)
        per_rank.append(list(sampler))
        assert len(sampler) == len(per_rank[-1])
    # 8 groups: 4 per rank, no question on both ranks, all covered
    assert not set(per_rank[0]) & set(per_rank[1])
    assert sorted(per_rank[0] + per_rank[1]) == list(range(24))


def test_sort_of_clevr_batches_ask_about_few_images(tmp_path):
    data = SortOfClevrDataset(data_root=str(tmp_path), num_images=6, seed=0)
    sampler = DATA_SAMPLERS.build(
        dict(type='ImageGroupedSampler', questions_per_image=10, seed=0),
        default_args=dict(dataset=data))
    indices = list(sampler)
    images = data.image_ids()[indices]
    # batches of 20 from groups of 10: at most 2 images per batch
    for batch in _runs(images, 20):
        assert len(set(batch.tolist())) <= 2
    assert sorted(indices) == list(range(120))


def test_bad_arguments():
    with pytest.raises(TypeError, match='image_ids'):
        ImageGroupedSampler(list(range(4)))
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match='questions_per_image'):
            ImageGroupedSampler(_Questions(), questions_per_image=bad)
    class OneIdShort(_Questions):

        def image_ids(self):
            return self.ids[:-1]

    with pytest.raises(ValueError, match='23 ids for 24 samples'):
        ImageGroupedSampler(OneIdShort())
