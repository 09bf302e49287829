# Copyright (c) vlframe contributors. All rights reserved.
"""Enclosing-subgraph extraction speed: vlframe's vectorized extraction
against a per-sample one in the style of IGMC's code, on the same pairs.

Usage::

    python tools/analysis_tools/benchmark_subgraphs.py \\
        --data-root data/igmc/flixster --data-format monti [--split train] \\
        [--hop 1] [--max-nodes-per-hop 200|none] [--num-pairs 5000] \\
        [--num-workers 2] [--repeats 3]

Both sides start from the same training graph (built before the clock
starts) and extract the subgraphs of the same pairs:

* **per-sample**: :func:`per_sample_subgraph`, the procedure of
  ``subgraph_extraction_labeling`` in muhanzhang/IGMC ``util_functions.py``
  one pair at a time: Python sets for the fringes and visited nodes, scipy
  CSR row slicing (users -> items) and CSC column slicing (items -> users)
  for the neighbours, ``A[u_nodes][:, v_nodes]`` for the edges, the target
  entry zeroed, ``ssp.find``. Output: the arrays IGMC passes to
  ``construct_pyg_graph``.
* **ours**: ``vlframe.datasets.rating_subgraphs.extract_subgraphs`` with 1
  worker and with ``num_workers``; output: the concatenated arrays the
  dataset caches.

Neither side builds ``torch_geometric`` ``Data`` objects (IGMC does that
in a second pass, the dataset per sample at load time). Where a fringe
exceeds ``max_nodes_per_hop`` the per-sample code keeps the same subset as
ours (the nodes with the smallest ``sampling_keys``) instead of
``random.sample``, so that the outputs can be compared; the cost is the
same order (one small numpy call instead of ``random.sample``). The
subgraphs are checked equal (node sets with labels, edge sets with types)
before any speed is reported. Each side runs ``repeats`` times; the best
time counts. The last line printed is ``speedup (ours / per-sample): X.XX``
(ours with ``num_workers`` workers).
"""
import argparse
import time
import warnings
from typing import Dict, List, Optional, Set, Tuple

import numpy as np
import scipy.sparse as ssp

from vlframe.datasets.rating_readers import read_rating_data
from vlframe.datasets.rating_subgraphs import (EnclosingSubgraphs,
                                               RatingGraph, extract_subgraphs,
                                               sampling_keys)

__all__ = ['per_sample_subgraph', 'subgraph_benchmark']

# canonical form of one subgraph: {(label, node id)}, {(user, item, type)}
Canonical = Tuple[Set[Tuple[int, int]], Set[Tuple[int, int, int]]]


def _neighbors(fringe: Set[int], adjacency: ssp.spmatrix,
               rows: bool) -> Set[int]:
    """IGMC's ``neighbors``: all neighbours of the nodes of ``fringe``."""
    if not fringe:
        return set()
    if rows:  # CSR, user -> items
        return set(adjacency[list(fringe)].indices)
    return set(adjacency[:, list(fringe)].indices)  # CSC, item -> users


def _sample(fringe: Set[int], limit: int, user: int, item: int, hop: int,
            side: int, seed: int) -> Set[int]:
    """Stands in for IGMC's ``random.sample(fringe, limit)`` with the subset
    vlframe keeps (smallest sampling keys), so outputs can be compared."""
    nodes = np.fromiter(fringe, dtype=np.int64, count=len(fringe))
    keys = sampling_keys(seed, user, item, hop, side, nodes)
    return set(nodes[np.lexsort((nodes, keys))[:limit]].tolist())


