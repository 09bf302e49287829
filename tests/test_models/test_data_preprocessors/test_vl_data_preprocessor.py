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


def test_pads_token_ids_and_builds_attention_mask():
    pre = VLDataPreprocessor()
    ids = [torch.tensor([5, 6, 7]), torch.tensor([8]),
           torch.tensor([9, 10, 11, 12, 13])]
    data = pre(dict(inputs=dict(input_ids=ids,
                                question=[torch.zeros(2)] * 3)))
    inputs = data['inputs']
    assert inputs['input_ids'].tolist() == [[5, 6, 7, 0, 0], [8, 0, 0, 0, 0],
                                            [9, 10, 11, 12, 13]]
    assert inputs['input_ids'].dtype == torch.long
    assert inputs['attention_mask'].tolist() == [[1, 1, 1, 0, 0],
                                                 [1, 0, 0, 0, 0],
                                                 [1, 1, 1, 1, 1]]
    assert inputs['attention_mask'].dtype == torch.long
    assert inputs['question'].shape == (3, 2)


def test_pad_token_id_and_per_sample_masks():
    pre = VLDataPreprocessor(pad_token_id=3)
    ids = [torch.tensor([2, 7, 4]), torch.tensor([2, 4])]
    # a sample-provided mask (e.g. one hiding a token) is padded, not rebuilt
    masks = [torch.tensor([1, 0, 1]), torch.tensor([1, 1])]
    types = [torch.tensor([0, 0, 1]), torch.tensor([0, 1])]
    data = pre(dict(inputs=dict(attention_mask=masks, input_ids=ids,
                                token_type_ids=types)))
    inputs = data['inputs']
    assert inputs['input_ids'].tolist() == [[2, 7, 4], [2, 4, 3]]
    assert inputs['attention_mask'].tolist() == [[1, 0, 1], [1, 1, 0]]
    assert inputs['token_type_ids'].tolist() == [[0, 0, 1], [0, 1, 0]]


def test_token_ids_must_be_one_dimensional():
    with pytest.raises(ValueError, match='input_ids of sample 1 has shape '
                       r'\(1, 2\)'):
        VLDataPreprocessor()(dict(inputs=dict(
            input_ids=[torch.tensor([1]), torch.tensor([[1, 2]])])))


def test_pads_pixel_values_and_builds_pixel_mask():
    pre = VLDataPreprocessor(mean=[1., 1., 1.], std=[2., 2., 2.])
    big = torch.full((3, 4, 5), 0.5)
    tall = torch.full((3, 6, 2), -1.0)
    data = pre(dict(inputs=dict(pixel_values=[big, tall])))
    pixels, mask = data['inputs']['pixel_values'], data['inputs'][
        'pixel_mask']
    assert pixels.shape == (2, 3, 6, 5) and pixels.dtype == torch.float32
    assert mask.shape == (2, 6, 5) and mask.dtype == torch.long
    # values are kept as they are (the image transform normalised them);
    # padding is zero at the bottom and right
    assert torch.equal(pixels[0, :, :4, :5], big)
    assert pixels[0, :, 4:].abs().sum() == 0
    assert torch.equal(pixels[1, :, :6, :2], tall)
    assert pixels[1, :, :, 2:].abs().sum() == 0
    assert mask[0].tolist() == [[1] * 5] * 4 + [[0] * 5] * 2
    assert mask[1].tolist() == [[1, 1, 0, 0, 0]] * 6
    # the masked pixels are exactly the real ones
    assert int(mask.sum()) == 4 * 5 + 6 * 2


def test_same_size_pixel_values_get_a_full_mask():
    data = VLDataPreprocessor()(dict(inputs=dict(
        pixel_values=[torch.rand(3, 4, 4), torch.rand(3, 4, 4)])))
    assert data['inputs']['pixel_mask'].all()


def test_pixel_values_with_different_channels():
    with pytest.raises(ValueError, match='pixel_values must be'):
        VLDataPreprocessor()(dict(inputs=dict(
            pixel_values=[torch.rand(3, 4, 4), torch.rand(1, 4, 4)])))


def test_image_features_are_stacked():
    data = VLDataPreprocessor()(dict(inputs=dict(
        img_feat=[torch.ones(4), torch.zeros(4)])))
    assert data['inputs']['img_feat'].shape == (2, 4)


def _questions_about(image_numbers, key='img_idx'):
    """One sample per number n; its image is filled with n and named by n
    (or by 'n.jpg' for img_path)."""
    imgs = [torch.full((3, 2, 2), n, dtype=torch.uint8)
            for n in image_numbers]
    samples = [
        VLDataSample(metainfo={key: f'{n}.jpg' if key == 'img_path' else n})
        for n in image_numbers
    ]
    questions = [torch.tensor([float(n)]) for n in range(len(image_numbers))]
    return dict(inputs=dict(img=imgs, question=questions),
                data_samples=samples)


@pytest.mark.parametrize('key', ['img_idx', 'image_id', 'img_path'])
def test_share_images_keeps_one_row_per_image(key):
    numbers = [7, 3, 7, 7, 9, 3]
    data = VLDataPreprocessor(share_images=True)(
        _questions_about(numbers, key))
    img, index = data['inputs']['img'], data['inputs']['img_index']
    assert img.shape == (3, 3, 2, 2)  # 3 distinct images, first-seen order
    assert index.tolist() == [0, 1, 0, 0, 2, 1]
    assert img[:, 0, 0, 0].tolist() == [7, 3, 9]
    assert img[index][:, 0, 0, 0].tolist() == numbers
    # everything per question stays per question
    assert data['inputs']['question'].shape == (6, 1)


def test_share_images_is_off_by_default_and_needs_an_image_key():
    data = VLDataPreprocessor()(_questions_about([1, 1]))
    assert data['inputs']['img'].shape[0] == 2
    assert 'img_index' not in data['inputs']
    batch = _questions_about([1, 1])
    batch['data_samples'] = [VLDataSample(), VLDataSample()]
    with pytest.raises(KeyError, match='img_path.*image_id.*img_idx'):
        VLDataPreprocessor(share_images=True)(batch)
