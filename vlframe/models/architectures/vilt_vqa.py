"""ViLT (Kim et al. 2021) for VQA: ``transformers.ViltForQuestionAnswering``
behind vlframe's ``forward(inputs, data_samples, mode)`` contract."""
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import nn

from vlframe.registry import MODELS
from vlframe.structures import VLDataSample, stack_answer_targets
from ..data_preprocessors import build_data_preprocessor

# the files a transformers checkpoint directory must hold to build the model
_WEIGHT_PATTERNS = ('model.safetensors', 'model-*.safetensors',
                    'pytorch_model.bin', 'pytorch_model-*.bin')
_CHECKPOINT_HELP = (
    'Download a ViLT checkpoint from the Hugging Face hub on a machine with '
    'internet access and place it there: dandelin/vilt-b32-mlm (pre-trained '
    'only, to fine-tune on VQA: configs/vilt/vilt-b32_vqav2.py) or '
    'dandelin/vilt-b32-finetuned-vqa (already fine-tuned on VQAv2, 3129 '
    'answers: configs/vilt/vilt-b32-finetuned-vqa_vqav2.py), e.g. '
    '`huggingface-cli download dandelin/vilt-b32-mlm --local-dir '
    'checkpoints/vilt-b32-mlm`. The directory must hold config.json, the '
    'weights (model.safetensors or pytorch_model.bin), '
    'preprocessor_config.json and the BERT tokenizer files (vocab.txt, '
    'tokenizer.json, tokenizer_config.json, special_tokens_map.json); see '
    'configs/vilt/README.md.')


def checkpoint_answer_vocab(hf_config) -> Optional[List[str]]:
    """The answers of a checkpoint's VQA head, from ``config.id2label``;
    None when the labels are transformers' placeholders (``LABEL_0``, ...),
    i.e. the checkpoint has no trained answer vocabulary."""
    id2label = {int(k): v for k, v in (hf_config.id2label or {}).items()}
    if not id2label:
        return None
    if sorted(id2label) != list(range(len(id2label))):
        raise ValueError(
            'config.id2label of the ViLT checkpoint must map 0..N-1 to '
            f'answers, got keys {sorted(id2label)[:5]}...')
    labels = [str(id2label[i]) for i in range(len(id2label))]
    if all(label == f'LABEL_{i}' for i, label in enumerate(labels)):
        return None
    return labels


def _check_checkpoint_dir(pretrained_dir: str) -> None:
    if not osp.isdir(pretrained_dir):
        raise FileNotFoundError(
            f'ViltVQA: the checkpoint directory {pretrained_dir} does not '
            f'exist. {_CHECKPOINT_HELP}')
    missing = []
    if not osp.isfile(osp.join(pretrained_dir, 'config.json')):
        missing.append('config.json')
    if not any(
            glob.glob(osp.join(pretrained_dir, pattern))
            for pattern in _WEIGHT_PATTERNS):
        missing.append('model.safetensors (or pytorch_model.bin)')
    if missing:
        raise FileNotFoundError(
            f'ViltVQA: the checkpoint directory {pretrained_dir} is '
            f'incomplete, it lacks {" and ".join(missing)}. '
            f'{_CHECKPOINT_HELP}')


