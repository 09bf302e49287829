"""Tests for vlframe/datasets/rating_subgraphs.py: IGMC enclosing
subgraphs, vectorized."""
import os
import random

import numpy as np
import pytest
import torch

from vlframe.datasets.generators import synthetic_rating_matrix
from vlframe.datasets.rating_subgraphs import (EnclosingSubgraphs,
                                               RatingGraph, SubgraphCache,
                                               extract_subgraphs,
                                               extract_subgraphs_chunk,
                                               sampling_keys)

# A hand-made bipartite graph, ratings 1..5 (edge type = rating - 1):
#
#   user 0: item 0 (5), item 1 (3)
#   user 1: item 0 (4), item 2 (1)
#   user 2: item 1 (2), item 2 (5), item 3 (4)
#   user 3: item 3 (1)
TINY_RATINGS = [(0, 0, 5), (0, 1, 3), (1, 0, 4), (1, 2, 1), (2, 1, 2),
                (2, 2, 5), (2, 3, 4), (3, 3, 1)]


@pytest.fixture
def tiny_graph():
    users, items, ratings = np.array(TINY_RATINGS).T
    return RatingGraph.from_ratings(4, 4, users, items, ratings - 1)


def nodes_of(subgraphs, k):
    """[(label, id)] of subgraph k, in subgraph order."""
    n0, n1 = subgraphs.node_ptr[k], subgraphs.node_ptr[k + 1]
    return list(
        zip(subgraphs.node_label[n0:n1].tolist(),
            subgraphs.node_id[n0:n1].tolist()))


def edges_of(subgraphs, k):
    """{(user id, item id, type)} of subgraph k."""
    n0 = subgraphs.node_ptr[k]
    e0, e1 = subgraphs.edge_ptr[k], subgraphs.edge_ptr[k + 1]
    ids = subgraphs.node_id[n0:subgraphs.node_ptr[k + 1]]
    return {(int(ids[a]), int(ids[b]), int(t))
            for a, b, t in zip(subgraphs.edge_user[e0:e1],
                               subgraphs.edge_item[e0:e1],
                               subgraphs.edge_type[e0:e1])}


# -- the hand-made graph ------------------------------------------------------
def test_training_pair_one_hop(tiny_graph):
    """(user 0, item 0) is rated 5: its edge must not be in its subgraph."""
    subgraphs = extract_subgraphs_chunk(tiny_graph, [0], [0], hop=1)
    # target user, target item, users who rated item 0, items of user 0
    assert nodes_of(subgraphs, 0) == [(0, 0), (1, 0), (2, 1), (3, 1)]
    # (user 0, item 0) removed; user 1 did not rate item 1
    assert edges_of(subgraphs, 0) == {(0, 1, 2), (1, 0, 3)}

    data = subgraphs.graph(0)
    assert data.num_nodes == 4
    assert data.x.dtype == torch.float32 and data.x.shape == (4, 4)
    torch.testing.assert_close(data.x, torch.eye(4))
    assert data.node_label.tolist() == [0, 1, 2, 3]
    # local indices: user 0 -> 0, item 0 -> 1, user 1 -> 2, item 1 -> 3;
    # user -> item edges, then the same edges item -> user
    assert data.edge_index.dtype == torch.long
    assert data.edge_index.tolist() == [[0, 2, 3, 1], [3, 1, 0, 2]]
    assert data.edge_type.tolist() == [2, 3, 2, 3]


def test_training_pair_two_hops(tiny_graph):
    subgraphs = extract_subgraphs_chunk(tiny_graph, [0], [0], hop=2)
    # hop 2: items of user 1 not seen (item 2), users of item 1 not seen
    # (user 2); item 3 and user 3 are three hops away
    assert nodes_of(subgraphs, 0) == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2),
                                      (5, 2)]
    assert edges_of(subgraphs, 0) == {(0, 1, 2), (1, 0, 3), (1, 2, 0),
                                      (2, 1, 1), (2, 2, 4)}
    assert subgraphs.graph(0).x.shape == (6, 6)


def test_unrated_pair_keeps_every_edge(tiny_graph):
    """A test pair (user 3, item 0) is not in the graph: nothing to remove,
    and the edges among the neighbours are all there."""
    subgraphs = extract_subgraphs_chunk(tiny_graph, [3], [0], hop=1)
    assert nodes_of(subgraphs, 0) == [(0, 3), (1, 0), (2, 0), (2, 1), (3, 3)]
    assert edges_of(subgraphs, 0) == {(3, 3, 0), (0, 0, 4), (1, 0, 3)}


