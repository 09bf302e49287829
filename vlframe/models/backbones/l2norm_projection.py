from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS

_ACTIVATIONS = {'tanh': nn.Tanh, 'relu': nn.ReLU, None: nn.Identity}


@MODELS.register_module()
class L2NormProjection(BaseModule):
    """The image side of the "deeper LSTM Q + norm I" baseline: flatten an
    image feature, divide it by its l2 norm, then a fully connected layer
    with tanh (4096-d VGG fc7 -> 1024 in Antol et al. 2015).

    Used by ``VQAModel`` as its ``image_neck``, after the image encoder or
    directly on pre-extracted features (``inputs['img_feat']``). A feature
    map (B, C, h, w) is flattened, not pooled, so that the position of what
    the CNN saw survives (Sort-of-CLEVR asks where an object is).

    Args:
        in_channels: size of the flattened feature (4096 for fc7; C*h*w
            for a feature map).
        out_channels: width of the projection (1024).
        l2_normalize: divide each feature by its l2 norm ("norm I").
        act: activation after the projection ('tanh', 'relu' or None).
        dropout: dropout before the projection.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 1024,
                 l2_normalize: bool = True,
                 act: Optional[str] = 'tanh',
                 dropout: float = 0.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if act not in _ACTIVATIONS:
            raise ValueError(f'act must be one of {list(_ACTIVATIONS)}, got '
                             f'{act!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.l2_normalize = l2_normalize
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_channels, out_channels)
        self.act = _ACTIVATIONS[act]()

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, D) or (B, C, h, w) -> (B, out_channels)."""
        # float16 / float64 stored features: normalise in the weights' dtype
        flat = feats.flatten(1).to(self.fc.weight.dtype)  # (B, D)
        if flat.shape[1] != self.in_channels:
            raise ValueError(
                f'L2NormProjection was built for in_channels='
                f'{self.in_channels} but got features of size '
                f'{flat.shape[1]} (input shape {tuple(feats.shape)}); set '
                'in_channels to the flattened feature size')
        if self.l2_normalize:
            flat = F.normalize(flat, p=2, dim=1)
        return self.act(self.fc(self.dropout(flat)))
