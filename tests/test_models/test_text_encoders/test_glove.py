"""Tests for vlframe/models/text_encoders/glove.py."""
import pytest
import torch

from vlframe.datasets import DatasetLayoutError
from vlframe.models.text_encoders import GloVeFormatError, load_glove_vectors

GLOVE_3D = ('the 0.1 0.2 0.3\n'
            'cat -1.0 0.5 2.0\n'
            'sat 7 8 9\n'
            'cat 100 100 100\n'  # a repeated word: the first line wins
            '\n'
            'dog 0.0 -0.25 1e-2\n')


@pytest.fixture
def glove_file(tmp_path):
    path = tmp_path / 'glove.6B.3d.txt'
    path.write_text(GLOVE_3D)
    return str(path)


def test_values_land_on_the_vocabulary_rows(glove_file):
    vocab = ['[PAD]', '[UNK]', 'dog', 'the', 'zebra', 'cat']
    vectors, num_missing = load_glove_vectors(glove_file, vocab, dim=3)
    assert vectors.shape == (6, 3) and vectors.dtype == torch.float32
    expected = torch.tensor([[0., 0., 0.], [0., 0., 0.], [0., -0.25, 0.01],
                             [0.1, 0.2, 0.3], [0., 0., 0.],
                             [-1.0, 0.5, 2.0]])
    torch.testing.assert_close(vectors, expected)
    # [PAD], [UNK] and zebra have no vector
    assert num_missing == 3


def test_words_outside_the_vocabulary_are_skipped(glove_file):
    vectors, num_missing = load_glove_vectors(glove_file, ['sat'], dim=3)
    assert vectors.tolist() == [[7.0, 8.0, 9.0]] and num_missing == 0


@pytest.mark.parametrize('dim', [2, 300])
def test_file_of_another_dimension(glove_file, dim):
    with pytest.raises(GloVeFormatError) as info:
        load_glove_vectors(glove_file, ['cat'], dim=dim)
    msg = str(info.value)
    assert glove_file in msg
    assert 'line 1 (word "the")' in msg
    assert f'found 3 values, expected dim={dim}' in msg
    # the tools print it as a one-line error
    assert isinstance(info.value, DatasetLayoutError)


def test_one_bad_line_in_the_middle(tmp_path):
    path = tmp_path / 'glove.txt'
    path.write_text('a 1 2 3\nb 1 2\nc 1 2 3\n')
    with pytest.raises(GloVeFormatError,
                       match='line 2 \\(word "b"\\): found 2 values, '
                       'expected dim=3'):
        load_glove_vectors(str(path), ['c'], dim=3)


def test_values_that_are_not_numbers(tmp_path):
    path = tmp_path / 'glove.txt'
    path.write_text('a 1 2 x\n')
    with pytest.raises(GloVeFormatError,
                       match='line 1 \\(word "a"\\): the values are not'):
        load_glove_vectors(str(path), ['a'], dim=3)


def test_missing_file_says_where_to_get_it(tmp_path):
    missing = str(tmp_path / 'glove.6B.300d.txt')
    with pytest.raises(DatasetLayoutError) as info:
        load_glove_vectors(missing, ['a'], dim=300)
    msg = str(info.value)
    assert missing in msg and 'does not exist' in msg
    assert 'nlp.stanford.edu/projects/glove' in msg
    assert 'glove_file=None' in msg
