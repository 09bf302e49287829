from .answer_head import AnswerHead

__all__ = ['AnswerHead']
