from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS
from vlframe.structures import GraphDataSample


@MODELS.register_module()
class RatingHead(BaseModule):
    """Regress one rating from a (B, C) representation of a (user, item)
    pair: ``Linear(C, hidden) - ReLU - Dropout - Linear(hidden, 1)``, IGMC's
    MLP (hidden 128, dropout 0.5).

    The prediction is the raw output, not clipped to the rating range:
    the authors' ``train_eval.py`` scores the MSE of the raw outputs in
    training and in testing.

    Args:
        in_channels: width of the pair representation.
        hidden_channels: width of the hidden layer.
        dropout: dropout after the hidden layer's activation.
        loss: config of the loss on (predictions, ratings).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 128,
                 dropout: float = 0.5,
                 loss: dict = dict(type='MSELoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(hidden_channels, 1))
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, C) -> (B,) predicted ratings."""
        return self.mlp(feats).squeeze(-1)

    @staticmethod
    def targets(data_samples: List[GraphDataSample],
                device: torch.device) -> torch.Tensor:
        """(B,) float ``gt_rating`` of the samples."""
        for k, sample in enumerate(data_samples):
            if 'gt_rating' not in sample:
                raise KeyError(
                    f'RatingHead: data sample {k} of the batch has no '
                    f'"gt_rating" (fields: {sorted(sample.keys())}); the '
                    'dataset must set one rating per sample to train on')
        return torch.stack([s.gt_rating for s in data_samples]).to(
            device=device, dtype=torch.float32)  # (B,)

    def loss(self, feats: torch.Tensor,
             data_samples: List[GraphDataSample]) -> Dict[str, torch.Tensor]:
        pred = self(feats)
        target = self.targets(data_samples, pred.device)
        return dict(loss_rating=self.loss_module(pred, target))

    def predict(self, feats: torch.Tensor,
                data_samples: Optional[List[GraphDataSample]] = None
                ) -> List[GraphDataSample]:
        """Set ``pred_rating`` (0-dim float) on each sample."""
        pred = self(feats).detach().float()  # (B,)
        if data_samples is None:
            data_samples = [GraphDataSample() for _ in range(pred.shape[0])]
        for sample, rating in zip(data_samples, pred):
            sample.set_pred_rating(rating)
        return data_samples
