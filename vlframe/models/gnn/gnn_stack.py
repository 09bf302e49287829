from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn
from torch_geometric.nn import MessagePassing

from vlframe.registry import MODELS


@MODELS.register_module()
class GNNStack(BaseModule):
    """Layers applied in order, each after dropout, with an activation
    between them: ``dropout -> layer -> act -> dropout -> layer ...`` (no
    activation after the last layer), as the GCN and APPNP papers' models
    (and torch_geometric's examples of them) are written.

    Each layer is a config: message-passing layers (ours, or any
    ``pyg.*`` such as ``pyg.GATConv``) are called with ``(x, edge_index)``,
    others (``pyg.Linear`` for APPNP's MLP) with ``x`` alone.

    Args:
        layers: configs of the layers, first to last.
        dropout: dropout probability before every layer but the first.
        input_dropout: config of the dropout before the first layer
            (``SparseInputDropout`` for bag-of-words features); by default
            ``dropout`` as for the other layers.
        act: config of the activation between layers.
    """

    def __init__(self,
                 layers: List[dict],
                 dropout: float = 0.5,
                 input_dropout: Optional[dict] = None,
                 act: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if not layers:
            raise ValueError('GNNStack needs at least one layer config')
        self.layers = nn.ModuleList(MODELS.build(cfg) for cfg in layers)
        self.dropout = dropout
        self.input_dropout = (MODELS.build(input_dropout) if input_dropout
                              else nn.Dropout(dropout))
        self.act = MODELS.build(act)

    def forward(self, x: torch.Tensor,
                edge_index: torch.Tensor) -> torch.Tensor:
        """(N, C_in) node features, (2, E) edges -> (N, C_out)."""
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            x = (self.input_dropout(x) if k == 0 else F.dropout(
                x, self.dropout, training=self.training))
            if isinstance(layer, MessagePassing):
                x = layer(x, edge_index)
            else:
                x = layer(x)
            if k < last:
                x = self.act(x)
        return x
