from .sort_of_clevr import DatasetLayoutError, SortOfClevrDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['SortOfClevrDataset', 'DatasetLayoutError']
