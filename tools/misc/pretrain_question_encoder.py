"""Pre-train a config's question encoder on its training questions' words.

    python tools/misc/pretrain_question_encoder.py CONFIG [--out FILE]
        [--steps 300] [--lr 1e-3] [--batch-size N] [--seed 0] [--force]
        [--cfg-options k=v ...]

Builds the config's ``model.question_encoder`` and training dataset, takes
the distinct question texts of the training set (text only: no images, no
answers), tokenizes them with the training pipeline's ``TokenizeQuestion``
and trains the encoder with a linear decoder to predict which words each
question contains (``bag_of_words_pretraining.py`` says why). The
encoder's weights are written to ``FILE``, by default the path the config
names in ``model.question_encoder.pretrained``, where
``LSTMQuestionEncoder`` loads them when training starts.
"""
import argparse
import io
import os.path as osp
import time

import torch
from mmengine.config import DictAction
from mmengine.logging import MMLogger

from vlframe.utils import register_all_modules
from vlframe.utils.checkpoint import atomic_write
from vlframe.utils.cli import load_config, run_tool
from vlframe.utils.config import ConfigKeyError, merge_cfg_options


class PretrainConfigError(ValueError):
    """The config has nothing this tool can pre-train."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Pre-train the question encoder of a config as a '
        'bag-of-words autoencoder of its training questions')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--out', help='file to write the encoder weights to (default: the '
        "config's model.question_encoder.pretrained)")
    parser.add_argument('--steps', type=int, default=300,
                        help='Adam steps (default 300)')
    parser.add_argument('--lr', type=float, default=1e-3,
                        help='Adam learning rate (default 1e-3)')
    parser.add_argument(
        '--batch-size', type=int, default=None,
        help='questions per step (default: all distinct questions)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='overwrite an existing output file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value')
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f'--steps must be >= 1, got {args.steps}')
    if args.batch_size is not None and args.batch_size < 1:
        parser.error(f'--batch-size must be >= 1, got {args.batch_size}')
    return args


def training_question_texts(cfg) -> list:
    """The distinct question texts of the config's training set, sorted."""
    from vlframe.registry import DATASETS
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    texts = {dataset.get_data_info(i)['question_text']
             for i in range(len(dataset))}
    return sorted(texts)


def tokenize(cfg, texts: list, pad_token_id: int):
    """(U, L) ids and mask of ``texts``, tokenized as the training pipeline
    tokenizes them and padded as the data preprocessor pads a batch."""
    from vlframe.models.data_preprocessors.vl_data_preprocessor import \
        pad_token_ids
    from vlframe.registry import TRANSFORMS
    steps = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'TokenizeQuestion'
    ]
    if len(steps) != 1:
        raise PretrainConfigError(
            f'the training pipeline of {cfg.filename} has '
            f'{len(steps)} TokenizeQuestion steps; this tool needs one')
    tokenize_step = TRANSFORMS.build(steps[0])
    ids = [
        torch.as_tensor(tokenize_step({tokenize_step.key: text})['input_ids'])
        for text in texts
    ]
    return pad_token_ids(ids, pad_token_id)  # 2 x (U, L)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    # init_weights logs every parameter's initialisation at INFO: keep the
    # tool's output to what it reports itself (a new logger per call: the
    # latest one created is mmengine's current logger)
    MMLogger.get_instance(f'pretrain_question_encoder_{time.time_ns()}',
                          log_level='WARNING')
    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    encoder_cfg = cfg.model.get('question_encoder')
    if not encoder_cfg or encoder_cfg.get('type') != 'LSTMQuestionEncoder':
        raise PretrainConfigError(
            f'{args.config}: model.question_encoder is not an '
            'LSTMQuestionEncoder')
    out = args.out or encoder_cfg.get('pretrained')
    if out is None:
        raise PretrainConfigError(
            f'{args.config} sets no model.question_encoder.pretrained; '
            'give --out FILE')
    if osp.exists(out) and not args.force:
        raise PretrainConfigError(
            f'{out} exists; --force overwrites it')

    from vlframe.registry import MODELS
    torch.manual_seed(args.seed)
    # this tool writes the weights the config would load
    encoder = MODELS.build(dict(encoder_cfg, pretrained=None, frozen=False))
    encoder.init_weights()
    texts = training_question_texts(cfg)
    padding_idx = encoder.embedding.padding_idx
    input_ids, attention_mask = tokenize(cfg, texts, padding_idx)
    print(f'{len(texts)} distinct training questions, up to '
          f'{input_ids.shape[1]} tokens; {args.steps} steps')
    from vlframe.models.text_encoders.bag_of_words_pretraining import \
        pretrain_bag_of_words
    stats = pretrain_bag_of_words(
        encoder,
        input_ids,
        attention_mask,
        steps=args.steps,
        lr=args.lr,
        batch_size=args.batch_size,
        padding_idx=padding_idx,
        seed=args.seed)
    print(f'loss {stats["loss"]:.4f}, questions reconstructed exactly: '
          f'{stats["exact_reconstruction"] * 100:.2f}%')
    meta = dict(
        config=osp.abspath(args.config),
        steps=args.steps,
        lr=args.lr,
        batch_size=-1 if args.batch_size is None else args.batch_size,
        seed=args.seed,
        **stats)
    buffer = io.BytesIO()
    torch.save(dict(state_dict=encoder.state_dict(), meta=meta), buffer)
    atomic_write(out, buffer.getvalue())
    print(f'encoder weights written to {out}')


if __name__ == '__main__':
    run_tool(main, (PretrainConfigError, ConfigKeyError))
