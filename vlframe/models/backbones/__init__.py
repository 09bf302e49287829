from .conv_stem import ConvStem

__all__ = ['ConvStem']
