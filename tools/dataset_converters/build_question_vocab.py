"""Build a local BERT WordPiece tokenizer directory from question text.

    python tools/dataset_converters/build_question_vocab.py \
        [--vqa-questions Q.json ...] [--clevr-questions Q.json ...] \
        [--nlvr-jsonl train.json ...] [--sort-of-clevr [--no-ternary]] \
        [--min-count N] --out-dir DIR

The words of all given questions are counted after BERT's own splitting
(lower case, punctuation split off); ``DIR/vocab.txt`` is [PAD] [UNK] [CLS]
[SEP] [MASK] followed by every word seen at least ``--min-count`` times,
most frequent first, and ``DIR`` is loadable with
``AutoTokenizer.from_pretrained(DIR)`` (``TokenizeQuestion`` does that).
Build it from the training split only, so that validation words the model
never saw become [UNK].
"""
import argparse

from vlframe.datasets.text_vocab import (SPECIAL_TOKENS, count_words,
                                         read_clevr_questions,
                                         read_nlvr_sentences,
                                         read_vqa_questions,
                                         save_bert_tokenizer,
                                         sort_of_clevr_questions, vocab_words)
from vlframe.utils.cli import run_tool


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Build a BERT WordPiece tokenizer directory of whole '
        'words from question files')
    parser.add_argument(
        '--vqa-questions', nargs='+', default=[], metavar='JSON',
        help='official VQA v1/v2 *_questions.json files')
    parser.add_argument(
        '--clevr-questions', nargs='+', default=[], metavar='JSON',
        help='CLEVR_{split}_questions.json files')
    parser.add_argument(
        '--nlvr-jsonl', nargs='+', default=[], metavar='JSONL',
        help='Cornell NLVR {split}.json files (one JSON object per line)')
    parser.add_argument(
        '--sort-of-clevr', action='store_true',
        help='every English question of the Sort-of-CLEVR generator')
    parser.add_argument(
        '--no-ternary', action='store_true',
        help='with --sort-of-clevr: leave out the ternary questions')
    parser.add_argument(
        '--min-count', type=int, default=1,
        help='keep words seen at least this often (others become [UNK])')
    parser.add_argument('--out-dir', required=True,
                        help='directory to write the tokenizer to')
    args = parser.parse_args(argv)
    if not (args.vqa_questions or args.clevr_questions or args.nlvr_jsonl
            or args.sort_of_clevr):
        parser.error('give at least one of --vqa-questions, '
                     '--clevr-questions, --nlvr-jsonl, --sort-of-clevr')
    if args.min_count < 1:
        parser.error(f'--min-count must be >= 1, got {args.min_count}')
    return args


def main(argv=None):
    args = parse_args(argv)
    texts = []
    sources = []
    for path in args.vqa_questions:
        texts += read_vqa_questions(path)
        sources.append(path)
    for path in args.clevr_questions:
        texts += read_clevr_questions(path)
        sources.append(path)
    for path in args.nlvr_jsonl:
        texts += read_nlvr_sentences(path)
        sources.append(path)
    if args.sort_of_clevr:
        texts += sort_of_clevr_questions(ternary=not args.no_ternary)
        sources.append('Sort-of-CLEVR generator')
    counter = count_words(texts)
    words = vocab_words(counter, args.min_count)
    save_bert_tokenizer(words, args.out_dir)
    num_words = len(words) - len(SPECIAL_TOKENS)
    dropped = len(counter) - num_words
    print(f'{len(texts)} questions from {len(sources)} source(s): '
          f'{len(counter)} distinct words, {num_words} with count >= '
          f'{args.min_count} ({dropped} dropped)')
    print(f'vocabulary size {len(words)} ({len(SPECIAL_TOKENS)} special '
          f'tokens) written to {args.out_dir}')


if __name__ == '__main__':
    run_tool(main)
