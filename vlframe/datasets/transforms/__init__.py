from .formatting import PackVLInputs
from .loading import LoadImageFeature, LoadImageFromFile
from .nlvr import PermuteNLVRBoxes
from .sort_of_clevr import EncodeSortOfClevrQuestion
from .text import TokenizeQuestion
from .vilt_image import ViltImagePreprocess

__all__ = [
    'PackVLInputs', 'LoadImageFromFile', 'LoadImageFeature',
    'EncodeSortOfClevrQuestion', 'TokenizeQuestion',
    'ViltImagePreprocess', 'PermuteNLVRBoxes'
]
