"""Tests for vlframe/models/text_encoders/lstm_question_encoder.py."""
import logging

import pytest
import torch
from mmengine.logging import MMLogger

from vlframe.datasets.text_vocab import save_bert_tokenizer
from vlframe.models import LSTMQuestionEncoder
from vlframe.models.text_encoders import GloVeFormatError
from vlframe.registry import MODELS

WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'what', 'is', 'the',
         'dog', '?']


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(scope='module')
def tokenizer_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('tok'))
    save_bert_tokenizer(WORDS, out)
    return out


def _small(**kwargs):
    args = dict(vocab_size=10, embed_dims=6, hidden_size=5, num_layers=2,
                out_channels=7)
    args.update(kwargs)
    return LSTMQuestionEncoder(**args).eval()


def test_deeper_lstm_q_shapes():
    encoder = MODELS.build(
        dict(type='LSTMQuestionEncoder', vocab_size=50, embed_dims=300,
             hidden_size=512, num_layers=2))
    # 2 layers x (h, c) x 512 -> fc -> tanh 1024
    assert encoder.projection[1].in_features == 2048
    assert encoder.out_channels == 1024
    assert isinstance(encoder.projection[2], torch.nn.Tanh)
    assert isinstance(encoder.embed_act, torch.nn.Tanh)
    ids = torch.randint(1, 50, (3, 8))
    out = encoder(ids, torch.ones(3, 8, dtype=torch.long))
    assert out.shape == (3, 1024)
    assert out.abs().max() <= 1.0  # tanh


@pytest.mark.parametrize('output,bidirectional,summary', [
    ('hidden_cell', False, 2 * 2 * 5),
    ('hidden', False, 2 * 5),
    ('last_hidden', False, 5),
    ('last_hidden', True, 2 * 5),
    ('hidden_cell', True, 2 * 2 * 2 * 5),
])
def test_output_modes(output, bidirectional, summary):
    encoder = _small(output=output, bidirectional=bidirectional,
                     out_channels=None)
    assert encoder.projection is None
    assert encoder.out_channels == summary
    ids = torch.randint(1, 10, (4, 6))
    out = encoder(ids, torch.ones_like(ids))
    assert out.shape == (4, summary)


def test_last_hidden_is_the_lstm_output_at_the_last_word():
    encoder = _small(output='last_hidden', out_channels=None, num_layers=1)
    ids = torch.tensor([[5, 6, 7, 8, 9]])
    with torch.no_grad():
        words = torch.tanh(encoder.embedding(ids))
        outputs, _ = encoder.lstm(words)  # (1, 5, 5)
        torch.testing.assert_close(encoder(ids), outputs[:, -1])


def test_padding_does_not_change_the_output():
    encoder = _small()
    question = [5, 6, 7, 8, 9]
    short = torch.tensor([question + [0]])  # padded to 6
    long = torch.tensor([question + [0] * 7])  # padded to 12
    with torch.no_grad():
        out_short = encoder(short, (short != 0).long())
        out_long = encoder(long, (long != 0).long())
        # in a batch with a longer question, padded to 9
        batch = torch.tensor([question + [0] * 4, [5, 6, 7, 8, 9, 8, 7, 6,
                                                   5]])
        out_batch = encoder(batch, (batch != 0).long())
        # without the mask the padding would be read as words
        unmasked = encoder(long, torch.ones_like(long))
    torch.testing.assert_close(out_short, out_long)
    torch.testing.assert_close(out_batch[:1], out_short)
    assert not torch.allclose(unmasked, out_short)


def test_vocab_from_tokenizer_dir(tokenizer_dir):
    encoder = LSTMQuestionEncoder(tokenizer_dir=tokenizer_dir, embed_dims=4,
                                  hidden_size=3)
    assert encoder.vocab_size == len(WORDS)
    assert encoder.embedding.num_embeddings == len(WORDS)
    with pytest.raises(ValueError, match='vocab_size=99 but the tokenizer'):
        LSTMQuestionEncoder(vocab_size=99, tokenizer_dir=tokenizer_dir)


