import warnings
from typing import Optional, Sequence

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from vlframe.registry import MODELS


@MODELS.register_module()
class ConvStem(BaseModule):
    """A stack of strided conv blocks: the Relation Network image encoder.

    Santoro et al. (2017) encode a Sort-of-CLEVR / CLEVR image with four 3x3
    convolutions of stride 2 and 24 channels, each followed by ReLU and
    batch norm (the public reimplementation applies ReLU before BN, which is
    the default ``order`` here). A 75x75 image becomes a 5x5x24 map whose 25
    cells are the "objects" the relation network compares.

    Args:
        in_channels: channels of the input image.
        channels: output channels of each block; its length is the depth.
        kernel_size, stride, padding: of every conv.
        norm_cfg, act_cfg, order: passed to mmcv's ``ConvModule``.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (24, 24, 24, 24),
                 kernel_size: int = 3,
                 stride: int = 2,
                 padding: int = 1,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 order: Sequence[str] = ('conv', 'act', 'norm'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        blocks = []
        for out_channels in channels:
            with warnings.catch_warnings():
                # mmcv warns about a conv bias before a norm layer, which is
                # right for conv-norm-act but not here: ReLU comes between
                warnings.filterwarnings(
                    'ignore', message='Unnecessary conv bias')
                block = ConvModule(
                    in_channels,
                    out_channels,
                    kernel_size,
                    stride=stride,
                    padding=padding,
                    # the conv bias matters: ReLU comes before the norm
                    bias=True,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg,
                    order=tuple(order))
            blocks.append(block)
            in_channels = out_channels
        self.blocks = torch.nn.Sequential(*blocks)
        self.out_channels = in_channels

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, C, H / stride**depth, W / stride**depth)."""
        return self.blocks(img)