def per_sample_subgraph(user: int,
                        item: int,
                        a_row: ssp.csr_matrix,
                        a_col: ssp.csc_matrix,
                        hop: int = 1,
                        max_nodes_per_hop: Optional[int] = None,
                        seed: int = 1) -> tuple:
    """One pair's enclosing subgraph, as IGMC's
    ``subgraph_extraction_labeling``.

    ``a_row`` / ``a_col``: the training ratings as CSR / CSC, entries =
    rating index + 1 (IGMC's ``adj_train``).

    Returns:
        ``(u, v, r, node_labels, u_nodes, v_nodes)``: edge endpoints (``v``
        offset by ``len(u_nodes)``), edge types, labels of the users then the
        items, and the user / item ids in that order.
    """
    u_nodes, v_nodes = [user], [item]
    u_dist, v_dist = [0], [0]
    u_visited, v_visited = {user}, {item}
    u_fringe, v_fringe = {user}, {item}
    for dist in range(1, hop + 1):
        v_fringe, u_fringe = (_neighbors(u_fringe, a_row, True),
                              _neighbors(v_fringe, a_col, False))
        u_fringe = u_fringe - u_visited
        v_fringe = v_fringe - v_visited
        u_visited = u_visited.union(u_fringe)
        v_visited = v_visited.union(v_fringe)
        if max_nodes_per_hop is not None:
            if max_nodes_per_hop < len(u_fringe):
                u_fringe = _sample(u_fringe, max_nodes_per_hop, user, item,
                                   dist, 0, seed)
            if max_nodes_per_hop < len(v_fringe):
                v_fringe = _sample(v_fringe, max_nodes_per_hop, user, item,
                                   dist, 1, seed)
        if len(u_fringe) == 0 and len(v_fringe) == 0:
            break
        u_nodes = u_nodes + list(u_fringe)
        v_nodes = v_nodes + list(v_fringe)
        u_dist = u_dist + [dist] * len(u_fringe)
        v_dist = v_dist + [dist] * len(v_fringe)
    subgraph = a_row[u_nodes][:, v_nodes]
    # remove the link between the target nodes
    subgraph[0, 0] = 0
    u, v, r = ssp.find(subgraph)  # r is rating index + 1
    v += len(u_nodes)
    r = r - 1
    node_labels = [x * 2 for x in u_dist] + [x * 2 + 1 for x in v_dist]
    return u, v, r, node_labels, u_nodes, v_nodes


def _canonical_per_sample(result: tuple) -> Canonical:
    u, v, r, node_labels, u_nodes, v_nodes = result
    ids = list(u_nodes) + list(v_nodes)
    nodes = {(int(label), int(node)) for label, node in zip(node_labels, ids)}
    edges = {(int(ids[a]), int(ids[b]), int(t)) for a, b, t in zip(u, v, r)}
    return nodes, edges


def _canonical_ours(subgraphs: EnclosingSubgraphs, k: int) -> Canonical:
    n0, n1 = subgraphs.node_ptr[k], subgraphs.node_ptr[k + 1]
    e0, e1 = subgraphs.edge_ptr[k], subgraphs.edge_ptr[k + 1]
    ids = subgraphs.node_id[n0:n1].tolist()
    nodes = set(zip(subgraphs.node_label[n0:n1].tolist(), ids))
    edges = {(ids[a], ids[b], t)
             for a, b, t in zip(subgraphs.edge_user[e0:e1].tolist(),
                                subgraphs.edge_item[e0:e1].tolist(),
                                subgraphs.edge_type[e0:e1].tolist())}
    return nodes, edges


