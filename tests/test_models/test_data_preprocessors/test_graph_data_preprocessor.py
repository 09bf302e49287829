import torch
from torch_geometric.data import Data

from vlframe.datasets import pyg_collate
from vlframe.models import GraphDataPreprocessor
from vlframe.structures import GraphDataSample


def test_moves_batch_and_samples_keeping_graph_structure():
    graph = Data(x=torch.randn(3, 2), edge_index=torch.tensor([[0, 1],
                                                                [1, 2]]))
    sample = GraphDataSample().set_gt_label(torch.tensor([0, 1, 1]))
    batch = pyg_collate([dict(inputs=graph, data_samples=sample)])
    out = GraphDataPreprocessor()(batch, training=True)
    assert set(out) == {'inputs', 'data_samples'}
    assert torch.equal(out['inputs'].x, graph.x)
    assert out['inputs'].edge_index.tolist() == [[0, 1], [1, 2]]
    assert out['inputs'].x.device == torch.device('cpu')
    assert out['data_samples'][0].gt_label.tolist() == [0, 1, 1]
