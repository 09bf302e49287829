from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vlframe.registry import TRANSFORMS
from vlframe.structures import VLDataSample


def to_tensor(value) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    return torch.as_tensor(value)


@TRANSFORMS.register_module()
class PackVLInputs(BaseTransform):
    """Pack a sample dict into ``dict(inputs=..., data_samples=VLDataSample)``.

    ``inputs['img']`` is the (3, H, W) uint8 image (from HWC ``img``);
    ``inputs['img_feat']`` the pre-extracted image feature when the sample
    has ``img_feat`` (``LoadImageFeature``); every key of ``input_keys``
    becomes ``inputs[key]`` as a tensor; ``gt_answer`` (and, for VQA soft
    targets, ``gt_answer_weight``) go to the data sample; ``meta_keys``
    found in the dict become the sample's meta information (VQA adds the
    10 human ``answers``, ``answer_type``, ``question_type``, ``image_id``
    and ``img_path``).

    Args:
        input_keys: non-image model inputs, e.g. ``('question',)``.
        meta_keys: keys copied to the data sample's metainfo.
    """

    def __init__(self,
                 input_keys: Sequence[str] = ('question', ),
                 meta_keys: Sequence[str] = ('question_id', 'question_text',
                                             'img_idx', 'question_family',
                                             'question_subtype', 'answers',
                                             'answer_type', 'question_type',
                                             'image_id', 'img_path')):
        self.input_keys = tuple(input_keys)
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = {}
        if 'img' in results:
            img = results['img']
            if img.ndim == 2:
                img = img[..., None]
            inputs['img'] = to_tensor(img.transpose(2, 0, 1))  # (3, H, W)
        if 'img_feat' in results:
            inputs['img_feat'] = to_tensor(results['img_feat'])  # (D,)
        for key in self.input_keys:
            if key not in results:
                raise KeyError(f'PackVLInputs: sample has no "{key}" '
                               f'(it has {sorted(results)})')
            inputs[key] = to_tensor(results[key])
        data_sample = VLDataSample(metainfo={
            key: results[key]
            for key in self.meta_keys if key in results
        })
        if 'gt_answer' in results:
            data_sample.set_gt_answer(results['gt_answer'])
        if 'gt_answer_weight' in results:
            data_sample.set_gt_answer_weight(results['gt_answer_weight'])
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(input_keys={self.input_keys}, '
                f'meta_keys={self.meta_keys})')
