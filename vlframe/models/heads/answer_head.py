from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample, stack_answer_targets

_ACTIVATIONS = {'relu': lambda: nn.ReLU(inplace=True), 'tanh': nn.Tanh}


@MODELS.register_module()
class AnswerHead(BaseModule):
    """Classify a fused (B, C) representation into one answer of a fixed
    vocabulary: fully connected layers with an activation, dropout, a linear
    classifier. In the Relation Network this is f_phi; in the VQA baseline
    the "dropout, tanh 1024, softmax" after the element-wise product.

    Targets: a batch whose samples carry a single ``gt_answer`` index
    trains on the indices. A batch with soft targets (``gt_answer_weight``,
    VQA), or a loss that needs dense targets (``BinaryCrossEntropyLoss``),
    trains on the (B, num_classes) float rows ``stack_answer_targets``
    builds. Labels outside the head's vocabulary are an error either way.

    Args:
        in_channels: width of the fused representation.
        num_classes: size of the answer vocabulary.
        hidden_dims: widths of the hidden layers before the classifier
            (RN: (256, 256); the CNN+MLP baseline: (256,); VQA: (1024,)).
        dropout: dropout before the classifier (0.5 in the RN paper).
        act: activation of the hidden layers, 'relu' or 'tanh'.
        dropout_before_hidden: dropout before each hidden layer (0 adds no
            layer; the VQA baseline: 0.5).
        hidden_norm: batch norm after each hidden linear layer, before its
            activation (the NLVR reimplementation's f is Dense-BN-ReLU).
        dropout_after_hidden: dropout after each hidden layer's activation
            (0 adds no layer; the NLVR reimplementation: 0.5, with
            ``dropout=0``).
        loss: config of the loss on (logits, targets).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_dims: Sequence[int] = (256, 256),
                 dropout: float = 0.5,
                 act: str = 'relu',
                 dropout_before_hidden: float = 0.0,
                 hidden_norm: bool = False,
                 dropout_after_hidden: float = 0.0,
                 loss: dict = dict(type='CrossEntropyLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if act not in _ACTIVATIONS:
            raise ValueError(f'act must be one of {list(_ACTIVATIONS)}, got '
                             f'{act!r}')
        layers: List[nn.Module] = []
        for width in hidden_dims:
            if dropout_before_hidden:
                layers.append(nn.Dropout(dropout_before_hidden))
            layers.append(nn.Linear(in_channels, width))
            if hidden_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(_ACTIVATIONS[act]())
            if dropout_after_hidden:
                layers.append(nn.Dropout(dropout_after_hidden))
            in_channels = width
        layers += [nn.Dropout(dropout), nn.Linear(in_channels, num_classes)]
        self.mlp = nn.Sequential(*layers)
        self.num_classes = num_classes
        self.loss_module = MODELS.build(loss)
        self.score_activation = getattr(self.loss_module, 'score_activation',
                                        'softmax')

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, C) -> (B, num_classes) logits."""
        return self.mlp(feats)

    def check_classes(self, classes: Sequence[str], source: str = '') -> None:
        """Raise unless an answer vocabulary has ``num_classes`` entries.

        ``source`` names where the vocabulary came from (its file), for
        the message.
        """
        if len(classes) != self.num_classes:
            where = f' ({source})' if source else ''
            raise ValueError(
                f'the answer vocabulary{where} has {len(classes)} answers '
                f'but the AnswerHead has num_classes={self.num_classes}; set '
                f'model.head.num_classes={len(classes)} or use the '
                'vocabulary the model was built for')

    def targets(self, data_samples: List[VLDataSample],
                device: torch.device) -> torch.Tensor:
        """(B,) indices, or (B, num_classes) float rows for soft targets."""
        dense = getattr(self.loss_module, 'dense_targets', False) or any(
            'gt_answer_weight' in s for s in data_samples)
        if dense:
            return stack_answer_targets(data_samples,
                                        self.num_classes).to(device)
        target = torch.stack([s.gt_answer for s in data_samples]).to(
            device)  # (B,)
        if int(target.max()) >= self.num_classes or int(target.min()) < 0:
            raise ValueError(
                f'gt_answer values must be in [0, {self.num_classes}) for an '
                f'AnswerHead with num_classes={self.num_classes}, got '
                f'{int(target.min())}..{int(target.max())}; the answer '
                'vocabulary of the dataset and the head disagree')
        return target

    def loss(self, feats: torch.Tensor,
             data_samples: List[VLDataSample]) -> Dict[str, torch.Tensor]:
        logits = self(feats)
        target = self.targets(data_samples, logits.device)
        return dict(loss=self.loss_module(logits, target))

    def predict(self, feats: torch.Tensor,
                data_samples: Optional[List[VLDataSample]] = None
                ) -> List[VLDataSample]:
        logits = self(feats).float()
        if self.score_activation == 'sigmoid':
            scores = torch.sigmoid(logits)  # (B, C), independent answers
        else:
            scores = torch.softmax(logits, dim=1)  # (B, C)
        if data_samples is None:
            data_samples = [VLDataSample() for _ in range(scores.shape[0])]
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score)
            sample.set_pred_answer(score.argmax())
        return data_samples
