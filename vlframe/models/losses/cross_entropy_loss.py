import torch
import torch.nn.functional as F
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy over answer classes, computed in float32.

    Args:
        loss_weight: multiplier of the loss.
        label_smoothing: as in ``torch.nn.functional.cross_entropy``.
    """

    def __init__(self, loss_weight: float = 1.0, label_smoothing: float = 0.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.label_smoothing = label_smoothing

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """(B, C) logits (any float dtype) and (B,) class indices."""
        # under bf16 autocast the logits arrive in bf16; the log-softmax
        # and the mean must not be
        loss = F.cross_entropy(logits.float(), target,
                               label_smoothing=self.label_smoothing)
        return self.loss_weight * loss
