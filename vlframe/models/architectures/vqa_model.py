from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample
from ..data_preprocessors import build_data_preprocessor


@MODELS.register_module()
class VQAModel(BaseModel):
    """Image encoder + question encoder + fusion + answer head.

    The composition DESIGN.md names for every visual question answering and
    visual reasoning model: the Relation Network is
    ``ConvStem + RelationNetworkFusion + AnswerHead``, the CNN+MLP baseline
    the same with ``ConcatMLPFusion``; swapping the fusion is one config line.
    The VQA baseline ("deeper LSTM Q + norm I") is
    ``[TorchvisionBackbone | pre-extracted features] + L2NormProjection
    (image_neck) + LSTMQuestionEncoder + ElementwiseProductFusion +
    AnswerHead``.

    Inputs (after the data preprocessor):
        ``inputs['img']``: (B, 3, H, W) float images, for the image encoder;
        with ``inputs['img_index']`` (B,) (``VLDataPreprocessor(
        share_images=True)``) ``img`` holds each distinct image of the
        batch once, (U, 3, H, W), and sample i shows ``img[img_index[i]]``:
        the image side runs once per image, not once per question;
        or ``inputs['img_feat']``: (B, D) pre-extracted image features,
        used as they are when there is no image encoder (or no ``img``).
        ``inputs['input_ids']`` + ``inputs['attention_mask']``: (B, L)
        padded token ids, for the question encoder; or
        ``inputs['question']``: (B, Q) encoded questions, used as they are
        with no question encoder (Sort-of-CLEVR's 11-dim code).

    Args:
        image_encoder: config of the image backbone; optional when the
            data gives ``img_feat``.
        fusion, head: configs of the parts.
        question_encoder: config of a text encoder (required for
            ``input_ids``).
        image_neck: config of a module applied to the image features
            before the fusion (``L2NormProjection``).
        data_preprocessor: config of the batch preprocessor.
    """

    def __init__(self,
                 image_encoder: Optional[dict] = None,
                 fusion: Optional[dict] = None,
                 head: Optional[dict] = None,
                 question_encoder: Optional[dict] = None,
                 image_neck: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if fusion is None or head is None:
            raise TypeError('VQAModel needs a fusion and a head config')
        super().__init__(
            data_preprocessor=build_data_preprocessor(
                data_preprocessor, 'VLDataPreprocessor'), init_cfg=init_cfg)
        self.image_encoder = (MODELS.build(image_encoder)
                              if image_encoder is not None else None)
        self.image_neck = (MODELS.build(image_neck)
                           if image_neck is not None else None)
        self.question_encoder = (MODELS.build(question_encoder)
                                 if question_encoder is not None else None)
        self.fusion = MODELS.build(fusion)
        self.head = MODELS.build(head)

    def encode_image(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Image features for the fusion: (B, C0, h, w) maps or (B, C)."""
        if self.image_encoder is not None and 'img' in inputs:
            feats = self.image_encoder(inputs['img'])  # (B, C0, h, w)
            img_index = inputs.get('img_index')  # (B,) or None
        elif 'img_feat' in inputs:
            feats = inputs['img_feat']  # (B, D)
            img_index = None
        elif 'img' in inputs:
            raise ValueError(
                'the batch has images (inputs["img"]) but the model has no '
                'image_encoder; set model.image_encoder, or feed '
                'pre-extracted features as inputs["img_feat"]')
        else:
            raise KeyError(
                'VQAModel needs inputs["img"] or inputs["img_feat"], got '
                f'{sorted(inputs)}')
        if self.image_neck is not None:
            feats = self.image_neck(feats)  # (B, C) or (U, C)
        if img_index is not None:
            feats = feats[img_index]  # (U, ...) -> (B, ...)
        return feats

    def encode_question(self,
                        inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Question features for the fusion: (B, Q)."""
        if 'input_ids' in inputs:
            if self.question_encoder is None:
                raise ValueError(
                    'the batch has token ids (inputs["input_ids"]) but the '
                    'model has no question_encoder; set '
                    'model.question_encoder (e.g. LSTMQuestionEncoder)')
            return self.question_encoder(inputs['input_ids'],
                                         inputs.get('attention_mask'))
        if 'question' not in inputs:
            raise KeyError('VQAModel needs inputs["input_ids"] or '
                           f'inputs["question"], got {sorted(inputs)}')
        question = inputs['question']
        if self.question_encoder is not None:
            question = self.question_encoder(question)  # (B, Q)
        return question

    def check_answer_vocab(self,
                           classes: Sequence[str],
                           source: str = '',
                           training: bool = False) -> None:
        """Raise unless the answer head was built for ``classes`` (called
        by ``AnswerVocabCheckHook`` with the dataset's vocabulary and the
        file it came from, before training, validation and testing)."""
        check = getattr(self.head, 'check_classes', None)
        if check is not None:
            check(classes, source)

    def extract_feat(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Fused (B, C) representation of the image-question pairs."""
        return self.fusion(self.encode_image(inputs),
                           self.encode_question(inputs))

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[VLDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, torch.Tensor], List[VLDataSample],
                           torch.Tensor]:
        feats = self.extract_feat(inputs)
        if mode == 'loss':
            return self.head.loss(feats, data_samples)
        if mode == 'predict':
            return self.head.predict(feats, data_samples)
        if mode == 'tensor':
            return self.head(feats)
        raise ValueError(f'Invalid mode "{mode}": use loss, predict or tensor')
