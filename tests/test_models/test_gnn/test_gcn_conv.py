import pytest
import torch
from torch_geometric.nn import GCNConv as PyGGCNConv

from vlframe.models.gnn import GCNConv
from vlframe.registry import MODELS


def _copy_weights(ours: GCNConv, theirs: PyGGCNConv) -> None:
    with torch.no_grad():
        theirs.lin.weight.copy_(ours.lin.weight)
        theirs.bias.copy_(ours.bias)


def _random_graph(num_nodes, num_edges, seed, self_loops=False):
    gen = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(0, num_nodes, (2, num_edges), generator=gen)
    if not self_loops:
        edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    return edge_index


@pytest.mark.parametrize('seed,self_loops', [(0, False), (1, False),
                                             (2, True)])
def test_equal_to_torch_geometric_gcnconv(seed, self_loops):
    torch.manual_seed(seed)
    num_nodes = 40
    # node 39 has no edge at all: its degree is the self-loop alone
    edge_index = _random_graph(39, 150, seed, self_loops)
    x = torch.randn(num_nodes, 12, requires_grad=True)
    ours = GCNConv(12, 5)
    with torch.no_grad():
        ours.bias.normal_()  # a nonzero bias, to compare it too
    theirs = PyGGCNConv(12, 5)
    _copy_weights(ours, theirs)

    out = ours(x, edge_index)
    ref = theirs(x, edge_index)
    assert out.shape == (num_nodes, 5)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)

    grad_out = torch.randn_like(out)
    ours_grads = torch.autograd.grad(out, [x, ours.lin.weight, ours.bias],
                                     grad_out)
    ref_grads = torch.autograd.grad(ref, [x, theirs.lin.weight, theirs.bias],
                                    grad_out)
    for a, b in zip(ours_grads, ref_grads):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_symmetric_normalisation_by_hand():
    # path 0 - 1 - 2 (both directions); with self-loops deg = 2, 3, 2
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    conv = GCNConv(1, 1, bias=False)
    with torch.no_grad():
        conv.lin.weight.fill_(1.0)
    x = torch.tensor([[1.0], [10.0], [100.0]])
    out = conv(x, edge_index).squeeze(1)
    d = torch.tensor([2.0, 3.0, 2.0])
    expected = torch.stack([
        x[0, 0] / d[0] + x[1, 0] / (d[0] * d[1]).sqrt(),
        x[1, 0] / d[1] + x[0, 0] / (d[1] * d[0]).sqrt()
        + x[2, 0] / (d[1] * d[2]).sqrt(),
        x[2, 0] / d[2] + x[1, 0] / (d[2] * d[1]).sqrt(),
    ])
    torch.testing.assert_close(out, expected)


def test_built_from_config_and_torch_geometric_layers_by_name():
    ours = MODELS.build(dict(type='GCNConv', in_channels=8, out_channels=4))
    assert isinstance(ours, GCNConv)
    gat = MODELS.build(dict(type='pyg.GATConv', in_channels=8,
                            out_channels=4, heads=2))
    from torch_geometric.nn import GATConv
    assert isinstance(gat, GATConv)
    out = gat(torch.randn(5, 8), torch.tensor([[0, 1, 2], [1, 2, 3]]))
    assert out.shape == (5, 8)  # 2 heads x 4, concatenated
