"""Bilinear map and channel shuffle.

    bilinear:         y_o = x1^T W_o x2 + b_o       x1 (..., in1), x2 (..., in2), W (out, in1, in2) -> (..., out)
    channel_shuffle:  (N, g * k, *) -> (N, k * g, *), channel i * k + j moved to j * g + i (ShuffleNet)
"""

from __future__ import annotations

import numbers

from ..autograd import Tensor, einsum
from ._util import float_tensor

__all__ = ["bilinear", "channel_shuffle"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x1 (..., in1), x2 (..., in2), weight (out, in1, in2), bias (out,) -> (..., out).

    >>> F.bilinear(gn.ones(2, 3), gn.ones(2, 4), gn.ones(5, 3, 4)).shape
    (2, 5)
    """
    x1, x2, w = (float_tensor(t, "bilinear") for t in (input1, input2, weight))
    if w.ndim != 3 or x1.shape[-1:] != w.shape[1:2] or x2.shape[-1:] != w.shape[2:] or x1.shape[:-1] != x2.shape[:-1]:
        raise ValueError(f"bilinear: expected input1 (..., in1), input2 (..., in2) with the same leading shape and "
                         f"weight (out, in1, in2), got {x1.shape}, {x2.shape} and {w.shape}")
    lead = x1.shape[:-1]
    y = einsum("ni,oij,nj->no", x1.reshape(-1, w.shape[1]), w, x2.reshape(-1, w.shape[2])).reshape(*lead, w.shape[0])
    return y if bias is None else y + bias


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> (N, C, *) with the channels of `groups` groups interleaved.

    >>> F.channel_shuffle(gn.arange(4.0).reshape(1, 4, 1), 2).reshape(-1).tolist()
    [0.0, 2.0, 1.0, 3.0]
    """
    x = input
    if not isinstance(groups, numbers.Integral) or groups < 1 or x.ndim < 2 or x.shape[1] % groups:
        raise ValueError(f"channel_shuffle: the channels of input {tuple(x.shape)} must split into groups={groups!r} "
                         "equal groups")
    n, c = x.shape[:2]
    rest = tuple(x.shape[2:])
    return x.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)
