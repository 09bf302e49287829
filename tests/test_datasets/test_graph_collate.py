import pytest
import torch
from torch_geometric.data import Batch, Data

from vlframe.datasets import pyg_collate
from vlframe.registry import FUNCTIONS
from vlframe.structures import GraphDataSample


def _sample(num_nodes, edges, rating):
    graph = Data(x=torch.randn(num_nodes, 4),
                 edge_index=torch.tensor(edges, dtype=torch.long).t())
    return dict(inputs=graph,
                data_samples=GraphDataSample().set_gt_rating(rating))


def test_collate_offsets_edges_and_records_graphs():
    batch = pyg_collate([_sample(3, [[0, 1], [1, 2]], 4.0),
                         _sample(2, [[1, 0]], 2.0)])
    inputs = batch['inputs']
    assert isinstance(inputs, Batch)
    assert inputs.num_graphs == 2
    assert inputs.x.shape == (5, 4)
    # the second graph's nodes start at 3
    assert inputs.edge_index.tolist() == [[0, 1, 4], [1, 2, 3]]
    assert inputs.batch.tolist() == [0, 0, 0, 1, 1]
    assert inputs.ptr.tolist() == [0, 3, 5]
    assert [float(s.gt_rating) for s in batch['data_samples']] == [4.0, 2.0]


def test_registered_where_mmengine_runner_looks():
    # mmengine's Runner resolves collate_fn types in its root registry
    from mmengine.registry import FUNCTIONS as ROOT_FUNCTIONS
    assert ROOT_FUNCTIONS.get('pyg_collate') is pyg_collate
    assert FUNCTIONS.get('pyg_collate') is pyg_collate


def test_collate_rejects_non_graph_inputs():
    with pytest.raises(TypeError, match='sample 1 .* torch_geometric Data'):
        pyg_collate([_sample(2, [[0, 1]], 1.0),
                     dict(inputs=torch.zeros(3), data_samples=None)])
