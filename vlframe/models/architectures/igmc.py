from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from torch import nn
from torch_geometric.data import Batch
from torch_geometric.utils import dropout_edge

from vlframe.models.gnn import RelationalAdjacency, RGCNConv
from vlframe.registry import MODELS
from vlframe.structures import GraphDataSample
from ..data_preprocessors import build_data_preprocessor

# node labels of the enclosing subgraph (RatingSubgraphDataset)
TARGET_USER, TARGET_ITEM = 0, 1


def relation_weights(conv: nn.Module) -> torch.Tensor:
    """The (R, C_in, C_out) per-relation weights of an R-GCN layer: ours
    (``RGCNConv.relation_weights``) or ``torch_geometric.nn.RGCNConv``,
    rebuilt from its bases ``weight`` (B, C_in, C_out) and coefficients
    ``comp`` (R, B) as the authors' ``train_eval.py`` does for ARR."""
    if hasattr(conv, 'relation_weights'):
        return conv.relation_weights()
    weight, comp = getattr(conv, 'weight', None), getattr(conv, 'comp', None)
    if getattr(conv, 'num_blocks', None) is not None or weight is None:
        raise TypeError(
            f'{type(conv).__name__} has no per-relation weights to '
            'regularize; the adjacent rating regularizer needs an R-GCN '
            'layer with basis decomposition or full relation matrices '
            '(set model.regularizer=None to train without it)')
    if comp is None:
        return weight  # (R, C_in, C_out)
    num_bases, in_channels, out_channels = weight.shape
    return (comp @ weight.view(num_bases, -1)).view(
        comp.shape[0], in_channels, out_channels)


