from .igmc import IGMC
from .node_classifier import NodeClassifier
from .vilt_vqa import ViltVQA
from .vqa_model import VQAModel

__all__ = ['VQAModel', 'ViltVQA', 'NodeClassifier', 'IGMC']
