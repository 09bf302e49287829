import torch
import torch.nn.functional as F
from torch import nn

from vlframe.registry import MODELS


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy over answer classes, computed in float32.

    Targets are (B,) class indices, or (B, C) float soft scores (VQA's
    0.3 / 0.6 / 0.9 / 1.0 per answer). Soft scores are not a distribution
    (a row can sum to 2.8, or to 0 when no answer of the question is in the
    vocabulary), so each row is divided by its sum: the softmax is trained
    towards the answers in proportion to their scores, and a zero row adds
    nothing to the loss. The batch mean still counts every row.

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
        """(B, C) logits (any float dtype) and (B,) class indices or (B, C)
        soft scores."""
        # under bf16 autocast the logits arrive in bf16; the log-softmax
        # and the mean must not be
        logits = logits.float()
        if target.is_floating_point():
            if target.shape != logits.shape:
                raise ValueError(
                    f'soft targets {tuple(target.shape)} must have the '
                    f'shape of the logits {tuple(logits.shape)}')
            target = target.float()
            row_sums = target.sum(dim=1, keepdim=True)  # (B, 1)
            target = target / row_sums.clamp_min(1e-12)  # rows sum to 1 or 0
            log_probs = F.log_softmax(logits, dim=1)  # (B, C)
            if self.label_smoothing:
                num_classes = logits.shape[1]
                has_answer = (row_sums > 0).float()  # (B, 1)
                target = (target * (1 - self.label_smoothing) +
                          has_answer * self.label_smoothing / num_classes)
            loss = -(target * log_probs).sum(dim=1).mean()
        else:
            loss = F.cross_entropy(logits, target,
                                   label_smoothing=self.label_smoothing)
        return self.loss_weight * loss


@MODELS.register_module()
class BinaryCrossEntropyLoss(nn.Module):
    """Sigmoid binary cross-entropy per answer class, in float32: the
    ViLT / bottom-up VQA loss on soft scores (each answer is an independent
    yes/no target equal to its score).

    Args:
        loss_weight: multiplier of the loss.
        scale_by_num_classes: multiply the mean over B x C entries by C,
            i.e. sum over classes and average over the batch, as ViLT's
            ``binary_cross_entropy_with_logits(...) * targets.shape[1]``.
    """

    # the head predicts with sigmoid scores and builds dense targets
    score_activation = 'sigmoid'
    dense_targets = True

    def __init__(self, loss_weight: float = 1.0,
                 scale_by_num_classes: bool = False):
        super().__init__()
        self.loss_weight = loss_weight
        self.scale_by_num_classes = scale_by_num_classes

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """(B, C) logits and (B, C) float scores in [0, 1] (or (B,) class
        indices, taken as one-hot rows)."""
        logits = logits.float()
        if not target.is_floating_point():
            target = F.one_hot(target.long(), logits.shape[1])  # (B, C)
        if target.shape != logits.shape:
            raise ValueError(
                f'targets {tuple(target.shape)} must have the shape of the '
                f'logits {tuple(logits.shape)}')
        loss = F.binary_cross_entropy_with_logits(logits, target.float())
        if self.scale_by_num_classes:
            loss = loss * logits.shape[1]
        return self.loss_weight * loss
