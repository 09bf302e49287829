from typing import List, Optional, Sequence

import torch

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample, stack_answer_targets
from .answer_head import AnswerHead


@MODELS.register_module()
class BinaryAnswerHead(AnswerHead):
    """A two-answer head with one sigmoid output: is the statement true?

    For datasets whose answer vocabulary is (negative, positive), such as
    Cornell NLVR's ('false', 'true'): the classifier has a single logit,
    ``p = sigmoid(logit)`` is the probability of class 1, trained with
    binary cross-entropy on the 0/1 ``gt_answer``, as the Relation Network
    reimplementation on NLVR ends in ``Dense(1, sigmoid)``. A softmax over
    two logits would model the same thing with one redundant output.

    Predictions follow the multi-class contract, so that accuracy metrics,
    the visualizer and ``inference_vqa`` work unchanged: ``pred_score`` is
    the (2,) vector ``[1 - p, p]`` and ``pred_answer`` is 1 when
    ``p > 0.5``, else 0 (a tie is 'false').

    The hidden layers are AnswerHead's (``hidden_dims``, ``act``,
    ``hidden_norm``, the dropouts); ``forward`` returns (B, 1) logits.

    Args:
        in_channels: width of the fused representation.
        hidden_dims, dropout, act, dropout_before_hidden, hidden_norm,
            dropout_after_hidden: as in :class:`AnswerHead`.
        loss: a loss on (B, 1) logits and (B, 1) float targets with a
            sigmoid output (``BinaryCrossEntropyLoss``).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_dims: Sequence[int] = (256, 256),
                 dropout: float = 0.5,
                 act: str = 'relu',
                 dropout_before_hidden: float = 0.0,
                 hidden_norm: bool = False,
                 dropout_after_hidden: float = 0.0,
                 loss: dict = dict(type='BinaryCrossEntropyLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(
            in_channels,
            num_classes=1,
            hidden_dims=hidden_dims,
            dropout=dropout,
            act=act,
            dropout_before_hidden=dropout_before_hidden,
            hidden_norm=hidden_norm,
            dropout_after_hidden=dropout_after_hidden,
            loss=loss,
            init_cfg=init_cfg)
        if self.score_activation != 'sigmoid':
            # a softmax over one logit is constant: nothing would train
            raise ValueError(
                'BinaryAnswerHead has one logit and needs a sigmoid loss '
                f'(e.g. BinaryCrossEntropyLoss), got {loss.get("type")}')
        # the answer vocabulary (checked by check_classes) has two entries;
        # the classifier has one output
        self.num_classes = 2

    def targets(self, data_samples: List[VLDataSample],
                device: torch.device) -> torch.Tensor:
        """(B, 1) float targets: 1 for class 1 ('true'), else 0."""
        # column 1 of the one-hot rows; labels other than 0 / 1 raise there
        return stack_answer_targets(data_samples, 2)[:, 1:].to(device)

    def predict(self, feats: torch.Tensor,
                data_samples: Optional[List[VLDataSample]] = None
                ) -> List[VLDataSample]:
        prob = torch.sigmoid(self(feats).float()).squeeze(1)  # (B,)
        scores = torch.stack([1 - prob, prob], dim=1)  # (B, 2)
        if data_samples is None:
            data_samples = [VLDataSample() for _ in range(scores.shape[0])]
        for sample, score, p in zip(data_samples, scores, prob):
            sample.set_pred_score(score)
            sample.set_pred_answer((p > 0.5).long())
        return data_samples
