from .question_type_accuracy import QuestionTypeAccuracy
from .vqa_accuracy import VQAAccuracy, VQASoftScoreAccuracy

__all__ = ['QuestionTypeAccuracy', 'VQAAccuracy', 'VQASoftScoreAccuracy']