def test_pair_with_a_lonely_user(tiny_graph):
    subgraphs = extract_subgraphs_chunk(tiny_graph, [3], [3], hop=2)
    # user 3 rated nothing else, so hop 1 reaches only user 2 (who rated
    # item 3); hop 2 reaches user 2's other items 1 and 2, and no users
    assert nodes_of(subgraphs, 0) == [(0, 3), (1, 3), (2, 2), (5, 1), (5, 2)]
    assert edges_of(subgraphs, 0) == {(2, 3, 3), (2, 1, 1), (2, 2, 4)}


def test_chunk_of_pairs_is_concatenated_in_order(tiny_graph):
    subgraphs = extract_subgraphs_chunk(tiny_graph, [0, 3, 3], [0, 0, 3])
    assert len(subgraphs) == 3
    np.testing.assert_array_equal(subgraphs.node_ptr, [0, 4, 9, 12])
    np.testing.assert_array_equal(subgraphs.edge_ptr, [0, 2, 5, 6])
    assert nodes_of(subgraphs, 2) == [(0, 3), (1, 3), (2, 2)]
    assert edges_of(subgraphs, 2) == {(2, 3, 3)}


def test_graph_rejects_a_pair_rated_twice():
    with pytest.raises(ValueError, match='user 1 rated item 2 twice'):
        RatingGraph.from_ratings(3, 3, [1, 0, 1], [2, 0, 2], [0, 1, 2])


def test_bad_arguments(tiny_graph):
    with pytest.raises(ValueError, match='item indices must be in 0..3'):
        extract_subgraphs(tiny_graph, [0], [4], progress=False)
    with pytest.raises(ValueError, match='max_nodes_per_hop'):
        extract_subgraphs(tiny_graph, [0], [0], max_nodes_per_hop=0)
    with pytest.raises(ValueError, match='hop must be >= 1'):
        extract_subgraphs_chunk(tiny_graph, [0], [0], hop=0)


# -- max_nodes_per_hop --------------------------------------------------------
@pytest.fixture
def star_graph():
    """User 0 rated items 0..9, item 0 was rated by users 0..9, and user k
    also rated item k (k = 1..9)."""
    ratings = [(0, i) for i in range(10)] + [(u, 0) for u in range(1, 10)]
    ratings += [(k, k) for k in range(1, 10)]
    users, items = np.array(ratings).T
    return RatingGraph.from_ratings(10, 10, users, items, users % 3)


def test_max_nodes_per_hop_limits_and_samples(star_graph):
    subgraphs = extract_subgraphs_chunk(
        star_graph, [0], [0], hop=1, max_nodes_per_hop=3, seed=7)
    nodes = nodes_of(subgraphs, 0)
    users = [n for label, n in nodes if label == 2]
    items = [n for label, n in nodes if label == 3]
    assert len(users) == 3 and len(items) == 3
    # the kept ones are those with the smallest sampling keys
    candidates = np.arange(1, 10)
    assert users == sorted(candidates[np.argsort(
        sampling_keys(7, 0, 0, 1, 0, candidates))[:3]].tolist())
    assert items == sorted(candidates[np.argsort(
        sampling_keys(7, 0, 0, 1, 1, candidates))[:3]].tolist())
    # edges only among kept nodes: user k - item k when both are kept
    expected = {(0, i, 0) for i in items} | {(u, 0, u % 3) for u in users}
    expected |= {(k, k, k % 3) for k in set(users) & set(items)}
    assert edges_of(subgraphs, 0) == expected

    other_seed = extract_subgraphs_chunk(
        star_graph, [0], [0], hop=1, max_nodes_per_hop=3, seed=8)
    assert nodes_of(other_seed, 0) != nodes
    unlimited = extract_subgraphs_chunk(star_graph, [0], [0], hop=1)
    assert len(nodes_of(unlimited, 0)) == 20
    # a fringe within the limit is kept whole
    small = extract_subgraphs_chunk(
        star_graph, [5], [5], hop=1, max_nodes_per_hop=3)
    assert nodes_of(small, 0) == [(0, 5), (1, 5), (2, 0), (3, 0)]


