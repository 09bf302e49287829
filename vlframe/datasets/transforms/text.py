from typing import Optional

import torch
from mmcv.transforms import BaseTransform

from vlframe.registry import TRANSFORMS
from ..text_vocab import check_tokenizer_dir, load_tokenizer


@TRANSFORMS.register_module()
class TokenizeQuestion(BaseTransform):
    """Turn ``results[key]`` (an English question) into token ids.

    The tokenizer is ``AutoTokenizer.from_pretrained(tokenizer_dir)`` of a
    local directory: one that ``tools/dataset_converters/
    build_question_vocab.py`` wrote (whole-word vocabulary, for models
    trained from scratch) or a pretrained BERT tokenizer (ViLT). It is
    loaded on first use, once per process and directory (the train and
    val pipelines share it), and left out when the transform is pickled:
    a spawned dataloader worker loads its own.

    Adds ``results['input_ids']``: a (L,) long tensor; ``VLDataPreprocessor``
    pads a batch of them and builds the attention mask.

    Args:
        tokenizer_dir: the tokenizer directory.
        max_length: truncate to this many ids (special tokens included);
            None keeps every token.
        add_special_tokens: add [CLS] ... [SEP] (ViLT: True; the CNN+LSTM
            baseline: False).
        key: the results key holding the question text.
    """

    def __init__(self,
                 tokenizer_dir: str,
                 max_length: Optional[int] = None,
                 add_special_tokens: bool = False,
                 key: str = 'question_text'):
        # fail when the pipeline is built, not in the first batch
        check_tokenizer_dir(tokenizer_dir)
        if max_length is not None and max_length < 1:
            raise ValueError(f'max_length must be >= 1 or None, got '
                             f'{max_length}')
        self.tokenizer_dir = tokenizer_dir
        self.max_length = max_length
        self.add_special_tokens = add_special_tokens
        self.key = key
        self._tokenizer = None

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.tokenizer_dir)
        return self._tokenizer

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state['_tokenizer'] = None  # each process loads its own
        return state

    def transform(self, results: dict) -> dict:
        text = results.get(self.key)
        if not isinstance(text, str):
            raise KeyError(
                f'TokenizeQuestion: sample has no string "{self.key}" '
                f'(it has {sorted(results)})')
        ids = self.tokenizer(
            text,
            add_special_tokens=self.add_special_tokens,
            truncation=self.max_length is not None,
            max_length=self.max_length)['input_ids']
        results['input_ids'] = torch.tensor(ids, dtype=torch.long)  # (L,)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tokenizer_dir='
                f'{self.tokenizer_dir!r}, max_length={self.max_length}, '
                f'add_special_tokens={self.add_special_tokens}, '
                f'key={self.key!r})')
