from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS


def grid_coordinates(height: int, width: int,
                     device=None, dtype=None) -> torch.Tensor:
    """(height * width, 2) cell coordinates (row, col), each in [-1, 1].

    The RN paper tags every feature-map cell with its position. The public
    PyTorch reimplementation uses ((i / 5 - 2) / 2, (i % 5 - 2) / 2), whose
    first term is not the row under Python 3's float division; we use the
    evenly spaced grid the paper describes.
    """
    rows = torch.linspace(-1, 1, height, device=device, dtype=dtype)
    cols = torch.linspace(-1, 1, width, device=device, dtype=dtype)
    grid = torch.stack(torch.meshgrid(rows, cols, indexing='ij'), dim=-1)
    return grid.reshape(height * width, 2)


@MODELS.register_module()
class RelationNetworkFusion(BaseModule):
    """Relation Network: RN(O, q) = sum over all object pairs of g(o_i, o_j, q).

    Objects are the cells of the image encoder's feature map, each with its
    (row, col) coordinates appended; g is an MLP over the concatenation
    ``[o_i, o_j, q]`` of every ordered pair (i, j), i = j included, and the
    outputs are summed over pairs. The answer head plays the part of f.

    Speed: a straightforward implementation repeats the objects into
    (B, N, N, 2D + Q) and applies g's first layer to that. Because the first
    layer is linear, ``W [o_i, o_j, q] + b = W_i o_i + W_j o_j + W_q q + b``:
    we apply the three blocks of the same weight matrix to N objects and one
    question and broadcast-add them into the (B, N, N, H) pair tensor, which
    is exactly equal and skips the largest matmul and the concatenation.
    The parameters are those of an ordinary ``nn.Linear`` on the
    concatenation, so checkpoints match the straightforward form.

    Args:
        in_channels: channels D0 of the image feature map.
        question_dim: size Q of the question encoding.
        hidden_dims: widths of g's layers (the paper: 4 x 256).
        with_coordinates: append (row, col) to every object.
        with_norm: batch norm after the linear map of every g layer, before
            its ReLU (the NLVR reimplementation's g is Dense-BN-ReLU); the
            statistics are over the batch and all pairs, one set per unit.
    """

    def __init__(self,
                 in_channels: int,
                 question_dim: int,
                 hidden_dims: Sequence[int] = (256, 256, 256, 256),
                 with_coordinates: bool = True,
                 with_norm: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if len(hidden_dims) < 1:
            raise ValueError('RelationNetworkFusion needs at least one g layer')
        self.object_dim = in_channels + (2 if with_coordinates else 0)
        self.question_dim = question_dim
        self.with_coordinates = with_coordinates
        dims = [2 * self.object_dim + question_dim, *hidden_dims]
        self.g_layers = nn.ModuleList(
            nn.Linear(d_in, d_out) for d_in, d_out in zip(dims, dims[1:]))
        self.with_norm = with_norm
        # empty without norm: the checkpoints of the plain form stay as
        # they were
        norm_widths = hidden_dims if with_norm else ()
        self.g_norms = nn.ModuleList(
            nn.BatchNorm1d(width) for width in norm_widths)
        self.out_channels = hidden_dims[-1]

    def objects(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, D0, h, w) feature map -> (B, N = h * w, D) objects."""
        batch, _, height, width = feats.shape
        objects = feats.flatten(2).transpose(1, 2)  # (B, N, D0)
        if self.with_coordinates:
            coords = grid_coordinates(height, width, feats.device,
                                      objects.dtype)  # (N, 2)
            objects = torch.cat(
                [objects, coords.expand(batch, -1, -1)], dim=-1)  # (B, N, D)
        return objects

    def _norm(self, index: int, pairs: torch.Tensor) -> torch.Tensor:
        """Batch norm of g layer ``index`` over (B, N, N, H) pairs."""
        if not self.with_norm:
            return pairs
        shape = pairs.shape
        normed = self.g_norms[index](pairs.reshape(-1, shape[-1]))  # (M, H)
        return normed.reshape(shape)

    def forward(self, feats: torch.Tensor,
                question: torch.Tensor) -> torch.Tensor:
        """(B, D0, h, w) features and (B, Q) questions -> (B, H) relations."""
        if question.shape[-1] != self.question_dim:
            raise ValueError(
                f'RelationNetworkFusion was built for question_dim='
                f'{self.question_dim} but got questions of size '
                f'{question.shape[-1]}; set model.fusion.question_dim to '
                'the dataset\'s encoding size')
        objects = self.objects(feats)  # (B, N, D)
        first = self.g_layers[0]
        d = self.object_dim
        w_i, w_j, w_q = first.weight.split([d, d, self.question_dim], dim=1)
        # W [o_i, o_j, q] + b, term by term
        left = F.linear(objects, w_i, first.bias)  # (B, N, H)
        right = F.linear(objects, w_j)  # (B, N, H)
        quest = F.linear(question.to(objects.dtype), w_q)  # (B, H)
        pairs = (left.unsqueeze(2) + right.unsqueeze(1) +
                 quest[:, None, None, :])  # (B, N, N, H): pair (i, j)
        pairs = F.relu(self._norm(0, pairs))
        for index, layer in enumerate(self.g_layers[1:], start=1):
            pairs = F.relu(self._norm(index, layer(pairs)))  # (B, N, N, H)
        # sum in (at least) float32: 625 bf16 addends would lose most of
        # their digits
        sum_dtype = torch.promote_types(pairs.dtype, torch.float32)
        return pairs.sum(dim=(1, 2), dtype=sum_dtype)  # (B, H)
