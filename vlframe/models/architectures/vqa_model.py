from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample


@MODELS.register_module()
class VQAModel(BaseModel):
    """Image encoder + question encoder + fusion + answer head.

    The composition DESIGN.md names for every visual question answering and
    visual reasoning model: the Relation Network is
    ``ConvStem + RelationNetworkFusion + AnswerHead``, the CNN+MLP baseline
    the same with ``ConcatMLPFusion``; swapping the fusion is one config line.

    Inputs (after the data preprocessor):
        ``inputs['img']``: (B, 3, H, W) float images.
        ``inputs['question']``: (B, Q) encoded questions, or whatever the
        ``question_encoder`` consumes (token ids, ...). With no question
        encoder the encoding is used as it is (Sort-of-CLEVR's 11-dim code).

    Args:
        image_encoder, fusion, head: configs of the parts.
        question_encoder: optional config of a text encoder.
        data_preprocessor: config of the batch preprocessor.
    """

    def __init__(self,
                 image_encoder: dict,
                 fusion: dict,
                 head: dict,
                 question_encoder: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='VLDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # mmengine's BaseModel would look it up in its root registry,
            # which only finds vlframe's types under the vlframe scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.image_encoder = MODELS.build(image_encoder)
        self.question_encoder = (MODELS.build(question_encoder)
                                 if question_encoder is not None else None)
        self.fusion = MODELS.build(fusion)
        self.head = MODELS.build(head)

    def extract_feat(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Fused (B, C) representation of the image-question pairs."""
        image_feats = self.image_encoder(inputs['img'])  # (B, C0, h, w)
        question = inputs['question']
        if self.question_encoder is not None:
            question = self.question_encoder(question)  # (B, Q)
        return self.fusion(image_feats, question)

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
