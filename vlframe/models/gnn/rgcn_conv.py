"""Relational graph convolution (R-GCN, Schlichtkrull et al. 2018) with
basis decomposition, computed for all relations at once."""
from typing import Optional, Union

import torch
from torch import Tensor
from torch.nn import Parameter
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.inits import glorot, zeros

from vlframe.registry import MODELS
from .relational_adjacency import RelationalAdjacency, check_edge_type


@MODELS.register_module()
class RGCNConv(MessagePassing):
    r"""R-GCN layer, equal to ``torch_geometric.nn.RGCNConv`` (aggr='mean'):

    .. math::
        x'_i = \Theta_{root} x_i + \sum_{r} \sum_{j \in N_r(i)}
               \frac{1}{|N_r(i)|} \Theta_r x_j + b,
        \qquad \Theta_r = \sum_{b} a_{rb} V_b \ \text{(basis decomposition)}

    PyG's ``RGCNConv`` (without pyg-lib) runs one ``propagate`` per
    relation: a Python loop of R masked edge selections, scatters and small
    matmuls. Here the relations are handled at once, aggregating before
    transforming (Theta_r is linear, so the mean of Theta_r x_j is Theta_r
    of the mean of x_j):

    * ``message``: the source features ``x_j`` of every edge, (E, C_in);
    * ``aggregate``: their mean per (target, relation), one ``index_add``
      over all edges into an (N * R, C_in) table divided by the group
      sizes -> (N, R, C_in);
    * ``update``: ``(N, R * C_in) @ (R * C_in, C_out)`` with the stacked
      relation weights, plus the root transform and the bias.

    Given a :class:`RelationalAdjacency` instead of ``edge_index`` (and no
    ``edge_type``), ``message_and_aggregate`` computes the same means as
    one sparse matmul, as PyG's layers do for a sparse adjacency: faster
    on dense graphs (a 32 -> 32 layer on a batch of 50 ML-100K-sized
    subgraphs: 37 ms forward + backward, building included, against 62 ms
    with ``index_add`` and 63 ms for PyG's layer), and built once for all
    the layers of a model (IGMC does so). Both paths give PyG's results.

    The parameters have PyG's names and shapes (``weight``, ``comp``,
    ``root``, ``bias``), so a state dict of either layer loads into the
    other.

    Args:
        in_channels: width of the input node features.
        out_channels: width of the output node features.
        num_relations: number of edge types; ``edge_type`` must be in
            ``[0, num_relations)``.
        num_bases: number of bases V_b of the basis decomposition; None
            learns one full matrix per relation.
        root_weight: add the transformed node's own features.
        bias: add a learned bias.
        normalization: ``'relation'`` divides the messages of relation r
            by ``|N_r(i)|`` (the equation above, the R-GCN paper's and
            torch_geometric's since 1.6); ``'node'`` divides all messages
            by the node's in-degree ``|N(i)|``, summed over relations,
            which is what torch_geometric 1.4's ``RGCNConv``
            (``aggr='mean'`` over all edges) computed, the version the IGMC
            authors ran.
    """

    NORMALIZATIONS = ('relation', 'node')

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_relations: int,
                 num_bases: Optional[int] = None,
                 root_weight: bool = True,
                 bias: bool = True,
                 normalization: str = 'relation'):
        super().__init__(aggr='add', node_dim=0)
        if normalization not in self.NORMALIZATIONS:
            raise ValueError(f'normalization must be one of '
                             f'{self.NORMALIZATIONS}, got {normalization!r}')
        self.normalization = normalization
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_relations = num_relations
        self.num_bases = num_bases
        if num_bases is not None:
            self.weight = Parameter(
                torch.empty(num_bases, in_channels, out_channels))
            self.comp = Parameter(torch.empty(num_relations, num_bases))
        else:
            self.weight = Parameter(
                torch.empty(num_relations, in_channels, out_channels))
            self.register_parameter('comp', None)
        if root_weight:
            self.root = Parameter(torch.empty(in_channels, out_channels))
        else:
            self.register_parameter('root', None)
        if bias:
            self.bias = Parameter(torch.empty(out_channels))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyG's initialisation: Glorot for the weights, zero bias."""
        super().reset_parameters()
        glorot(self.weight)
        glorot(self.comp)
        glorot(self.root)
        zeros(self.bias)

    def relation_weights(self) -> Tensor:
        """Theta_r of every relation, (R, C_in, C_out); IGMC's adjacent
        rating regularizer reads them too."""
        if self.comp is None:
            return self.weight
        return (self.comp @ self.weight.view(self.num_bases, -1)).view(
            self.num_relations, self.in_channels, self.out_channels)

    def forward(self,
                x: Tensor,
                edge_index: Union[Tensor, RelationalAdjacency],
                edge_type: Optional[Tensor] = None) -> Tensor:
        """(N, C_in) node features -> (N, C_out).

        ``edge_index`` (2, E) source -> target with ``edge_type`` (E,) the
        relation of each edge; or a :class:`RelationalAdjacency` of the
        graph (``edge_type`` None).
        """
        if isinstance(edge_index, RelationalAdjacency):
            if edge_index.num_relations != self.num_relations:
                raise ValueError(
                    f'the adjacency has {edge_index.num_relations} relations'
                    f', the layer num_relations={self.num_relations}')
            if edge_index.normalization != self.normalization:
                raise ValueError(
                    f'the adjacency is normalised per '
                    f'{edge_index.normalization}, the layer per '
                    f'{self.normalization}')
            return self.update(self.message_and_aggregate(edge_index, x), x)
        if edge_type is None:
            raise TypeError(f'{type(self).__name__} needs edge_type with an '
                            'edge_index (or a RelationalAdjacency)')
        check_edge_type(edge_type, self.num_relations)
        num_nodes = x.size(0)
        return self.propagate(
            edge_index, x=x, edge_type=edge_type, size=(num_nodes, num_nodes))

    def message(self, x_j: Tensor) -> Tensor:
        """The source's features on every edge, (E, C_in); the relation's
        transform is applied after the mean (it is linear)."""
        return x_j

    def aggregate(self, inputs: Tensor, index: Tensor, edge_type: Tensor,
                  dim_size: int) -> Tensor:
        """Sum of the messages per (target, relation) over |N_r(i)|
        (``'relation'``) or |N(i)| (``'node'``): (N, R, C_in), zero where a
        node has no neighbour of a relation."""
        num_relations = self.num_relations
        group = index * num_relations + edge_type  # (E,)
        sums = inputs.new_zeros(dim_size * num_relations,
                                inputs.size(1)).index_add_(
                                    0, group, inputs)  # (N * R, C_in)
        if self.normalization == 'relation':
            counts = torch.bincount(group,
                                    minlength=dim_size * num_relations)
        else:  # the in-degree over all relations, for every relation
            degree = torch.bincount(index, minlength=dim_size)  # (N,)
            counts = degree.repeat_interleave(num_relations)  # (N * R,)
        means = sums / counts.clamp_(min=1).unsqueeze(1).to(sums.dtype)
        return means.view(dim_size, num_relations, inputs.size(1))

    def message_and_aggregate(self, adjacency: RelationalAdjacency,
                              x: Tensor) -> Tensor:
        """``message`` + ``aggregate`` as one sparse matmul: (N, R, C_in)."""
        return adjacency.mean(x)

    def update(self, inputs: Tensor, x: Tensor) -> Tensor:
        """sum_r Theta_r mean_r + root transform + bias: one matmul of the
        (N, R * C_in) means with the (R * C_in, C_out) stacked Theta_r."""
        num_nodes = inputs.size(0)
        weight = self.relation_weights().reshape(
            self.num_relations * self.in_channels, self.out_channels)
        out = inputs.reshape(num_nodes, -1) @ weight  # (N, C_out)
        if self.root is not None:
            out = out + x @ self.root
        if self.bias is not None:
            out = out + self.bias
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, '
                f'{self.out_channels}, num_relations={self.num_relations}, '
                f'num_bases={self.num_bases}, '
                f'normalization={self.normalization!r})')

