from .concat_mlp import ConcatMLPFusion
from .elementwise_product import ElementwiseProductFusion
from .relation_network import RelationNetworkFusion, grid_coordinates

__all__ = ['RelationNetworkFusion', 'ConcatMLPFusion', 'grid_coordinates',
           'ElementwiseProductFusion']
