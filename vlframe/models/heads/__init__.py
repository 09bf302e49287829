from .answer_head import AnswerHead
from .binary_answer_head import BinaryAnswerHead

__all__ = ['AnswerHead', 'BinaryAnswerHead']
