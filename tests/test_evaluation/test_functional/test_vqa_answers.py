"""Tests for vlframe/evaluation/functional/vqa_answers.py.

Expected values are worked out by hand from the official semantics
(shared/reference/evaluation-semantics.md section 1, GT-Vision-Lab/VQA
vqaEval.py after the 2021 fix; section 3, bottom-up-attention
compute_softscore.py); the arithmetic is in the comments.
"""
import pytest

from vlframe.evaluation.functional import (answer_score, normalize_answer,
                                           official_percentage,
                                           ordered_answer_types,
                                           process_digit_article,
                                           process_punctuation, soft_targets,
                                           summarize_vqa_accuracy,
                                           vqa_question_accuracy)
from vlframe.evaluation.functional.vqa_answers import (CONTRACTIONS,
                                                       PUNCTUATION)

approx = pytest.approx


# ---------------------------------------------------------------- punctuation
def test_the_21_punctuation_characters():
    assert len(PUNCTUATION) == 21
    assert set(PUNCTUATION) == set(';/[]"{}()=+\\_-><@`,?!')
    # apostrophe, colon and period are not in the list
    assert process_punctuation("it's 3:30") == "it's 3:30"


def test_punctuation_replaced_by_space_unless_it_touches_a_space():
    # no space next to '-': replaced by a space
    assert process_punctuation('hi-there') == 'hi there'
    # ' -' occurs in the text: every '-' is deleted (the two spaces stay;
    # process_digit_article's split() collapses them later)
    assert process_punctuation('hi - there') == 'hi  there'
    # '!' followed by nothing: replaced by a space
    assert process_punctuation('yes!') == 'yes '
    assert process_punctuation('x,y') == 'x y'


def test_comma_between_digits_deletes_all_punctuation():
    # "1,000": the digit-comma-digit regex matches, so ',' is deleted
    # (not replaced by a space, which would give "1 000")
    assert process_punctuation('1,000') == '1000'
    # the test is on the ORIGINAL text and applies to every character:
    # '/' is deleted too, where alone it would become a space
    assert process_punctuation('1,000 red/blue') == '1000 redblue'
    assert process_punctuation('red/blue') == 'red blue'


def test_periods():
    assert process_punctuation('3.5') == '3.5'  # followed by a digit: kept
    assert process_punctuation('dog.') == 'dog'
    assert process_punctuation('u.s.a.') == 'usa'
    assert process_punctuation('.5') == '.5'
    # (?!<=\d) is a look-ahead, not a look-behind: a period after a digit
    # and not followed by one still goes
    assert process_punctuation('3.') == '3'


def test_at_most_32_periods_are_removed():
    # re.UNICODE (== 32) lands in re.sub's count: 40 periods -> 8 remain
    assert process_punctuation('.' * 40) == '.' * 8
    # 33 "a." -> the first 32 periods go, the 33rd stays
    assert process_punctuation('a.' * 33) == 'a' * 32 + 'a.'
    assert process_punctuation('.' * 32) == ''


# ------------------------------------------------------------- digit/article
def test_number_words_articles_and_lowercase():
    assert process_digit_article('Two') == '2'
    assert process_digit_article('None') == '0'
    assert process_digit_article('zero one ten eleven') == '0 1 10 eleven'
    assert process_digit_article('a dog') == 'dog'
    assert process_digit_article('An Apple  on THE table') == 'apple on table'
    assert process_digit_article('  ') == ''


def test_contraction_table_quirks():
    assert len(CONTRACTIONS) == 120
    assert process_digit_article('dont') == "don't"
    assert process_digit_article('whats that') == "what's that"
    # the table maps somebody'd to "somebodyd" [sic]
    assert process_digit_article("somebody'd") == 'somebodyd'
    # capitalised keys exist but never match after lower()
    assert {'Im', 'Ive', "Id've", "I'dve"} <= set(CONTRACTIONS)
    assert process_digit_article('Im') == 'im'
    assert process_digit_article('Ive') == 'ive'


