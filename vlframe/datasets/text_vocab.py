"""Question vocabularies as local BERT WordPiece tokenizer directories.

Every text model in vlframe reads questions through one tokenizer: a
``transformers`` BERT tokenizer loaded from a local directory. For models
trained from scratch (the CNN+LSTM baseline, the RN on NLVR) that directory
is built here from the questions of the training data: ``vocab.txt`` holds
[PAD] [UNK] [CLS] [SEP] [MASK] and then whole lower-cased words by
frequency, so that

* the word splitting is exactly the tokenizer's own (BERT's normaliser and
  pre-tokenizer: lower case, accents stripped, punctuation split off, taken
  from the ``tokenizers`` library the saved tokenizer runs), and every word
  of the vocabulary tokenizes to its own id (``build -> tokenize``
  round-trips);
* a word that is not in the vocabulary becomes one [UNK] (there are no
  ``##`` pieces, so WordPiece cannot split it);
* the ids index whole words, which is what a GloVe lookup needs.

``tools/dataset_converters/build_question_vocab.py`` is the command line;
``TokenizeQuestion`` and ``LSTMQuestionEncoder`` load the result with
:func:`load_tokenizer`.
"""
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, Iterator, List, Optional, Sequence

from .sort_of_clevr import DatasetLayoutError

SPECIAL_TOKENS = ('[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]')
PAD_TOKEN_ID = 0
VOCAB_FILE = 'vocab.txt'

BUILD_HINT = (
    'Build one from the training questions with '
    '`python tools/dataset_converters/build_question_vocab.py '
    '--sort-of-clevr | --vqa-questions Q.json ... | --clevr-questions '
    'Q.json | --nlvr-jsonl train.json --out-dir <dir>`, or place a BERT '
    'tokenizer there (the files `save_pretrained` writes, e.g. of '
    'bert-base-uncased)')


# --------------------------------------------------------------- splitting
_SPLITTER = None


def _splitter():
    """BERT's normaliser and pre-tokenizer, as the saved tokenizer runs them
    (``BertTokenizer`` builds its backend from exactly these)."""
    global _SPLITTER
    if _SPLITTER is None:
        from tokenizers import normalizers, pre_tokenizers
        _SPLITTER = (normalizers.BertNormalizer(
            clean_text=True,
            handle_chinese_chars=True,
            strip_accents=None,
            lowercase=True), pre_tokenizers.BertPreTokenizer())
    return _SPLITTER


def split_words(text: str) -> List[str]:
    """Lower-cased words and punctuation marks of ``text``, as BERT's basic
    tokenizer splits it ("Don't!" -> ['don', "'", 't', '!'])."""
    normalizer, pre_tokenizer = _splitter()
    return [
        word for word, _ in pre_tokenizer.pre_tokenize_str(
            normalizer.normalize_str(text))
    ]


def count_words(texts: Iterable[str]) -> Counter:
    """Word frequencies over ``texts`` (see :func:`split_words`)."""
    counter: Counter = Counter()
    for text in texts:
        counter.update(split_words(text))
    return counter


def vocab_words(counter: Counter, min_count: int = 1) -> List[str]:
    """The vocabulary: the special tokens, then every word seen at least
    ``min_count`` times, most frequent first (ties in alphabetical order,
    so the same questions always give the same ids)."""
    if min_count < 1:
        raise ValueError(f'min_count must be >= 1, got {min_count}')
    words = sorted((w for w, n in counter.items()
                    if n >= min_count and w not in SPECIAL_TOKENS),
                   key=lambda w: (-counter[w], w))
    return list(SPECIAL_TOKENS) + words


# ----------------------------------------------------------------- readers
def _load_json(path: str, what: str):
    if not osp.isfile(path):
        raise DatasetLayoutError(f'{what} file {path} does not exist')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DatasetLayoutError(
            f'{what} file {path} is not valid JSON ({err})') from None


def _questions_field(data, path: str, what: str,
                     text_key: str) -> Iterator[str]:
    questions = data.get('questions') if isinstance(data, dict) else None
    if not isinstance(questions, list):
        raise DatasetLayoutError(
            f'{what} file {path} has no "questions" list (expected '
            f'{{"questions": [{{"{text_key}": ...}}, ...]}})')
    for k, item in enumerate(questions):
        if not isinstance(item, dict) or not isinstance(
                item.get(text_key), str):
            raise DatasetLayoutError(
                f'{what} file {path}: questions[{k}] has no string '
                f'"{text_key}" field')
        yield item[text_key]


def read_vqa_questions(path: str) -> List[str]:
    """Question strings of an official VQA v1/v2 questions JSON
    (``{"questions": [{"question": ..., "question_id": ...}, ...]}``)."""
    return list(
        _questions_field(_load_json(path, 'VQA questions'), path,
                         'VQA questions', 'question'))


def read_clevr_questions(path: str) -> List[str]:
    """Question strings of a ``CLEVR_{split}_questions.json``."""
    return list(
        _questions_field(_load_json(path, 'CLEVR questions'), path,
                         'CLEVR questions', 'question'))


