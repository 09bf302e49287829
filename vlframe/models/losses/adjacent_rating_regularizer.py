from typing import Sequence

import torch
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class AdjacentRatingRegularizer(nn.Module):
    """IGMC's adjacent rating regularizer (ARR, Zhang & Chen 2020,
    section 4).

    Ratings are ordered (a 4 is closer to a 5 than to a 1), but an R-GCN
    learns one weight matrix per rating type independently. ARR ties the
    weights of adjacent ratings together:

        loss_weight * sum over layers, sum over r of ||W_{r+1} - W_r||_F^2

    with the relations sorted by rating value (the dataset's edge types are
    the indices of its sorted rating values). This is the sum the authors'
    ``train_eval.py`` adds to the MSE, with ``--ARR 0.001``: no mean, every
    squared entry of every layer counted.

    Args:
        loss_weight: the ARR coefficient lambda (0.001 in the paper).
    """

    def __init__(self, loss_weight: float = 0.001):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, relation_weights: Sequence[torch.Tensor]
                ) -> torch.Tensor:
        """One (R, C_in, C_out) tensor per layer -> 0-dim loss."""
        if len(relation_weights) == 0:
            raise ValueError('AdjacentRatingRegularizer needs the relation '
                             'weights of at least one layer')
        total = 0.
        for weights in relation_weights:
            differences = weights[1:] - weights[:-1]  # (R - 1, C_in, C_out)
            total = total + differences.float().pow(2).sum()
        return self.loss_weight * total
