"""Tests for vlframe/models/data_preprocessors/vl_data_preprocessor.py."""
import pytest
import torch

from vlframe.models import VLDataPreprocessor
from vlframe.structures import VLDataSample


def _batch():
    imgs = [
        torch.full((3, 2, 2), 0, dtype=torch.uint8),
        torch.tensor([[[255, 0], [51, 102]], [[10, 20], [30, 40]],
                      [[128, 128], [128, 128]]], dtype=torch.uint8),
    ]
    questions = [torch.tensor([1., 0., 0.]), torch.tensor([0., 1., 1.])]
    samples = [VLDataSample().set_gt_answer(3),
               VLDataSample().set_gt_answer(7)]
    return dict(inputs=dict(img=imgs, question=questions),
                data_samples=samples)


def test_stacks_and_normalizes():
    pre = VLDataPreprocessor(mean=[0., 10., 128.], std=[255., 2., 64.])
    data = pre(_batch(), training=True)
    img = data['inputs']['img']
    assert img.shape == (2, 3, 2, 2)
    assert img.dtype == torch.float32
    # sample 0 is all zeros: -mean / std per channel
    assert img[0, 0].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert img[0, 1].tolist() == [[-5.0, -5.0], [-5.0, -5.0]]
    assert img[0, 2].tolist() == [[-2.0, -2.0], [-2.0, -2.0]]
    # sample 1: (x - mean) / std
    torch.testing.assert_close(img[1, 0],
                               torch.tensor([[1.0, 0.0], [0.2, 0.4]]))
    assert img[1, 1].tolist() == [[0.0, 5.0], [10.0, 15.0]]
    assert img[1, 2].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    question = data['inputs']['question']
    assert question.shape == (2, 3)
    assert question.tolist() == [[1., 0., 0.], [0., 1., 1.]]
    assert [int(s.gt_answer) for s in data['data_samples']] == [3, 7]


def test_rn_config_scales_to_unit_range():
    pre = VLDataPreprocessor(mean=[0., 0., 0.], std=[255., 255., 255.])
    data = pre(_batch())
    img = data['inputs']['img']
    assert img.min().item() == 0.0 and img.max().item() == 1.0
    assert img[1, 0, 1, 0].item() == pytest.approx(51 / 255)


def test_without_mean_only_casts_to_float():
    pre = VLDataPreprocessor()
    assert not pre.normalize
    data = pre(_batch())
    assert data['inputs']['img'].dtype == torch.float32
    assert data['inputs']['img'][1, 0].tolist() == [[255., 0.], [51., 102.]]


def test_already_stacked_and_non_tensor_inputs_pass_through():
    pre = VLDataPreprocessor()
    data = pre(dict(inputs=dict(img=torch.zeros(2, 3, 4, 4,
                                                dtype=torch.uint8),
                                tokens=['a', 'b'])))
    assert data['inputs']['img'].shape == (2, 3, 4, 4)
    assert data['inputs']['tokens'] == ['a', 'b']
    assert data['data_samples'] is None


def test_mean_buffers_are_not_saved():
    pre = VLDataPreprocessor(mean=[1., 2., 3.], std=[4., 5., 6.])
    assert pre.mean.shape == (3, 1, 1)
    assert pre.std.view(-1).tolist() == [4., 5., 6.]
    assert 'mean' not in pre.state_dict()


@pytest.mark.parametrize('std', [None, [1., 2.]])
def test_mean_without_matching_std_raises(std):
    with pytest.raises(ValueError,
                       match='needs std with one value per mean value'):
        VLDataPreprocessor(mean=[0., 0., 0.], std=std)