def test_normalize_answer_is_the_vocabulary_normaliser():
    assert normalize_answer('Two.') == '2'
    assert normalize_answer('1,000') == '1000'
    assert normalize_answer('A Dog!') == 'dog'
    assert normalize_answer('dont') == "don't"
    assert normalize_answer('red, white') == 'red white'


def test_non_string_answer_is_a_clear_error():
    with pytest.raises(TypeError, match='answer must be a str, got int'):
        process_punctuation(3)


# ----------------------------------------------------------- scores, targets
def test_answer_score():
    assert [answer_score(c) for c in range(7)] == [
        0.0, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0
    ]
    with pytest.raises(ValueError, match='>= 0'):
        answer_score(-1)


def test_soft_targets_count_raw_strings_in_first_seen_order():
    ans2label = {'yes': 0, 'no': 1, '2': 2}
    raw = ['no', 'yes', 'Yes', 'yes', 'no', 'no', 'yes', 'maybe', 'Yes',
           'no']
    labels, scores = soft_targets(raw, ans2label)
    # 'no' first seen, 4 times -> 1.0; 'yes' (exact string) 3 times -> 0.9;
    # 'Yes' is not a vocabulary key (not normalised) and 'maybe' is out of
    # the vocabulary: both dropped
    assert labels == [1, 0]
    assert scores == [1.0, 0.9]
    # "two" is not counted for "2": raw strings only
    assert soft_targets(['two', 'two', '2'], ans2label) == ([2], [0.3])
    assert soft_targets(['maybe'] * 10, ans2label) == ([], [])


# ------------------------------------------------------- per-question value
@pytest.mark.parametrize(
    'c, expected',
    [
        # no annotator matches: every subset has 0 matches -> 0
        (0, 0.0),
        # leaving out the match: 0/3 -> 0; leaving out one of the other 9:
        # 1 match -> 1/3; mean = 9 * (1/3) / 10 = 0.3
        (1, 0.3),
        # 2 subsets keep 1 match (1/3), 8 keep 2 (2/3):
        # (2/3 + 16/3) / 10 = 6/10 = 0.6
        (2, 0.6),
        # 3 subsets keep 2 matches (2/3), 7 keep 3 (min(1, 3/3) = 1):
        # (2 + 7) / 10 = 0.9
        (3, 0.9),
        # every subset keeps at least 3 matches: 1.0
        (4, 1.0),
        (10, 1.0),
    ])
def test_c_of_10_humans_matching(c, expected):
    gt = ['yes'] * c + ['no'] * (10 - c)
    assert vqa_question_accuracy('yes', gt) == approx(expected, abs=1e-12)


def test_identical_answers_are_not_normalised():
    # semantics doc, section 1: when all 10 answers are the same string
    # (after \n/\t -> space and strip), neither side is normalised, so
    # case, articles and number words must match literally
    assert vqa_question_accuracy('yes', ['Yes'] * 10) == 0
    assert vqa_question_accuracy('Yes', ['Yes'] * 10) == 1.0
    assert vqa_question_accuracy('2', ['Two'] * 10) == 0
    # ... but \n/\t and surrounding spaces are still cleaned on both sides
    assert vqa_question_accuracy(' Yes\n', ['Yes\t'] * 10) == 1.0
    # one differing annotator switches normalisation on: 'Yes' x9 and
    # 'yes' all become 'yes', 10 matches -> 1.0
    assert vqa_question_accuracy('yes', ['Yes'] * 9 + ['yes']) == 1.0


def test_two_vs_2_when_humans_disagree():
    gt = ['Two', '2'] + ['3'] * 8
    # normalised: 'Two' -> '2', so 2 of 10 match '2' -> 0.6 (see c=2)
    assert vqa_question_accuracy('2', gt) == approx(0.6, abs=1e-12)
    # 'two.' -> period stripped -> 'two' -> '2': also 0.6
    assert vqa_question_accuracy('two.', gt) == approx(0.6, abs=1e-12)
    assert vqa_question_accuracy('Two', gt) == approx(0.6, abs=1e-12)


