import torch
from torch import nn
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.utils import add_remaining_self_loops, degree

from vlframe.registry import MODELS


@MODELS.register_module()
class GCNConv(MessagePassing):
    """Graph convolution of Kipf & Welling (2017),
    ``X' = D^-1/2 (A + I) D^-1/2 X W + b``, written as the torch_geometric
    documentation's "Implementing the GCN Layer" writes it:

    1. add self-loops to the adjacency,
    2. transform the node features (``X W``),
    3. compute the symmetric normalisation ``1 / sqrt(deg(i) deg(j))``,
    4. scale each neighbour's features by it in :meth:`message`,
    5. sum them (``aggr='add'``) and add the bias.

    Equal to ``torch_geometric.nn.GCNConv`` with the same weights (glorot
    weight, zero bias; existing self-loops are kept, not doubled, as there).

    Args:
        in_channels: size of each input node feature.
        out_channels: size of each output node feature.
        bias: learn an additive bias.
    """

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True):
        super().__init__(aggr='add')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.lin = Linear(in_channels, out_channels, bias=False,
                          weight_initializer='glorot')
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def reset_parameters(self) -> None:
        super().reset_parameters()
        self.lin.reset_parameters()
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor,
                edge_index: torch.Tensor) -> torch.Tensor:
        """(N, in_channels) features, (2, E) edges source -> target;
        returns (N, out_channels)."""
        num_nodes = x.size(0)
        edge_index, _ = add_remaining_self_loops(
            edge_index, num_nodes=num_nodes)  # (2, E + N)
        x = self.lin(x)  # (N, out_channels)
        source, target = edge_index
        deg = degree(target, num_nodes, dtype=x.dtype)  # (N,) with self-loop
        deg_inv_sqrt = deg.pow(-0.5)
        deg_inv_sqrt[deg_inv_sqrt == float('inf')] = 0
        norm = deg_inv_sqrt[source] * deg_inv_sqrt[target]  # (E + N,)
        out = self.propagate(edge_index, x=x, norm=norm)
        if self.bias is not None:
            out = out + self.bias
        return out

    def message(self, x_j: torch.Tensor, norm: torch.Tensor) -> torch.Tensor:
        # x_j: (E, out_channels) features of each edge's source node
        return norm.view(-1, 1) * x_j

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, '
                f'{self.out_channels})')
