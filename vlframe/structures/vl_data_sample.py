"""The one data sample that carries ground truth in and predictions out."""
from typing import Sequence, Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement

LabelLike = Union[int, np.integer, torch.Tensor, Sequence[int]]


def _to_long_tensor(value: LabelLike, name: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.long()
    if isinstance(value, (int, np.integer)):
        return torch.tensor(int(value), dtype=torch.long)
    if isinstance(value, (np.ndarray, Sequence)):
        return torch.as_tensor(value, dtype=torch.long)
    raise TypeError(f'{name} must be an int, a sequence of ints or a tensor, '
                    f'got {type(value).__name__}')


class VLDataSample(BaseDataElement):
    """A vision-language sample, as in DESIGN.md "How data flows".

    Meta information (set once by the dataset, never changes):
        ``question`` (English text), ``question_id``, ``img_idx`` /
        ``img_path``, ``question_family`` and ``question_subtype`` (names
        used by per-type metrics), ``answer_vocab`` when a dataset has one.

    Data fields (tensors; ground truth from the pipeline, predictions from
    the model's ``predict``):
        ``gt_answer``: answer class index, a 0-dim long tensor; for
            soft-target (VQA) datasets the (K,) labels of the answers the
            annotators gave that are in the vocabulary.
        ``gt_answer_weight``: (K,) float soft scores of those labels
            (0.3 / 0.6 / 0.9 / 1.0 for 1 / 2 / 3 / 4+ matching annotators).
        ``pred_answer``: predicted class index, a 0-dim long tensor.
        ``pred_score``: the softmax over the answer vocabulary, shape (C,).

    Metrics read only these fields, never model internals. Like
    mmpretrain's ``DataSample``, the ``set_*`` methods convert and check
    values; plain attribute assignment stores them as given.
    """

    def set_gt_answer(self, value: LabelLike) -> 'VLDataSample':
        self.set_field(_to_long_tensor(value, 'gt_answer'), 'gt_answer',
                       dtype=torch.Tensor)
        return self

    def set_gt_answer_weight(self, value) -> 'VLDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.float32),
                       'gt_answer_weight', dtype=torch.Tensor)
        return self

    def set_pred_answer(self, value: LabelLike) -> 'VLDataSample':
        self.set_field(_to_long_tensor(value, 'pred_answer'), 'pred_answer',
                       dtype=torch.Tensor)
        return self

    def set_pred_score(self, value: torch.Tensor) -> 'VLDataSample':
        self.set_field(value, 'pred_score', dtype=torch.Tensor)
        return self


def stack_answer_targets(data_samples: Sequence[VLDataSample],
                         num_classes: int) -> torch.Tensor:
    """Dense (B, num_classes) float targets from the samples' ground truth.

    A sample with ``gt_answer_weight`` gives its soft scores at the labels of
    ``gt_answer`` (VQA: 0.3 / 0.6 / 0.9 / 1.0; a question none of whose
    answers is in the vocabulary gives a zero row); a sample with a single
    ``gt_answer`` index gives a one-hot row. Out-of-range labels are an
    error: the answer vocabulary of the data and the head disagree.
    """
    targets = torch.zeros(len(data_samples), num_classes)
    for row, sample in enumerate(data_samples):
        labels = sample.gt_answer.reshape(-1)  # (K,)
        if 'gt_answer_weight' in sample:
            weights = sample.gt_answer_weight.reshape(-1).float()  # (K,)
            if weights.shape != labels.shape:
                raise ValueError(
                    f'gt_answer {tuple(labels.shape)} and gt_answer_weight '
                    f'{tuple(weights.shape)} of a data sample must have one '
                    'weight per label')
        else:
            weights = torch.ones(labels.shape)
        if labels.numel() and (int(labels.max()) >= num_classes
                               or int(labels.min()) < 0):
            raise ValueError(
                f'gt_answer labels must be in [0, {num_classes}), got '
                f'{int(labels.min())}..{int(labels.max())}: the answer '
                f'vocabulary of the dataset and the head (num_classes='
                f'{num_classes}) disagree')
        targets[row, labels] = weights
    return targets
