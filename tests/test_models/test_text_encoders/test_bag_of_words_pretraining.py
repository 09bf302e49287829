"""Tests for vlframe/models/text_encoders/bag_of_words_pretraining.py."""
import pytest
import torch

from vlframe.models import LSTMQuestionEncoder
from vlframe.models.text_encoders.bag_of_words_pretraining import (
    bag_of_words_targets, pretrain_bag_of_words)

# six questions "is the <colour> object on the left ?" that differ only in
# their 3rd word, as Sort-of-CLEVR's; 0 pads the shorter ones
QUESTIONS = torch.tensor([[5, 6, c, 7, 8, 9, 10, 11] for c in range(12, 18)])
MASK = torch.ones_like(QUESTIONS)


def _encoder(**kwargs):
    torch.manual_seed(0)
    # a 1024-wide projection, as the CNN+LSTM configs': with 32 or 256
    # units the tanh saturated on the words all six questions share and
    # the colour was never learned (loss 0.08-0.14)
    args = dict(vocab_size=20, embed_dims=32, hidden_size=64,
                out_channels=1024, forget_bias=1.0)
    args.update(kwargs)
    return LSTMQuestionEncoder(**args)


def _spread(encoder):
    """How far apart the six questions' encodings are, relative to their
    size (0: identical)."""
    encoder.eval()
    with torch.no_grad():
        out = encoder(QUESTIONS, MASK)
    return float((out - out.mean(0)).norm() / out.norm())


def test_targets_mark_each_word_once_and_never_padding():
    ids = torch.tensor([[3, 4, 3, 0], [2, 0, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]])
    targets = bag_of_words_targets(ids, mask, vocab_size=5)
    assert targets.tolist() == [[0, 0, 0, 1, 1], [0, 0, 1, 0, 0]]
    # a pad id inside the mask is still not a target
    targets = bag_of_words_targets(ids, torch.ones_like(ids), vocab_size=5)
    assert targets[:, 0].tolist() == [0, 0]


def test_pretraining_puts_the_differing_word_into_the_encodings():
    encoder = _encoder()
    before = _spread(encoder)
    stats = pretrain_bag_of_words(
        encoder, QUESTIONS, MASK, steps=100, lr=1e-3, progress=False)
    assert stats['num_questions'] == 6
    assert stats['exact_reconstruction'] == 1.0
    assert stats['loss'] < 0.01  # measured 0.0004
    # measured: 0.126 before, 0.671 after
    assert _spread(encoder) > 4 * before


def test_minibatches_are_seeded():
    weights = []
    for _ in range(2):
        encoder = _encoder()
        pretrain_bag_of_words(encoder, QUESTIONS, MASK, steps=3,
                              batch_size=2, seed=3, progress=False)
        weights.append(encoder.projection[1].weight.detach().clone())
    assert torch.equal(weights[0], weights[1])
    other = _encoder()
    pretrain_bag_of_words(other, QUESTIONS, MASK, steps=3, batch_size=2,
                          seed=4, progress=False)
    assert not torch.equal(weights[0], other.projection[1].weight)


def test_bad_arguments():
    with pytest.raises(ValueError, match='steps'):
        pretrain_bag_of_words(_encoder(), QUESTIONS, MASK, steps=0)
    with pytest.raises(ValueError, match=r'\(U, L\)'):
        pretrain_bag_of_words(_encoder(), QUESTIONS, MASK[:, :3], steps=1)
    with pytest.raises(ValueError, match='no trainable parameter'):
        pretrain_bag_of_words(_encoder(frozen=True), QUESTIONS, MASK,
                              steps=1, progress=False)
