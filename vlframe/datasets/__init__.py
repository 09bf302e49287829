from .clevr import CLEVRDataset
from .graph_collate import pyg_collate
from .nlvr import NLVRDataset
from .planetoid import PlanetoidDataset
from .rating_readers import (RatingData, RatingDataError,
                             RatingFileNotFoundError, read_rating_data)
from .rating_subgraph_dataset import RatingSubgraphDataset
from .samplers import ImageGroupedSampler
from .sort_of_clevr import DatasetLayoutError, SortOfClevrDataset
from .transforms import *  # noqa: F401,F403
from .vqa import VQADataset

__all__ = [
    'SortOfClevrDataset', 'DatasetLayoutError', 'VQADataset', 'CLEVRDataset',
    'NLVRDataset', 'pyg_collate', 'PlanetoidDataset', 'RatingSubgraphDataset',
    'RatingData', 'RatingDataError', 'RatingFileNotFoundError',
    'read_rating_data', 'ImageGroupedSampler'
]
