from typing import List, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from torch.nn.utils.rnn import pad_sequence

from vlframe.registry import MODELS


def pad_token_ids(ids: List[torch.Tensor],
                  pad_token_id: int = 0,
                  name: str = 'input_ids'):
    """Pad B x (L_i,) token ids (or masks, ``name``) to (B, L) with
    ``pad_token_id``.

    Returns:
        (ids (B, L) long, attention_mask (B, L) long with 1 = token).
    """
    for k, seq in enumerate(ids):
        if seq.dim() != 1:
            raise ValueError(
                f'{name} of sample {k} has shape {tuple(seq.shape)}; '
                'expected a (L,) tensor per sample (TokenizeQuestion)')
    lengths = torch.tensor([len(seq) for seq in ids])  # (B,)
    padded = pad_sequence(
        [seq.long() for seq in ids],
        batch_first=True,
        padding_value=pad_token_id)  # (B, L)
    positions = torch.arange(padded.shape[1])  # (L,)
    mask = (positions[None, :] < lengths[:, None]).long()  # (B, L)
    return padded, mask


def pad_images(images: List[torch.Tensor]):
    """Pad B x (C, H_i, W_i) images to (B, C, max H, max W) with zeros at
    the bottom and right, as the ViLT recipe pads a batch.

    Returns:
        (images (B, C, H, W), pixel_mask (B, H, W) long with 1 = real pixel).
    """
    channels = {img.shape[0] for img in images}
    if any(img.dim() != 3 for img in images) or len(channels) != 1:
        raise ValueError(
            'pixel_values must be (C, H, W) per sample with the same C; got '
            f'{[tuple(img.shape) for img in images]}')
    heights = torch.tensor([img.shape[1] for img in images])  # (B,)
    widths = torch.tensor([img.shape[2] for img in images])  # (B,)
    batch = images[0].new_zeros(
        (len(images), channels.pop(), int(heights.max()),
         int(widths.max())))  # (B, C, H, W)
    for k, img in enumerate(images):
        batch[k, :, :img.shape[1], :img.shape[2]] = img
    rows = torch.arange(batch.shape[2])  # (H,)
    cols = torch.arange(batch.shape[3])  # (W,)
    mask = ((rows[None, :, None] < heights[:, None, None])
            & (cols[None, None, :] < widths[:, None, None])).long()
    return batch, mask  # (B, C, H, W), (B, H, W)


