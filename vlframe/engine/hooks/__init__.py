from .answer_vocab_check_hook import AnswerVocabCheckHook, AnswerVocabError
from .checkpoint_hook import CheckpointHook
from .rng_state_hook import RNGStateHook
from .visualization_hook import VQAVisualizationHook

__all__ = [
    'CheckpointHook', 'RNGStateHook', 'VQAVisualizationHook',
    'AnswerVocabCheckHook', 'AnswerVocabError'
]
