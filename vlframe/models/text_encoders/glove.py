"""GloVe word vectors from the standard text format."""
import os.path as osp
from typing import Sequence, Tuple

import torch

from vlframe.datasets import DatasetLayoutError

GLOVE_HINT = (
    'GloVe vectors are not downloaded by vlframe: get glove.6B.zip from '
    'https://nlp.stanford.edu/projects/glove/ (or '
    'https://huggingface.co/stanfordnlp/glove), unzip it and put '
    'glove.6B.<dim>d.txt at that path (e.g. data/glove/glove.6B.300d.txt), '
    'or set glove_file=None to learn the embedding from scratch')


class GloVeFormatError(DatasetLayoutError):
    """A GloVe file does not hold ``word v_1 ... v_dim`` lines of the
    expected dimension. A ``DatasetLayoutError`` so that the tools report
    it as a one-line error naming the file."""


def load_glove_vectors(path: str, vocab_words: Sequence[str],
                       dim: int) -> Tuple[torch.Tensor, int]:
    """Rows of a GloVe text file for a vocabulary.

    The standard ``glove.6B.{50,100,200,300}d.txt`` format: one word per
    line followed by ``dim`` space-separated floats. Every line is checked
    for the dimension (a file of another dimension is found at its first
    line); only the vocabulary's lines are parsed.

    Args:
        path: the GloVe text file.
        vocab_words: the vocabulary, in id order (row ``i`` is word ``i``).
        dim: the expected dimension (the embedding's).

    Returns:
        ``(vectors, num_missing)``: (V, dim) float32 with each vocabulary
        word's vector, zeros for words the file does not have (special
        tokens such as [PAD] included), and the number of such words.
    """
    if not osp.isfile(path):
        raise DatasetLayoutError(
            f'GloVe file {path} does not exist. {GLOVE_HINT}.')
    rows = {}
    for idx, word in enumerate(vocab_words):
        rows.setdefault(word, idx)
    vectors = torch.zeros(len(vocab_words), dim)  # (V, dim)
    found = set()
    with open(path, encoding='utf-8', errors='replace') as f:
        for line_no, line in enumerate(f, start=1):
            line = line.rstrip('\n').rstrip('\r').rstrip(' ')
            if not line:
                continue
            word, _, values = line.partition(' ')
            num_values = values.count(' ') + 1 if values else 0
            if num_values != dim:
                raise GloVeFormatError(
                    f'GloVe file {path}, line {line_no} (word "{word}"): '
                    f'found {num_values} values, expected dim={dim}. Use '
                    f'the glove.6B.{dim}d.txt file or set the encoder\'s '
                    'embed_dims to the file\'s dimension')
            if word in rows and word not in found:
                try:
                    vectors[rows[word]] = torch.tensor(
                        [float(v) for v in values.split(' ')])
                except ValueError:
                    raise GloVeFormatError(
                        f'GloVe file {path}, line {line_no} (word '
                        f'"{word}"): the values are not all numbers') from None
                found.add(word)
    num_missing = sum(1 for word in vocab_words if word not in found)
    return vectors, num_missing
