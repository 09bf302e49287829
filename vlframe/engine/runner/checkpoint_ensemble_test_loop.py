import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from torch.utils.data import DataLoader

from vlframe.registry import LOOPS
from vlframe.utils.checkpoint import load_model_weights


class MissingEnsembleCheckpointError(FileNotFoundError):
    """A checkpoint the ensemble should average does not exist."""


@LOOPS.register_module()
class CheckpointEnsembleTestLoop(TestLoop):
    """Test the average prediction of several checkpoints of one run: the
    IGMC paper's ensemble ("we save the model parameters at several epochs
    and average their predictions", ``Main.py --ensemble``).

    The test set is run through each checkpoint in turn (loaded strictly
    with the safe ``weights_only`` loader), the ``pred_rating`` of every
    sample is averaged over the checkpoints, and the evaluator scores the
    averages. The authors average the checkpoints of epochs
    ``range(epochs - 30, epochs + 1, 10)`` (ML-1M: ``range(epochs - 15,
    epochs + 1, 5)``), e.g. 50, 60, 70, 80 for an 80-epoch ML-100K run.

    Use it as ``test_cfg = dict(type='CheckpointEnsembleTestLoop',
    epochs=[50, 60, 70, 80])``. With neither ``epochs`` nor
    ``checkpoints`` it is mmengine's ``TestLoop``: the model is tested with
    the weights it has (those ``tools/test.py`` loaded), which is how
    ``--cfg-options test_cfg.epochs=None`` switches the ensemble off.

    The samples must come in the same order in every pass (a test
    dataloader that does not shuffle); a different order is an error.

    Args:
        runner, dataloader, evaluator, fp16: as mmengine's ``TestLoop``.
        epochs: epochs whose ``epoch_<n>.pth`` (as mmengine's
            ``CheckpointHook`` names them) are averaged.
        checkpoints: checkpoint files to average instead of ``epochs``;
            relative paths are relative to ``checkpoint_dir``.
        checkpoint_dir: where the checkpoints are; the runner's
            ``work_dir`` (where training saved them) by default.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List],
                 epochs: Optional[Sequence[int]] = None,
                 checkpoints: Optional[Sequence[str]] = None,
                 checkpoint_dir: Optional[str] = None,
                 fp16: bool = False):
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        if epochs and checkpoints:
            raise ValueError('CheckpointEnsembleTestLoop: give epochs or '
                             'checkpoints, not both')
        self.epochs = list(epochs or [])
        self.checkpoints = list(checkpoints or [])
        self.checkpoint_dir = checkpoint_dir

    def checkpoint_paths(self) -> List[str]:
        """The checkpoint files of the ensemble (empty: no ensemble)."""
        directory = self.checkpoint_dir or self.runner.work_dir
        names = self.checkpoints or [f'epoch_{e}.pth' for e in self.epochs]
        return [osp.join(directory, name) for name in names]

    def run(self) -> dict:
        paths = self.checkpoint_paths()
        if not paths:
            return super().run()
        missing = [path for path in paths if not osp.isfile(path)]
        if missing:
            raise MissingEnsembleCheckpointError(
                f'CheckpointEnsembleTestLoop: {len(missing)} of the '
                f'{len(paths)} checkpoints to average do not exist: '
                f'{", ".join(missing)}. Train for all the epochs of '
                'test_cfg.epochs (or point test_cfg.checkpoint_dir at the '
                'run), or set test_cfg.epochs=None to test only the '
                'checkpoint given to tools/test.py')
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        model = self.runner.model
        if is_model_wrapper(model):
            model = model.module

        summed: Optional[List[torch.Tensor]] = None  # per batch, (B,)
        for k, path in enumerate(paths):
            load_model_weights(model, path)
            print_log(f'ensemble: predicting with {path} '
                      f'({k + 1}/{len(paths)})', logger='current')
            outputs, ratings, truths = self._predict_all()
            if summed is None:
                summed, first_truths = ratings, truths
            else:
                self._check_same_order(first_truths, truths, path)
                summed = [s + r for s, r in zip(summed, ratings)]

        # score the average on the data samples of the last pass
        for batch_outputs, batch_sum in zip(outputs, summed):
            for sample, rating in zip(batch_outputs, batch_sum / len(paths)):
                sample.set_pred_rating(rating)
            self.evaluator.process(data_samples=batch_outputs)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    @torch.no_grad()
    def _predict_all(self):
        """One pass over the test set: the output data samples, their
        ``pred_rating`` and ``gt_rating`` (None when absent), per batch."""
        outputs, ratings, truths = [], [], []
        for idx, data_batch in enumerate(self.dataloader):
            self.runner.call_hook(
                'before_test_iter', batch_idx=idx, data_batch=data_batch)
            with autocast(enabled=self.fp16):
                batch_outputs = self.runner.model.test_step(data_batch)
            outputs.append(batch_outputs)
            ratings.append(
                torch.stack([s.pred_rating.float() for s in batch_outputs]))
            truths.append([
                float(s.gt_rating) if 'gt_rating' in s else None
                for s in batch_outputs
            ])
            self.runner.call_hook(
                'after_test_iter',
                batch_idx=idx,
                data_batch=data_batch,
                outputs=batch_outputs)
        return outputs, ratings, truths

    @staticmethod
    def _check_same_order(first: list, other: list, path: str) -> None:
        if first != other:
            raise RuntimeError(
                'CheckpointEnsembleTestLoop: the test dataloader gave the '
                f'samples in another order when testing {path} than in the '
                'first pass, so predictions cannot be averaged per sample; '
                'use a sampler that does not shuffle '
                '(test_dataloader.sampler.shuffle=False)')
