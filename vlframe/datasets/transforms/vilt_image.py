"""The image side of ViLT: ``transformers.ViltImageProcessor`` on one image."""
import os.path as osp
from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vlframe.registry import TRANSFORMS

# the resampling filters a config may name (PIL's, as ViltImageProcessor
# takes them)
_RESAMPLE = ('nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming')


@TRANSFORMS.register_module()
class ViltImagePreprocess(BaseTransform):
    """Resize, rescale and normalise one image as ViLT expects, with
    ``transformers.ViltImageProcessor``.

    ViLT's "pixelbert" transform: the shorter side resized to
    ``size['shortest_edge']`` (384), the longer side capped at 1333/800 of
    that (639), both rounded down to a multiple of ``size_divisor`` (32, the
    patch size), then ``(x / 255 - mean) / std`` with mean = std = 0.5.
    Images keep their aspect ratio and so differ in size; padding to the
    largest image of the batch, with a ``pixel_mask``, is the data
    preprocessor's job (``VLDataPreprocessor``), as in the ViLT VQA recipe.
    Doing the per-image work here lets dataloader workers do it in parallel.

    Reads ``results['img']`` ((H, W, 3) uint8 RGB, or (H, W) grey) and writes
    ``results['pixel_values']``, a (3, H', W') float32 tensor, plus
    ``img_shape`` (H', W') and ``ori_shape`` (H, W).

    Args:
        processor_dir: a directory holding ``preprocessor_config.json``
            (a ViLT checkpoint directory such as ``checkpoints/vilt-b32-mlm``);
            the processor's settings are read from it. With None, the
            processor is built from the arguments below.
        size: ``dict(shortest_edge=...)``, the shorter side after resizing.
        size_divisor: both sides rounded down to a multiple of this.
        resample: the resampling filter (one of ``_RESAMPLE``).
        image_mean, image_std: per channel, on the [0, 1] scale.
        do_resize: False keeps the image size (and skips ``size_divisor``),
            e.g. for 75x75 Sort-of-CLEVR images split into 15x15 patches.
        keep_img: keep ``results['img']`` (the visualisation hook draws it);
            by default it is dropped, so that a batch of images of different
            sizes is never stacked (the model reads ``pixel_values`` only).
        processor_kwargs: other ``ViltImageProcessor`` arguments, overriding
            those read from ``processor_dir``.
    """

    def __init__(self,
                 processor_dir: Optional[str] = None,
                 size: Optional[dict] = None,
                 size_divisor: int = 32,
                 resample: str = 'bicubic',
                 image_mean: Sequence[float] = (0.5, 0.5, 0.5),
                 image_std: Sequence[float] = (0.5, 0.5, 0.5),
                 do_resize: bool = True,
                 keep_img: bool = False,
                 processor_kwargs: Optional[dict] = None):
        from transformers import ViltImageProcessor
        from transformers.image_utils import PILImageResampling

        self.processor_dir = processor_dir
        self.keep_img = keep_img
        kwargs = dict(processor_kwargs or {})
        if processor_dir is not None:
            config_file = osp.join(processor_dir, 'preprocessor_config.json')
            if not osp.isfile(config_file):
                raise FileNotFoundError(
                    f'ViltImagePreprocess: {config_file} does not exist. '
                    'processor_dir must be a ViLT checkpoint directory (e.g. '
                    'checkpoints/vilt-b32-mlm, downloaded from the Hugging '
                    'Face hub as dandelin/vilt-b32-mlm) holding '
                    'preprocessor_config.json; or set processor_dir=None to '
                    'build the processor from explicit arguments '
                    '(configs/vilt/README.md)')
            self.processor = ViltImageProcessor.from_pretrained(
                processor_dir, local_files_only=True, **kwargs)
        else:
            if resample not in _RESAMPLE:
                raise ValueError(
                    f'ViltImagePreprocess: resample must be one of '
                    f'{_RESAMPLE}, got {resample!r}')
            if len(image_mean) != 3 or len(image_std) != 3:
                raise ValueError(
                    'ViltImagePreprocess: image_mean and image_std need one '
                    f'value per RGB channel, got {list(image_mean)} and '
                    f'{list(image_std)}')
            settings = dict(
                do_resize=do_resize,
                size=dict(size or dict(shortest_edge=384)),
                size_divisor=size_divisor,
                resample=getattr(PILImageResampling, resample.upper()),
                do_rescale=True,
                rescale_factor=1 / 255,
                do_normalize=True,
                image_mean=list(image_mean),
                image_std=list(image_std))
            settings.update(kwargs)
            self.processor = ViltImageProcessor(**settings)

    def transform(self, results: dict) -> dict:
        if 'img' not in results:
            raise KeyError(
                'ViltImagePreprocess needs "img" ((H, W, 3) uint8 RGB) from '
                'the dataset or an image-loading transform before it; the '
                f'sample has {sorted(results)}')
        img = results['img']
        if isinstance(img, torch.Tensor):
            img = img.numpy()
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(
                'ViltImagePreprocess expects an (H, W, 3) RGB image, got '
                f'shape {img.shape} (from {results.get("img_path", "img")})')
        # channels first, so that ViltImageProcessor never has to guess the
        # layout (a 3x3x3 image would be ambiguous)
        chw = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        pixel_values = self.processor(
            images=chw,
            do_pad=False,
            input_data_format='channels_first',
            return_tensors='pt')['pixel_values'][0]  # (3, H', W')
        results['pixel_values'] = pixel_values.float().contiguous()
        results['ori_shape'] = tuple(img.shape[:2])
        results['img_shape'] = tuple(pixel_values.shape[1:])
        if not self.keep_img:
            results.pop('img')
        return results

    def __repr__(self) -> str:
        p = self.processor
        return (f'{self.__class__.__name__}(processor_dir='
                f'{self.processor_dir!r}, do_resize={p.do_resize}, '
                f'size={dict(p.size)}, size_divisor={p.size_divisor}, '
                f'image_mean={p.image_mean}, image_std={p.image_std}, '
                f'keep_img={self.keep_img})')
