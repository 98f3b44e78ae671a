"""Group normalisation: the channels split into groups, each (sample, group) normalised on its own.

    x: (N, C, *)  ->  view (N, G, C/G * prod(*)), layer-normalise the last axis, then weight[c] x + bias[c]

G = 1 is LayerNorm over (C, *); G = C is InstanceNorm. Batch size does not matter (diffusion U-Nets train
with tiny batches), and training and evaluation behave the same.
"""

from __future__ import annotations

import numbers

from ..autograd import Tensor
from ._util import float_tensor
from .normalization import layer_norm

__all__ = ["group_norm"]


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) over each group of C/num_groups channels and the spatial axes (biased variance).

    weight, bias: (C,) or None.

    >>> F.group_norm(gn.randn(2, 6, 4, 4), 3).shape
    (2, 6, 4, 4)
    """
    x = float_tensor(input, "group_norm")
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected an input (N, C, *) with at least 2 dimensions, got shape {x.shape}")
    if not isinstance(num_groups, numbers.Integral) or num_groups <= 0 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: the {x.shape[1]} channels of input {x.shape} must split into num_groups "
                         f"equal groups, got num_groups={num_groups!r}")
    n, c = x.shape[:2]
    y = layer_norm(x.reshape(n, num_groups, -1), (x[0].numel() // num_groups,), eps=eps).reshape(*x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != (c,):
            raise ValueError(f"group_norm: {name} must have shape ({c},) for input {x.shape}, got {tuple(p.shape)}")
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
