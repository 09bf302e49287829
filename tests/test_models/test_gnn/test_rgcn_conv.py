"""Tests for vlframe/models/gnn/rgcn_conv.py: equal to torch_geometric's
RGCNConv (outputs and gradients) with the same weights."""
import pytest
import torch
import torch_geometric.nn as pyg_nn

from vlframe.models.gnn import RelationalAdjacency, RGCNConv
from vlframe.registry import MODELS


def random_graph(num_nodes, num_edges, num_relations, in_channels, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(num_nodes, in_channels, generator=generator)
    # the last nodes get no incoming edges: their output is root + bias
    edge_index = torch.stack([
        torch.randint(0, num_nodes, (num_edges, ), generator=generator),
        torch.randint(0, num_nodes - 3, (num_edges, ), generator=generator)
    ])
    edge_type = torch.randint(0, num_relations, (num_edges, ),
                              generator=generator)
    return x, edge_index, edge_type


def pair(in_channels, out_channels, num_relations, **kwargs):
    """Ours and PyG's layer with the same weights."""
    ours = RGCNConv(in_channels, out_channels, num_relations, **kwargs)
    theirs = pyg_nn.RGCNConv(in_channels, out_channels, num_relations,
                             **kwargs)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


@pytest.mark.parametrize('num_relations,num_bases,in_channels', [
    (5, 4, 4), (10, 4, 32), (1, None, 8), (100, 4, 32), (5, None, 32)
])
@pytest.mark.parametrize('seed', [0, 1])
def test_outputs_and_gradients_equal_pyg(num_relations, num_bases,
                                         in_channels, seed):
    torch.manual_seed(seed)
    ours, theirs = pair(in_channels, 32, num_relations, num_bases=num_bases)
    x, edge_index, edge_type = random_graph(300, 3000, num_relations,
                                            in_channels, seed)
    x_ours, x_theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_ours = ours(x_ours, edge_index, edge_type)
    out_theirs = theirs(x_theirs, edge_index, edge_type)
    assert out_ours.shape == (300, 32)
    torch.testing.assert_close(out_ours, out_theirs, rtol=1e-5, atol=1e-5)

    grad = torch.randn_like(out_ours)
    out_ours.backward(grad)
    out_theirs.backward(grad)
    torch.testing.assert_close(x_ours.grad, x_theirs.grad, rtol=1e-4,
                               atol=1e-5)
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        torch.testing.assert_close(
            param.grad, theirs_params[name].grad, rtol=1e-4, atol=1e-4,
            msg=lambda m: f'gradient of {name}: {m}')


@pytest.mark.parametrize('num_relations,num_bases,in_channels', [
    (5, 4, 4), (10, 4, 32), (1, None, 8), (71, 4, 32)
])
def test_adjacency_path_equals_pyg(num_relations, num_bases, in_channels):
    """Given a RelationalAdjacency (one sparse matmul per layer, its
    transpose in backward), outputs and gradients are PyG's."""
    torch.manual_seed(0)
    ours, theirs = pair(in_channels, 32, num_relations, num_bases=num_bases)
    x, edge_index, edge_type = random_graph(300, 3000, num_relations,
                                            in_channels, seed=4)
    adjacency = RelationalAdjacency(edge_index, edge_type, 300,
                                    num_relations)
    x_ours, x_theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_ours = ours(x_ours, adjacency)
    out_theirs = theirs(x_theirs, edge_index, edge_type)
    torch.testing.assert_close(out_ours, out_theirs, rtol=1e-5, atol=1e-5)
    grad = torch.randn_like(out_ours)
    out_ours.backward(grad)
    out_theirs.backward(grad)
    torch.testing.assert_close(x_ours.grad, x_theirs.grad, rtol=1e-4,
                               atol=1e-5)
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        torch.testing.assert_close(param.grad, theirs_params[name].grad,
                                   rtol=1e-4, atol=1e-4)


def test_adjacency_is_shared_and_its_transpose_built_for_backward_only():
    x, edge_index, edge_type = random_graph(50, 400, 5, 8, seed=5)
    adjacency = RelationalAdjacency(edge_index, edge_type, 50, 5)
    first, second = RGCNConv(8, 16, 5, num_bases=4), RGCNConv(16, 16, 5, 4)
    with torch.no_grad():
        second(first(x, adjacency), adjacency)
    assert adjacency._transposed is None
    out = second(first(x.requires_grad_(), adjacency), adjacency)
    out.sum().backward()
    assert adjacency._transposed is not None
    torch.testing.assert_close(adjacency.transposed.to_dense(),
                               adjacency.matrix.to_dense().t())


def test_adjacency_means_by_hand():
    """Node 0 gets two edges of relation 0 and one of relation 1;
    duplicate edges count twice, as in PyG."""
    x = torch.tensor([[0.0], [2.0], [4.0], [8.0]])
    edge_index = torch.tensor([[1, 2, 3, 3], [0, 0, 0, 1]])
    edge_type = torch.tensor([0, 0, 1, 1])
    means = RelationalAdjacency(edge_index, edge_type, 4, 2).mean(x)
    assert means.shape == (4, 2, 1)
    assert means[:, :, 0].tolist() == [[3.0, 8.0], [0.0, 8.0], [0.0, 0.0],
                                       [0.0, 0.0]]
    doubled = RelationalAdjacency(torch.tensor([[1, 1, 2], [0, 0, 0]]),
                                  torch.tensor([0, 0, 0]), 4, 2).mean(x)
    assert doubled[0, 0, 0].item() == pytest.approx(8 / 3)


def test_adjacency_without_edges():
    conv = RGCNConv(4, 3, num_relations=5, num_bases=2)
    x = torch.randn(6, 4)
    adjacency = RelationalAdjacency(torch.empty(2, 0, dtype=torch.long),
                                    torch.empty(0, dtype=torch.long), 6, 5)
    torch.testing.assert_close(conv(x, adjacency), x @ conv.root)


def test_adjacency_bad_input_is_a_clear_error():
    x, edge_index, edge_type = random_graph(20, 50, 3, 4, seed=6)
    with pytest.raises(ValueError, match=r'must be in \[0, 2\)'):
        RelationalAdjacency(edge_index, edge_type, 20, 2)
    adjacency = RelationalAdjacency(edge_index, edge_type, 20, 3)
    with pytest.raises(ValueError, match='3 relations'):
        RGCNConv(4, 8, num_relations=5)(x, adjacency)
    with pytest.raises(TypeError, match='float64'):
        RGCNConv(4, 8, num_relations=3).double()(x.double(), adjacency)
    with pytest.raises(TypeError, match='needs edge_type'):
        RGCNConv(4, 8, num_relations=3)(x, edge_index)


def test_without_root_and_bias_equal_pyg():
    ours, theirs = pair(6, 8, 3, num_bases=2, root_weight=False, bias=False)
    assert ours.root is None and ours.bias is None
    x, edge_index, edge_type = random_graph(40, 200, 3, 6, seed=3)
    torch.testing.assert_close(
        ours(x, edge_index, edge_type), theirs(x, edge_index, edge_type))


def test_mean_is_per_target_and_relation():
    """Node 0 gets two edges of relation 0 and one of relation 1: the two
    are averaged, then added to the third."""
    conv = RGCNConv(1, 1, num_relations=2, num_bases=None, root_weight=False,
                    bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([[[1.0]], [[10.0]]]))  # Theta_0, _1
    x = torch.tensor([[0.0], [2.0], [4.0], [8.0]])
    edge_index = torch.tensor([[1, 2, 3], [0, 0, 0]])
    edge_type = torch.tensor([0, 0, 1])
    out = conv(x, edge_index, edge_type)
    # (2 + 4) / 2 * 1 + 8 * 10
    assert out[0, 0].item() == pytest.approx(83.0)
    assert out[1:].abs().sum().item() == 0


def test_relation_weights_are_the_basis_combinations():
    conv = RGCNConv(4, 3, num_relations=5, num_bases=2)
    weights = conv.relation_weights()
    assert weights.shape == (5, 4, 3)
    expected = torch.einsum('rb,bio->rio', conv.comp, conv.weight)
    torch.testing.assert_close(weights, expected)


def test_no_edges_gives_root_and_bias():
    conv = RGCNConv(4, 3, num_relations=5, num_bases=2)
    with torch.no_grad():
        conv.bias.fill_(0.5)
    x = torch.randn(6, 4)
    out = conv(x, torch.empty(2, 0, dtype=torch.long),
               torch.empty(0, dtype=torch.long))
    torch.testing.assert_close(out, x @ conv.root + 0.5)


@pytest.mark.parametrize('bad_type', [5, -1])
def test_edge_type_out_of_range_is_a_clear_error(bad_type):
    conv = RGCNConv(4, 3, num_relations=5, num_bases=2)
    x = torch.randn(3, 4)
    edge_index = torch.tensor([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r'edge_type values must be in '
                       r'\[0, 5\).*num_relations'):
        conv(x, edge_index, torch.tensor([0, bad_type]))


def test_built_from_the_registry():
    conv = MODELS.build(
        dict(type='RGCNConv', in_channels=4, out_channels=32,
             num_relations=5, num_bases=4))
    assert isinstance(conv, RGCNConv)
    assert conv.weight.shape == (4, 4, 32) and conv.comp.shape == (5, 4)


def test_node_normalization_is_torch_geometric_1_4s_mean_over_all_edges():
    # torch_geometric 1.4 (what the IGMC authors ran): aggr='mean' over all
    # incoming edges, each transformed by its relation's matrix
    torch.manual_seed(0)
    num_nodes, num_relations = 12, 3
    edge_index = torch.randint(0, num_nodes, (2, 40))
    edge_type = torch.randint(0, num_relations, (40, ))
    x = torch.randn(num_nodes, 5)
    conv = RGCNConv(5, 4, num_relations, num_bases=2, normalization='node')
    with torch.no_grad():
        conv.bias.normal_()
    weights = conv.relation_weights()  # (R, 5, 4)
    source, target = edge_index
    messages = torch.einsum('ec,eco->eo', x[source], weights[edge_type])
    degree = torch.bincount(target, minlength=num_nodes).clamp(min=1)
    expected = torch.zeros(num_nodes, 4).index_add_(0, target, messages)
    expected = expected / degree[:, None] + x @ conv.root + conv.bias
    torch.testing.assert_close(conv(x, edge_index, edge_type), expected)
    adjacency = RelationalAdjacency(edge_index, edge_type, num_nodes,
                                    num_relations, normalization='node')
    torch.testing.assert_close(conv(x, adjacency), expected)
    with pytest.raises(ValueError, match='normalised per node'):
        RGCNConv(5, 4, num_relations, num_bases=2)(x, adjacency)
    with pytest.raises(ValueError, match='normalization must be one of'):
        RGCNConv(5, 4, num_relations, normalization='edge')
