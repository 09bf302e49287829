"""IGMC enclosing subgraphs (Zhang & Chen, ICLR 2020), extracted for whole
chunks of (user, item) pairs with array operations.

The semantics are those of ``subgraph_extraction_labeling`` in
muhanzhang/IGMC ``util_functions.py``, for every pair ``(u, i)``:

* breadth-first search from both ends, ``h`` = 1..hop: the next item
  fringe is the items rated by the current user fringe, the next user
  fringe the users who rated the current item fringe, minus the nodes
  visited before (the target pair included); a node is visited as soon as
  it is reached, before any sampling;
* ``max_nodes_per_hop``: a fringe larger than that keeps a uniform random
  subset of that size (IGMC: ``random.sample``), and only the kept nodes
  are expanded at the next hop;
* node labels: 0 target user, 1 target item, ``2h`` / ``2h + 1`` users /
  items first reached at hop ``h``; the features are their one-hot codes,
  ``(n, 2 * hop + 2)``;
* edges: every training rating between a user and an item of the subgraph
  (``A[u_nodes][:, v_nodes]``), in both directions, typed by the index of
  its rating in the sorted rating values, without the target edge
  ``(u, i)`` (``subgraph[0, 0] = 0``).

Deviations, none of which changes what a GNN sees:

* nodes are ordered by label, then by id: node 0 is the target user,
  node 1 the target item, then the users and items of hop 1, of hop 2, ...
  (IGMC lists all users, then all items, in set order);
* the random subset is drawn from a hash of (seed, user, item, hop, side,
  node) -- keep the ``max_nodes_per_hop`` nodes with the smallest
  :func:`sampling_keys` -- instead of ``random.sample`` with one global
  stream, so a pair's subgraph does not depend on which pairs were
  extracted before it, on the chunking or on the number of workers, and a
  per-pair implementation can reproduce it exactly;
* IGMC's ``sample_ratio`` (default 1.0, unused in the paper) is not
  implemented.

How it is vectorized: the training graph is held twice, CSR (user ->
items) and CSC (item -> users). For a chunk of ``P`` pairs, the neighbours
of all fringe nodes are gathered at once as concatenated CSR ranges
(``np.repeat`` + ``np.arange``); "visited" and "node -> local index" are
flat ``(P * num_nodes,)`` arrays indexed by ``pair * num_nodes + node``, so
testing membership is one gather. The edges of all subgraphs are the CSR
rows of all subgraph users, filtered by that lookup. No Python loop runs
per pair.
"""
import hashlib
import io
import json
import logging
import multiprocessing
import os
import os.path as osp
import sys
import zipfile
from dataclasses import dataclass, fields
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.utils import ProgressBar, track_parallel_progress
from torch_geometric.data import Data

from vlframe.utils.checkpoint import atomic_write

__all__ = [
    'EXTRACTION_VERSION', 'RatingGraph', 'EnclosingSubgraphs',
    'sampling_keys', 'extract_subgraphs_chunk', 'extract_subgraphs',
    'default_chunk_size', 'SubgraphCache', 'file_fingerprints'
]

# bump when the extraction's output for the same arguments changes, so old
# caches are rebuilt
EXTRACTION_VERSION = 1


@dataclass(frozen=True)
class RatingGraph:
    """The bipartite graph of the training ratings, stored both ways.

    CSR: the items of user ``u`` are ``user_items[user_ptr[u]:user_ptr[u +
    1]]`` (ascending) with edge types ``user_edge_types[...]``; CSC: the
    users of item ``i`` likewise from ``item_ptr`` / ``item_users`` /
    ``item_edge_types``. Edge type = index of the rating in the sorted
    rating values.
    """
    num_users: int
    num_items: int
    user_ptr: np.ndarray  # (num_users + 1,) int64
    user_items: np.ndarray  # (E,) int64
    user_edge_types: np.ndarray  # (E,) int64
    item_ptr: np.ndarray  # (num_items + 1,) int64
    item_users: np.ndarray  # (E,) int64
    item_edge_types: np.ndarray  # (E,) int64

    @classmethod
    def from_ratings(cls, num_users: int, num_items: int, users: np.ndarray,
                     items: np.ndarray,
                     edge_types: np.ndarray) -> 'RatingGraph':
        """Build both layouts from ``(E,)`` arrays of rating edges."""
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        edge_types = np.asarray(edge_types, dtype=np.int64)
        by_user = np.lexsort((items, users))
        by_item = np.lexsort((users, items))
        if len(edge_types) and edge_types.max() > np.iinfo(np.int16).max:
            raise ValueError('at most 32768 distinct rating values (edge '
                             'types are stored as int16)')
        keys = users[by_user] * num_items + items[by_user]
        if len(keys) > 1 and np.any(keys[1:] == keys[:-1]):
            k = int(np.flatnonzero(keys[1:] == keys[:-1])[0])
            raise ValueError(
                f'user {int(users[by_user][k])} rated item '
                f'{int(items[by_user][k])} twice; a rating graph has one '
                'edge per pair')
        return cls(
            num_users=int(num_users),
            num_items=int(num_items),
            user_ptr=_pointers(users, num_users),
            user_items=items[by_user],
            user_edge_types=edge_types[by_user],
            item_ptr=_pointers(items, num_items),
            item_users=users[by_item],
            item_edge_types=edge_types[by_item])


