"""Tests for vlframe/models/architectures/igmc.py (+ RatingHead, MSELoss,
AdjacentRatingRegularizer) on hand-built enclosing subgraphs."""
import pytest
import torch
import torch.nn.functional as F
from torch_geometric.data import Data

from vlframe.datasets.graph_collate import pyg_collate
from vlframe.models.architectures.igmc import IGMC, relation_weights
from vlframe.models.gnn import RelationalAdjacency
from vlframe.registry import MODELS
from vlframe.structures import GraphDataSample


def subgraph(num_users, num_items, num_relations, rating, generator,
             density=0.4):
    """A 1-hop enclosing subgraph laid out as RatingSubgraphDataset's:
    node 0 the target user, node 1 the target item, then the other users
    (label 2) and items (label 3); ratings in both directions; no edge
    between the targets."""
    labels = [0, 1] + [2] * (num_users - 1) + [3] * (num_items - 1)
    users = [0] + list(range(2, num_users + 1))
    items = [1] + list(range(num_users + 1, num_users + num_items))
    pairs = [(u, i) for u in users for i in items
             if (u, i) != (0, 1)
             and torch.rand(1, generator=generator).item() < density]
    source = torch.tensor([u for u, _ in pairs] + [i for _, i in pairs],
                          dtype=torch.long)
    target = torch.tensor([i for _, i in pairs] + [u for u, _ in pairs],
                          dtype=torch.long)
    types = torch.randint(0, num_relations, (len(pairs), ),
                          generator=generator)
    node_label = torch.tensor(labels)
    graph = Data(
        x=F.one_hot(node_label, 4).float(),
        node_label=node_label,
        edge_index=torch.stack([source, target]),
        edge_type=torch.cat([types, types]),
        num_nodes=len(labels))
    return dict(inputs=graph,
                data_samples=GraphDataSample().set_gt_rating(rating))


def batch_of(num_graphs, num_relations=5, seed=0):
    generator = torch.Generator().manual_seed(seed)
    samples = [
        subgraph(int(torch.randint(2, 9, (1, ), generator=generator)),
                 int(torch.randint(2, 9, (1, ), generator=generator)),
                 num_relations, float(k % num_relations + 1), generator)
        for k in range(num_graphs)
    ]
    return pyg_collate(samples)


def build(conv_type='RGCNConv', **kwargs):
    cfg = dict(type='IGMC', in_channels=4, num_relations=5,
               conv=dict(type=conv_type, num_bases=4))
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('conv_type', ['RGCNConv', 'pyg.RGCNConv'])
def test_paper_architecture(conv_type):
    model = build(conv_type)
    assert isinstance(model, IGMC)
    assert len(model.convs) == 4
    for k, conv in enumerate(model.convs):
        assert conv.in_channels == (4 if k == 0 else 32)
        assert conv.out_channels == 32 and conv.num_relations == 5
        assert conv.weight.shape[0] == 4  # bases
    linears = [m for m in model.head.mlp if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(256, 128),
                                                                  (128, 1)]
    dropout = [m for m in model.head.mlp if isinstance(m, torch.nn.Dropout)]
    assert dropout[0].p == 0.5
    assert model.edge_dropout == 0.2
    assert model.regularizer.loss_weight == 0.001
    assert type(model.data_preprocessor).__name__ == 'GraphDataPreprocessor'


@pytest.mark.parametrize('conv_type', ['RGCNConv', 'pyg.RGCNConv'])
def test_loss_predict_and_tensor_modes(conv_type):
    model = build(conv_type)
    data = model.data_preprocessor(batch_of(6), training=True)
    model.train()
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_rating', 'loss_arr'}
    assert all(v.ndim == 0 and torch.isfinite(v) for v in losses.values())

    model.eval()
    outputs = model(**data, mode='predict')
    assert len(outputs) == 6
    for sample in outputs:
        assert sample.pred_rating.ndim == 0
        assert sample.pred_rating.dtype == torch.float32
    tensor = model(**data, mode='tensor')
    assert tensor.shape == (6, )
    torch.testing.assert_close(tensor,
                               torch.stack([s.pred_rating for s in outputs]))


def test_our_conv_and_pyg_conv_give_the_same_model():
    ours = build('RGCNConv')
    theirs = build('pyg.RGCNConv')
    theirs.load_state_dict(ours.state_dict())
    ours.eval(), theirs.eval()
    data = ours.data_preprocessor(batch_of(8, seed=1))
    torch.testing.assert_close(ours(**data), theirs(**data))
    # training mode: same dropout draws, same losses
    ours.train(), theirs.train()
    torch.manual_seed(3)
    loss_ours = ours(**data, mode='loss')
    torch.manual_seed(3)
    loss_theirs = theirs(**data, mode='loss')
    for key in loss_ours:
        torch.testing.assert_close(loss_ours[key], loss_theirs[key])


