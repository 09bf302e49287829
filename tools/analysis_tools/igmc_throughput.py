"""Speed of IGMC's R-GCN layers and training step: vlframe's ``RGCNConv``
vs ``torch_geometric.nn.RGCNConv``, on batches of real-sized enclosing
subgraphs.

Usage::

    # subgraphs of a rating dataset (the train pairs, as in training)
    python tools/analysis_tools/igmc_throughput.py \
        --data-root data/igmc/douban --data-format monti
    python tools/analysis_tools/igmc_throughput.py \
        --data-root data/movielens/ml-100k --data-format ml-100k \
        --max-nodes-per-hop 200
    # no data: a synthetic rating matrix of ML-100K's size and degree
    # distribution (see ``ml_100k_like_ratings``)
    python tools/analysis_tools/igmc_throughput.py --ml-100k-like \
        --max-nodes-per-hop 200

It extracts the 1-hop subgraphs of ``--num-batches`` x ``--batch-size``
random training pairs once (``vlframe.datasets.rating_subgraphs``), then
times, single process, with the threads torch was started with
(``OMP_NUM_THREADS``) and the glibc malloc settings of ``tools/train.py``:

* **conv**: forward + backward of one R-GCN layer (4 bases) on each
  collated batch, for the first layer's shape (2 * hop + 2 -> 32) and a
  hidden layer's (32 -> 32); median ms per batch: PyG's, ours given
  ``edge_index`` / ``edge_type`` (message / aggregate / update), ours
  given a ``RelationalAdjacency`` built in the timed call (sparse path).
* **train**: the IGMC model of ``configs/_base_/models/igmc.py`` (4 x 32,
  ARR 0.001, edge dropout 0.2, Adam lr 1e-3; with our layer it builds one
  ``RelationalAdjacency`` per forward) in a plain loop over the
  pre-extracted subgraphs: collate 50 ``Data`` into a ``Batch``
  (``pyg_collate``), forward in ``mode='loss'``, backward, step. Samples/s
  over ``--epochs`` passes after one warm-up pass.

Each measurement alternates ours and PyG's layer ``--repeats`` times and
reports the medians. The authors' code (muhanzhang/IGMC, PyTorch
Geometric 1.4's ``RGCNConv``) trained at 211 samples/s on this machine on
pre-extracted ML-100K subgraphs (issue 4).
"""
import argparse
import statistics
import time

# glibc malloc thresholds first, as tools/train.py does, before torch
# allocates anything
from vlframe.utils.allocator import tune_malloc  # isort: skip

tune_malloc()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vlframe.datasets.graph_collate import pyg_collate  # noqa: E402
from vlframe.datasets.rating_readers import (  # noqa: E402
    RATING_FORMATS, read_rating_data)
from vlframe.datasets.rating_subgraphs import (  # noqa: E402
    RatingGraph, extract_subgraphs)
from vlframe.models.gnn import RelationalAdjacency  # noqa: E402
from vlframe.registry import MODELS  # noqa: E402
from vlframe.structures import GraphDataSample  # noqa: E402
from vlframe.utils import register_all_modules  # noqa: E402

CONV_TYPES = {'ours': 'RGCNConv', 'pyg': 'pyg.RGCNConv'}


def parse_args():
    parser = argparse.ArgumentParser(
        description='IGMC R-GCN speed: vlframe RGCNConv vs PyG RGCNConv')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--data-root', help='a rating dataset directory')
    source.add_argument('--ml-100k-like', action='store_true',
                        help='a synthetic matrix shaped like ML-100K')
    parser.add_argument('--data-format', choices=RATING_FORMATS,
                        default='monti')
    parser.add_argument('--max-nodes-per-hop', type=int, default=None)
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument('--num-batches', type=int, default=20)
    parser.add_argument('--epochs', type=int, default=2,
                        help='timed passes over the batches per repeat')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def ml_100k_like_ratings(seed: int = 0):
    """943 users x 1682 items, 100,000 ratings 1..5, with ML-100K's skewed
    activity: user degrees 20 + lognormal (mean ~106, max ~700), items
    drawn with lognormal popularity (a few items with hundreds of raters,
    most with a few). Chung-Lu style: user u picks deg(u) distinct items
    with probability proportional to their popularity. Only the sizes
    matter here (the ratings are random)."""
    rng = np.random.default_rng(seed)
    num_users, num_items, num_ratings = 943, 1682, 100_000
    extra = rng.lognormal(mean=3.6, sigma=1.0, size=num_users)
    degrees = 20 + np.round(extra * (num_ratings - 20 * num_users) /
                            extra.sum()).astype(np.int64)
    degrees = np.minimum(degrees, num_items)
    popularity = rng.lognormal(mean=0.0, sigma=1.4, size=num_items)
    users, items = [], []
    for user, degree in enumerate(degrees):
        # Gumbel top-k: k distinct items, weighted by popularity
        keys = np.log(popularity) + rng.gumbel(size=num_items)
        chosen = np.argpartition(-keys, degree - 1)[:degree]
        users.append(np.full(degree, user))
        items.append(chosen)
    users, items = np.concatenate(users), np.concatenate(items)
    ratings = rng.integers(1, 6, size=len(users)).astype(np.float64)
    return num_users, num_items, users, items, ratings