def _pointers(owners: np.ndarray, num_owners: int) -> np.ndarray:
    """CSR row pointers of edges grouped by ``owners``: (num_owners + 1,)."""
    counts = np.bincount(owners, minlength=num_owners)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


@dataclass
class EnclosingSubgraphs:
    """Many enclosing subgraphs in concatenated arrays.

    Subgraph ``k`` (of the pair ``users[k]``, ``items[k]``) has the nodes
    ``node_ptr[k]:node_ptr[k + 1]`` and the edges
    ``edge_ptr[k]:edge_ptr[k + 1]`` of the arrays below. Nodes are in
    subgraph order (label, then id); ``node_id`` is the user index for an
    even label, the item index for an odd one. Each edge is stored once, as
    (local index of its user, local index of its item, type); :meth:`graph`
    adds the reverse direction.
    """
    hop: int
    users: np.ndarray  # (P,) int64
    items: np.ndarray  # (P,) int64
    node_ptr: np.ndarray  # (P + 1,) int64
    node_label: np.ndarray  # (N,) int8
    node_id: np.ndarray  # (N,) int32
    edge_ptr: np.ndarray  # (P + 1,) int64
    edge_user: np.ndarray  # (E,) int32, local node index
    edge_item: np.ndarray  # (E,) int32, local node index
    edge_type: np.ndarray  # (E,) int16

    def __len__(self) -> int:
        return len(self.users)

    @property
    def num_labels(self) -> int:
        """Width of the one-hot node features, ``2 * hop + 2``."""
        return 2 * self.hop + 2

    def graph(self, k: int) -> Data:
        """Subgraph ``k`` as a ``torch_geometric`` ``Data``: ``x`` (n, 2 *
        hop + 2) one-hot labels, ``node_label`` (n,), ``edge_index`` (2, 2E)
        (user -> item edges, then item -> user, as IGMC's
        ``construct_pyg_graph``), ``edge_type`` (2E,), ``num_nodes``."""
        n0, n1 = int(self.node_ptr[k]), int(self.node_ptr[k + 1])
        e0, e1 = int(self.edge_ptr[k]), int(self.edge_ptr[k + 1])
        node_label = torch.from_numpy(self.node_label[n0:n1].astype(np.int64))
        user = torch.from_numpy(self.edge_user[e0:e1].astype(np.int64))
        item = torch.from_numpy(self.edge_item[e0:e1].astype(np.int64))
        edge_type = torch.from_numpy(self.edge_type[e0:e1].astype(np.int64))
        edge_index = torch.stack(
            [torch.cat([user, item]),
             torch.cat([item, user])])  # (2, 2E)
        return Data(
            x=F.one_hot(node_label, self.num_labels).float(),
            edge_index=edge_index,
            edge_type=torch.cat([edge_type, edge_type]),
            node_label=node_label,
            num_nodes=n1 - n0)

    @classmethod
    def concatenate(cls, parts: Sequence['EnclosingSubgraphs']
                    ) -> 'EnclosingSubgraphs':
        """Join chunks in order (local node indices need no offset)."""
        if not parts:
            raise ValueError('nothing to concatenate')

        def pointers(name):
            ptrs, offset = [np.zeros(1, np.int64)], 0
            for part in parts:
                ptrs.append(getattr(part, name)[1:] + offset)
                offset += int(getattr(part, name)[-1])
            return np.concatenate(ptrs)

        joined = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in fields(cls) if f.name not in ('hop', 'node_ptr',
                                                   'edge_ptr')
        }
        return cls(
            hop=parts[0].hop,
            node_ptr=pointers('node_ptr'),
            edge_ptr=pointers('edge_ptr'),
            **joined)

    def to_arrays(self) -> Dict[str, np.ndarray]:
        arrays = {f.name: getattr(self, f.name) for f in fields(self)}
        arrays['hop'] = np.asarray(self.hop, dtype=np.int64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> 'EnclosingSubgraphs':
        values = {f.name: arrays[f.name] for f in fields(cls)}
        values['hop'] = int(values['hop'])
        return cls(**values)


# -- sampling ---------------------------------------------------------------
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijective scramble of uint64 values."""
    x = (x ^ (x >> np.uint64(30))) * _MIX_1
    x = (x ^ (x >> np.uint64(27))) * _MIX_2
    return x ^ (x >> np.uint64(31))


def sampling_keys(seed: int, users, items, hop: int, side: int,
                  nodes) -> np.ndarray:
    """Pseudo-random uint64 keys of fringe nodes.

    ``max_nodes_per_hop`` keeps, of the nodes of one pair's fringe, the
    ones with the smallest ``(key, node)``: a uniform random subset that is
    a pure function of ``(seed, user, item, hop, side, node)`` (``side`` 0
    for users, 1 for items). ``users`` / ``items`` / ``nodes`` broadcast.
    """
    users, items, nodes = np.broadcast_arrays(
        np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64),
        np.asarray(nodes, dtype=np.int64))
    with np.errstate(over='ignore'):
        key = np.full(users.shape, seed, dtype=np.uint64)
        for value in (users.astype(np.uint64), items.astype(np.uint64),
                      np.uint64(2 * hop + side), nodes.astype(np.uint64)):
            key = _mix64((key ^ value) + _GOLDEN)
    return key


# -- the vectorized extraction ---------------------------------------------
def _concatenated_ranges(starts: np.ndarray,
                         lengths: np.ndarray) -> np.ndarray:
    """Positions ``[s0, s0 + n0) ++ [s1, s1 + n1) ++ ...``: (sum n,)."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    # the k-th range occupies ends[k] - n_k .. ends[k] - 1 of the output
    return np.arange(total) - np.repeat(ends - lengths - starts, lengths)


def _neighbour_positions(ptr: np.ndarray, nodes: np.ndarray
                         ) -> Tuple[np.ndarray, np.ndarray]:
    """For every neighbour of every node: which input node it belongs to
    and its position in the CSR/CSC index arrays, both (sum degree,)."""
    starts = ptr[nodes]
    lengths = ptr[nodes + 1] - starts
    which = np.repeat(np.arange(len(nodes)), lengths)
    return which, _concatenated_ranges(starts, lengths)


def _next_fringe(pairs: np.ndarray, fringe: np.ndarray, ptr: np.ndarray,
                 neighbours: np.ndarray, visited: np.ndarray,
                 num_nodes: int, deduplicate: bool
                 ) -> Tuple[np.ndarray, np.ndarray]:
    """The not yet visited neighbours of each pair's fringe, sorted by
    (pair, node); marks them visited. ``visited`` is the flat
    ``(P * num_nodes,)`` mask of the chunk."""
    which, positions = _neighbour_positions(ptr, fringe)
    keys = pairs[which] * num_nodes + neighbours[positions]
    keys = keys[~visited[keys]]
    if deduplicate:
        # fringes of several nodes share neighbours; a single fringe node
        # (hop 1) has distinct, sorted ones already
        keys = np.unique(keys)
    visited[keys] = True
    return keys // num_nodes, keys % num_nodes


def _sample_fringe(pairs: np.ndarray, nodes: np.ndarray, limit: int,
                   target_users: np.ndarray, target_items: np.ndarray,
                   hop: int, side: int,
                   seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Keep at most ``limit`` nodes per pair: those with the smallest
    :func:`sampling_keys`. Input and output sorted by (pair, node)."""
    counts = np.bincount(pairs, minlength=len(target_users))
    crowded = np.flatnonzero(counts[pairs] > limit)
    if len(crowded) == 0:
        return pairs, nodes
    crowded_pairs = pairs[crowded]
    keys = sampling_keys(seed, target_users[crowded_pairs],
                         target_items[crowded_pairs], hop, side,
                         nodes[crowded])
    # by pair, then key (then node, should two keys ever tie)
    order = crowded[np.lexsort((nodes[crowded], keys, crowded_pairs))]
    _, group_starts, group_sizes = np.unique(
        pairs[order], return_index=True, return_counts=True)
    rank = np.arange(len(order)) - np.repeat(group_starts, group_sizes)
    keep = np.ones(len(pairs), dtype=bool)
    keep[order[rank >= limit]] = False
    return pairs[keep], nodes[keep]


def extract_subgraphs_chunk(graph: RatingGraph,
                            users: np.ndarray,
                            items: np.ndarray,
                            hop: int = 1,
                            max_nodes_per_hop: Optional[int] = None,
                            seed: int = 1) -> EnclosingSubgraphs:
    """The enclosing subgraphs of the pairs ``(users[k], items[k])``, all at
    once. Memory: flat marks of ``P * num_users`` and ``P * num_items``
    entries; :func:`default_chunk_size` picks ``P``."""
    if hop < 1:
        raise ValueError(f'hop must be >= 1, got {hop}')
    users = np.asarray(users, dtype=np.int64)  # (P,)
    items = np.asarray(items, dtype=np.int64)  # (P,)
    num_pairs = len(users)
    pairs = np.arange(num_pairs)
    # visited[p * num_nodes + node]: (P * U,) and (P * I,)
    user_visited = np.zeros(num_pairs * graph.num_users, dtype=bool)
    item_visited = np.zeros(num_pairs * graph.num_items, dtype=bool)
    user_visited[pairs * graph.num_users + users] = True
    item_visited[pairs * graph.num_items + items] = True

    # (pair, node id, label) of every group of nodes
    groups = [(pairs, users, 0), (pairs, items, 1)]
    user_fringe, item_fringe = (pairs, users), (pairs, items)
    for dist in range(1, hop + 1):
        # items rated by the user fringe, users who rated the item fringe
        next_items = _next_fringe(user_fringe[0], user_fringe[1],
                                  graph.user_ptr, graph.user_items,
                                  item_visited, graph.num_items, dist > 1)
        next_users = _next_fringe(item_fringe[0], item_fringe[1],
                                  graph.item_ptr, graph.item_users,
                                  user_visited, graph.num_users, dist > 1)
        if max_nodes_per_hop is not None:
            next_users = _sample_fringe(*next_users, max_nodes_per_hop, users,
                                        items, dist, 0, seed)
            next_items = _sample_fringe(*next_items, max_nodes_per_hop, users,
                                        items, dist, 1, seed)
        groups += [(*next_users, 2 * dist), (*next_items, 2 * dist + 1)]
        user_fringe, item_fringe = next_users, next_items
        if len(next_users[0]) == 0 and len(next_items[0]) == 0:
            break

    node_pair = np.concatenate([g[0] for g in groups])  # (N,)
    node_id = np.concatenate([g[1] for g in groups])  # (N,)
    node_label = np.concatenate(
        [np.full(len(g[0]), g[2], dtype=np.int64) for g in groups])
    # subgraph order: by pair, then label; stable, so ids stay ascending
    order = np.argsort(node_pair * (2 * hop + 2) + node_label, kind='stable')
    node_pair, node_id, node_label = (node_pair[order], node_id[order],
                                      node_label[order])
    node_ptr = _pointers(node_pair, num_pairs)
    local = np.arange(len(node_pair)) - node_ptr[node_pair]

    # item -> local index in its pair's subgraph, -1 outside; (P * I,)
    is_user = node_label % 2 == 0
    item_local = np.full(num_pairs * graph.num_items, -1, dtype=np.int32)
    item_local[node_pair[~is_user] * graph.num_items +
               node_id[~is_user]] = local[~is_user]
    # every rating of every subgraph user, kept when its item is in the
    # same subgraph. This is the hot loop (sum of the users' degrees), so
    # per candidate only: position, item lookup, test; the owner of a kept
    # candidate is found afterwards.
    subgraph_users, user_pair = node_id[is_user], node_pair[is_user]
    starts = graph.user_ptr[subgraph_users]
    lengths = graph.user_ptr[subgraph_users + 1] - starts
    positions = _concatenated_ranges(starts, lengths)  # (C,) candidates
    candidate_item = item_local[  # (C,) local index or -1
        np.repeat(user_pair * graph.num_items, lengths) +
        graph.user_items[positions]]
    kept = np.flatnonzero(candidate_item >= 0)  # (E,)
    # the subgraph user each kept candidate belongs to, (E,)
    which = np.searchsorted(np.cumsum(lengths), kept, side='right')
    edge_user, edge_item = local[is_user][which], candidate_item[kept]
    # the target user is local node 0, the target item local node 1
    not_target = ~((edge_user == 0) & (edge_item == 1))
    kept, which = kept[not_target], which[not_target]
    return EnclosingSubgraphs(
        hop=hop,
        users=users,
        items=items,
        node_ptr=node_ptr,
        node_label=node_label.astype(np.int8),
        node_id=node_id.astype(np.int32),
        edge_ptr=_pointers(user_pair[which], num_pairs),
        edge_user=edge_user[not_target].astype(np.int32),
        edge_item=edge_item[not_target].astype(np.int32),
        edge_type=graph.user_edge_types[positions[kept]].astype(np.int16))


# -- chunks, workers, progress ---------------------------------------------
_WORKER_ARGS: dict = {}


def _init_worker(graph: RatingGraph, hop: int,
                 max_nodes_per_hop: Optional[int], seed: int) -> None:
    # the graph is sent once per worker, not once per chunk
    _WORKER_ARGS.update(
        graph=graph, hop=hop, max_nodes_per_hop=max_nodes_per_hop, seed=seed)


def _extract_task(task: Tuple[np.ndarray, np.ndarray]) -> EnclosingSubgraphs:
    return extract_subgraphs_chunk(_WORKER_ARGS['graph'], task[0], task[1],
                                   _WORKER_ARGS['hop'],
                                   _WORKER_ARGS['max_nodes_per_hop'],
                                   _WORKER_ARGS['seed'])


def default_chunk_size(graph: RatingGraph) -> int:
    """Pairs per chunk, so that a chunk's flat marks (``P * num_nodes``
    entries) stay around half a million and fit in the CPU cache: 174 on
    the 3000 x 3000 Monti matrices, 86 on MovieLens-1M. Measured on Douban
    (hop 1): chunks of 1024 ran at about half the speed of 64..256."""
    return int(np.clip((1 << 19) // max(graph.num_users, graph.num_items),
                       16, 1024))


def extract_subgraphs(graph: RatingGraph,
                      users: np.ndarray,
                      items: np.ndarray,
                      hop: int = 1,
                      max_nodes_per_hop: Optional[int] = None,
                      seed: int = 1,
                      num_workers: int = 1,
                      chunk_size: Optional[int] = None,
                      progress: bool = True) -> EnclosingSubgraphs:
    """The enclosing subgraphs of all pairs, chunk by chunk.

    Args:
        graph: the training ratings.
        users, items: (P,) the target pairs.
        hop: search depth (IGMC uses 1).
        max_nodes_per_hop: None keeps every node.
        seed: of the subsets ``max_nodes_per_hop`` keeps.
        num_workers: processes; chunks are spread over a
            ``multiprocessing`` pool when > 1. The result does not depend
            on it nor on ``chunk_size``.
        progress: show mmengine's progress bar (one step per chunk).
    """
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    if len(users) != len(items):
        raise ValueError(f'{len(users)} users but {len(items)} items')
    if max_nodes_per_hop is not None and max_nodes_per_hop < 1:
        raise ValueError(
            f'max_nodes_per_hop must be None or >= 1, got {max_nodes_per_hop}')
    for name, ids, count in (('user', users, graph.num_users),
                             ('item', items, graph.num_items)):
        if len(ids) and (ids.min() < 0 or ids.max() >= count):
            raise ValueError(f'{name} indices must be in 0..{count - 1}')
    chunk_size = chunk_size or default_chunk_size(graph)
    tasks = [(users[s:s + chunk_size], items[s:s + chunk_size])
             for s in range(0, len(users), chunk_size)]
    if not tasks:
        return extract_subgraphs_chunk(graph, users, items, hop,
                                       max_nodes_per_hop, seed)
    # a daemon process (e.g. a DataLoader worker) may not start a pool
    if num_workers > 1 and len(tasks) > 1 and \
            not multiprocessing.current_process().daemon:
        if progress:
            parts = track_parallel_progress(
                _extract_task,
                tasks,
                min(num_workers, len(tasks)),
                initializer=_init_worker,
                initargs=(graph, hop, max_nodes_per_hop, seed),
                file=sys.stdout)
        else:
            with multiprocessing.Pool(
                    min(num_workers, len(tasks)), _init_worker,
                    (graph, hop, max_nodes_per_hop, seed)) as pool:
                parts = pool.map(_extract_task, tasks)
    else:
        # sys.stdout now, not mmengine's default bound at its import time,
        # so that a redirected stdout gets the bar
        bar = ProgressBar(len(tasks), file=sys.stdout) if progress else None
        parts = []
        for task_users, task_items in tasks:
            parts.append(
                extract_subgraphs_chunk(graph, task_users, task_items, hop,
                                        max_nodes_per_hop, seed))
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.file.write('\n')
    return EnclosingSubgraphs.concatenate(parts)


# -- on-disk cache ------------------------------------------------------------
def file_fingerprints(paths: Sequence[str]) -> List[dict]:
    """Name, size and SHA-1 of each file: what identifies a dataset in a
    cache key. The content, not the path or mtime, so a copied or touched
    file keeps its cache and an edited one does not."""
    prints = []
    for path in paths:
        digest = hashlib.sha1()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
        prints.append(
            dict(
                name=osp.basename(path),
                size=osp.getsize(path),
                sha1=digest.hexdigest()))
    return prints


class SubgraphCache:
    """Extracted subgraphs on disk, one ``.npz`` per key.

    A key is a JSON-able dict (the dataset's file fingerprints and reader
    options, split, hop, max_nodes_per_hop, seed); the file is
    ``<cache_dir>/<split>_hop<h>_mnph<m|all>_<sha1 of the key>.npz`` with
    the key beside it as ``.json``. The ``.npz`` holds the arrays of
    :class:`EnclosingSubgraphs`, any extra arrays of the caller, and the key
    itself; it is written atomically and read with numpy's default
    ``allow_pickle=False``, so loading runs no code. A file that is
    unreadable or holds another key is rebuilt.
    """

    def __init__(self, cache_dir: str):
        self.cache_dir = cache_dir

    def path(self, key: dict) -> str:
        text = json.dumps(key, sort_keys=True)
        digest = hashlib.sha1(text.encode()).hexdigest()[:12]
        mnph = key.get('max_nodes_per_hop')
        name = (f'{key.get("split", "pairs")}_hop{key.get("hop")}_mnph'
                f'{"all" if mnph is None else mnph}_{digest}.npz')
        return osp.join(self.cache_dir, name)

    def load(self, key: dict
             ) -> Optional[Tuple[EnclosingSubgraphs, Dict[str, np.ndarray]]]:
        """``(subgraphs, extra arrays)``, or None when there is no valid
        file for ``key``."""
        path = self.path(key)
        if not osp.isfile(path):
            return None
        try:
            with np.load(path) as npz:
                arrays = {name: npz[name] for name in npz.files}
            if str(arrays.pop('cache_key')) != json.dumps(key,
                                                          sort_keys=True):
                raise ValueError('it holds another key')
            subgraphs = EnclosingSubgraphs.from_arrays(arrays)
        except (OSError, ValueError, KeyError, EOFError,
                zipfile.BadZipFile) as err:
            print_log(
                f'Subgraph cache {path} is unusable ({err}); rebuilding it',
                logger='current',
                level=logging.WARNING)
            return None
        extra = {
            name: value
            for name, value in arrays.items()
            if name not in {f.name for f in fields(EnclosingSubgraphs)}
        }
        return subgraphs, extra

    def save(self, key: dict, subgraphs: EnclosingSubgraphs,
             **extra: np.ndarray) -> str:
        """Write atomically (temporary file + rename): a killed run never
        leaves a truncated cache."""
        path = self.path(key)
        os.makedirs(self.cache_dir, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            cache_key=np.asarray(json.dumps(key, sort_keys=True)),
            **subgraphs.to_arrays(),
            **extra)
        # temp file + fsync + rename: a kill never leaves a partial cache
        atomic_write(path, buffer.getbuffer())
        with open(osp.splitext(path)[0] + '.json', 'w') as f:
            json.dump(key, f, indent=2, sort_keys=True)
        return path
