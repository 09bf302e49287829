from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class ElementwiseProductFusion(BaseModule):
    """Fuse an image and a question vector by their element-wise product,
    as the "deeper LSTM Q + norm I" VQA baseline does with its two 1024-d
    tanh embeddings (Antol et al. 2015). The product lets each question
    unit gate the matching image unit, which a concatenation cannot.

    Args:
        dropout: dropout on the product (the baseline's dropout before its
            1024-unit layer; set it here or as the head's
            ``dropout_before_hidden``, not both).
    """

    def __init__(self, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.dropout = nn.Dropout(dropout)

    def forward(self, image: torch.Tensor,
                question: torch.Tensor) -> torch.Tensor:
        """(B, C) image and (B, C) question embeddings -> (B, C)."""
        if image.dim() != 2 or image.shape != question.shape:
            raise ValueError(
                'ElementwiseProductFusion needs (B, C) image and question '
                f'embeddings of one shape, got {tuple(image.shape)} and '
                f'{tuple(question.shape)}; project both to the same width '
                '(image_neck.out_channels == question_encoder.out_channels)')
        return self.dropout(image * question)
