"""Tests for vlframe/datasets/transforms/formatting.py."""
import numpy as np
import pytest
import torch

from vlframe.datasets.transforms import PackVLInputs
from vlframe.registry import TRANSFORMS
from vlframe.structures import VLDataSample


def sample_dict():
    img = np.zeros((75, 75, 3), dtype=np.uint8)
    img[10, 20] = (255, 156, 0)  # an orange pixel at row 10, col 20
    return dict(
        img=img,
        question=np.eye(11, dtype=np.float32)[3] + np.eye(
            11, dtype=np.float32)[7],
        question_id=12,
        question_text='What is the shape of the orange object?',
        img_idx=0,
        question_family='relational',
        question_subtype='closest',
        gt_answer=3,
        sample_idx=12)


def test_pack_outputs():
    out = PackVLInputs()(sample_dict())
    assert sorted(out) == ['data_samples', 'inputs']
    assert sorted(out['inputs']) == ['img', 'question']
    img = out['inputs']['img']
    assert isinstance(img, torch.Tensor)
    assert img.shape == (3, 75, 75) and img.dtype == torch.uint8
    assert img[:, 10, 20].tolist() == [255, 156, 0]  # HWC -> CHW
    assert int(img.sum()) == 255 + 156
    assert img.is_contiguous()
    question = out['inputs']['question']
    assert question.dtype == torch.float32 and question.shape == (11, )
    assert question.nonzero().view(-1).tolist() == [3, 7]
    sample = out['data_samples']
    assert isinstance(sample, VLDataSample)
    assert sample.gt_answer.dtype == torch.long and int(sample.gt_answer) == 3
    assert sample.metainfo == dict(
        question_id=12,
        question_text='What is the shape of the orange object?',
        img_idx=0,
        question_family='relational',
        question_subtype='closest')


def test_grayscale_image_gets_channel_axis():
    results = sample_dict()
    results['img'] = np.full((4, 5), 7, dtype=np.uint8)
    out = PackVLInputs()(results)
    assert out['inputs']['img'].shape == (1, 4, 5)


def test_without_gt_and_custom_keys():
    results = sample_dict()
    del results['gt_answer']
    results['tokens'] = [4, 5, 6]
    out = PackVLInputs(input_keys=('question', 'tokens'),
                       meta_keys=('question_id', 'not_there'))(results)
    assert out['inputs']['tokens'].tolist() == [4, 5, 6]
    assert 'gt_answer' not in out['data_samples']
    assert out['data_samples'].metainfo == dict(question_id=12)


def test_missing_input_key_raises_key_error():
    results = sample_dict()
    del results['question']
    with pytest.raises(KeyError) as info:
        PackVLInputs()(results)
    msg = info.value.args[0]
    assert msg.startswith('PackVLInputs: sample has no "question" (it has [')
    assert "'gt_answer'" in msg and "'img'" in msg


def test_registered_and_repr():
    t = TRANSFORMS.build(dict(type='PackVLInputs', input_keys=['question'],
                              meta_keys=['question_id']))
    assert repr(t) == ("PackVLInputs(input_keys=('question',), "
                       "meta_keys=('question_id',))")
