"""Elementwise ops PyTorch has beside the basic maths: fmod, frac, nan_to_num, isclose, sgn.

    torch.fmod(gn.tensor([-3.0, 3.0]), 2)      # tensor([-1., 1.]): the sign of the dividend
"""

from __future__ import annotations

from .. import backend
from ..backend import xp
from .arithmetic import operands
from .function import Function
from .tensor import Tensor


class Fmod(Function):
    """a - trunc(a / b) * b (C's fmod): d/da = 1, d/db = -trunc(a / b)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.fmod(a, b)

    def backward(self, g):
        gb = -g * xp.trunc(self.a / self.b) if self.needs[1] else None
        return g, gb


def fmod(a, b) -> Tensor:
    """The remainder with the sign of the dividend a (torch.fmod; % and remainder() take b's sign).

    >>> gn.fmod(gn.tensor([-3.0, 3.0]), 2).tolist()
    [-1.0, 1.0]
    """
    a, b = operands(a, b)
    if a.data.dtype.kind == "b" or b.data.dtype.kind == "b":
        raise TypeError("fmod: not defined for bool tensors")
    if a.data.dtype.kind != "f":
        if b.data.dtype.kind in "iu" and (b.data == 0).any():
            raise ZeroDivisionError("fmod: integer division by zero")
        return Tensor._wrap(xp.fmod(a.data, b.data))
    with xp.errstate(divide="ignore", invalid="ignore"):
        return Fmod.apply(a, b)


def frac(x: Tensor) -> Tensor:
    """x - trunc(x): the fractional part, with x's sign (gradient 1)."""
    if x.data.dtype.kind != "f":
        raise TypeError(f"frac: expects a floating tensor, got {x.dtype}")
    return x - x.trunc().detach()


class NanToNum(Function):
    saves = False

    def forward(self, a, nan, posinf, neginf):
        self.finite = xp.isfinite(a)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return g * self.finite


def nan_to_num(x: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN -> nan, +inf -> posinf, -inf -> neginf (None: the dtype's largest/smallest finite value).
    The gradient is 1 at finite elements and 0 at replaced ones.

    >>> gn.tensor([float("nan"), 1.0]).nan_to_num().tolist()
    [0.0, 1.0]
    """
    if x.data.dtype.kind != "f":
        return x * 1
    return NanToNum.apply(x, nan=nan, posinf=posinf, neginf=neginf)


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|a - b| <= atol + rtol * |b| elementwise, as a bool tensor (no gradient)."""
    a, b = operands(a, b)
    return Tensor._wrap(xp.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan))





def python_map(fn, data, other=None):
    """fn applied to each element (and the matching element of `other`, broadcast to data's shape) in
    Python, the result in data's dtype: Tensor.apply_ and map_, which PyTorch also runs on the CPU only."""
    if not backend.is_host(data):
        raise TypeError("apply_/map_: only work on CPU tensors (as in PyTorch); call .cpu() first")
    if other is None:
        return xp.vectorize(fn, otypes=[data.dtype])(data)
    o = xp.broadcast_to(getattr(other, "data", other), data.shape)
    return xp.vectorize(fn, otypes=[data.dtype])(data, o)


__all__ = ["fmod", "frac", "isclose", "nan_to_num"]