@MODELS.register_module()
class VLDataPreprocessor(BaseDataPreprocessor):
    """Batch a vision-language sample list: stack images and normalise them,
    pad token ids and variable-size images, stack every other per-sample
    tensor input, move all to the device.

    The collate function (mmengine's ``pseudo_collate``) leaves ``inputs``
    as a dict of lists; this turns

    * ``img`` (B x (3, H, W) uint8) into a (B, 3, H, W) float tensor
      ``(img - mean) / std`` (all images of a batch have one size);
    * ``input_ids`` (B x (L_i,) long, from ``TokenizeQuestion``) into
      (B, L) ids padded with ``pad_token_id`` and adds ``attention_mask``
      (B, L), 1 on tokens; a per-sample ``attention_mask`` or
      ``token_type_ids`` is padded with 0 instead;
    * ``pixel_values`` (B x (3, H_i, W_i) float, already normalised by the
      image transform) into (B, 3, max H, max W) padded with zeros and adds
      ``pixel_mask`` (B, max H, max W), 1 on real pixels: the ViLT recipe;
    * every other key into a stacked tensor (e.g. ``question``:
      B x (Q,) -> (B, Q); ``img_feat``: B x (D,) -> (B, D)).

    With ``share_images=True``, samples of a batch that show the same
    image (the same ``img_path``, ``image_id`` or ``img_idx`` in their
    metainfo, the first of these keys the samples have) share one row of
    ``img``: ``img`` becomes (U, 3, H, W) with each distinct image once, in
    order of first appearance, and ``img_index`` (B,) gives each sample's
    row; ``VQAModel`` runs its image encoder on the U images and indexes
    the features. A batch of many questions about few images
    (``ImageGroupedSampler``) then costs the CNN once per image. In
    training mode, batch norm then normalises over the U distinct images
    rather than over B copies. Only for pipelines whose image transforms
    are deterministic: the first sample's copy stands for all of them.

    Args:
        mean, std: per-channel, in the images' 0-255 scale. The RN feeds
            images in [0, 1]: mean 0, std 255. Applied to ``img`` only.
        pad_token_id: the tokenizer's pad id ([PAD] is 0 in BERT
            vocabularies and in those ``build_question_vocab.py`` writes).
        share_images: encode each distinct image of a batch once (above).
    """

    IMAGE_KEYS = ('img_path', 'image_id', 'img_idx')

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 pad_token_id: int = 0,
                 share_images: bool = False,
                 non_blocking: bool = False):
        super().__init__(non_blocking)
        self.pad_token_id = pad_token_id
        self.share_images = share_images
        self.normalize = mean is not None
        if self.normalize:
            if std is None or len(mean) != len(std):
                raise ValueError('VLDataPreprocessor needs std with one value '
                                 'per mean value')
            self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1),
                                 persistent=False)
            self.register_buffer('std', torch.tensor(std).view(-1, 1, 1),
                                 persistent=False)

    @staticmethod
    def _tensor_list(value) -> bool:
        return isinstance(value, (list, tuple)) and bool(value) and all(
            isinstance(v, torch.Tensor) for v in value)

    def collate_inputs(self, raw: dict) -> dict:
        """Pad or stack the per-sample tensors of ``raw`` (see class doc)."""
        inputs = {}
        for key, value in raw.items():
            if not self._tensor_list(value):
                inputs[key] = value
            elif key == 'input_ids':
                inputs[key], mask = pad_token_ids(value, self.pad_token_id)
                # a per-sample attention_mask (next branch) wins
                inputs.setdefault('attention_mask', mask)
            elif key in ('attention_mask', 'token_type_ids'):
                inputs[key] = pad_token_ids(value, 0, key)[0]  # (B, L)
            elif key == 'pixel_values':
                inputs[key], inputs['pixel_mask'] = pad_images(value)
            else:
                inputs[key] = torch.stack(value)
        return inputs

    def image_keys(self, data_samples: Sequence) -> list:
        """The key that names each sample's image (class doc)."""
        for key in self.IMAGE_KEYS:
            if all(key in sample for sample in data_samples):
                return [sample.metainfo[key] for sample in data_samples]
        raise KeyError(
            'VLDataPreprocessor(share_images=True) needs every data sample '
            f'to name its image by one of {self.IMAGE_KEYS} (PackVLInputs '
            'meta_keys); the first sample has '
            f'{sorted(data_samples[0].metainfo) if data_samples else []}')

    def share_batch_images(self, raw: dict, data_samples: Sequence) -> dict:
        """Keep one ``img`` per distinct image and add ``img_index``."""
        row_of_key = {}  # image key -> its row in the shared img
        images, img_index = [], []
        for img, key in zip(raw['img'], self.image_keys(data_samples)):
            if key not in row_of_key:
                row_of_key[key] = len(images)
                images.append(img)
            img_index.append(row_of_key[key])
        raw = dict(raw)
        raw['img'] = images  # U x (3, H, W)
        raw['img_index'] = torch.tensor(img_index)  # (B,)
        return raw

    def forward(self, data: dict, training: bool = False) -> dict:
        raw = data['inputs']
        if (self.share_images and self._tensor_list(raw.get('img'))
                and data.get('data_samples')):
            raw = self.share_batch_images(raw, data['data_samples'])
        inputs = self.collate_inputs(raw)
        data = self.cast_data(dict(inputs=inputs,
                                   data_samples=data.get('data_samples')))
        img = data['inputs'].get('img')
        if img is not None:
            img = img.float()
            if self.normalize:
                img = (img - self.mean) / self.std  # (B, 3, H, W)
            data['inputs']['img'] = img
        return data