def test_glove_init_and_freeze(tmp_path, tokenizer_dir):
    glove = tmp_path / 'glove.6B.4d.txt'
    glove.write_text('the 1 2 3 4\ndog -1 -2 -3 -4\nzebra 9 9 9 9\n')
    logger = MMLogger.get_current_instance()
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.addHandler(handler)
    try:
        encoder = LSTMQuestionEncoder(
            tokenizer_dir=tokenizer_dir, embed_dims=4, hidden_size=3,
            glove_file=str(glove), freeze_embedding=True)
    finally:
        logger.removeHandler(handler)
    weight = encoder.embedding.weight
    assert weight[WORDS.index('the')].tolist() == [1, 2, 3, 4]
    assert weight[WORDS.index('dog')].tolist() == [-1, -2, -3, -4]
    assert weight[WORDS.index('what')].abs().sum() == 0  # missing: zero
    assert not weight.requires_grad
    assert all(p.requires_grad for p in encoder.lstm.parameters())
    # 8 of 10 tokens (5 special included) have no vector, and it is logged
    assert any('for 2 of 10 tokens; 8' in m for m in messages), messages
    # an initialiser of a parent module may overwrite the embedding; the
    # Runner's init_weights() puts the GloVe vectors back
    with torch.no_grad():
        weight.normal_()
    encoder.init_weights()
    assert weight[WORDS.index('the')].tolist() == [1, 2, 3, 4]
    assert weight[WORDS.index('what')].abs().sum() == 0


def test_glove_of_wrong_dimension_names_the_file(tmp_path, tokenizer_dir):
    glove = tmp_path / 'glove.6B.50d.txt'
    glove.write_text('the 1 2 3 4\n')
    with pytest.raises(GloVeFormatError) as info:
        LSTMQuestionEncoder(tokenizer_dir=tokenizer_dir, embed_dims=300,
                            glove_file=str(glove))
    assert str(glove) in str(info.value)
    assert 'found 4 values, expected dim=300' in str(info.value)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match='needs vocab_size or tokenizer'):
        LSTMQuestionEncoder()
    with pytest.raises(ValueError, match='glove_file needs tokenizer_dir'):
        LSTMQuestionEncoder(vocab_size=5, glove_file='g.txt')
    with pytest.raises(ValueError, match='output must be one of'):
        LSTMQuestionEncoder(vocab_size=5, output='mean')
    encoder = _small()
    with pytest.raises(ValueError, match='question with no tokens'):
        encoder(torch.tensor([[5, 0], [0, 0]]),
                torch.tensor([[1, 0], [0, 0]]))
    with pytest.raises(ValueError, match='token id 12 is outside the '
                       'embedding of 10 tokens'):
        encoder(torch.tensor([[5, 12]]))


def test_repeated_questions_are_encoded_once_with_the_same_result():
    encoder = _small().train()
    batch = torch.tensor([[5, 6, 7, 8, 0], [5, 6, 9, 0, 0], [5, 6, 7, 8, 0],
                          [5, 6, 9, 0, 0], [8, 8, 8, 8, 8]])
    mask = (batch != 0).long()
    calls = []
    encoder.lstm.register_forward_hook(
        lambda module, args, out: calls.append(args[0].batch_sizes[0]))
    out = encoder(batch, mask)
    assert calls == [3]  # 3 distinct questions reach the LSTM
    out.pow(2).sum().backward()
    shared_grads = [p.grad.clone() for p in encoder.parameters()]
    # the reference: every row encoded on its own, gradients summed
    encoder.zero_grad()
    rows = [encoder(batch[k:k + 1], mask[k:k + 1]) for k in range(5)]
    torch.testing.assert_close(out, torch.cat(rows))
    torch.cat(rows).pow(2).sum().backward()
    for shared, alone in zip(shared_grads, encoder.parameters()):
        torch.testing.assert_close(shared, alone.grad)


def test_forget_bias_init_survives_init_weights():
    encoder = _small(forget_bias=1.0, bidirectional=True)
    encoder.init_weights()
    hidden = 5
    for name, param in encoder.lstm.named_parameters():
        if name.startswith('bias_ih'):
            assert param[hidden:2 * hidden].tolist() == [1.0] * hidden
        elif name.startswith('bias_hh'):
            assert param[hidden:2 * hidden].tolist() == [0.0] * hidden
    # the other gates keep PyTorch's draw
    assert encoder.lstm.bias_ih_l0[:hidden].abs().max() > 0
    default = _small()
    assert not torch.all(default.lstm.bias_ih_l0[hidden:2 * hidden] == 1.0)


