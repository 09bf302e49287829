import numpy as np
from mmcv.transforms import BaseTransform

from vlframe.registry import TRANSFORMS
from ..generators.sort_of_clevr import encode_questions, parse_question_text


@TRANSFORMS.register_module()
class EncodeSortOfClevrQuestion(BaseTransform):
    """Give a sample the Sort-of-CLEVR question code from its English text.

    Dataset samples already carry ``question`` (the 11- or 18-dim code the
    RN and CNN+MLP take) and pass through unchanged. A sample with only
    ``question_text`` (a user's question in ``inference_vqa``, the demo)
    gets the code of that sentence; a sentence that is not a Sort-of-CLEVR
    question is a ValueError listing the templates.

    Args:
        ternary: encode with the 18-dim code of the ternary variant.
    """

    def __init__(self, ternary: bool = False):
        self.ternary = ternary

    def transform(self, results: dict) -> dict:
        if 'question' in results:
            return results
        if 'question_text' not in results:
            raise KeyError('EncodeSortOfClevrQuestion needs "question" or '
                           f'"question_text"; the sample has {sorted(results)}')
        family, subtype, color_a, color_b = parse_question_text(
            results['question_text'])
        if family == 2 and not self.ternary:
            raise ValueError(
                f'"{results["question_text"]}" is a ternary question; this '
                'model was trained without them (ternary=False)')
        code = encode_questions([family], [subtype], [color_a], [color_b],
                                ternary=self.ternary)
        results['question'] = code[0]  # (11,) or (18,) float32
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(ternary={self.ternary})'
