"""VQA answers: the official normalisation, soft targets and accuracy.

The semantics are those of the official VQA evaluator (GT-Vision-Lab/VQA
``vqaEval.py``, after its 2021 fix "Fixed processing answers bug") and of the
bottom-up-attention / ViLT answer vocabulary (``compute_softscore.py``), as
written down in ``shared/reference/evaluation-semantics.md`` sections 1 and 3.
Their quirks are reproduced on purpose, because the point of this module is
to give the number the official evaluator gives:

* ``process_punctuation`` decides, for each of 21 punctuation characters,
  whether to delete it or replace it with a space by looking at the
  *original* text; a digit-comma-digit anywhere in it (``"1,000"``) makes
  every one of them deleted.
* Periods not followed by a digit are removed, at most 32 of them (the
  official code passes ``re.UNICODE`` == 32 where ``re.sub`` takes
  ``count``), and the pattern's ``(?!<=\\d)`` is a look-*ahead* for the
  literal ``<=digit``, which never matches before a ``.``.
* The contraction table keeps its capitalised keys (``Im``, ``Ive``,
  ``Id've``, ``I'dve``) that can never match after ``lower()``, and maps
  ``somebody'd`` to ``somebodyd``.
* A question's answers are normalised only when the annotators disagree:
  when all of them gave the same string, neither side is lowercased or
  stripped of punctuation (``"Yes"`` x10 vs prediction ``"yes"`` scores 0).

Everything here is pure Python on strings; the metric
(:class:`vlframe.evaluation.metrics.VQAAccuracy`), the offline evaluator
(``tools/analysis_tools/eval_vqa.py``) and the vocabulary builder
(``tools/dataset_converters/vqa_answer_vocab.py``) all call these functions,
so there is one implementation of the rules.
"""
import re
from collections import defaultdict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = [
    'process_punctuation', 'process_digit_article', 'normalize_answer',
    'answer_score', 'soft_targets', 'vqa_question_accuracy',
    'summarize_vqa_accuracy', 'official_percentage', 'ANSWER_TYPES',
    'ordered_answer_types'
]

# the official answer types, in the order reports list them
ANSWER_TYPES = ('yes/no', 'number', 'other')

# the 21 characters of the official list: no apostrophe, colon or period
PUNCTUATION = (';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\',
               '_', '-', '>', '<', '@', '`', ',', '?', '!')
_COMMA_BETWEEN_DIGITS = re.compile(r'(\d)(\,)(\d)')
# kept verbatim: "(?!<=\d)" is a negative look-ahead for the text "<=digit",
# so in effect this removes every '.' that is not followed by a digit
_PERIOD_STRIP = re.compile(r'(?!<=\d)(\.)(?!\d)')
# the official call is periodStrip.sub('', text, re.UNICODE): the flag lands
# in the ``count`` parameter, so at most int(re.UNICODE) == 32 periods go
PERIOD_STRIP_COUNT = 32

NUMBER_WORDS = {
    'none': '0',
    'zero': '0',
    'one': '1',
    'two': '2',
    'three': '3',
    'four': '4',
    'five': '5',
    'six': '6',
    'seven': '7',
    'eight': '8',
    'nine': '9',
    'ten': '10',
}
ARTICLES = ('a', 'an', 'the')

