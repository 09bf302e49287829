"""Tests for vlframe/engine/runner/checkpoint_ensemble_test_loop.py: the
IGMC test-time ensemble over checkpoints of one run."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.runner import Runner
from torch.utils.data import DataLoader
from torch_geometric.data import Data

from vlframe.datasets.graph_collate import pyg_collate
from vlframe.registry import MODELS
from vlframe.structures import GraphDataSample
from vlframe.utils import register_all_modules
from vlframe.utils.checkpoint import UnsafeCheckpointError

MODEL = dict(type='IGMC', in_channels=4, num_relations=5,
             conv=dict(type='RGCNConv', num_bases=4))
NUM_SAMPLES = 12


def star_subgraph(k: int) -> dict:
    """Target user 0 and item 1, and k % 3 + 1 more items rated by the
    user, with rating types that differ per sample."""
    num_items = k % 3 + 1
    items = torch.arange(2, 2 + num_items)
    edge_index = torch.cat([
        torch.stack([torch.zeros_like(items), items]),
        torch.stack([items, torch.zeros_like(items)])
    ], dim=1)
    types = (torch.arange(num_items) + k) % 5
    node_label = torch.tensor([0, 1] + [3] * num_items)
    graph = Data(x=F.one_hot(node_label, 4).float(), node_label=node_label,
                 edge_index=edge_index, edge_type=torch.cat([types, types]),
                 num_nodes=2 + num_items)
    # distinct ratings, so that a reordering is visible
    sample = GraphDataSample().set_gt_rating(1.0 + 0.25 * k)
    return dict(inputs=graph, data_samples=sample)


def loader(shuffle=False):
    return DataLoader([star_subgraph(k) for k in range(NUM_SAMPLES)],
                      batch_size=5, shuffle=shuffle, collate_fn=pyg_collate)


def make_runner(work_dir, name, test_cfg, shuffle=False):
    register_all_modules()
    return Runner(
        model=MODELS.build(MODEL),
        work_dir=str(work_dir),
        experiment_name=name,
        test_dataloader=loader(shuffle),
        test_evaluator=dict(type='RatingMetric'),
        test_cfg=test_cfg,
        default_scope='vlframe')


def save_models(work_dir, epochs):
    """One differently initialised model per epoch, saved as
    CheckpointHook would name it; returns the models."""
    models = []
    for epoch in epochs:
        torch.manual_seed(epoch)
        model = MODELS.build(MODEL).eval()
        torch.save(dict(meta=dict(epoch=epoch), state_dict=model.state_dict()),
                   osp.join(work_dir, f'epoch_{epoch}.pth'))
        models.append(model)
    return models


def rmse_of(predictions):
    truths = torch.tensor([1.0 + 0.25 * k for k in range(NUM_SAMPLES)])
    return math.sqrt(((predictions - truths)**2).mean().item())


def predictions_of(model):
    with torch.no_grad():
        return torch.cat([
            model(**model.data_preprocessor(batch)) for batch in loader()
        ])


def test_averages_the_predictions_of_the_epochs(tmp_path):
    models = save_models(tmp_path, [2, 4, 6])
    runner = make_runner(tmp_path, 'ensemble',
                         dict(type='CheckpointEnsembleTestLoop',
                              epochs=[2, 4, 6]))
    metrics = runner.test()
    average = torch.stack([predictions_of(m) for m in models]).mean(0)
    assert metrics['rmse'] == pytest.approx(rmse_of(average), rel=1e-5)
    # not the score of any single checkpoint
    singles = [rmse_of(predictions_of(m)) for m in models]
    assert all(abs(metrics['rmse'] - s) > 1e-4 for s in singles)


def test_checkpoint_files_and_dir(tmp_path):
    run_dir = tmp_path / 'run'
    run_dir.mkdir()
    models = save_models(run_dir, [1, 3])
    runner = make_runner(tmp_path / 'test', 'files', dict(
        type='CheckpointEnsembleTestLoop', checkpoint_dir=str(run_dir),
        checkpoints=['epoch_1.pth', 'epoch_3.pth']))
    average = (predictions_of(models[0]) + predictions_of(models[1])) / 2
    assert runner.test()['rmse'] == pytest.approx(rmse_of(average), rel=1e-5)


def test_without_epochs_it_tests_the_loaded_model(tmp_path):
    runner = make_runner(tmp_path, 'single',
                         dict(type='CheckpointEnsembleTestLoop', epochs=None))
    metrics = runner.test()
    assert metrics['rmse'] == pytest.approx(
        rmse_of(predictions_of(runner.model)), rel=1e-5)


def test_missing_checkpoint_is_named_before_testing(tmp_path):
    save_models(tmp_path, [1])
    runner = make_runner(tmp_path, 'missing',
                         dict(type='CheckpointEnsembleTestLoop',
                              epochs=[1, 2]))
    with pytest.raises(FileNotFoundError, match=r'epoch_2\.pth'):
        runner.test()


def test_shuffled_test_data_is_an_error(tmp_path):
    save_models(tmp_path, [1, 2])
    torch.manual_seed(0)
    runner = make_runner(tmp_path, 'shuffled',
                         dict(type='CheckpointEnsembleTestLoop',
                              epochs=[1, 2]), shuffle=True)
    with pytest.raises(RuntimeError, match='another order'):
        runner.test()


def test_epochs_and_checkpoints_together_is_an_error(tmp_path):
    runner = make_runner(tmp_path, 'both', dict(
        type='CheckpointEnsembleTestLoop', epochs=[1],
        checkpoints=['a.pth']))
    with pytest.raises(ValueError, match='not both'):
        runner.test()


class Payload:
    """Anything outside the allowlist of checkpoint types."""


def test_checkpoints_load_with_the_safe_loader(tmp_path):
    save_models(tmp_path, [1])
    torch.save(dict(state_dict={}, payload=Payload()),
               osp.join(tmp_path, 'epoch_2.pth'))
    runner = make_runner(tmp_path, 'unsafe',
                         dict(type='CheckpointEnsembleTestLoop',
                              epochs=[1, 2]))
    with pytest.raises(UnsafeCheckpointError):
        runner.test()
