"""The edges of a relational graph as sparse matrices, for R-GCN layers
that average neighbours per (target, relation)."""
import warnings
from typing import Optional

import torch
from torch import Tensor


class RelationalAdjacency:
    """Edges ``j -> i`` of relation ``r`` as the (N * R, N) CSR matrix

        A[i * R + r, j] = 1 / |N_r(i)|

    so that ``(A @ x).view(N, R, C)[i, r]`` is the mean of the features of
    node i's neighbours of relation r (zero when it has none): the
    aggregation of an R-GCN layer for all relations in one sparse matmul.

    On CPU a CSR matmul is several times faster than scattering per-edge
    messages (``index_add_``) and does not materialise an (E, C) message
    tensor; its backward is a matmul with the transpose, (N, N * R) CSR,
    built on first use (so evaluation does not pay for it). Building
    sorts the edges once (by row, then by column for the transpose): build
    one adjacency per graph and pass it to every layer (IGMC's 4 layers
    share one), rather than edges to each layer.

    Args:
        edge_index: (2, E) long, source -> target.
        edge_type: (E,) long, relation of each edge, in [0, num_relations).
        num_nodes: N.
        num_relations: R.
        dtype: dtype of the matrix, that of the node features.
        normalization: ``'relation'``, entries ``1 / |N_r(i)|`` as above;
            ``'node'``, entries ``1 / |N(i)|`` (the in-degree over all
            relations: torch_geometric 1.4's R-GCN, see ``RGCNConv``).
    """

    def __init__(self,
                 edge_index: Tensor,
                 edge_type: Tensor,
                 num_nodes: int,
                 num_relations: int,
                 dtype: torch.dtype = torch.float32,
                 normalization: str = 'relation'):
        if normalization not in ('relation', 'node'):
            raise ValueError("normalization must be 'relation' or 'node', "
                             f'got {normalization!r}')
        self.normalization = normalization
        self.num_nodes = num_nodes
        self.num_relations = num_relations
        self.dtype = dtype
        check_edge_type(edge_type, num_relations)
        source, target = edge_index
        num_rows = num_nodes * num_relations
        row = target * num_relations + edge_type  # (E,)
        row_size = torch.bincount(row, minlength=num_rows)  # (N * R,)
        if normalization == 'relation':  # 1 / |N_r(i)| of each edge
            value = row_size.clamp(min=1).to(dtype).reciprocal(
            ).index_select(0, row)  # (E,)
        else:  # 1 / |N(i)| of each edge
            value = torch.bincount(target, minlength=num_nodes).clamp(
                min=1).to(dtype).reciprocal().index_select(0, target)
        order = torch.argsort(_sort_keys(row, num_rows))
        self.matrix = _csr_matrix(
            _row_pointers(row_size), source.index_select(0, order),
            value.index_select(0, order), (num_rows, num_nodes))
        # kept for the transpose
        self._source, self._row, self._value = source, row, value
        self._transposed: Optional[Tensor] = None

    @property
    def transposed(self) -> Tensor:
        """(N, N * R) CSR: the transpose of :attr:`matrix`."""
        if self._transposed is None:
            source, row, value = self._source, self._row, self._value
            order = torch.argsort(_sort_keys(source, self.num_nodes))
            self._transposed = _csr_matrix(
                _row_pointers(
                    torch.bincount(source, minlength=self.num_nodes)),
                row.index_select(0, order), value.index_select(0, order),
                (self.num_nodes, self.num_nodes * self.num_relations))
        return self._transposed

    def mean(self, x: Tensor) -> Tensor:
        """(N, C) node features -> (N, R, C) mean over the neighbours of
        each node per relation; differentiable w.r.t. ``x``."""
        if x.dtype != self.dtype:
            raise TypeError(
                f'the adjacency was built for {self.dtype} features, got '
                f'{x.dtype}; pass dtype= when building it')
        means = _SparseMatmul.apply(x, self)  # (N * R, C)
        return means.view(self.num_nodes, self.num_relations, x.size(1))


def _csr_matrix(row_pointers: Tensor, columns: Tensor, values: Tensor,
                size: tuple) -> Tensor:
    with warnings.catch_warnings():
        # torch warns once that CSR support is "beta"; matmul is all we use
        warnings.filterwarnings('ignore', message='Sparse CSR tensor support')
        # built sorted from valid indices: the invariants hold
        return torch.sparse_csr_tensor(
            row_pointers, columns, values, size, check_invariants=False)


def _sort_keys(values: Tensor, bound: int) -> Tensor:
    """``values`` (all below ``bound``) as int32 when they fit: int32 keys
    sort about twice as fast as int64 on CPU."""
    return values.to(torch.int32) if bound < 2**31 else values


def _row_pointers(row_size: Tensor) -> Tensor:
    """CSR row pointers from the entries per row: (rows + 1,)."""
    pointers = row_size.new_zeros(row_size.numel() + 1)
    torch.cumsum(row_size, dim=0, out=pointers[1:])
    return pointers


class _SparseMatmul(torch.autograd.Function):
    """``A @ x`` with the gradient ``A^T @ grad`` through the prebuilt
    transpose (autograd's own backward of a CSR matmul transposes A on
    every call)."""

    @staticmethod
    def forward(ctx, x: Tensor, adjacency: RelationalAdjacency) -> Tensor:
        ctx.adjacency = adjacency
        return adjacency.matrix @ x.contiguous()

    @staticmethod
    def backward(ctx, grad: Tensor):
        return ctx.adjacency.transposed @ grad.contiguous(), None


def check_edge_type(edge_type: Tensor, num_relations: int) -> None:
    """Raise unless every edge type is in [0, num_relations).

    An out-of-range type would silently add into another node's row of the
    (N * R, C) table instead of failing.
    """
    if edge_type.numel() == 0:
        return
    low, high = torch.aminmax(edge_type)
    if int(low) < 0 or int(high) >= num_relations:
        raise ValueError(
            f'edge_type values must be in [0, {num_relations}) for an R-GCN '
            f'layer with num_relations={num_relations}, got {int(low)}..'
            f'{int(high)}; set num_relations to the number of rating values '
            'of the dataset')
