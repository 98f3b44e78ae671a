"""Dropout: randomly silence units during training so the network cannot rely on any one of them.

Inverted dropout (as PyTorch): kept values are scaled by 1 / (1 - p) while training, so the
expected activation is unchanged and evaluation needs no rescaling (dropout is then the identity).
"""

from __future__ import annotations

import numbers
import warnings

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ..random import get_rng
from ._util import float_tensor

__all__ = ["dropout"]


class Dropout(Function):
    def forward(self, x, p, generator):
        keep = get_rng(generator).random(x.shape, dtype=x.dtype if x.dtype == xp.float32 else xp.float64) >= p
        keep = backend.like(keep, x)  # drawn on the host: one seed, one mask on every device
        self.scale = keep * x.dtype.type(1.0 / (1.0 - p)) if p < 1 else xp.zeros_like(x)
        return x * self.scale

    def backward(self, g):
        return g * self.scale


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator=None) -> Tensor:
    """Zero each element with probability p and scale the survivors by 1 / (1 - p) (training only).

    x: any shape. Identity when not training or p == 0; p == 1 zeros everything (NaN * 0 stays NaN,
    as PyTorch). `training` defaults to True as in PyTorch's F.dropout (nn.Dropout passes its mode);
    `inplace` is accepted for PyTorch compatibility, the result is always a new tensor.
    The mask comes from gradnote's generator (gn.manual_seed) unless `generator` is given.

    >>> dropout(gn.ones(2, 4), p=0.5).shape
    (2, 4)
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1] (the drop probability), got {p!r}")
    x = float_tensor(x, "dropout")
    if not training or p == 0:
        return x
    return Dropout.apply(x, p=float(p), generator=generator)


# ----- channel dropout: whole feature maps at once (neighbouring pixels are too correlated to drop alone) ---
__all__ += ["dropout1d", "dropout2d", "dropout3d"]


def _channel_dropout(op: str, input, p: float, training: bool, spatial: int, generator) -> Tensor:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be in [0, 1] (the drop probability), got {p!r}")
    x = float_tensor(input, op)
    if x.ndim not in (spatial + 1, spatial + 2):
        if spatial == 1 or x.ndim < 2:
            want = "(N, C, L) or (C, L)" if spatial == 1 else f"(N, C, {spatial} spatial dims) or without N"
            raise ValueError(f"{op}: expected input {want}, got shape {x.shape}")
        # PyTorch still accepts these (deprecated): dim 1 is the channel, any further dims are its positions
        warnings.warn(f"{op}: received a {x.ndim}-D input of shape {x.shape}; it is dropped as (N, C, ...) "
                      f"channels, as PyTorch does for now (use dropout for elementwise dropout)", UserWarning,
                      stacklevel=3)
    if not training or p == 0:
        return x
    # one draw per channel, broadcast over its positions; an unbatched input has its channels first, except
    # that a 3-D input to dropout2d is (N, C, L), as PyTorch
    lead = 1 if x.ndim == spatial + 1 and spatial != 2 else 2
    shape = x.shape[:lead] + (1,) * (x.ndim - lead)
    rng = get_rng(generator)
    keep = rng.random(shape, dtype=x.dtype if x.dtype == xp.float32 else xp.float64) >= p
    scale = keep * x.dtype.type(1.0 / (1.0 - p)) if p < 1 else xp.zeros(shape, dtype=x.dtype)
    return x * Tensor._wrap(backend.like(scale.astype(x.dtype, copy=False), x.data))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p, scaling kept ones by 1 / (1 - p) (training only).

    A 3-D input is taken as (N, C, L) and a 2-D one as (N, C) (elementwise, with a warning), as PyTorch.

    >>> dropout2d(gn.ones(2, 3, 4, 4), p=0.5).shape
    (2, 3, 4, 4)
    """
    return _channel_dropout("dropout2d", input, p, training, 2, generator)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) (or (C, D, H, W)) with probability p, scaling kept ones by 1 / (1 - p).

    >>> dropout3d(gn.ones(2, 3, 2, 2, 2), p=0.5).shape
    (2, 3, 2, 2, 2)
    """
    return _channel_dropout("dropout3d", input, p, training, 3, generator)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of (N, C, L) (or (C, L)) with probability p, scaling kept ones by 1 / (1 - p).

    >>> dropout1d(gn.ones(2, 3, 5), p=0.5).shape
    (2, 3, 5)
    """
    return _channel_dropout("dropout1d", input, p, training, 1, generator)
