"""Tests for vlframe/datasets/transforms/text.py (TokenizeQuestion) and the
tokenizer directories of vlframe/datasets/text_vocab.py."""
import pickle

import pytest
import torch

from vlframe.datasets import DatasetLayoutError
from vlframe.datasets.text_vocab import (SPECIAL_TOKENS, count_words,
                                         load_tokenizer, save_bert_tokenizer,
                                         split_words, sort_of_clevr_questions,
                                         tokenizer_vocab, vocab_words)
from vlframe.datasets.transforms import TokenizeQuestion
from vlframe.registry import TRANSFORMS

QUESTIONS = [
    'What color is the dog?',
    'Is the dog on the LEFT?',
    "Don't you see the dog's tail?",
]


@pytest.fixture(scope='module')
def tokenizer_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('tok'))
    save_bert_tokenizer(vocab_words(count_words(QUESTIONS)), out)
    return out


def test_split_words_is_berts_basic_tokenizer():
    assert split_words("Don't you see the dog's tail?") == [
        'don', "'", 't', 'you', 'see', 'the', 'dog', "'", 's', 'tail', '?'
    ]
    # lower case, accents stripped, punctuation split off, spaces collapsed
    assert split_words('  Café,  NAÏVE!') == ['cafe', ',', 'naive', '!']


def test_vocab_order_and_min_count():
    counter = count_words(QUESTIONS)
    assert counter['the'] == 4 and counter['dog'] == 3 and counter['?'] == 3
    assert counter["'"] == 2 and counter['is'] == 2
    words = vocab_words(counter)
    assert tuple(words[:5]) == SPECIAL_TOKENS
    # most frequent first, ties in alphabetical order
    assert words[5:10] == ['the', '?', 'dog', "'", 'is']
    assert len(words) == 5 + len(counter)
    assert vocab_words(counter, min_count=3) == list(SPECIAL_TOKENS) + [
        'the', '?', 'dog'
    ]
    with pytest.raises(ValueError, match='min_count must be >= 1'):
        vocab_words(counter, min_count=0)


def test_saved_directory_round_trips(tokenizer_dir):
    words = vocab_words(count_words(QUESTIONS))
    assert tokenizer_vocab(tokenizer_dir) == words
    with open(f'{tokenizer_dir}/vocab.txt') as f:
        assert f.read().splitlines() == words
    tokenizer = load_tokenizer(tokenizer_dir)
    assert tokenizer.pad_token_id == 0 and tokenizer.unk_token_id == 1
    # every vocabulary word is its own id
    for idx, word in enumerate(words[5:], start=5):
        assert tokenizer(word, add_special_tokens=False)['input_ids'] == [idx]


def test_tokenize_question(tokenizer_dir):
    words = tokenizer_vocab(tokenizer_dir)
    transform = TokenizeQuestion(tokenizer_dir)
    results = transform(dict(question_text='What color is the dog?',
                             question_id=3))
    ids = results['input_ids']
    assert ids.dtype == torch.long and ids.shape == (6, )
    assert [words[i] for i in ids] == ['what', 'color', 'is', 'the', 'dog',
                                       '?']
    assert results['question_id'] == 3  # other keys untouched


def test_unknown_words_are_one_unk_each(tokenizer_dir):
    ids = TokenizeQuestion(tokenizer_dir)(
        dict(question_text='Is the zebra dogs?'))['input_ids']
    words = tokenizer_vocab(tokenizer_dir)
    # "zebra" and "dogs" are not in the vocabulary: whole-word [UNK]
    assert ids.tolist() == [words.index('is'), words.index('the'), 1, 1,
                            words.index('?')]


def test_special_tokens_and_max_length(tokenizer_dir):
    transform = TokenizeQuestion(tokenizer_dir, add_special_tokens=True,
                                 max_length=4, key='sentence')
    ids = transform(dict(sentence='What color is the dog?'))['input_ids']
    words = tokenizer_vocab(tokenizer_dir)
    assert [words[i] for i in ids] == ['[CLS]', 'what', 'color', '[SEP]']
    ids = TokenizeQuestion(tokenizer_dir, max_length=2)(
        dict(question_text='What color is the dog?'))['input_ids']
    assert ids.shape == (2, )


def test_registered_and_picklable_without_the_tokenizer(tokenizer_dir):
    transform = TRANSFORMS.build(
        dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir))
    expected = transform(dict(question_text='Is the dog on the left?'))
    assert transform._tokenizer is not None
    clone = pickle.loads(pickle.dumps(transform))
    assert clone._tokenizer is None  # workers load their own
    assert torch.equal(
        clone(dict(question_text='Is the dog on the left?'))['input_ids'],
        expected['input_ids'])
    assert 'TokenizeQuestion(tokenizer_dir=' in repr(transform)


def test_missing_directory_says_what_to_run(tmp_path):
    missing = str(tmp_path / 'no_tokenizer')
    with pytest.raises(DatasetLayoutError) as info:
        TokenizeQuestion(missing)
    msg = str(info.value)
    assert missing in msg
    assert 'build_question_vocab.py' in msg and 'BERT tokenizer' in msg


def test_directory_without_tokenizer_files(tmp_path):
    (tmp_path / 'vocab.txt').write_text('[PAD]\n')
    with pytest.raises(DatasetLayoutError,
                       match='has no tokenizer.json or tokenizer_config'):
        TokenizeQuestion(str(tmp_path))


def test_missing_text_key(tokenizer_dir):
    with pytest.raises(KeyError, match='no string "question_text"'):
        TokenizeQuestion(tokenizer_dir)(dict(question=[0, 1]))


def test_bad_max_length(tokenizer_dir):
    with pytest.raises(ValueError, match='max_length must be >= 1'):
        TokenizeQuestion(tokenizer_dir, max_length=0)


def test_sort_of_clevr_questions_are_all_enumerated():
    texts = sort_of_clevr_questions()
    assert len(texts) == 6 * 3 * 2 + 5 * 4 * 3  # 36 + 60 ternary
    assert len(set(texts)) == len(texts)
    assert 'What is the shape of the red object?' in texts
    assert len(sort_of_clevr_questions(ternary=False)) == 36