def load_ratings(args):
    """(num_users, num_items, users, items, edge_types, ratings,
    num_relations) of the training ratings."""
    if args.ml_100k_like:
        num_users, num_items, users, items, ratings = ml_100k_like_ratings(
            args.seed)
        values = np.unique(ratings)
        return (num_users, num_items, users, items,
                np.searchsorted(values, ratings), ratings, len(values))
    data = read_rating_data(args.data_root, args.data_format)
    users, items, ratings = data.split('train')
    return (data.num_users, data.num_items, users, items,
            data.edge_types(ratings), ratings, len(data.rating_values))


def make_batches(args):
    (num_users, num_items, users, items, edge_types, ratings,
     num_relations) = load_ratings(args)
    graph = RatingGraph.from_ratings(num_users, num_items, users, items,
                                     edge_types)
    rng = np.random.default_rng(args.seed)
    num_pairs = args.batch_size * args.num_batches
    pairs = rng.choice(len(users), size=num_pairs, replace=False)
    subgraphs = extract_subgraphs(
        graph, users[pairs], items[pairs], hop=1,
        max_nodes_per_hop=args.max_nodes_per_hop, progress=False)
    samples = [
        dict(inputs=subgraphs.graph(k),
             data_samples=GraphDataSample().set_gt_rating(ratings[pair]))
        for k, pair in enumerate(pairs)
    ]
    sizes = np.diff(subgraphs.node_ptr)
    edges = 2 * np.diff(subgraphs.edge_ptr)
    print(f'{num_pairs} subgraphs of {len(users)} training ratings, '
          f'{num_relations} relations: nodes mean {sizes.mean():.1f} / max '
          f'{sizes.max()}, edges mean {edges.mean():.1f} / max {edges.max()}'
          f'; per batch of {args.batch_size}: '
          f'{sizes.mean() * args.batch_size:.0f} nodes, '
          f'{edges.mean() * args.batch_size:.0f} edges')
    chunks = [
        samples[s:s + args.batch_size]
        for s in range(0, num_pairs, args.batch_size)
    ]
    return chunks, num_relations, subgraphs.num_labels


def time_conv(batches, conv_type, in_channels, num_relations):
    """Median ms of forward + backward of one layer over the batches.

    ``conv_type`` 'adjacency' is our layer given a ``RelationalAdjacency``
    (its build included in the time, as IGMC builds one per forward);
    otherwise the layer is given ``edge_index`` and ``edge_type``.
    """
    torch.manual_seed(0)
    conv = MODELS.build(
        dict(type='RGCNConv' if conv_type == 'adjacency' else conv_type,
             in_channels=in_channels, out_channels=32,
             num_relations=num_relations, num_bases=4))
    times = []
    for batch in batches:
        x = torch.randn(batch.num_nodes, in_channels, requires_grad=True)
        start = time.perf_counter()
        if conv_type == 'adjacency':
            out = conv(
                x,
                RelationalAdjacency(batch.edge_index, batch.edge_type,
                                    batch.num_nodes, num_relations))
        else:
            out = conv(x, batch.edge_index, batch.edge_type)
        out.sum().backward()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[1:])  # the first one warms up


def time_training(chunks, conv_type, in_channels, num_relations, epochs):
    """Samples/s of the plain training loop (collate included)."""
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='IGMC', in_channels=in_channels,
             num_relations=num_relations,
             conv=dict(type=conv_type, num_bases=4)))
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def one_pass():
        for chunk in chunks:
            data = model.data_preprocessor(pyg_collate(chunk), True)
            loss = sum(model(**data, mode='loss').values())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    one_pass()  # warm-up
    start = time.perf_counter()
    for _ in range(epochs):
        one_pass()
    elapsed = time.perf_counter() - start
    return epochs * sum(len(c) for c in chunks) / elapsed


def main():
    args = parse_args()
    register_all_modules()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
    chunks, num_relations, num_labels = make_batches(args)
    batches = [pyg_collate(chunk)['inputs'] for chunk in chunks]

    conv_types = dict(CONV_TYPES, adjacency='adjacency')
    for in_channels in (num_labels, 32):
        results = {name: [] for name in conv_types}
        for repeat in range(args.repeats):
            order = list(conv_types.items())
            for name, conv_type in (order if repeat % 2 == 0 else
                                    order[::-1]):
                results[name].append(
                    time_conv(batches, conv_type, in_channels,
                              num_relations))
        ms = {name: statistics.median(v) for name, v in results.items()}
        print(f'conv {in_channels}->32 forward+backward per batch: '
              f'pyg.RGCNConv {ms["pyg"]:.2f} ms; ours with edge_index '
              f'(message/aggregate) {ms["ours"]:.2f} ms '
              f'({ms["pyg"] / ms["ours"]:.2f}x), with a RelationalAdjacency '
              f'built per call {ms["adjacency"]:.2f} ms '
              f'({ms["pyg"] / ms["adjacency"]:.2f}x)')

    results = {name: [] for name in CONV_TYPES}
    for repeat in range(args.repeats):
        order = list(CONV_TYPES.items())
        for name, conv_type in order if repeat % 2 == 0 else order[::-1]:
            results[name].append(
                time_training(chunks, conv_type, num_labels, num_relations,
                              args.epochs))
    ours = statistics.median(results['ours'])
    pyg = statistics.median(results['pyg'])
    print(f'IGMC training: ours {ours:.1f} samples/s, with pyg.RGCNConv '
          f'{pyg:.1f} samples/s (speed-up {ours / pyg:.2f}x; the authors\' '
          f'code: 211 samples/s on ML-100K, {ours / 211:.2f}x)')


if __name__ == '__main__':
    main()
