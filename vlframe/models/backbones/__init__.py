from .conv_stem import ConvStem
from .l2norm_projection import L2NormProjection
from .torchvision_backbone import TorchvisionBackbone

__all__ = ['ConvStem', 'L2NormProjection', 'TorchvisionBackbone']
