"""Tests for vlframe/structures/vl_data_sample.py."""
import numpy as np
import pytest
import torch

from vlframe.structures import VLDataSample


@pytest.mark.parametrize('value', [
    3,
    np.int64(3),
    np.int32(3),
    np.uint8(3),
    torch.tensor(3),
    torch.tensor(3, dtype=torch.int32),
])
def test_set_gt_answer_scalar_conversions(value):
    sample = VLDataSample().set_gt_answer(value)
    assert isinstance(sample.gt_answer, torch.Tensor)
    assert sample.gt_answer.dtype == torch.long
    assert sample.gt_answer.shape == ()
    assert int(sample.gt_answer) == 3


@pytest.mark.parametrize('value', [[1, 4, 2], (1, 4, 2),
                                   np.array([1, 4, 2]),
                                   torch.tensor([1, 4, 2], dtype=torch.int8)])
def test_set_pred_answer_sequences(value):
    sample = VLDataSample()
    returned = sample.set_pred_answer(value)
    assert returned is sample
    assert sample.pred_answer.dtype == torch.long
    assert sample.pred_answer.tolist() == [1, 4, 2]


def test_float_tensor_is_converted_to_long():
    sample = VLDataSample().set_gt_answer(torch.tensor(2.0))
    assert sample.gt_answer.dtype == torch.long
    assert sample.gt_answer.item() == 2


@pytest.mark.parametrize('value,type_name', [(2.5, 'float'),
                                             (None, 'NoneType'),
                                             ({'a': 1}, 'dict'),
                                             (np.float64(1.0), 'float64')])
def test_bad_type_raises_type_error(value, type_name):
    with pytest.raises(TypeError) as info:
        VLDataSample().set_gt_answer(value)
    assert str(info.value) == ('gt_answer must be an int, a sequence of ints '
                               f'or a tensor, got {type_name}')
    with pytest.raises(TypeError, match='^pred_answer must be'):
        VLDataSample().set_pred_answer(value)


def test_pred_score_must_be_tensor():
    sample = VLDataSample().set_pred_score(torch.tensor([0.25, 0.75]))
    assert sample.pred_score.tolist() == [0.25, 0.75]
    with pytest.raises(AssertionError):
        VLDataSample().set_pred_score([0.25, 0.75])


def test_metainfo_and_data_fields_are_separate():
    sample = VLDataSample(metainfo=dict(question_id=7,
                                        question_family='relational',
                                        question_subtype='count'))
    sample.set_gt_answer(5)
    sample.set_pred_answer(4)
    assert sample.metainfo == dict(question_id=7,
                                   question_family='relational',
                                   question_subtype='count')
    assert sorted(sample.metainfo_keys()) == [
        'question_family', 'question_id', 'question_subtype'
    ]
    assert sorted(sample.keys()) == ['gt_answer', 'pred_answer']
    assert sample.question_id == 7
    as_dict = sample.to_dict()
    assert as_dict['question_family'] == 'relational'
    assert int(as_dict['gt_answer']) == 5
    # metainfo cannot be reassigned as a data field
    with pytest.raises(AttributeError):
        sample.question_id = 8
