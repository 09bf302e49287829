from .vqa_model import VQAModel

__all__ = ['VQAModel']
