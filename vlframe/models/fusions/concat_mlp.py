from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class ConcatMLPFusion(BaseModule):
    """The CNN+MLP baseline of the RN paper: flatten the feature map, append
    the question, one fully connected layer with ReLU.

    Args:
        in_channels: channels of the feature map.
        num_objects: cells of the feature map (h * w; 25 for 75x75 input).
        question_dim: size of the question encoding.
        out_channels: width of the layer (256 in the reimplementation).
    """

    def __init__(self,
                 in_channels: int,
                 num_objects: int,
                 question_dim: int,
                 out_channels: int = 256,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_features = in_channels * num_objects + question_dim
        self.question_dim = question_dim
        self.fc = nn.Linear(self.in_features, out_channels)
        self.out_channels = out_channels

    def forward(self, feats: torch.Tensor,
                question: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) features and (B, Q) questions -> (B, out_channels)."""
        flat = feats.flatten(1)  # (B, C * h * w)
        joint = torch.cat([flat, question.to(flat.dtype)], dim=1)
        if joint.shape[1] != self.in_features:
            raise ValueError(
                f'ConcatMLPFusion expects {self.in_features} input features '
                f'(in_channels * num_objects + question_dim) but got '
                f'{flat.shape[1]} image + {question.shape[1]} question '
                'features; check num_objects against the image size')
        return torch.relu(self.fc(joint))