def read_nlvr_sentences(path: str) -> List[str]:
    """``sentence`` of every line of a Cornell NLVR ``{split}.json``
    (JSON lines)."""
    if not osp.isfile(path):
        raise DatasetLayoutError(f'NLVR file {path} does not exist')
    sentences = []
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                raise DatasetLayoutError(
                    f'NLVR file {path}, line {line_no}: not a JSON object '
                    f'({err}); expected one JSON object per line') from None
            if not isinstance(item, dict) or not isinstance(
                    item.get('sentence'), str):
                raise DatasetLayoutError(
                    f'NLVR file {path}, line {line_no}: no string '
                    '"sentence" field')
            sentences.append(item['sentence'])
    return sentences


def sort_of_clevr_questions(ternary: bool = True) -> List[str]:
    """Every English question the Sort-of-CLEVR generator can ask, each
    once: 36 non-relational and relational ones (and 60 ternary ones, over
    the ordered colour pairs of the reference's 5-colour pool), enumerated
    from ``question_text`` without generating any image."""
    from .generators.sort_of_clevr import COLOR_NAMES, question_text
    colors = range(len(COLOR_NAMES))
    texts = [
        question_text(family, subtype, a) for family in (0, 1)
        for subtype in range(3) for a in colors
    ]
    if ternary:
        pool = range(5)
        texts += [
            question_text(2, subtype, a, b) for subtype in range(3)
            for a in pool for b in pool if a != b
        ]
    return texts


# ------------------------------------------------------------ write / load
def save_bert_tokenizer(words: Sequence[str], out_dir: str) -> str:
    """Write ``vocab.txt`` and a ``transformers`` BERT tokenizer of
    ``words`` (which start with ``SPECIAL_TOKENS``) to ``out_dir``.

    In transformers 5 ``BertTokenizerFast`` is ``BertTokenizer``, backed by
    the ``tokenizers`` library, and ignores a ``vocab_file`` argument (it
    would silently keep only the 5 special tokens); the vocabulary is
    passed as ``vocab`` and the saved directory is read back to check it.
    """
    words = list(words)
    if tuple(words[:len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        raise ValueError(f'the vocabulary must start with {SPECIAL_TOKENS}')
    if len(set(words)) != len(words):
        raise ValueError('the vocabulary has duplicate words')
    from transformers import BertTokenizerFast
    os.makedirs(out_dir, exist_ok=True)
    vocab_path = osp.join(out_dir, VOCAB_FILE)
    with open(vocab_path, 'w', encoding='utf-8') as f:
        f.write(''.join(w + '\n' for w in words))
    ids = {word: idx for idx, word in enumerate(words)}
    tokenizer = BertTokenizerFast(vocab=ids, do_lower_case=True)
    tokenizer.save_pretrained(out_dir)
    # a tokenizer this process loaded from out_dir before is stale now
    _TOKENIZERS.pop(osp.abspath(osp.expanduser(out_dir)), None)
    saved = load_tokenizer(out_dir, cache=False)
    if len(saved) != len(words):
        raise RuntimeError(
            f'the tokenizer saved to {out_dir} has {len(saved)} tokens, '
            f'expected {len(words)}: transformers changed how a BERT '
            'tokenizer is built from a vocabulary')
    return vocab_path


_TOKENIZERS: Dict[str, object] = {}


def load_tokenizer(tokenizer_dir: str, cache: bool = True):
    """``AutoTokenizer.from_pretrained(tokenizer_dir)``, local files only.

    With ``cache`` the tokenizer is loaded once per process and directory.
    A missing or incomplete directory is a :class:`DatasetLayoutError` that
    says how to make one.
    """
    key = osp.abspath(osp.expanduser(tokenizer_dir))
    if cache and key in _TOKENIZERS:
        return _TOKENIZERS[key]
    check_tokenizer_dir(tokenizer_dir)
    from transformers import AutoTokenizer
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            key, local_files_only=True)
    except (OSError, ValueError) as err:
        raise DatasetLayoutError(
            f'could not load a tokenizer from {tokenizer_dir}: {err}. '
            f'{BUILD_HINT}.') from None
    if cache:
        _TOKENIZERS[key] = tokenizer
    return tokenizer


def check_tokenizer_dir(tokenizer_dir: Optional[str]) -> None:
    """Raise a clear error unless ``tokenizer_dir`` holds a tokenizer."""
    if not tokenizer_dir or not osp.isdir(tokenizer_dir):
        raise DatasetLayoutError(
            f'tokenizer directory {tokenizer_dir} does not exist. '
            f'{BUILD_HINT}.')
    names = set(os.listdir(tokenizer_dir))
    if not names & {'tokenizer.json', 'tokenizer_config.json'}:
        raise DatasetLayoutError(
            f'tokenizer directory {tokenizer_dir} has no tokenizer.json or '
            f'tokenizer_config.json (it holds {sorted(names)}). '
            f'{BUILD_HINT}.')


def tokenizer_vocab(tokenizer_dir: str) -> List[str]:
    """The tokens of a tokenizer directory, in id order."""
    vocab = load_tokenizer(tokenizer_dir).get_vocab()  # token -> id
    words = [''] * len(vocab)
    for word, idx in vocab.items():
        words[idx] = word
    return words