@MODELS.register_module()
class ViltVQA(BaseModel):
    """ViLT for visual question answering, a thin adapter around
    ``transformers.ViltForQuestionAnswering``.

    transformers does the model (patch and word embeddings, the single
    transformer over both, the pooler and the 2-layer answer classifier);
    this class builds it from a config, feeds it vlframe's batches and turns
    its logits into a loss or into predictions on the data samples.

    Built either from a transformers checkpoint directory
    (``from_pretrained(pretrained_dir, local_files_only=True)``; nothing is
    downloaded) or from ``config``, the keyword arguments of
    ``transformers.ViltConfig``, to train from scratch.

    The answer vocabulary: a checkpoint fine-tuned on VQA
    (``dandelin/vilt-b32-finetuned-vqa``) brings its own in
    ``config.id2label``; its predictions then carry ``pred_answer_text``
    from it, so the metric never depends on the dataset's label order. A
    checkpoint without a VQA head (``dandelin/vilt-b32-mlm``) gets a new
    classifier of ``num_labels`` answers, the dataset's vocabulary size.
    ``check_answer_vocab`` (called by ``AnswerVocabCheckHook`` before
    training and testing) refuses a dataset whose vocabulary size differs.

    Loss: binary cross-entropy with logits on the dense (B, num_labels) soft
    targets (``stack_answer_targets``: VQA's 0.3/0.6/0.9/1.0 scores, or
    one-hot rows for single-answer datasets), multiplied by num_labels: the
    loss of ``ViltForQuestionAnswering`` and of ViLT's ``compute_vqa``.

    Inputs (after the data preprocessor):
        ``input_ids`` (B, L) long, [CLS] question [SEP], padded with 0;
        ``attention_mask`` (B, L), 1 for tokens (from ``input_ids != 0``
        when absent); ``pixel_values`` (B, 3, H, W) float, padded to the
        largest image; ``pixel_mask`` (B, H, W), 1 on real pixels (all ones
        when absent). Token type ids are zeros (one segment).

    Args:
        pretrained_dir: a transformers checkpoint directory
            (``checkpoints/vilt-b32-mlm``).
        config: ``ViltConfig`` keyword arguments for a model trained from
            scratch (exclusive with ``pretrained_dir``).
        num_labels: the size of the answer vocabulary. Needed unless the
            checkpoint brings its own vocabulary; if it does, it must agree.
        config_overrides: ``ViltConfig`` fields changed after loading a
            checkpoint's config, e.g. ``dict(hidden_dropout_prob=0.1)`` (the
            ViLT recipe's dropout; the hub configs say 0); with ``config``,
            merged into it.
        image_embedding_init_std: with ``config`` (from scratch), the std of
            the truncated normal the image position embeddings and the
            image [CLS] token are drawn from; default
            ``config.initializer_range``. transformers leaves both at zero
            (its ViLT always loads them from a checkpoint); ViLT's timm ViT
            draws them as here. At zero the patch tokens carry no grid
            position, and "is the red object on the left?" is not learned.
        data_preprocessor: config of the batch preprocessor
            (``VLDataPreprocessor``, which pads the images and token ids).
    """

    def __init__(self,
                 pretrained_dir: Optional[str] = None,
                 config: Optional[dict] = None,
                 num_labels: Optional[int] = None,
                 config_overrides: Optional[dict] = None,
                 image_embedding_init_std: Optional[float] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=build_data_preprocessor(
                data_preprocessor, 'VLDataPreprocessor'), init_cfg=init_cfg)
        if (pretrained_dir is None) == (config is None):
            raise ValueError(
                'ViltVQA needs exactly one of pretrained_dir (a transformers '
                'checkpoint directory) and config (ViltConfig arguments, to '
                'train from scratch)')
        if num_labels is not None and (not isinstance(num_labels, int)
                                       or num_labels < 1):
            raise ValueError(
                f'ViltVQA: num_labels must be a positive int, got '
                f'{num_labels!r}')
        if pretrained_dir is not None and image_embedding_init_std:
            raise ValueError(
                'ViltVQA: image_embedding_init_std is for models built from '
                'config; a checkpoint brings its image embeddings')
        self.pretrained_dir = pretrained_dir
        if pretrained_dir is not None:
            self.vilt = self._from_pretrained(pretrained_dir, num_labels,
                                              config_overrides or {})
        else:
            self.vilt = self._from_config(
                dict(config, **(config_overrides or {})), num_labels)
            embeddings = self.vilt.vilt.embeddings
            std = (image_embedding_init_std if image_embedding_init_std
                   is not None else self.vilt.config.initializer_range)
            with torch.no_grad():
                nn.init.trunc_normal_(
                    embeddings.position_embeddings, std=std, a=-2 * std,
                    b=2 * std)  # (1, 1 + patches, C)
                nn.init.trunc_normal_(
                    embeddings.cls_token, std=std, a=-2 * std,
                    b=2 * std)  # (1, 1, C)
        #: the checkpoint's answers (``id2label``), or None
        self.answer_vocab = checkpoint_answer_vocab(self.vilt.config)

    # -- building ----------------------------------------------------------
    @staticmethod
    def _from_pretrained(pretrained_dir: str, num_labels: Optional[int],
                         overrides: dict) -> torch.nn.Module:
        from transformers import ViltConfig, ViltForQuestionAnswering

        _check_checkpoint_dir(pretrained_dir)
        hf_config = ViltConfig.from_pretrained(
            pretrained_dir, local_files_only=True)
        vocab = checkpoint_answer_vocab(hf_config)
        if vocab is not None:
            if num_labels is not None and num_labels != len(vocab):
                raise ValueError(
                    f'ViltVQA: the checkpoint {pretrained_dir} answers with '
                    f'its own vocabulary of {len(vocab)} answers '
                    f'(config.id2label) but num_labels={num_labels}: the '
                    'answer vocabulary does not match the head size. Use '
                    f'num_labels={len(vocab)} and the checkpoint\'s '
                    'vocabulary, or fine-tune dandelin/vilt-b32-mlm for '
                    'another vocabulary')
        else:
            if num_labels is None:
                raise ValueError(
                    f'ViltVQA: the checkpoint {pretrained_dir} has no '
                    'answer vocabulary (its config.id2label holds '
                    'placeholders), so num_labels (the size of the '
                    "dataset's answer vocabulary, e.g. 3129 for VQAv2) is "
                    'needed to build a new answer classifier')
            # a new classifier; num_labels resets id2label to placeholders
            hf_config.num_labels = num_labels
        for key, value in overrides.items():
            if not hasattr(hf_config, key):
                raise KeyError(f'ViltVQA: config_overrides names "{key}", '
                               'which ViltConfig does not have')
            setattr(hf_config, key, value)
        model, info = ViltForQuestionAnswering.from_pretrained(
            pretrained_dir,
            config=hf_config,
            local_files_only=True,
            dtype=torch.float32,
            output_loading_info=True)
        if info.get('missing_keys'):
            print_log(
                f'ViltVQA: newly initialised (not in {pretrained_dir}): '
                f'{sorted(info["missing_keys"])}',
                logger='current')
        return model

    @staticmethod
    def _from_config(config: dict,
                     num_labels: Optional[int]) -> torch.nn.Module:
        from transformers import ViltConfig, ViltForQuestionAnswering

        if 'num_labels' in config:
            if num_labels is not None and num_labels != config['num_labels']:
                raise ValueError(
                    f'ViltVQA: num_labels={num_labels} but '
                    f'config.num_labels={config["num_labels"]}; give it once')
            num_labels = config.pop('num_labels')
        if num_labels is None and 'id2label' not in config:
            raise ValueError(
                'ViltVQA built from config needs num_labels, the size of '
                "the dataset's answer vocabulary")
        if num_labels is not None:
            config['num_labels'] = num_labels
        return ViltForQuestionAnswering(ViltConfig(**config))

    def init_weights(self) -> None:
        """Nothing to do: transformers initialised the model (or loaded it)
        when it was built. mmengine's default would call
        ``ViltForQuestionAnswering.init_weights``, which re-initialises."""
        self._is_init = True

    # -- the answer vocabulary ------------------------------------------------
    @property
    def num_labels(self) -> int:
        """The size of the answer vocabulary the classifier scores."""
        return int(self.vilt.config.num_labels)

    def check_answer_vocab(self,
                           classes: Sequence[str],
                           source: str = 'the dataset',
                           training: bool = False) -> None:
        """Refuse a dataset whose answer vocabulary does not fit the head.

        A size mismatch is an error. With a checkpoint that brings its own
        vocabulary, a different order of the same size is an error for
        training (the labels would index the wrong classifier rows); for
        testing it is harmless, predictions carry the checkpoint's answer
        text.
        """
        if len(classes) != self.num_labels:
            raise ValueError(
                f'The answer vocabulary of {source} has {len(classes)} '
                f'answers but the ViLT answer classifier has num_labels='
                f'{self.num_labels}: the answer vocabulary does not match '
                'the head size. Set model.num_labels (a new classifier), or '
                'use the vocabulary the checkpoint was fine-tuned with')
        if self.answer_vocab is not None and training and \
                list(classes) != list(self.answer_vocab):
            first = next(i for i, (a, b) in enumerate(
                zip(classes, self.answer_vocab)) if a != b)
            raise ValueError(
                f'The answer vocabulary of {source} is not the one of the '
                f'checkpoint {self.pretrained_dir} (config.id2label): answer '
                f'{first} is "{classes[first]}" there and '
                f'"{self.answer_vocab[first]}" in the checkpoint. Fine-tune '
                'with the checkpoint\'s id2label as the answer vocabulary')

    # -- forward -------------------------------------------------------------
    def _logits(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        for key, made_by in (('input_ids', 'TokenizeQuestion'),
                             ('pixel_values', 'ViltImagePreprocess')):
            if key not in inputs:
                raise KeyError(
                    f'ViltVQA needs inputs["{key}"] (made by the {made_by} '
                    f'transform and packed by PackVLInputs); the batch has '
                    f'{sorted(inputs)}')
        input_ids = inputs['input_ids']  # (B, L)
        config = self.vilt.config
        if input_ids.shape[1] > config.max_position_embeddings:
            raise ValueError(
                f'ViltVQA: questions of {input_ids.shape[1]} tokens, but '
                f'ViLT has {config.max_position_embeddings} text positions '
                '(config.max_position_embeddings); set TokenizeQuestion '
                f'max_length={config.max_position_embeddings}')
        if input_ids.numel() and int(input_ids.max()) >= config.vocab_size:
            raise ValueError(
                f'ViltVQA: token id {int(input_ids.max())} is outside the '
                f'word embeddings (config.vocab_size={config.vocab_size}): '
                'the tokenizer directory of TokenizeQuestion is not the '
                'one this model was built for')
        attention_mask = inputs.get('attention_mask')
        if attention_mask is None:
            pad_id = self.vilt.config.pad_token_id or 0
            attention_mask = (input_ids != pad_id).long()  # (B, L)
        pixel_values = inputs['pixel_values']  # (B, 3, H, W)
        pixel_mask = inputs.get('pixel_mask')
        if pixel_mask is None:
            pixel_mask = pixel_values.new_ones(
                (pixel_values.shape[0], ) + pixel_values.shape[2:],
                dtype=torch.long)  # (B, H, W)
        outputs = self.vilt(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
            pixel_values=pixel_values,
            pixel_mask=pixel_mask,
            return_dict=True)
        return outputs.logits  # (B, num_labels)

    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: List[VLDataSample]) -> Dict[str, torch.Tensor]:
        logits = self._logits(inputs)
        targets = stack_answer_targets(data_samples, self.num_labels).to(
            logits)  # (B, num_labels)
        # mean BCE x num_labels = BCE summed over answers, averaged over
        # questions (ViltForQuestionAnswering, ViLT compute_vqa, ban-vqa)
        loss = F.binary_cross_entropy_with_logits(
            logits, targets) * targets.shape[1]
        with torch.no_grad():
            # ViLT's train-time "VQA score": the soft score of the argmax
            best = logits.argmax(dim=1, keepdim=True)  # (B, 1)
            score = targets.gather(1, best).mean()
        return dict(loss=loss, vqa_score=score)

    def predict(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[VLDataSample]] = None
                ) -> List[VLDataSample]:
        scores = torch.sigmoid(self._logits(inputs).float())  # (B, C)
        if data_samples is None:
            data_samples = [VLDataSample() for _ in range(scores.shape[0])]
        for sample, score in zip(data_samples, scores):
            answer = score.argmax()
            sample.set_pred_score(score)
            sample.set_pred_answer(answer)
            if self.answer_vocab is not None:
                sample.pred_answer_text = self.answer_vocab[int(answer)]
        return data_samples

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[VLDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, torch.Tensor], List[VLDataSample],
                           torch.Tensor]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._logits(inputs)
        raise ValueError(f'Invalid mode "{mode}": use loss, predict or tensor')
