from .vl_data_preprocessor import VLDataPreprocessor

__all__ = ['VLDataPreprocessor']
