import pytest
import torch

from vlframe.models.gnn import GNNStack


def _graph():
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    return torch.randn(4, 6), edge_index


def test_message_passing_and_plain_layers_in_one_stack():
    x, edge_index = _graph()
    stack = GNNStack(layers=[
        dict(type='GCNConv', in_channels=6, out_channels=8),
        dict(type='pyg.GATConv', in_channels=8, out_channels=5),
        dict(type='pyg.Linear', in_channels=5, out_channels=3),
    ], dropout=0.5).eval()
    out = stack(x, edge_index)
    assert out.shape == (4, 3)
    # eval mode: no dropout, deterministic
    torch.testing.assert_close(out, stack(x, edge_index))


def test_graph_layers_see_the_edges():
    x, edge_index = _graph()
    stack = GNNStack(layers=[dict(type='GCNConv', in_channels=6,
                                  out_channels=2)]).eval()
    no_edges = torch.empty(2, 0, dtype=torch.long)
    assert not torch.allclose(stack(x, edge_index), stack(x, no_edges))


def test_no_activation_after_the_last_layer():
    x, edge_index = _graph()
    stack = GNNStack(layers=[dict(type='pyg.Linear', in_channels=6,
                                  out_channels=64)]).eval()
    assert (stack(x, edge_index) < 0).any()  # ReLU would clip these


def test_training_mode_applies_input_dropout():
    torch.manual_seed(0)
    x, edge_index = _graph()
    stack = GNNStack(
        layers=[dict(type='pyg.Linear', in_channels=6, out_channels=3)],
        input_dropout=dict(type='SparseInputDropout', p=0.5))
    assert type(stack.input_dropout).__name__ == 'SparseInputDropout'
    outs = [stack.train()(x, edge_index) for _ in range(3)]
    assert not torch.allclose(outs[0], outs[1])


def test_needs_layers():
    with pytest.raises(ValueError, match='at least one layer'):
        GNNStack(layers=[])
