from .clevr import CLEVRDataset
from .nlvr import NLVRDataset
from .sort_of_clevr import DatasetLayoutError, SortOfClevrDataset
from .transforms import *  # noqa: F401,F403
from .vqa import VQADataset

__all__ = [
    'SortOfClevrDataset', 'DatasetLayoutError', 'VQADataset', 'CLEVRDataset',
    'NLVRDataset'
]