def _best_time(run, repeats: int):
    """(best wall time, result of the last run)."""
    best, result = float('inf'), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def subgraph_benchmark(data_root: str,
                       data_format: str = 'monti',
                       split: str = 'train',
                       hop: int = 1,
                       max_nodes_per_hop: Optional[int] = 200,
                       num_pairs: Optional[int] = 5000,
                       num_workers: int = 2,
                       repeats: int = 3,
                       seed: int = 1) -> Dict[str, float]:
    """Extract the subgraphs of ``num_pairs`` random pairs of ``split``
    (all with None) both ways, check they are the same, time them.

    Returns:
        ``per_sample_per_s``, ``ours_1_worker_per_s``, ``ours_per_s`` (with
        ``num_workers``), ``speedup`` (ours / per-sample),
        ``speedup_1_worker``, plus ``num_pairs``, ``num_edges`` (one
        direction, summed over the subgraphs), ``num_nodes`` and the
        arguments.
    """
    data = read_rating_data(data_root, data_format)
    train_types = data.edge_types(data.train_ratings)
    graph = RatingGraph.from_ratings(data.num_users, data.num_items,
                                     data.train_users, data.train_items,
                                     train_types)
    # IGMC's adj_train: entries are rating index + 1
    a_row = ssp.csr_matrix(
        (train_types + 1, (data.train_users, data.train_items)),
        shape=(data.num_users, data.num_items))
    a_col = a_row.tocsc()
    users, items, _ = data.split(split)
    order = np.random.default_rng(0).permutation(len(users))
    if num_pairs is not None:
        order = order[:num_pairs]
    users, items = users[order], items[order]

    def run_per_sample() -> List[tuple]:
        with warnings.catch_warnings():
            # IGMC ignores it too: zeroing an absent target entry of a
            # test pair "changes the sparsity structure"
            warnings.simplefilter('ignore', ssp.SparseEfficiencyWarning)
            return [
                per_sample_subgraph(u, i, a_row, a_col, hop,
                                    max_nodes_per_hop, seed)
                for u, i in zip(users.tolist(), items.tolist())
            ]

    def run_ours(workers: int) -> EnclosingSubgraphs:
        return extract_subgraphs(
            graph,
            users,
            items,
            hop=hop,
            max_nodes_per_hop=max_nodes_per_hop,
            seed=seed,
            num_workers=workers,
            progress=False)

    per_sample_time, reference = _best_time(run_per_sample, repeats)
    ours_1_time, ours = _best_time(lambda: run_ours(1), repeats)
    ours_n_time, ours_n = _best_time(lambda: run_ours(num_workers), repeats)
    for k, result in enumerate(reference):
        expected = _canonical_per_sample(result)
        for name, subgraphs in (('1 worker', ours),
                                (f'{num_workers} workers', ours_n)):
            if _canonical_ours(subgraphs, k) != expected:
                raise AssertionError(
                    f'pair {k} (user {users[k]}, item {items[k]}): the '
                    f'vectorized extraction ({name}) differs from the '
                    'per-sample one')
    count = len(users)
    return dict(
        data_root=data_root,
        data_format=data_format,
        split=split,
        hop=hop,
        max_nodes_per_hop=max_nodes_per_hop,
        num_workers=num_workers,
        num_pairs=count,
        num_nodes=int(ours.node_ptr[-1]),
        num_edges=int(ours.edge_ptr[-1]),
        per_sample_per_s=count / per_sample_time,
        ours_1_worker_per_s=count / ours_1_time,
        ours_per_s=count / ours_n_time,
        speedup_1_worker=per_sample_time / ours_1_time,
        speedup=per_sample_time / ours_n_time)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Subgraphs/s of the vectorized IGMC subgraph extraction '
        'and of a per-sample one on the same pairs')
    parser.add_argument('--data-root', required=True,
                        help='the directory holding the rating files')
    parser.add_argument('--data-format', default='monti',
                        choices=['monti', 'ml-100k', 'ml-1m'])
    parser.add_argument('--split', default='train', choices=['train', 'test'])
    parser.add_argument('--hop', type=int, default=1)
    parser.add_argument(
        '--max-nodes-per-hop',
        default='200',
        help='an integer, or "none" to keep every node')
    parser.add_argument('--num-pairs', type=int, default=5000,
                        help='pairs to extract (0: all pairs of the split)')
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--seed', type=int, default=1)
    return parser.parse_args()


def format_report(result: Dict[str, float], data_root: str,
                  data_format: str, split: str, hop: int,
                  max_nodes_per_hop: Optional[int],
                  num_workers: int) -> List[str]:
    """The printed lines; the last is ``speedup (ours / per-sample): X``."""
    return [
        f'data: {data_root} ({data_format}), split {split}, hop {hop}, '
        f'max_nodes_per_hop {max_nodes_per_hop}',
        f'pairs: {result["num_pairs"]}, same subgraphs both ways: yes '
        f'({result["num_nodes"]} nodes, {result["num_edges"]} rating edges)',
        'per-sample (IGMC style), 1 process: '
        f'{result["per_sample_per_s"]:.1f} subgraphs/s',
        f'ours, 1 worker: {result["ours_1_worker_per_s"]:.1f} subgraphs/s',
        f'ours, {num_workers} workers: {result["ours_per_s"]:.1f} '
        'subgraphs/s',
        'speedup (ours, 1 worker / per-sample): '
        f'{result["speedup_1_worker"]:.2f}',
        f'speedup (ours / per-sample): {result["speedup"]:.2f}',
    ]


def main() -> None:
    args = parse_args()
    mnph = (None if args.max_nodes_per_hop.lower() == 'none' else int(
        args.max_nodes_per_hop))
    result = subgraph_benchmark(args.data_root, args.data_format, args.split,
                                args.hop, mnph, args.num_pairs or None,
                                args.num_workers, args.repeats, args.seed)
    print('\n'.join(
        format_report(result, args.data_root, args.data_format, args.split,
                      args.hop, mnph, args.num_workers)))


if __name__ == '__main__':
    main()