def test_mse_is_on_the_raw_prediction():
    """No clipping to the rating range, in training or in testing (as the
    authors' train_eval.py)."""
    model = build()
    with torch.no_grad():
        model.head.mlp[-1].bias.fill_(100.0)
        model.head.mlp[-1].weight.zero_()
    data = model.data_preprocessor(batch_of(4))
    model.eval()
    outputs = model(**data, mode='predict')
    assert [s.pred_rating.item() for s in outputs] == [100.0] * 4
    model.train()
    ratings = torch.stack([s.gt_rating for s in data['data_samples']])
    expected = ((100.0 - ratings)**2).mean()
    torch.testing.assert_close(
        model(**data, mode='loss')['loss_rating'], expected)


@pytest.mark.parametrize('conv_type', ['RGCNConv', 'pyg.RGCNConv'])
def test_arr_is_the_authors_sum(conv_type):
    """train_eval.py: for each layer w = att @ basis -> (R, in, out);
    ARR * sum((w[1:] - w[:-1]) ** 2)."""
    model = build(conv_type)
    expected = 0.
    for conv in model.convs:
        w = (conv.comp @ conv.weight.view(conv.weight.shape[0], -1)).view(
            5, conv.in_channels, conv.out_channels)
        expected = expected + ((w[1:] - w[:-1])**2).sum()
    data = model.data_preprocessor(batch_of(2))
    torch.testing.assert_close(
        model(**data, mode='loss')['loss_arr'], 0.001 * expected)
    # and it trains the relation weights
    model(**data, mode='loss')['loss_arr'].backward()
    assert model.convs[0].comp.grad.abs().sum() > 0


def test_no_regularizer():
    model = build(regularizer=None)
    data = model.data_preprocessor(batch_of(2))
    assert set(model(**data, mode='loss')) == {'loss_rating'}


def edges_seen_by(conv, seen):
    """Record the number of edges each call of ``conv`` gets."""

    def record(module, args):
        graph = args[1]
        seen.append(graph.matrix.values().numel() if isinstance(
            graph, RelationalAdjacency) else graph.shape[1])

    conv.register_forward_pre_hook(record)


@pytest.mark.parametrize('conv_type', ['RGCNConv', 'pyg.RGCNConv'])
def test_edge_dropout_only_in_training(conv_type):
    model = build(conv_type)
    data = model.data_preprocessor(batch_of(40, seed=2))
    num_edges = data['inputs'].edge_index.shape[1]
    seen = []
    for conv in model.convs:
        edges_seen_by(conv, seen)
    model.eval()
    model(**data)
    assert seen == [num_edges] * 4
    model.train()
    torch.manual_seed(0)
    model(**data, mode='loss')
    kept = seen[4:]
    assert len(set(kept)) == 1  # one draw for all layers, as the authors
    assert 0.7 * num_edges < kept[0] < 0.9 * num_edges  # p = 0.2


def test_targets_are_the_label_0_and_1_nodes():
    data = batch_of(3)
    users, items = IGMC._target_nodes(data['inputs'])
    ptr = data['inputs'].ptr[:-1]
    assert users.tolist() == ptr.tolist()
    assert items.tolist() == (ptr + 1).tolist()


def test_training_fits_a_tiny_set():
    """Ratings that depend on the subgraph (the rating equals the most
    common edge type + 1) are learnable: the loss drops."""
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(24):
        item = subgraph(5, 5, 5, 0.0, generator, density=0.6)
        types = item['inputs'].edge_type
        rating = float(torch.bincount(types, minlength=5).argmax() + 1)
        item['data_samples'].set_gt_rating(rating)
        samples.append(item)
    model = build(edge_dropout=0.0)
    data = model.data_preprocessor(pyg_collate(samples), training=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        loss = sum(model(**data, mode='loss').values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.2 * first


def test_bad_input_is_a_clear_error():
    model = build()
    data = model.data_preprocessor(batch_of(2))
    model.eval()

    wrong_width = build(in_channels=6)
    with pytest.raises(ValueError, match='in_channels=6'):
        wrong_width(**data)

    no_rating = model.data_preprocessor(batch_of(2))
    for sample in no_rating['data_samples']:
        del sample.gt_rating
    with pytest.raises(KeyError, match='gt_rating'):
        model(**no_rating, mode='loss')

    too_many_types = model.data_preprocessor(batch_of(2, num_relations=7))
    with pytest.raises(ValueError, match='num_relations'):
        model(**too_many_types)

    no_labels = model.data_preprocessor(batch_of(2))
    del no_labels['inputs'].node_label
    with pytest.raises(KeyError, match='node_label'):
        model(**no_labels)

    no_target = model.data_preprocessor(batch_of(2))
    no_target['inputs'].node_label[1] = 3  # graph 0 loses its target item
    with pytest.raises(ValueError, match='exactly one target user'):
        model(**no_target)

    with pytest.raises(ValueError, match='Invalid mode'):
        model(**data, mode='logits')


def test_arr_needs_relation_weights():
    with pytest.raises(TypeError, match='regularizer=None'):
        build('pyg.RGCNConv', conv=dict(type='pyg.RGCNConv', num_blocks=4))
    conv = MODELS.build(
        dict(type='pyg.RGCNConv', in_channels=4, out_channels=8,
             num_relations=3))
    assert relation_weights(conv).shape == (3, 4, 8)
