from .answer_head import AnswerHead
from .binary_answer_head import BinaryAnswerHead
from .rating_head import RatingHead

__all__ = ['AnswerHead', 'BinaryAnswerHead', 'RatingHead']