def test_sampling_keys_are_a_function_of_the_pair():
    nodes = np.arange(50)
    keys = sampling_keys(1, 3, 4, 1, 0, nodes)
    assert keys.dtype == np.uint64 and len(set(keys.tolist())) == 50
    np.testing.assert_array_equal(keys, sampling_keys(1, 3, 4, 1, 0, nodes))
    for other in (sampling_keys(2, 3, 4, 1, 0, nodes),
                  sampling_keys(1, 4, 3, 1, 0, nodes),
                  sampling_keys(1, 3, 4, 2, 0, nodes),
                  sampling_keys(1, 3, 4, 1, 1, nodes)):
        assert not np.array_equal(np.argsort(keys), np.argsort(other))


# -- against a per-sample reference -------------------------------------------
def reference_subgraph(ratings, user, item, hop, max_nodes_per_hop, seed):
    """IGMC's subgraph_extraction_labeling, one pair, with Python sets and
    a dict of ratings; the sampled subset uses the same keys as ours."""
    user_items, item_users = {}, {}
    for (u, i) in ratings:
        user_items.setdefault(u, set()).add(i)
        item_users.setdefault(i, set()).add(u)
    nodes = [(0, user), (1, item)]
    visited_users, visited_items = {user}, {item}
    user_fringe, item_fringe = {user}, {item}
    for dist in range(1, hop + 1):
        next_items = set().union(*(user_items.get(u, set())
                                   for u in user_fringe)) - visited_items
        next_users = set().union(*(item_users.get(i, set())
                                   for i in item_fringe)) - visited_users
        visited_items |= next_items
        visited_users |= next_users
        if max_nodes_per_hop is not None:
            fringes = []
            for side, fringe in ((0, next_users), (1, next_items)):
                fringe = np.array(sorted(fringe), dtype=np.int64)
                keys = sampling_keys(seed, user, item, dist, side, fringe)
                fringes.append(set(fringe[np.lexsort(
                    (fringe, keys))[:max_nodes_per_hop]].tolist()))
            next_users, next_items = fringes
        nodes += [(2 * dist, u) for u in sorted(next_users)]
        nodes += [(2 * dist + 1, i) for i in sorted(next_items)]
        user_fringe, item_fringe = next_users, next_items
    users = {n for label, n in nodes if label % 2 == 0}
    items = {n for label, n in nodes if label % 2 == 1}
    edges = {(u, i, t)
             for (u, i), t in ratings.items()
             if u in users and i in items and (u, i) != (user, item)}
    return nodes, edges


@pytest.fixture(scope='module')
def synthetic():
    arrays = synthetic_rating_matrix(60, 80, density=0.08, seed=0)
    num_train = int(0.8 * len(arrays['users']))
    types = (arrays['ratings'] - 1).astype(np.int64)
    train = slice(0, num_train)
    graph = RatingGraph.from_ratings(60, 80, arrays['users'][train],
                                     arrays['items'][train], types[train])
    ratings = {(int(u), int(i)): int(t)
               for u, i, t in zip(arrays['users'][train],
                                  arrays['items'][train], types[train])}
    return graph, arrays['users'], arrays['items'], ratings, num_train


@pytest.mark.parametrize('hop, max_nodes_per_hop', [(1, None), (1, 4),
                                                    (2, None), (2, 5)])
def test_vectorized_equals_per_sample_reference(synthetic, hop,
                                                max_nodes_per_hop):
    graph, users, items, ratings, num_train = synthetic
    # train pairs (in the graph) and test pairs (not in it)
    pairs = np.r_[0:40, num_train:num_train + 40]
    subgraphs = extract_subgraphs(
        graph, users[pairs], items[pairs], hop=hop,
        max_nodes_per_hop=max_nodes_per_hop, seed=3, chunk_size=16,
        progress=False)
    sizes, hop1_users = [], []
    for k, p in enumerate(pairs):
        nodes, edges = reference_subgraph(ratings, int(users[p]),
                                          int(items[p]), hop,
                                          max_nodes_per_hop, 3)
        assert nodes_of(subgraphs, k) == nodes
        assert edges_of(subgraphs, k) == edges
        sizes.append(len(nodes))
        hop1_users.append(sum(label == 2 for label, _ in nodes))
    # the check is not vacuous: subgraphs with several nodes per hop, and
    # with a limit, fringes cut to it
    assert max(hop1_users) >= 4 and max(sizes) >= 10
    if max_nodes_per_hop is not None:
        assert max(hop1_users) == max_nodes_per_hop
        assert max(sizes) <= 2 + 2 * hop * max_nodes_per_hop


