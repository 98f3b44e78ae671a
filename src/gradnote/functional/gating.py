"""Activations with a gate, a threshold or a random slope, as torch.nn.functional's:

    glu(x, dim)              a * sigmoid(b), a and b the two halves of x along dim (gated linear unit)
    threshold(x, t, value)   x where x > t, else value
    rrelu(x, lower, upper)   x for x >= 0, a x below, a ~ U(lower, upper) per element while training and
                             (lower + upper) / 2 in evaluation (randomised leaky ReLU)
    gumbel_softmax(logits)   softmax((logits + g) / tau), g ~ Gumbel(0, 1); hard=True returns the one-hot
                             of its argmax whose gradient is the soft sample's (straight-through)

Built from differentiable tensor ops; the random draws come from gradnote's generator (gn.manual_seed).
"""

from __future__ import annotations

import numbers

from .. import backend
from ..autograd import Tensor, where
from ..backend import xp
from ..random import get_rng
from ._util import check_axis, float_tensor
from .activations import sigmoid, softmax

__all__ = ["glu", "gumbel_softmax", "rrelu", "threshold"]


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """x: (..., 2n, ...) -> (..., n, ...): first half times the sigmoid of the second half along dim.

    >>> F.glu(gn.tensor([2.0, 0.0])).item()
    1.0
    """
    x = float_tensor(input, "glu")
    if x.ndim == 0:
        raise ValueError("glu: a 0-d tensor has no dimension to halve")
    d = check_axis(dim, x.ndim, "glu")
    if x.shape[d] % 2:
        raise ValueError(f"glu: dimension {dim} of input {x.shape} has odd size {x.shape[d]}; it must split in halves")
    a, b = x.chunk(2, dim=d)
    return a * sigmoid(b)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value (gradient 1 and 0).

    >>> F.threshold(gn.tensor([-1.0, 0.5, 2.0]), 1.0, 9.0).tolist()
    [9.0, 9.0, 2.0]
    """
    x = float_tensor(input, "threshold")
    return where(x.data > threshold, x, x.data.dtype.type(value))


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False, *, generator=None) -> Tensor:
    """x for x >= 0, a x below; a ~ U(lower, upper) per element when training, else (lower + upper) / 2.

    >>> F.rrelu(gn.tensor([-2.0, 1.0]), 0.25, 0.75).tolist()
    [-1.0, 1.0]
    """
    x = float_tensor(input, "rrelu")
    for name, v in (("lower", lower), ("upper", upper)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ValueError(f"rrelu: {name} must be a number, got {v!r}")
    if lower > upper:
        raise ValueError(f"rrelu: lower ({lower}) must not exceed upper ({upper})")
    if training:
        slope = backend.like(get_rng(generator).uniform(lower, upper, x.shape).astype(x.data.dtype), x.data)
    else:
        slope = x.data.dtype.type((lower + upper) / 2)
    return where(x.data >= 0, x, x * slope)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1, *,
                   generator=None) -> Tensor:
    """A differentiable sample from Categorical(logits) along dim: soft (rows sum to 1) or hard (one-hot).

    >>> F.gumbel_softmax(gn.randn(3, 5), hard=True).sum(dim=-1).tolist()
    [1.0, 1.0, 1.0]
    """
    z = float_tensor(logits, "gumbel_softmax")
    if isinstance(tau, bool) or not isinstance(tau, numbers.Real) or tau <= 0:
        raise ValueError(f"gumbel_softmax: tau must be a positive number, got {tau!r}")
    d = check_axis(dim, max(z.ndim, 1), "gumbel_softmax")
    gumbels = -xp.log(get_rng(generator).exponential(1.0, z.shape)).astype(z.data.dtype)
    y = softmax((z + backend.like(gumbels, z.data)) / tau, d)
    if not hard:
        return y
    index = y.data.argmax(axis=d)
    one_hot = (backend.module_of(index).arange(y.shape[d]).reshape((-1,) + (1,) * (y.ndim - 1 - d)) == xp.expand_dims(index, d))
    return y - y.data + one_hot.astype(y.data.dtype)  # forward: the one-hot; backward: the soft sample's gradient