# The official table, all 120 entries, quirks included: the capitalised keys
# never match (words are lowercased first) and "somebody'd" -> "somebodyd".
CONTRACTIONS = {
    'aint': "ain't", 'arent': "aren't", 'cant': "can't",
    'couldve': "could've", 'couldnt': "couldn't",
    "couldn'tve": "couldn't've", "couldnt've": "couldn't've",
    'didnt': "didn't", 'doesnt': "doesn't", 'dont': "don't",
    'hadnt': "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've",
    'hasnt': "hasn't", 'havent': "haven't", 'hed': "he'd",
    "hed've": "he'd've", "he'dve": "he'd've", 'hes': "he's",
    'howd': "how'd", 'howll': "how'll", 'hows': "how's",
    "Id've": "I'd've", "I'dve": "I'd've", 'Im': "I'm", 'Ive': "I've",
    'isnt': "isn't", 'itd': "it'd", "itd've": "it'd've",
    "it'dve": "it'd've", 'itll': "it'll", "let's": "let's",
    'maam': "ma'am", 'mightnt': "mightn't", "mightnt've": "mightn't've",
    "mightn'tve": "mightn't've", 'mightve': "might've",
    'mustnt': "mustn't", 'mustve': "must've", 'neednt': "needn't",
    'notve': "not've", 'oclock': "o'clock", 'oughtnt': "oughtn't",
    "ow's'at": "'ow's'at", "'ows'at": "'ow's'at", "'ow'sat": "'ow's'at",
    'shant': "shan't", "shed've": "she'd've", "she'dve": "she'd've",
    "she's": "she's", 'shouldve': "should've", 'shouldnt': "shouldn't",
    "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've",
    "somebody'd": 'somebodyd', "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've", 'somebodyll': "somebody'll",
    'somebodys': "somebody's", 'someoned': "someone'd",
    "someoned've": "someone'd've", "someone'dve": "someone'd've",
    'someonell': "someone'll", 'someones': "someone's",
    'somethingd': "something'd", "somethingd've": "something'd've",
    "something'dve": "something'd've", 'somethingll': "something'll",
    'thats': "that's", 'thered': "there'd", "thered've": "there'd've",
    "there'dve": "there'd've", 'therere': "there're", 'theres': "there's",
    'theyd': "they'd", "theyd've": "they'd've", "they'dve": "they'd've",
    'theyll': "they'll", 'theyre': "they're", 'theyve': "they've",
    'twas': "'twas", 'wasnt': "wasn't", "wed've": "we'd've",
    "we'dve": "we'd've", 'weve': "we've", 'werent': "weren't",
    'whatll': "what'll", 'whatre': "what're", 'whats': "what's",
    'whatve': "what've", 'whens': "when's", 'whered': "where'd",
    'wheres': "where's", 'whereve': "where've", 'whod': "who'd",
    "whod've": "who'd've", "who'dve": "who'd've", 'wholl': "who'll",
    'whos': "who's", 'whove': "who've", 'whyll': "why'll",
    'whyre': "why're", 'whys': "why's", 'wont': "won't",
    'wouldve': "would've", 'wouldnt': "wouldn't",
    "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've",
    'yall': "y'all", "yall'll": "y'all'll", "y'allll": "y'all'll",
    "yall'd've": "y'all'd've", "y'alld've": "y'all'd've",
    "y'all'dve": "y'all'd've", 'youd': "you'd", "youd've": "you'd've",
    "you'dve": "you'd've", 'youll': "you'll", 'youre': "you're",
    'youve': "you've",
}


def _check_str(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f'{name} must be a str, got {type(value).__name__} '
                        f'{value!r}')
    return value


def process_punctuation(text: str) -> str:
    """The official ``processPunctuation``.

    Each of the 21 characters of :data:`PUNCTUATION` is deleted when it
    touches a space in the original text (``"p "`` or ``" p"``) or when the
    original text has a comma between two digits anywhere, and replaced by a
    space otherwise; the tests look at ``text``, not at the partly processed
    string. Then every period not followed by a digit is removed, at most
    :data:`PERIOD_STRIP_COUNT` (32) of them.
    """
    _check_str(text, 'answer')
    has_digit_comma = _COMMA_BETWEEN_DIGITS.search(text) is not None
    out = text
    for char in PUNCTUATION:
        if has_digit_comma or char + ' ' in text or ' ' + char in text:
            out = out.replace(char, '')
        else:
            out = out.replace(char, ' ')
    return _PERIOD_STRIP.sub('', out, count=PERIOD_STRIP_COUNT)


def process_digit_article(text: str) -> str:
    """The official ``processDigitArticle``: lowercase, split on
    whitespace, number words ``none``/``zero``..``ten`` to digits, drop the
    articles ``a``/``an``/``the``, expand the contraction table word by word,
    and join with single spaces."""
    _check_str(text, 'answer')
    words = []
    for word in text.lower().split():
        word = NUMBER_WORDS.get(word, word)
        if word not in ARTICLES:
            words.append(word)
    return ' '.join(CONTRACTIONS.get(word, word) for word in words)


def normalize_answer(text: str) -> str:
    """The answer-vocabulary normaliser of bottom-up-attention
    (``preprocess_answer``) and ViLT (``normalize_word``): the official
    punctuation and digit/article steps, then every remaining comma
    removed (``"1,000"`` -> ``"1000"``)."""
    return process_digit_article(process_punctuation(text)).replace(',', '')


