from .vqa_answers import (ANSWER_TYPES, answer_score, normalize_answer,
                          official_percentage, ordered_answer_types,
                          process_digit_article, process_punctuation,
                          soft_targets, summarize_vqa_accuracy,
                          vqa_question_accuracy)

__all__ = [
    'process_punctuation', 'process_digit_article', 'normalize_answer',
    'answer_score', 'soft_targets', 'vqa_question_accuracy',
    'summarize_vqa_accuracy', 'official_percentage', 'ANSWER_TYPES',
    'ordered_answer_types'
]
