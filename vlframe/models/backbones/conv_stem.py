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

    The Relation Network reimplementation on Cornell NLVR downsamples with
    max-pooling instead of strides: 3x3 convs of stride 1 (conv, BN, ReLU)
    with 4x4, 3x3 and 2x2 max-pooling after the first three blocks, which
    takes a 50x200 image to a 2x8 map (``stride=1, pool_sizes=(4, 3, 2),
    order=('conv', 'norm', 'act')``).

    Args:
        in_channels: channels of the input image.
        channels: output channels of each block; its length is the depth.
        kernel_size, stride, padding: of every conv.
        norm_cfg, act_cfg, order: passed to mmcv's ``ConvModule``.
        pool_sizes: max-pooling (kernel = stride, no padding, floor) after
            block ``i`` of size ``pool_sizes[i]``; 1, or a block past the end
            of the list, has none. The default pools nowhere.
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
                 pool_sizes: Sequence[int] = (),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        pool_sizes = tuple(pool_sizes)
        if len(pool_sizes) > len(channels) or any(
                isinstance(size, bool) or not isinstance(size, int)
                or size < 1 for size in pool_sizes):
            raise ValueError(
                'pool_sizes must hold at most one int >= 1 per block '
                f'({len(channels)} blocks), got {pool_sizes}')
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
        # kept apart from the blocks so that their parameter names do not
        # depend on the pooling
        self.pools = torch.nn.ModuleList(
            torch.nn.MaxPool2d(size) if size > 1 else torch.nn.Identity()
            for size in pool_sizes)
        self.out_channels = in_channels

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, C, h, w): H / stride**depth without pooling,
        divided (floor) by each pool size too with it."""
        if not len(self.pools):
            return self.blocks(img)
        feats = img
        for index, block in enumerate(self.blocks):
            feats = block(feats)
            if index < len(self.pools):
                feats = self.pools[index](feats)  # (B, C, h / p, w / p)
        return feats
