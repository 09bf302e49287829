from .vilt_vqa import ViltVQA
from .vqa_model import VQAModel

__all__ = ['VQAModel', 'ViltVQA']
