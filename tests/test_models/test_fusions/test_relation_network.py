"""Tests for vlframe/models/fusions/relation_network.py."""
import pytest
import torch
import torch.nn.functional as F

import vlframe.models.fusions.relation_network as rn_module
from vlframe.models import RelationNetworkFusion, grid_coordinates


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """The cores are shared with other processes: one thread is faster."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def naive_relation_network(fusion, feats, question):
    """The textbook RN: concatenate every ordered pair with the question
    (repeat/cat into (B, N, N, 2D + Q)), run g with ReLU after every layer,
    sum over all N * N pairs."""
    batch, channels, height, width = feats.shape
    objects = feats.reshape(batch, channels, height * width).permute(0, 2, 1)
    if fusion.with_coordinates:
        coords = []
        for k in range(height * width):
            r, c = divmod(k, width)
            coords.append([
                -1 + 2 * r / (height - 1) if height > 1 else -1.0,
                -1 + 2 * c / (width - 1) if width > 1 else -1.0
            ])
        coords = torch.tensor(coords, dtype=feats.dtype)
        objects = torch.cat([objects, coords.repeat(batch, 1, 1)], dim=2)
    n = objects.shape[1]
    o_i = objects.unsqueeze(2).repeat(1, 1, n, 1)  # (B, N, N, D): [b,i,j]=o_i
    o_j = objects.unsqueeze(1).repeat(1, n, 1, 1)  # (B, N, N, D): [b,i,j]=o_j
    q = question[:, None, None, :].repeat(1, n, n, 1)
    x = torch.cat([o_i, o_j, q], dim=3)
    for layer in fusion.g_layers:
        x = F.relu(F.linear(x, layer.weight, layer.bias))
    return x.sum(dim=(1, 2))


def test_output_shape_and_parameters():
    fusion = RelationNetworkFusion(in_channels=24, question_dim=11)
    out = fusion(torch.randn(3, 24, 5, 5), torch.rand(3, 11))
    assert out.shape == (3, 256)
    assert out.dtype == torch.float32
    assert fusion.out_channels == 256
    assert fusion.object_dim == 26
    # an ordinary Linear on [o_i, o_j, q]: checkpoints match the naive form
    assert [(l.in_features, l.out_features) for l in fusion.g_layers] == [
        (63, 256), (256, 256), (256, 256), (256, 256)
    ]
    assert (out >= 0).all()  # sum of ReLU outputs


@pytest.mark.parametrize('with_coordinates', [True, False])
def test_exactly_equals_naive_implementation(with_coordinates):
    fusion = RelationNetworkFusion(
        in_channels=24, question_dim=11, with_coordinates=with_coordinates)
    feats = torch.randn(2, 24, 5, 5)
    question = torch.zeros(2, 11)
    question[0, [1, 6, 9]] = 1
    question[1, [4, 7, 10]] = 1
    with torch.no_grad():
        fast = fusion(feats, question)
        slow = naive_relation_network(fusion, feats, question)
    assert fast.shape == slow.shape == (2, 256)
    assert slow.abs().max() > 1  # a non-trivial comparison
    # |out| ~ 75, where one float32 ulp is 7.6e-6: allow a few ulps
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-6)
    # in float64 the two forms agree up to the float32 pair sum that
    # forward ends with (see test_float64_output_stays_float64)
    fusion64 = fusion.double()
    with torch.no_grad():
        fast64 = fusion64(feats.double(), question.double())
        slow64 = naive_relation_network(fusion64, feats.double(),
                                        question.double())
    torch.testing.assert_close(fast64.double(), slow64, atol=0, rtol=1e-6)


def test_float64_output_stays_float64():
    fusion = RelationNetworkFusion(in_channels=3, question_dim=2,
                                   hidden_dims=(4, )).double()
    out = fusion(torch.randn(1, 3, 2, 2, dtype=torch.float64),
                 torch.randn(1, 2, dtype=torch.float64))
    assert out.dtype == torch.float64


def test_equals_naive_on_non_square_map_with_small_g():
    fusion = RelationNetworkFusion(in_channels=3, question_dim=4,
                                   hidden_dims=(7, ))
    feats = torch.randn(2, 3, 2, 3)
    question = torch.randn(2, 4)
    with torch.no_grad():
        torch.testing.assert_close(
            fusion(feats, question),
            naive_relation_network(fusion, feats, question),
            atol=1e-5, rtol=1e-5)


def test_invariant_to_object_order_without_coordinates():
    fusion = RelationNetworkFusion(in_channels=8, question_dim=5,
                                   hidden_dims=(32, 32),
                                   with_coordinates=False)
    feats = torch.randn(2, 8, 4, 4)
    question = torch.randn(2, 5)
    perm = torch.randperm(16)
    permuted = feats.flatten(2)[:, :, perm].reshape(2, 8, 4, 4)
    with torch.no_grad():
        out = fusion(feats, question)
        out_perm = fusion(permuted, question)
        # the same objects in another grid layout: another output when the
        # coordinates are used
    torch.testing.assert_close(out, out_perm, atol=1e-4, rtol=1e-5)


def test_invariant_to_object_order_with_coordinates(monkeypatch):
    fusion = RelationNetworkFusion(in_channels=8, question_dim=5,
                                   hidden_dims=(32, 32))
    feats = torch.randn(2, 8, 5, 5)
    question = torch.randn(2, 5)
    perm = torch.randperm(25)
    permuted = feats.flatten(2)[:, :, perm].reshape(2, 8, 5, 5)
    with torch.no_grad():
        out = fusion(feats, question)
        # cells moved but coordinates not: the objects changed
        moved = fusion(permuted, question)
        assert (out - moved).abs().max() > 1e-3
        # cells moved together with their coordinates: the same objects
        original = rn_module.grid_coordinates
        monkeypatch.setattr(
            rn_module, 'grid_coordinates',
            lambda h, w, device=None, dtype=None: original(
                h, w, device, dtype)[perm])
        out_perm = fusion(permuted, question)
    torch.testing.assert_close(out, out_perm, atol=1e-4, rtol=1e-5)


def test_grid_coordinates_5x5():
    grid = grid_coordinates(5, 5)
    assert grid.shape == (25, 2)
    steps = [-1.0, -0.5, 0.0, 0.5, 1.0]
    expected = torch.tensor([[r, c] for r in steps for c in steps])
    assert torch.equal(grid, expected)
    assert grid[0].tolist() == [-1.0, -1.0]
    assert grid[4].tolist() == [-1.0, 1.0]  # row 0, last column
    assert grid[5].tolist() == [-0.5, -1.0]  # row 1, first column
    assert grid[12].tolist() == [0.0, 0.0]  # centre
    assert grid[24].tolist() == [1.0, 1.0]


def test_grid_coordinates_non_square_and_dtype():
    grid = grid_coordinates(2, 3, dtype=torch.float64)
    assert grid.dtype == torch.float64
    assert grid.tolist() == [[-1, -1], [-1, 0], [-1, 1], [1, -1], [1, 0],
                             [1, 1]]


def test_objects_append_coordinates():
    fusion = RelationNetworkFusion(in_channels=2, question_dim=1,
                                   hidden_dims=(4, ))
    feats = torch.arange(2 * 2 * 3, dtype=torch.float32).reshape(1, 2, 2, 3)
    objects = fusion.objects(feats)
    assert objects.shape == (1, 6, 4)
    # object k = (channel 0, channel 1, row coord, col coord) of cell k
    assert objects[0, 0].tolist() == [0, 6, -1, -1]
    assert objects[0, 5].tolist() == [5, 11, 1, 1]


def test_wrong_question_dim_raises():
    fusion = RelationNetworkFusion(in_channels=24, question_dim=11)
    with pytest.raises(ValueError) as info:
        fusion(torch.randn(2, 24, 5, 5), torch.rand(2, 18))
    msg = str(info.value)
    assert 'question_dim=11' in msg
    assert 'questions of size 18' in msg
    assert 'model.fusion.question_dim' in msg


def test_no_g_layer_raises():
    with pytest.raises(ValueError, match='at least one g layer'):
        RelationNetworkFusion(in_channels=24, question_dim=11, hidden_dims=())


def test_bf16_autocast_close_to_fp32():
    fusion = RelationNetworkFusion(in_channels=24, question_dim=11)
    feats = torch.randn(2, 24, 5, 5)
    question = torch.zeros(2, 11)
    question[:, [0, 6, 8]] = 1
    with torch.no_grad():
        ref = fusion(feats, question)
        with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
            out = fusion(feats, question)
    # the pair sum is done in float32
    assert out.dtype == torch.float32
    rel = ((out - ref).norm() / ref.norm()).item()
    assert rel < 5e-2
    assert not torch.equal(out, ref)  # bf16 was really used
