from .gcn_conv import GCNConv
from .gnn_stack import GNNStack
from .relational_adjacency import RelationalAdjacency
from .rgcn_conv import RGCNConv
from .sparse_input_dropout import SparseInputDropout

__all__ = [
    'GCNConv', 'GNNStack', 'RGCNConv', 'RelationalAdjacency',
    'SparseInputDropout'
]
