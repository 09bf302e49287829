from .node_accuracy import NodeAccuracy
from .question_type_accuracy import QuestionTypeAccuracy
from .rating_metric import RatingMetric
from .vqa_accuracy import VQAAccuracy, VQASoftScoreAccuracy

__all__ = [
    'NodeAccuracy', 'QuestionTypeAccuracy', 'RatingMetric', 'VQAAccuracy',
    'VQASoftScoreAccuracy'
]
