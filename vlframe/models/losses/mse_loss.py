import torch
import torch.nn.functional as F
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class MSELoss(nn.Module):
    """Mean squared error of a regression, computed in float32.

    IGMC trains on ``F.mse_loss(prediction, rating)``: the mean over the
    batch of the squared rating errors.

    Args:
        loss_weight: multiplier of the loss.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """(B,) predictions and (B,) targets -> 0-dim loss."""
        if pred.shape != target.shape:
            raise ValueError(
                f'MSELoss: predictions {tuple(pred.shape)} and targets '
                f'{tuple(target.shape)} must have the same shape')
        return self.loss_weight * F.mse_loss(pred.float(), target.float())
