import pytest
import torch
from torch_geometric.data import Data

from vlframe.datasets import pyg_collate
from vlframe.models import NodeClassifier
from vlframe.structures import GraphDataSample


def _batch(num_graphs=1, seed=0):
    gen = torch.Generator().manual_seed(seed)
    items = []
    for g in range(num_graphs):
        n = 6 + g
        graph = Data(x=torch.randn(n, 5, generator=gen),
                     edge_index=torch.randint(0, n, (2, 12), generator=gen))
        sample = GraphDataSample()
        sample.set_gt_label(torch.randint(0, 3, (n, ), generator=gen))
        mask = torch.zeros(n, dtype=torch.bool)
        mask[:3] = True
        sample.set_split_mask(mask)
        items.append(dict(inputs=graph, data_samples=sample))
    return pyg_collate(items)


def _model(propagation=None):
    torch.manual_seed(0)
    return NodeClassifier(
        backbone=dict(
            type='GNNStack',
            layers=[
                dict(type='GCNConv', in_channels=5, out_channels=8),
                dict(type='GCNConv', in_channels=8, out_channels=3),
            ],
            dropout=0.0),
        propagation=propagation)


def test_loss_sees_only_the_split_mask():
    model = _model().eval()
    data = model.data_preprocessor(_batch(), False)
    loss = model(**data, mode='loss')['loss']
    labels = data['data_samples'][0].gt_label
    labels[3:] = (labels[3:] + 1) % 3  # change labels outside the mask
    assert torch.equal(model(**data, mode='loss')['loss'], loss)
    labels[0] = (labels[0] + 1) % 3  # and inside it
    assert not torch.equal(model(**data, mode='loss')['loss'], loss)


def test_predict_splits_nodes_per_graph():
    model = _model().eval()
    data = model.data_preprocessor(_batch(num_graphs=2), False)
    samples = model(**data, mode='predict')
    assert [s.pred_label.shape[0] for s in samples] == [6, 7]
    logits = model(data['inputs'], mode='tensor')
    torch.testing.assert_close(
        samples[1].pred_score, torch.log_softmax(logits[6:], dim=-1))
    assert torch.equal(samples[0].pred_label,
                       logits[:6].argmax(dim=-1))


def test_propagation_after_the_predictor():
    model = _model(dict(type='pyg.APPNP', K=10, alpha=0.1)).eval()
    data = model.data_preprocessor(_batch(), False)
    inputs = data['inputs']
    logits = model.backbone(inputs.x, inputs.edge_index)
    expected = model.propagation(logits, inputs.edge_index)
    torch.testing.assert_close(model(inputs, mode='tensor'), expected)
    assert not torch.allclose(expected, logits)


def test_labels_must_cover_every_node():
    model = _model()
    data = model.data_preprocessor(_batch(), False)
    data['data_samples'][0].set_gt_label(torch.zeros(4, dtype=torch.long))
    data['data_samples'][0].set_split_mask(torch.ones(4, dtype=torch.bool))
    with pytest.raises(ValueError, match='4 node labels for 6 nodes'):
        model(**data, mode='loss')
