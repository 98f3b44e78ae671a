"""Dropout layer: inverted dropout while training, the identity in evaluation (model.eval())."""

from __future__ import annotations

import numbers

from .. import functional as F
from ..autograd import Tensor
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability p during training, scaling survivors by 1 / (1 - p).

    x: any shape, returned in the same shape. In eval mode the input passes through unchanged;
    p = 1 zeros every element while training (as PyTorch).
    `inplace` is accepted for PyTorch compatibility; gradnote never overwrites its input.

    >>> x = gn.ones(4); drop = Dropout(0.5).eval(); drop(x) is x
    True
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p!r}")
        self.p, self.inplace = float(p), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


__all__ += ["Dropout1d", "Dropout2d", "Dropout3d"]


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) with probability p while training (F.dropout2d).

    >>> Dropout2d(0.5).eval()(gn.ones(1, 2, 3, 3)).shape
    (1, 2, 3, 3)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) with probability p while training (F.dropout1d).

    >>> Dropout1d(0.5).eval()(gn.ones(1, 2, 3)).shape
    (1, 2, 3)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout1d(x, self.p, self.training)


class Dropout3d(Dropout):
    """Zero whole channels of (N, C, D, H, W) with probability p while training (F.dropout3d).

    >>> Dropout3d(0.5).eval()(gn.ones(1, 2, 2, 3, 3)).shape
    (1, 2, 2, 3, 3)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout3d(x, self.p, self.training)