@MODELS.register_module()
class IGMC(BaseModel):
    """Inductive Graph-based Matrix Completion (Zhang & Chen, ICLR 2020).

    Predicts the rating of a (user, item) pair from its enclosing subgraph
    alone (no user or item embeddings, so the model is inductive):

    1. adjacency dropout: during training each directed edge is dropped
       with probability ``edge_dropout`` (0.2), as the authors'
       ``dropout_adj(..., force_undirected=False)``;
    2. ``len(hidden_channels)`` R-GCN layers (4 x 32, 4 bases), one
       relation per rating value, each followed by tanh; with our
       ``RGCNConv`` the (dropped-out) edges are turned into one
       ``RelationalAdjacency`` that all layers use;
    3. the outputs of all layers concatenated per node, (N, sum(hidden));
    4. the rows of the target user and the target item concatenated,
       (B, 2 * sum(hidden));
    5. the rating head: Linear 128, ReLU, dropout 0.5, Linear 1; MSE loss;
    6. plus the adjacent rating regularizer on every layer's relation
       weights (ARR, 0.001).

    Inputs (after ``GraphDataPreprocessor``): a torch_geometric ``Batch``
    of enclosing subgraphs with ``x`` (N, 2 * hop + 2) one-hot node labels,
    ``node_label`` (N,) (0 = target user, 1 = target item), ``edge_index``
    (2, E) and ``edge_type`` (E,) = index of the rating in the dataset's
    sorted rating values; one ``GraphDataSample`` per subgraph, with
    ``gt_rating`` for training.

    Args:
        in_channels: width of ``x``, 2 * hop + 2 (4 for 1-hop subgraphs).
        num_relations: number of rating values (5 for MovieLens and
            Douban, 10 for Flixster, YahooMusic's count of distinct
            ratings); the dataset's ``metainfo['num_relations']``.
        hidden_channels: output width of each R-GCN layer.
        conv: config of the R-GCN layer, without the channels and
            relations (filled in per layer): ``dict(type='RGCNConv',
            num_bases=4)`` (ours), or ``dict(type='pyg.RGCNConv',
            num_bases=4)``; any layer called as ``conv(x, edge_index,
            edge_type)`` (with basis or per-relation weights for ARR).
        edge_dropout: probability of dropping each edge in training.
        force_undirected: drop both directions of an edge together
            (off in the paper's runs).
        head: config of the rating head; ``in_channels`` is filled in.
        regularizer: config of the ARR loss on the layers' relation
            weights; None trains without it.
        data_preprocessor: config; ``GraphDataPreprocessor`` by default.
    """

    def __init__(self,
                 in_channels: int,
                 num_relations: int,
                 hidden_channels: Sequence[int] = (32, 32, 32, 32),
                 conv: dict = dict(type='RGCNConv', num_bases=4),
                 edge_dropout: float = 0.2,
                 force_undirected: bool = False,
                 head: dict = dict(
                     type='RatingHead', hidden_channels=128, dropout=0.5),
                 regularizer: Optional[dict] = dict(
                     type='AdjacentRatingRegularizer', loss_weight=0.001),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=build_data_preprocessor(
                data_preprocessor, 'GraphDataPreprocessor'), init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_relations = num_relations
        self.edge_dropout = edge_dropout
        self.force_undirected = force_undirected
        conv = dict(conv)
        if MODELS.get(conv['type']) is not RGCNConv:
            # only our layer has a choice: torch_geometric's RGCNConv
            # (>= 1.6) always averages per relation
            normalization = conv.pop('normalization', 'relation')
            if normalization != 'relation':
                raise ValueError(
                    f'{conv["type"]} averages the neighbours per relation; '
                    f'normalization={normalization!r} needs vlframe\'s '
                    "RGCNConv (or set model.conv.normalization='relation')")
        self.convs = nn.ModuleList()
        for width in hidden_channels:
            self.convs.append(
                MODELS.build(
                    dict(conv, in_channels=in_channels, out_channels=width,
                         num_relations=num_relations)))
            in_channels = width
        self.head = MODELS.build(
            dict(head, in_channels=2 * sum(hidden_channels)))
        self.regularizer = (MODELS.build(regularizer)
                            if regularizer is not None else None)
        if self.regularizer is not None:
            for conv_layer in self.convs:
                relation_weights(conv_layer)  # fail now, not in training
        # our layers take one RelationalAdjacency for all; others (e.g.
        # pyg.RGCNConv) take (edge_index, edge_type)
        self._shares_adjacency = all(
            isinstance(conv_layer, RGCNConv) for conv_layer in self.convs)

    def extract_feat(self, inputs: Batch) -> torch.Tensor:
        """(B, 2 * sum(hidden)) representation of each target pair."""
        self._check_inputs(inputs)
        edge_index, edge_type = inputs.edge_index, inputs.edge_type
        if self.training and self.edge_dropout > 0:
            edge_index, kept = dropout_edge(
                edge_index, p=self.edge_dropout,
                force_undirected=self.force_undirected, training=True)
            # `kept` is a bool mask, or with force_undirected the indices of
            # the kept edges once per direction: indexing fits both
            edge_type = edge_type[kept]
        x = inputs.x
        if self._shares_adjacency:
            # the 4 layers see the same edges: sort them into sparse
            # matrices once, not once per layer
            graph = (RelationalAdjacency(
                edge_index, edge_type, x.size(0), self.num_relations,
                x.dtype, normalization=self.convs[0].normalization), )
        else:
            graph = (edge_index, edge_type)
        layer_outputs = []
        for conv in self.convs:
            x = torch.tanh(conv(x, *graph))  # (N, C_l)
            layer_outputs.append(x)
        node_feats = torch.cat(layer_outputs, dim=1)  # (N, sum(hidden))
        users, items = self._target_nodes(inputs)  # (B,), (B,)
        return torch.cat([node_feats[users], node_feats[items]],
                         dim=1)  # (B, 2 * sum(hidden))

    def forward(self,
                inputs: Batch,
                data_samples: Optional[List[GraphDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, torch.Tensor], List[GraphDataSample],
                           torch.Tensor]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.head.predict(self.extract_feat(inputs), data_samples)
        if mode == 'tensor':
            return self.head(self.extract_feat(inputs))  # (B,)
        raise ValueError(f'Invalid mode "{mode}": use loss, predict or tensor')

    def loss(self, inputs: Batch,
             data_samples: List[GraphDataSample]) -> Dict[str, torch.Tensor]:
        losses = self.head.loss(self.extract_feat(inputs), data_samples)
        if self.regularizer is not None:
            losses['loss_arr'] = self.regularizer(
                [relation_weights(conv) for conv in self.convs])
        return losses

    def _check_inputs(self, inputs: Batch) -> None:
        for key in ('x', 'edge_index', 'edge_type', 'node_label'):
            if getattr(inputs, key, None) is None:
                raise KeyError(
                    f'IGMC needs "{key}" in each subgraph (see '
                    'RatingSubgraphDataset); the batch has '
                    f'{sorted(inputs.keys())}')
        if inputs.x.shape[1] != self.in_channels:
            raise ValueError(
                f'the subgraphs have {inputs.x.shape[1]}-dim node features '
                f'(2 * hop + 2) but IGMC was built with in_channels='
                f'{self.in_channels}; set model.in_channels to 2 * hop + 2 '
                'of the dataset')

    @staticmethod
    def _target_nodes(inputs: Batch):
        """Indices of the target user and item of each subgraph, in the
        order of the subgraphs."""
        users = (inputs.node_label == TARGET_USER).nonzero().view(-1)
        items = (inputs.node_label == TARGET_ITEM).nonzero().view(-1)
        num_graphs = inputs.num_graphs if isinstance(inputs, Batch) else 1
        if users.numel() != num_graphs or items.numel() != num_graphs:
            raise ValueError(
                f'each subgraph must have exactly one target user (node '
                f'label {TARGET_USER}) and one target item (label '
                f'{TARGET_ITEM}); {num_graphs} subgraphs have '
                f'{users.numel()} and {items.numel()}')
        return users, items