def test_forget_bias_keeps_an_early_word_in_the_encoding():
    """The reason for forget_bias: at PyTorch's init the word 5 positions
    before the end barely changes the encoding; with 1.0 it does more."""
    spreads = {}
    for bias in (None, 1.0):
        torch.manual_seed(0)
        encoder = LSTMQuestionEncoder(
            vocab_size=20, embed_dims=32, hidden_size=64,
            forget_bias=bias).eval()
        # six questions differing in their 2nd word only
        ids = torch.tensor([[5, w, 7, 8, 9, 10, 11] for w in range(12, 18)])
        with torch.no_grad():
            out = encoder(ids)
        spreads[bias] = float((out - out.mean(0)).norm() / out.norm())
    assert spreads[1.0] > 2 * spreads[None]


def test_out_norm_puts_a_layer_norm_before_the_tanh():
    encoder = _small(out_norm='LN', out_channels=16)
    assert [type(m).__name__ for m in encoder.projection] == [
        'Dropout', 'Linear', 'LayerNorm', 'Tanh'
    ]
    ids = torch.randint(1, 10, (3, 4))
    # a large projection cannot saturate the tanh: its input is normalised
    with torch.no_grad():
        encoder.projection[1].weight.mul_(1000.0)
        out = encoder(ids)
    assert (out.abs() > 0.99).float().mean() < 0.1
    plain = _small(out_channels=16)
    with torch.no_grad():
        plain.projection[1].weight.mul_(1000.0)
        assert (plain(ids).abs() > 0.99).float().mean() > 0.5
    with pytest.raises(ValueError, match='out_norm'):
        _small(out_norm='BN')


def _save_weights(encoder, path):
    """The file format tools/misc/pretrain_question_encoder.py writes."""
    torch.save(dict(state_dict=encoder.state_dict(), meta=dict(steps=1)),
               path)


def test_pretrained_weights_replace_the_initialisation(tmp_path):
    source = _small(forget_bias=1.0)
    with torch.no_grad():
        source.lstm.bias_ih_l0.fill_(0.25)  # not what forget_bias would set
    path = str(tmp_path / 'q.pth')
    _save_weights(source, path)
    torch.manual_seed(1)
    encoder = _small(forget_bias=1.0, pretrained=path)
    encoder.init_weights()
    for name, value in source.state_dict().items():
        assert torch.equal(encoder.state_dict()[name], value), name
    ids = torch.randint(1, 10, (4, 5))
    with torch.no_grad():
        assert torch.equal(encoder(ids), source(ids))


def test_frozen_encoder_trains_nothing_and_stays_in_eval_mode(tmp_path):
    path = str(tmp_path / 'q.pth')
    _save_weights(_small(out_dropout=0.5), path)
    encoder = _small(out_dropout=0.5, pretrained=path, frozen=True)
    encoder.init_weights()
    assert not any(p.requires_grad for p in encoder.parameters())
    parent = torch.nn.Sequential(encoder).train()
    assert parent.training and not encoder.training
    assert not any(m.training for m in encoder.modules())
    ids = torch.randint(1, 10, (4, 5))
    # eval mode: the projection's dropout is off, two calls agree
    assert torch.equal(encoder(ids), encoder(ids))
    assert not encoder(ids).requires_grad


def test_missing_or_mismatched_pretrained_weights(tmp_path):
    from vlframe.utils.checkpoint import CheckpointMismatchError
    missing = str(tmp_path / 'absent.pth')
    encoder = _small(pretrained=missing)
    with pytest.raises(FileNotFoundError,
                       match='absent.pth.*pretrain_question_encoder.py'):
        encoder.init_weights()
    other = str(tmp_path / 'other.pth')
    _save_weights(_small(hidden_size=6), other)
    with pytest.raises(CheckpointMismatchError, match='shape mismatches'):
        _small(pretrained=other).init_weights()
