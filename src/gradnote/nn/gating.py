"""GLU, Threshold, RReLU, Softmax2d (module wrappers of F.glu, F.threshold, F.rrelu, F.softmax over channels) and
AlphaDropout / FeatureAlphaDropout (F.alpha_dropout, F.feature_alpha_dropout; active only in training)."""

from __future__ import annotations

import numbers

from .. import functional as F
from .module import Module

__all__ = ["GLU", "AlphaDropout", "FeatureAlphaDropout", "RReLU", "Softmax2d", "Threshold"]


class GLU(Module):
    """a * sigmoid(b) over the two halves of dim (F.glu).

    >>> GLU()(gn.zeros(2, 6)).shape
    (2, 3)
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """x where x > threshold, else value (F.threshold).

    >>> Threshold(0.5, -1.0)(gn.tensor([0.2, 2.0])).tolist()
    [-1.0, 2.0]
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        for name, v in (("threshold", threshold), ("value", value)):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise ValueError(f"Threshold: {name} must be a number, got {v!r}")
        self.threshold, self.value, self.inplace = float(threshold), float(value), inplace

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}"


class RReLU(Module):
    """Randomised leaky ReLU: slope ~ U(lower, upper) per element in training, (lower + upper) / 2 in eval (F.rrelu).

    >>> RReLU(0.25, 0.75).eval()(gn.tensor([-2.0])).item()
    -1.0
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        if not (isinstance(lower, numbers.Real) and isinstance(upper, numbers.Real)) or lower > upper:
            raise ValueError(f"RReLU: lower and upper must be numbers with lower <= upper, got {lower!r} and {upper!r}")
        self.lower, self.upper, self.inplace = float(lower), float(upper), inplace

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) at every pixel.

    >>> Softmax2d()(gn.zeros(1, 4, 2, 2))[0, :, 0, 0].tolist()
    [0.25, 0.25, 0.25, 0.25]
    """

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected an input (N, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
        return F.softmax(x, -3)


class _AlphaDropout(Module):
    _fn = None

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p!r}")
        self.p, self.inplace = float(p), inplace

    def forward(self, x):
        return type(self)._fn(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class AlphaDropout(_AlphaDropout):
    """Alpha dropout for SELU networks: keeps zero mean and unit variance (F.alpha_dropout).

    >>> AlphaDropout(0.2).eval()(gn.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    _fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_AlphaDropout):
    """Alpha dropout of whole channels of (N, C, *) (F.feature_alpha_dropout).

    >>> FeatureAlphaDropout(0.2)(gn.ones(2, 3, 4)).shape
    (2, 3, 4)
    """

    _fn = staticmethod(F.feature_alpha_dropout)
