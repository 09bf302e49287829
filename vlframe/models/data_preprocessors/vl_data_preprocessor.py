from typing import Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from vlframe.registry import MODELS


@MODELS.register_module()
class VLDataPreprocessor(BaseDataPreprocessor):
    """Batch a vision-language sample list: stack images and normalise them,
    stack every other per-sample tensor input, move all to the device.

    The collate function (mmengine's ``pseudo_collate``) leaves ``inputs``
    as a dict of lists; this turns ``inputs['img']`` (B x (3, H, W) uint8)
    into a (B, 3, H, W) float tensor ``(img - mean) / std`` and stacks the
    other keys (e.g. ``question``: B x (Q,) -> (B, Q)).

    Args:
        mean, std: per-channel, in the images' 0-255 scale. The RN feeds
            images in [0, 1]: mean 0, std 255.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 non_blocking: bool = False):
        super().__init__(non_blocking)
        self.normalize = mean is not None
        if self.normalize:
            if std is None or len(mean) != len(std):
                raise ValueError('VLDataPreprocessor needs std with one value '
                                 'per mean value')
            self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1),
                                 persistent=False)
            self.register_buffer('std', torch.tensor(std).view(-1, 1, 1),
                                 persistent=False)

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = {}
        for key, value in data['inputs'].items():
            if isinstance(value, (list, tuple)) and value and \
                    isinstance(value[0], torch.Tensor):
                value = torch.stack(value)
            inputs[key] = value
        data = self.cast_data(dict(inputs=inputs,
                                   data_samples=data.get('data_samples')))
        img = data['inputs'].get('img')
        if img is not None:
            img = img.float()
            if self.normalize:
                img = (img - self.mean) / self.std  # (B, 3, H, W)
            data['inputs']['img'] = img
        return data
