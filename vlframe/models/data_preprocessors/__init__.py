from .graph_data_preprocessor import GraphDataPreprocessor
from .vl_data_preprocessor import VLDataPreprocessor

__all__ = ['VLDataPreprocessor', 'GraphDataPreprocessor']
