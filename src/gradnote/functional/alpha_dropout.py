"""Alpha dropout (for SELU networks): dropped units are set to SELU's negative saturation alpha' instead of 0,
then an affine map a x + b restores zero mean and unit variance, so self-normalisation survives training.

    alpha' = -scale * alpha (SELU's constants),  a = ((1 - p) (1 + p alpha'^2)) ^ -1/2,  b = -a alpha' p
    y = a (keep * x + (1 - keep) * alpha') + b

feature_alpha_dropout draws one keep per (sample, channel) and drops whole channels. Identity in evaluation.
"""

from __future__ import annotations

import math
import numbers

from .. import backend
from ..autograd import Tensor
from ..random import get_rng
from ._util import float_tensor

__all__ = ["alpha_dropout", "feature_alpha_dropout"]

_ALPHA_P = -1.7580993408473766  # -SELU scale * SELU alpha


def _alpha_dropout(op: str, input, p: float, training: bool, mask_shape, generator) -> Tensor:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be in [0, 1], got {p!r}")
    x = float_tensor(input, op)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    keep = backend.like((get_rng(generator).random(mask_shape(x)) >= p).astype(x.data.dtype), x.data)
    a = 1.0 / math.sqrt((1 - p) * (1 + p * _ALPHA_P ** 2))
    b = -a * _ALPHA_P * p
    dtype = x.data.dtype.type
    return x * (keep * dtype(a)) + ((1 - keep) * dtype(a * _ALPHA_P) + dtype(b))


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                  generator=None) -> Tensor:
    """Elementwise alpha dropout (training only; torch's default training=False).

    >>> F.alpha_dropout(gn.ones(3), 0.5).tolist()
    [1.0, 1.0, 1.0]
    """
    return _alpha_dropout("alpha_dropout", input, p, training, lambda x: x.shape, generator)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                          generator=None) -> Tensor:
    """Alpha dropout of whole channels: x (N, C, *) with one keep per (N, C).

    >>> F.feature_alpha_dropout(gn.ones(2, 3, 4), 0.5, training=True).shape
    (2, 3, 4)
    """
    def channels(x):
        if x.ndim < 2:
            raise ValueError(f"feature_alpha_dropout: expected an input (N, C, *), got shape {x.shape}")
        return x.shape[:2] + (1,) * (x.ndim - 2)
    return _alpha_dropout("feature_alpha_dropout", input, p, training, channels, generator)