def answer_score(count: int) -> float:
    """Soft score of an answer given by ``count`` of the 10 annotators:
    0 -> 0, 1 -> 0.3, 2 -> 0.6, 3 -> 0.9, 4 or more -> 1.0 (BUTD
    ``get_score``; the official accuracy of that answer)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f'answer count must be an int >= 0, got {count!r}')
    return (0.0, 0.3, 0.6, 0.9, 1.0)[min(count, 4)]


def soft_targets(raw_answers: Sequence[str],
                 ans2label: Mapping[str, int]) -> Tuple[List[int],
                                                        List[float]]:
    """Labels and soft scores of one question, as BUTD ``compute_target``.

    The **raw** annotator strings are counted as they are (not normalised;
    the vocabulary holds normalised strings, so e.g. ``"Yes"`` does not
    count for ``"yes"``); each distinct string that is a key of
    ``ans2label`` gives its label and :func:`answer_score` of its count, in
    the order the strings first appear. Strings outside the vocabulary are
    dropped, so a question may get no label at all.
    """
    counts: Dict[str, int] = {}
    for answer in raw_answers:
        _check_str(answer, 'a human answer')
        counts[answer] = counts.get(answer, 0) + 1
    labels, scores = [], []
    for answer, count in counts.items():
        if answer in ans2label:
            labels.append(int(ans2label[answer]))
            scores.append(answer_score(count))
    return labels, scores


def _clean_whitespace(text: str) -> str:
    return text.replace('\n', ' ').replace('\t', ' ').strip()


def vqa_question_accuracy(pred: str, gt_answers: Sequence[str]) -> float:
    """Official accuracy of one predicted answer, in [0, 1].

    Both sides get ``\\n``/``\\t`` -> space and ``strip()``. Only when the
    annotators gave more than one distinct answer are both sides also
    normalised (:func:`process_punctuation` then
    :func:`process_digit_article`). The value is the mean over the
    leave-one-annotator-out subsets (one per position: the official answer
    dicts are unique through ``answer_id``) of ``min(1, matches / 3)``,
    computed with the same floating-point operations as the official code.
    With 10 annotators and ``c`` of them matching: 0, 0.3, 0.6, 0.9, 1.0
    for ``c`` = 0, 1, 2, 3, 4+.
    """
    _check_str(pred, 'the predicted answer')
    if isinstance(gt_answers, str) or not gt_answers:
        raise ValueError('gt_answers must be a non-empty list of the human '
                         f'answer strings, got {gt_answers!r}')
    gts = [_clean_whitespace(_check_str(a, 'a human answer'))
           for a in gt_answers]
    res = _clean_whitespace(pred)
    if len(set(gts)) > 1:
        gts = [process_digit_article(process_punctuation(a)) for a in gts]
        res = process_digit_article(process_punctuation(res))
    leave_one_out = []
    for left_out in range(len(gts)):
        matches = sum(1 for i, answer in enumerate(gts)
                      if i != left_out and answer == res)
        leave_one_out.append(min(1, float(matches) / 3))
    return float(sum(leave_one_out)) / len(leave_one_out)


def official_percentage(accuracies: Sequence[float], ndigits: int = 2):
    """``round(100 * mean, ndigits)`` computed as the official
    ``setAccuracy`` does: ``round(100 * float(sum(accs)) / len(accs), n)``
    over the unrounded per-question values, summed in the given order."""
    if not accuracies:
        raise ValueError('no per-question accuracies to average')
    return round(100 * float(sum(accuracies)) / len(accuracies), ndigits)


def summarize_vqa_accuracy(accuracies: Sequence[float],
                           answer_types: Optional[Sequence] = None,
                           question_types: Optional[Sequence] = None,
                           ndigits: int = 2) -> dict:
    """The official report from per-question accuracies (in [0, 1]).

    ``answer_types[i]`` / ``question_types[i]`` name the groups of question
    ``i`` (``None`` leaves it out of that grouping). Every percentage is
    :func:`official_percentage` of the unrounded per-question values of its
    group, in the order given, as ``vqaEval.setAccuracy`` computes them.

    Returns ``{'overall': float, 'perAnswerType': {type: float},
    'perQuestionType': {type: float}, 'numQuestions': {'overall': int,
    'perAnswerType': {...}, 'perQuestionType': {...}}}``; the first three
    keys are those of the official ``accuracy`` dict.
    """
    num = len(accuracies)
    groups = {'perAnswerType': answer_types,
              'perQuestionType': question_types}
    report = {'overall': official_percentage(accuracies, ndigits)}
    counts = {'overall': num}
    for key, types in groups.items():
        if types is None:
            types = [None] * num
        if len(types) != num:
            raise ValueError(f'{key}: {len(types)} types for {num} '
                             'accuracies; need one per question')
        grouped = defaultdict(list)
        for acc, name in zip(accuracies, types):
            if name is not None:
                grouped[name].append(acc)
        report[key] = {
            name: official_percentage(values, ndigits)
            for name, values in grouped.items()
        }
        counts[key] = {name: len(values) for name, values in grouped.items()}
    report['numQuestions'] = counts
    return report


def ordered_answer_types(names) -> List[str]:
    """``names`` in report order: the official types (yes/no, number,
    other) first, any others after them sorted."""
    names = set(names)
    return [t for t in ANSWER_TYPES if t in names] + sorted(
        t for t in names if t not in ANSWER_TYPES)
