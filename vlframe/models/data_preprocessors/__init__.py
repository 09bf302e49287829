from .build import build_data_preprocessor
from .graph_data_preprocessor import GraphDataPreprocessor
from .vl_data_preprocessor import VLDataPreprocessor

__all__ = [
    'build_data_preprocessor', 'VLDataPreprocessor', 'GraphDataPreprocessor'
]