def test_articles_contractions_and_commas_in_the_accuracy():
    # 'a dog' -> 'dog'; 2 of 10 match -> 0.6
    assert vqa_question_accuracy('a dog', ['dog'] * 2 + ['cat'] * 8) == \
        approx(0.6, abs=1e-12)
    # 'a dog', 'the dog', 'dog' all become 'dog': 3 matches -> 0.9
    assert vqa_question_accuracy(
        'dog', ['a dog', 'the dog', 'dog'] + ['cat'] * 7) == approx(
            0.9, abs=1e-12)
    # "dont" -> "don't": 3 matches -> 0.9
    assert vqa_question_accuracy("dont", ["don't"] * 3 + ['no'] * 7) == \
        approx(0.9, abs=1e-12)
    # '1,000' -> '1000' on both sides: 4 matches -> 1.0
    assert vqa_question_accuracy(
        '1,000', ['1000'] * 2 + ['1,000'] * 2 + ['many'] * 6) == 1.0


def test_leave_one_out_is_by_position_for_any_number_of_answers():
    # 3 annotators, 1 matches: subsets without it 0, the 2 others 1/3:
    # (0 + 1/3 + 1/3) / 3 = 2/9
    assert vqa_question_accuracy('a', ['b', 'a', 'c']) == approx(2 / 9)


def test_bad_question_inputs():
    with pytest.raises(ValueError, match='non-empty list'):
        vqa_question_accuracy('yes', [])
    with pytest.raises(ValueError, match='non-empty list'):
        vqa_question_accuracy('yes', 'yes')
    with pytest.raises(TypeError, match='predicted answer must be a str'):
        vqa_question_accuracy(1, ['yes'])


# ------------------------------------------------------------------- report
def test_official_rounding_of_the_report():
    accs = [
        vqa_question_accuracy('yes', ['yes'] * 10),  # 1.0
        vqa_question_accuracy('2', ['2'] + ['3'] * 9),  # 0.3
        vqa_question_accuracy('red', ['red'] * 2 + ['blue'] * 8),  # 0.6
    ]
    summary = summarize_vqa_accuracy(
        accs, answer_types=['yes/no', 'number', 'other'],
        question_types=['is the', 'how many', 'is the'])
    # 100 * (1.0 + 0.3 + 0.6) / 3 = 190 / 3 = 63.333... -> 63.33
    assert summary['overall'] == 63.33
    assert summary['perAnswerType'] == {
        'yes/no': 100.0, 'number': 30.0, 'other': 60.0}
    # 'is the': 100 * (1.0 + 0.6) / 2 = 80.0
    assert summary['perQuestionType'] == {'is the': 80.0, 'how many': 30.0}
    assert summary['numQuestions'] == {
        'overall': 3,
        'perAnswerType': {'yes/no': 1, 'number': 1, 'other': 1},
        'perQuestionType': {'is the': 2, 'how many': 1}}
    # means of unrounded values: 2/3 -> 66.67, and 100 * (1 + 0 + 0) / 3
    # = 33.33
    assert official_percentage([2 / 3]) == 66.67
    assert official_percentage([1, 0, 0]) == 33.33


def test_report_without_types_and_bad_lengths():
    summary = summarize_vqa_accuracy([0.3, 0.6])
    assert summary['overall'] == 45.0  # 100 * 0.9 / 2
    assert summary['perAnswerType'] == {}
    # None leaves a question out of its grouping only
    summary = summarize_vqa_accuracy([1.0, 0.0], answer_types=['other', None])
    assert summary['perAnswerType'] == {'other': 100.0}
    with pytest.raises(ValueError, match='one per question'):
        summarize_vqa_accuracy([1.0], answer_types=['other', 'other'])
    with pytest.raises(ValueError, match='no per-question accuracies'):
        summarize_vqa_accuracy([])


def test_ordered_answer_types():
    assert ordered_answer_types({'other', 'zzz', 'yes/no', 'number'}) == [
        'yes/no', 'number', 'other', 'zzz']
