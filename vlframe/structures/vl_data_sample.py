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
        ``gt_answer``: answer class index, a 0-dim long tensor.
        ``gt_answer_weight``: soft target scores, for VQA-style datasets.
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

    def set_pred_answer(self, value: LabelLike) -> 'VLDataSample':
        self.set_field(_to_long_tensor(value, 'pred_answer'), 'pred_answer',
                       dtype=torch.Tensor)
        return self

    def set_pred_score(self, value: torch.Tensor) -> 'VLDataSample':
        self.set_field(value, 'pred_score', dtype=torch.Tensor)
        return self
