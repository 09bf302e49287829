from .glove import GloVeFormatError, load_glove_vectors
from .lstm_question_encoder import LSTMQuestionEncoder

__all__ = ['LSTMQuestionEncoder', 'load_glove_vectors', 'GloVeFormatError']
