from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample


@MODELS.register_module()
class AnswerHead(BaseModule):
    """Classify a fused (B, C) representation into one answer of a fixed
    vocabulary: fully connected layers with ReLU, dropout, a linear
    classifier. In the Relation Network this is f_phi.

    Args:
        in_channels: width of the fused representation.
        num_classes: size of the answer vocabulary.
        hidden_dims: widths of the hidden layers before the classifier
            (RN: (256, 256); the CNN+MLP baseline: (256,)).
        dropout: dropout before the classifier (0.5 in the RN paper).
        loss: config of the loss on (logits, gt_answer).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_dims: Sequence[int] = (256, 256),
                 dropout: float = 0.5,
                 loss: dict = dict(type='CrossEntropyLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        layers: List[nn.Module] = []
        for width in hidden_dims:
            layers += [nn.Linear(in_channels, width), nn.ReLU(inplace=True)]
            in_channels = width
        layers += [nn.Dropout(dropout), nn.Linear(in_channels, num_classes)]
        self.mlp = nn.Sequential(*layers)
        self.num_classes = num_classes
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, C) -> (B, num_classes) logits."""
        return self.mlp(feats)

    def loss(self, feats: torch.Tensor,
             data_samples: List[VLDataSample]) -> Dict[str, torch.Tensor]:
        logits = self(feats)
        target = torch.stack([s.gt_answer for s in data_samples]).to(
            logits.device)  # (B,)
        if int(target.max()) >= self.num_classes or int(target.min()) < 0:
            raise ValueError(
                f'gt_answer values must be in [0, {self.num_classes}) for an '
                f'AnswerHead with num_classes={self.num_classes}, got '
                f'{int(target.min())}..{int(target.max())}; the answer '
                'vocabulary of the dataset and the head disagree')
        return dict(loss=self.loss_module(logits, target))

    def predict(self, feats: torch.Tensor,
                data_samples: Optional[List[VLDataSample]] = None
                ) -> List[VLDataSample]:
        scores = torch.softmax(self(feats).float(), dim=1)  # (B, C)
        if data_samples is None:
            data_samples = [VLDataSample() for _ in range(scores.shape[0])]
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score)
            sample.set_pred_answer(score.argmax())
        return data_samples
