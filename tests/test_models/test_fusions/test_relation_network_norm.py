"""Tests for RelationNetworkFusion's ``with_norm`` (vlframe/models/fusions/
relation_network.py): batch norm in g, as the RN reimplementation on NLVR
(Dense-BN-ReLU layers) has it."""
import pytest
import torch
import torch.nn.functional as F

from vlframe.models import RelationNetworkFusion


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def naive_normed_rn(fusion, feats, question, training):
    """Concatenate every ordered pair (i, j) with the question, then
    Linear -> BatchNorm over all B * N * N pairs -> ReLU per g layer, sum."""
    batch, channels, height, width = feats.shape
    objects = feats.flatten(2).transpose(1, 2)  # (B, N, C), no coordinates
    n = objects.shape[1]
    x = torch.cat([
        objects.unsqueeze(2).expand(-1, -1, n, -1),
        objects.unsqueeze(1).expand(-1, n, -1, -1),
        question[:, None, None, :].expand(-1, n, n, -1)
    ], dim=3)  # (B, N, N, 2C + Q)
    for layer, norm in zip(fusion.g_layers, fusion.g_norms):
        x = F.linear(x, layer.weight, layer.bias)
        flat = x.reshape(-1, x.shape[-1])
        if training:
            flat = F.batch_norm(flat, None, None, norm.weight, norm.bias,
                                training=True, eps=norm.eps)
        else:
            flat = F.batch_norm(flat, norm.running_mean, norm.running_var,
                                norm.weight, norm.bias, eps=norm.eps)
        x = F.relu(flat.reshape(x.shape))
    return x.sum(dim=(1, 2))


def nlvr_fusion():
    return RelationNetworkFusion(in_channels=32, question_dim=128,
                                 hidden_dims=(128, 128, 128),
                                 with_coordinates=False, with_norm=True)


def test_nlvr_g_sizes():
    fusion = nlvr_fusion()
    assert [(l.in_features, l.out_features) for l in fusion.g_layers] == [
        (192, 128), (128, 128), (128, 128)]
    assert [n.num_features for n in fusion.g_norms] == [128, 128, 128]
    out = fusion(torch.randn(3, 32, 2, 8), torch.randn(3, 128))
    assert out.shape == (3, 128)


@pytest.mark.parametrize('training', [True, False])
def test_equals_naive_pairs_with_batch_norm(training):
    fusion = RelationNetworkFusion(in_channels=5, question_dim=3,
                                   hidden_dims=(8, 6), with_coordinates=False,
                                   with_norm=True)
    with torch.no_grad():
        for norm in fusion.g_norms:  # non-trivial affine and statistics
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.5, 0.5)
            norm.running_mean.uniform_(-0.5, 0.5)
            norm.running_var.uniform_(0.5, 2.0)
    fusion.train(training)
    feats, question = torch.randn(4, 5, 2, 3), torch.randn(4, 3)
    with torch.no_grad():
        expected = naive_normed_rn(fusion, feats, question, training)
        out = fusion(feats, question)
    torch.testing.assert_close(out, expected, atol=1e-4, rtol=1e-5)


def test_training_statistics_are_over_batch_and_pairs():
    fusion = RelationNetworkFusion(in_channels=4, question_dim=2,
                                   hidden_dims=(3, ), with_coordinates=False,
                                   with_norm=True)
    norm = fusion.g_norms[0]
    feats, question = torch.randn(2, 4, 3, 3), torch.randn(2, 2)
    fusion.train()
    with torch.no_grad():
        fusion(feats, question)
        layer = fusion.g_layers[0]
        objects = feats.flatten(2).transpose(1, 2)  # (B, 9, 4)
        pre = torch.cat([
            objects.unsqueeze(2).expand(-1, -1, 9, -1),
            objects.unsqueeze(1).expand(-1, 9, -1, -1),
            question[:, None, None, :].expand(-1, 9, 9, -1)
        ], dim=3) @ layer.weight.T + layer.bias  # (B, 9, 9, 3)
    # default momentum 0.1 from running_mean 0
    torch.testing.assert_close(norm.running_mean,
                               0.1 * pre.reshape(-1, 3).mean(0))
    assert int(norm.num_batches_tracked) == 1


def test_without_norm_nothing_changes():
    fusion = RelationNetworkFusion(in_channels=24, question_dim=11)
    assert not fusion.with_norm and len(fusion.g_norms) == 0
    # the plain RN's checkpoint keys are only g's linear layers
    assert all(k.startswith('g_layers.') for k in fusion.state_dict())
    normed = RelationNetworkFusion(in_channels=24, question_dim=11,
                                   with_norm=True)
    assert {k.split('.')[0] for k in normed.state_dict()} == {
        'g_layers', 'g_norms'}
