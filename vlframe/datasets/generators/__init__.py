"""Procedural dataset generators."""
from .sort_of_clevr import (ANSWER_VOCAB, COLOR_NAMES, COLORS_RGB,
                            FAMILY_NAMES, IMG_SIZE, OBJECT_SIZE, SHAPE_NAMES,
                            SUBTYPE_NAMES, compute_answers, encode_questions,
                            generate_sort_of_clevr, parse_question_text,
                            question_text)
from .synthetic_ratings import (generate_synthetic_ratings,
                                synthetic_rating_matrix)

__all__ = [
    'IMG_SIZE', 'OBJECT_SIZE', 'COLOR_NAMES', 'COLORS_RGB', 'SHAPE_NAMES',
    'ANSWER_VOCAB', 'FAMILY_NAMES', 'SUBTYPE_NAMES', 'question_text',
    'parse_question_text',
    'encode_questions', 'compute_answers', 'generate_sort_of_clevr',
    'generate_synthetic_ratings', 'synthetic_rating_matrix'
]
