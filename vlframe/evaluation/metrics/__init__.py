from .question_type_accuracy import QuestionTypeAccuracy

__all__ = ['QuestionTypeAccuracy']
