"""Python entry points: build a model from a config + checkpoint, answer a
question about an image (mmdetection's ``init_detector`` /
``inference_detector`` contract)."""
import copy
import os.path as osp
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
import torch
from mmcv.transforms import LoadImageFromFile as MMCVLoadImageFromFile
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from vlframe.registry import DATASETS, MODELS, TRANSFORMS
from vlframe.utils import load_model_weights, register_all_modules
from vlframe.utils.config import merge_cfg_options

ImageLike = Union[str, Path, np.ndarray]


def _dataset_classes(cfg: Config) -> Optional[List[str]]:
    """The answer vocabulary of the config's test dataset, from its class
    METAINFO or the vocabulary file it names, without loading any data."""
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cls = DATASETS.get(dataset_cfg.type)
    classes = getattr(dataset_cls, 'METAINFO', {}).get('classes')
    if classes is None and hasattr(dataset_cls, 'read_answer_vocab'):
        classes = dataset_cls.read_answer_vocab(dataset_cfg)
    return list(classes) if classes is not None else None


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build the model of ``config`` and load ``checkpoint`` (strictly, with
    ``weights_only`` loading; see ``vlframe.utils.load_model_weights``).

    The returned model is in eval mode on ``device`` and carries ``cfg``
    and ``dataset_meta`` (the answer vocabulary as ``classes``): the
    checkpoint's when it has one, else the config's test dataset's.
    """
    register_all_modules()
    if isinstance(config, (str, Path)):
        if not osp.isfile(str(config)):
            raise FileNotFoundError(f'config file {config} does not exist')
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError('config must be a path or a Config, got '
                        f'{type(config).__name__}')
    config = copy.deepcopy(config)
    if cfg_options:
        merge_cfg_options(config, cfg_options, 'init_model')
    model = MODELS.build(config.model)
    dataset_meta = None
    if checkpoint is not None:
        ckpt = load_model_weights(model, checkpoint)
        dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
    if dataset_meta is None:
        classes = _dataset_classes(config)
        dataset_meta = dict(classes=classes) if classes else {}
    model.cfg = config
    model.dataset_meta = dataset_meta
    return model.to(device).eval()


def _answer_names(model: torch.nn.Module, num_scores: int) -> Sequence[str]:
    # a wrapped pretrained model (ViLT fine-tuned on VQA) knows its own
    # labels; otherwise the vocabulary of the data it was trained on
    names = getattr(model, 'answer_vocab', None) or \
        (getattr(model, 'dataset_meta', None) or {}).get('classes')
    if names is None or len(names) != num_scores:
        raise ValueError(
            f'the model scores {num_scores} answers but its answer vocabulary'
            f' has {None if names is None else len(names)}; load the model '
            'with init_model(config, checkpoint) so it carries the vocabulary')
    return names


def _test_pipeline(model: torch.nn.Module,
                   image: ImageLike) -> Tuple[Compose, bool]:
    """The config's test pipeline, fed either a file or an array.

    A pipeline that loads images from ``img_path`` keeps its loader for a
    file and drops it for an array; a pipeline without a loader (generated
    data arrives as arrays) gets the file read here instead.
    """
    pipeline_cfg = copy.deepcopy(model.cfg.test_dataloader.dataset.pipeline)
    transforms = [TRANSFORMS.build(t) for t in pipeline_cfg]
    # any image loader derived from mmcv's (vlframe's RGB one is)
    loads_image = bool(transforms) and isinstance(transforms[0],
                                                  MMCVLoadImageFromFile)
    if loads_image and isinstance(image, np.ndarray):
        transforms = transforms[1:]
    return Compose(transforms), loads_image


def inference_vqa(model: torch.nn.Module,
                  image: ImageLike,
                  question: str,
                  topk: int = 5) -> List[Tuple[str, float]]:
    """Answer ``question`` about ``image`` with a model from ``init_model``.

    Args:
        image: an image file, or an (H, W, 3) uint8 RGB array.
        question: the question in English.
        topk: how many answers to return.

    Returns:
        ``[(answer, score), ...]`` best first; scores are the model's
        (softmax probabilities, or sigmoid scores for ViLT).
    """
    if not hasattr(model, 'cfg'):
        raise ValueError('inference_vqa needs a model built by init_model')
    pipeline, loads_image = _test_pipeline(model, image)
    sample = dict(question_text=question, question_id=0)
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError('an image array must be (H, W, 3) uint8 RGB, '
                             f'got {image.shape} {image.dtype}')
        sample['img'] = image
    else:
        path = str(image)
        if not osp.isfile(path):
            raise FileNotFoundError(f'image file {path} does not exist')
        sample['img_path'] = path
        if not loads_image:
            try:
                img = mmcv.imread(path, channel_order='rgb')
            except Exception as err:  # OpenCV raises cv2.error
                raise ValueError(
                    f'image file {path} cannot be decoded ({err})') from None
            if img is None:
                raise ValueError(f'image file {path} cannot be decoded')
            sample['img'] = img
    data = pseudo_collate([pipeline(sample)])
    with torch.no_grad():
        result = model.test_step(data)[0]
    scores = result.pred_score.float()  # (C,)
    names = _answer_names(model, scores.numel())
    top_scores, top_labels = scores.topk(min(topk, scores.numel()))
    return [(names[int(i)], float(s)) for s, i in zip(top_scores, top_labels)]
