"""Tests for vlframe/datasets/transforms/vilt_image.py."""
import pickle

import numpy as np
import pytest
import torch

from vlframe.datasets.transforms import ViltImagePreprocess
from vlframe.registry import TRANSFORMS


def image(height, width, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_registered_and_defaults_are_vilts_pixelbert_transform():
    transform = TRANSFORMS.build(dict(type='ViltImagePreprocess'))
    assert isinstance(transform, ViltImagePreprocess)
    processor = transform.processor
    assert dict(processor.size) == dict(shortest_edge=384)
    assert processor.size_divisor == 32
    assert list(processor.image_mean) == [0.5, 0.5, 0.5]
    assert list(processor.image_std) == [0.5, 0.5, 0.5]
    assert 'size_divisor=32' in repr(transform)


@pytest.mark.parametrize('shape, expected', [
    ((480, 640), (384, 512)),  # shorter side 384
    ((640, 480), (512, 384)),
    ((300, 301), (384, 384)),  # 384 x 385.3 -> multiple of 32
    # longer side capped at int(1333 / 800 * 384) = 639 -> 608
    ((100, 1000), (64, 608)),
])
def test_resize_shorter_side_cap_longer_multiple_of_32(shape, expected):
    results = ViltImagePreprocess()(dict(img=image(*shape)))
    pixels = results['pixel_values']
    assert isinstance(pixels, torch.Tensor) and pixels.dtype == torch.float32
    assert tuple(pixels.shape) == (3, ) + expected
    assert results['img_shape'] == expected
    assert results['ori_shape'] == shape
    assert -1.0 <= float(pixels.min()) and float(pixels.max()) <= 1.0
    assert 'img' not in results  # never stacked by the data preprocessor


def test_same_pixels_as_the_processor_on_a_batch_of_one():
    """Per sample here, what ViltImageProcessor gives for the image (its own
    padding is a no-op for one image)."""
    from transformers import ViltImageProcessor
    img = image(200, 260)
    ours = ViltImagePreprocess()(dict(img=img))['pixel_values']
    theirs = ViltImageProcessor()(images=img,
                                  return_tensors='pt')['pixel_values'][0]
    torch.testing.assert_close(ours, theirs)


def test_without_resize_the_normalisation_is_exact():
    img = image(75, 75)
    transform = ViltImagePreprocess(do_resize=False, keep_img=True)
    results = transform(dict(img=img))
    expected = (torch.from_numpy(img).permute(2, 0, 1).float() / 255 -
                0.5) / 0.5  # (3, 75, 75)
    torch.testing.assert_close(results['pixel_values'], expected)
    assert results['img'] is img  # kept for the visualisation hook


def test_settings_from_a_checkpoint_directory(tmp_path):
    from transformers import ViltImageProcessor
    ViltImageProcessor(
        size=dict(shortest_edge=64), size_divisor=16).save_pretrained(
            str(tmp_path))
    from_dir = ViltImagePreprocess(processor_dir=str(tmp_path))
    explicit = ViltImagePreprocess(size=dict(shortest_edge=64),
                                   size_divisor=16)
    img = image(90, 120)
    a = from_dir(dict(img=img))['pixel_values']
    b = explicit(dict(img=img))['pixel_values']
    assert tuple(a.shape) == (3, 64, 80)  # 64 x 85.3 -> multiple of 16
    torch.testing.assert_close(a, b)


def test_missing_processor_dir_says_what_to_put_there(tmp_path):
    missing = tmp_path / 'checkpoints' / 'vilt-b32-mlm'
    with pytest.raises(FileNotFoundError) as err:
        ViltImagePreprocess(processor_dir=str(missing))
    message = str(err.value)
    assert str(missing / 'preprocessor_config.json') in message
    assert 'dandelin/vilt-b32-mlm' in message


def test_grey_images_become_rgb():
    grey = image(64, 64)[..., 0]
    results = ViltImagePreprocess(do_resize=False)(dict(img=grey))
    pixels = results['pixel_values']
    assert tuple(pixels.shape) == (3, 64, 64)
    torch.testing.assert_close(pixels[0], pixels[2])


def test_bad_inputs_are_clear_errors():
    transform = ViltImagePreprocess()
    with pytest.raises(KeyError, match='needs "img"'):
        transform(dict(img_path='a.jpg'))
    with pytest.raises(ValueError, match=r'\(8, 8, 4\) \(from a.png\)'):
        transform(dict(img=np.zeros((8, 8, 4), np.uint8), img_path='a.png'))
    with pytest.raises(ValueError, match='resample must be one of'):
        ViltImagePreprocess(resample='cubic')
    with pytest.raises(ValueError, match='one value per RGB channel'):
        ViltImagePreprocess(image_mean=(0.5, ))


def test_picklable_for_dataloader_workers():
    transform = ViltImagePreprocess(size=dict(shortest_edge=64))
    clone = pickle.loads(pickle.dumps(transform))
    img = image(70, 90)
    torch.testing.assert_close(
        clone(dict(img=img))['pixel_values'],
        transform(dict(img=img))['pixel_values'])
