"""Vector norms along one axis and what is built from them: normalize, cosine_similarity, pairwise_distance.

    ||x||_p = (sum_i |x_i|^p)^(1/p),   d||x||_p / dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)

The derivative is 0/0 at the zero vector; as PyTorch, the gradient there is taken as 0, so a
zero row (an all-padding embedding) does not turn a whole batch's gradient into NaN.
"""

from __future__ import annotations

import math

from ..autograd import Tensor
from ..backend import xp
from ._util import check_axis, float_tensor

__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]


def _norm(x: Tensor, p: float, dim: int, keepdim: bool, op: str) -> Tensor:
    if not (p == math.inf or p > 0):
        raise ValueError(f"{op}: p must be positive (or inf), got {p}")
    check_axis(dim, max(x.ndim, 1), op)
    return x.norm(float(p), dim=dim, keepdim=keepdim)  # the one p-norm op, with its backward, in autograd


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along dim, so each slice has unit p-norm (zero slices stay zero). Shape preserved.

    >>> normalize(gn.tensor([[3.0, 4.0]], dtype=gn.float64)).tolist()
    [[0.6, 0.8]]
    """
    x = float_tensor(input, "normalize")
    return x / _norm(x, p, dim, True, "normalize").clip(lo=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along dim (inputs broadcast); dim is removed.

    x1, x2: broadcastable, e.g. (N, D) and (N, D) -> (N,).

    >>> round(cosine_similarity(gn.tensor([[1.0, 0.0]]), gn.tensor([[1.0, 1.0]])).item(), 4)   # cos 45 degrees
    0.7071
    """
    a, b = float_tensor(x1, "cosine_similarity"), float_tensor(x2, "cosine_similarity")
    try:
        shape = xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: x1 of shape {a.shape} and x2 of shape {b.shape} do not "
                         f"broadcast") from None
    axis = check_axis(dim, max(len(shape), 1), "cosine_similarity")
    a = a if a.shape == shape else a * xp.ones_like(a.data, shape=shape)
    b = b if b.shape == shape else b * xp.ones_like(b.data, shape=shape)
    # each input divided by its own (clamped) norm first: x / ||x|| stays in [-1, 1] whatever the scale
    na = _norm(a, 2, axis, True, "cosine_similarity").clip(lo=eps)
    nb = _norm(b, 2, axis, True, "cosine_similarity").clip(lo=eps)
    return ((a / na) * (b / nb)).sum(axis=axis)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last axis (the eps keeps the gradient finite for equal rows).

    x1, x2: broadcastable (N, D) -> (N,) ((N, 1) with keepdim).

    >>> round(pairwise_distance(gn.tensor([[3.0, 0.0]]), gn.tensor([[0.0, 4.0]])).item(), 4)
    5.0
    """
    a, b = float_tensor(x1, "pairwise_distance"), float_tensor(x2, "pairwise_distance")
    d = a - b + eps
    return _norm(d, p, -1, keepdim, "pairwise_distance")