def test_result_does_not_depend_on_chunks_or_workers(synthetic):
    graph, users, items, _, _ = synthetic
    kwargs = dict(hop=1, max_nodes_per_hop=3, seed=5, progress=False)
    one = extract_subgraphs(graph, users, items, chunk_size=1000, **kwargs)
    small = extract_subgraphs(graph, users, items, chunk_size=7, **kwargs)
    parallel = extract_subgraphs(
        graph, users, items, chunk_size=50, num_workers=2, **kwargs)
    for other in (small, parallel):
        for name, value in one.to_arrays().items():
            np.testing.assert_array_equal(value, other.to_arrays()[name])


def test_progress_bar(synthetic, capsys):
    graph, users, items, _, _ = synthetic
    extract_subgraphs(graph, users[:30], items[:30], chunk_size=10)
    assert '3/3' in capsys.readouterr().out


# -- cache --------------------------------------------------------------------
def test_cache_round_trip(tmp_path, tiny_graph):
    subgraphs = extract_subgraphs_chunk(tiny_graph, [0, 3], [0, 0], hop=2)
    cache = SubgraphCache(str(tmp_path))
    key = dict(split='train', hop=2, max_nodes_per_hop=None, data='tiny')
    assert cache.load(key) is None
    path = cache.save(key, subgraphs, ratings=np.array([5.0, 2.0]))
    assert os.path.basename(path).startswith('train_hop2_mnphall_')
    assert os.path.isfile(path[:-len('.npz')] + '.json')
    loaded, extra = cache.load(key)
    assert loaded.hop == 2
    for name, value in subgraphs.to_arrays().items():
        np.testing.assert_array_equal(value, loaded.to_arrays()[name])
    np.testing.assert_array_equal(extra['ratings'], [5.0, 2.0])
    # plain arrays only: loading with allow_pickle=False runs no code
    with np.load(path, allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)
    # another key is another file
    assert cache.load(dict(key, hop=1)) is None
    assert cache.path(dict(key, max_nodes_per_hop=200)).endswith('.npz')
    assert 'mnph200' in cache.path(dict(key, max_nodes_per_hop=200))


def test_unusable_cache_file_is_ignored(tmp_path, tiny_graph):
    cache = SubgraphCache(str(tmp_path))
    key = dict(split='test', hop=1, max_nodes_per_hop=None)
    path = cache.save(key, extract_subgraphs_chunk(tiny_graph, [0], [0]))
    with open(path, 'wb') as f:
        f.write(b'truncated')
    assert cache.load(key) is None


def test_concatenate_offsets_pointers(tiny_graph):
    first = extract_subgraphs_chunk(tiny_graph, [0], [0])
    second = extract_subgraphs_chunk(tiny_graph, [3, 3], [0, 3])
    joined = EnclosingSubgraphs.concatenate([first, second])
    whole = extract_subgraphs_chunk(tiny_graph, [0, 3, 3], [0, 0, 3])
    for name, value in whole.to_arrays().items():
        np.testing.assert_array_equal(value, joined.to_arrays()[name])


def test_random_pairs_match_reference_at_scale():
    """A denser synthetic matrix, random pairs, hop 1 and IGMC's limit."""
    rng = random.Random(0)
    arrays = synthetic_rating_matrix(150, 150, density=0.2, seed=1)
    types = (arrays['ratings'] - 1).astype(np.int64)
    graph = RatingGraph.from_ratings(150, 150, arrays['users'],
                                     arrays['items'], types)
    ratings = {(int(u), int(i)): int(t)
               for u, i, t in zip(arrays['users'], arrays['items'], types)}
    picks = [rng.randrange(len(types)) for _ in range(30)]
    subgraphs = extract_subgraphs(
        graph, arrays['users'][picks], arrays['items'][picks],
        max_nodes_per_hop=20, progress=False)
    sizes = []
    for k, p in enumerate(picks):
        nodes, edges = reference_subgraph(ratings, int(arrays['users'][p]),
                                          int(arrays['items'][p]), 1, 20, 1)
        assert nodes_of(subgraphs, k) == nodes
        assert edges_of(subgraphs, k) == edges
        sizes.append(len(nodes))
    # about 30 ratings per user and per item: most fringes are capped at 20
    assert max(sizes) == 2 + 20 + 20
