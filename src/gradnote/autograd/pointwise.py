"""Elementwise maths, each forward beside its local derivative: exp, log, sqrt, trigonometry,
abs, clamp, and the activations that are also Tensor methods (sigmoid, tanh, relu, softmax,
log_softmax; their lessons are told in functional/activations.py, which re-exports them).

Float-only maths on bool or integer tensors computes in the default float (float32), as PyTorch.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import expit, xp
from .arithmetic import cast
from .dtypes import float_result, result_type
from .function import Function
from .tensor import Tensor


def as_float(x, op: str) -> Tensor:
    """x as a float tensor: bool/int tensors cast to the default float, as PyTorch's float-only ops."""
    if not isinstance(x, Tensor):
        if isinstance(x, (*backend.array_types, numbers.Number, list, tuple)):
            x = Tensor(x) if not isinstance(x, backend.array_types) else Tensor._wrap(x)
        else:
            raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return cast(x, float_result(x.data.dtype))


def _unary(cls):
    """The public function of a float-only elementwise op."""
    name = cls.__name__.lower()

    def op(x: Tensor) -> Tensor:
        return cls.apply(as_float(x, name))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = cls.__doc__
    return op


class Exp(Function):
    """e ** x; d/dx = e ** x."""

    def forward(self, a):
        with xp.errstate(over="ignore"):
            self.out = xp.exp(a)
        return self.out

    def backward(self, g):
        return g * self.out


class Expm1(Function):
    """e ** x - 1, exact for small x; d/dx = e ** x."""

    def forward(self, a):
        with xp.errstate(over="ignore"):
            self.out = xp.expm1(a)
        return self.out

    def backward(self, g):
        return g * (self.out + 1)


class Log(Function):
    """Natural logarithm; d/dx = 1 / x."""

    def forward(self, a):
        self.a = a
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.log(a)

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g / self.a


class Log1p(Function):
    """log(1 + x), exact for small x; d/dx = 1 / (1 + x)."""

    def forward(self, a):
        self.a = a
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.log1p(a)

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g / (1 + self.a)


class Sqrt(Function):
    """Square root; d/dx = 1 / (2 sqrt x)."""

    def forward(self, a):
        with xp.errstate(invalid="ignore"):
            self.out = xp.sqrt(a)
        return self.out

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * self.out)


class Sin(Function):
    """sin x; d/dx = cos x."""

    def forward(self, a):
        self.a = a
        return xp.sin(a)

    def backward(self, g):
        return g * xp.cos(self.a)


class Cos(Function):
    """cos x; d/dx = -sin x."""

    def forward(self, a):
        self.a = a
        return xp.cos(a)

    def backward(self, g):
        return -g * xp.sin(self.a)


class Sigmoid(Function):
    """sigma(x) = 1 / (1 + exp(-x)); sigma'(x) = sigma(x) (1 - sigma(x)) <= 1/4, the root of vanishing gradients.

    >>> sigmoid(gn.zeros(2, 3)).tolist()[0]
    [0.5, 0.5, 0.5]
    """

    def forward(self, x):
        self.out = expit(x)  # never overflows, unlike 1 / (1 + exp(-x)) at x = -1000
        return self.out

    def backward(self, g):
        out = self.out
        return g * out * (1 - out)


class Tanh(Function):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), zero-centred; tanh'(x) = 1 - tanh(x)^2.

    >>> tanh(gn.zeros(4)).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """

    def forward(self, x):
        self.out = xp.tanh(x)
        return self.out

    def backward(self, g):
        return g * (1 - self.out * self.out)


exp, expm1, log, log1p, sqrt, sin, cos = map(_unary, (Exp, Expm1, Log, Log1p, Sqrt, Sin, Cos))
sigmoid, tanh = _unary(Sigmoid), _unary(Tanh)


class ReLU(Function):
    def forward(self, x):
        out = xp.maximum(x, 0)  # keeps NaN, as PyTorch
        if self.needs[0]:  # no mask pass when no graph is recorded (inference)
            self.mask = ~(x <= 0)  # gradient 1 at NaN, 0 at 0 (PyTorch's threshold rule)
        return out

    def backward(self, g):
        return g * self.mask


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """relu(x) = max(x, 0); gradient 1 for x > 0, 0 otherwise (0 at x = 0, as PyTorch).

    x: any shape; shape preserved. Integer tensors stay integer, as torch.relu. ``inplace`` is accepted
    for F.relu(x, inplace=True)'s sake; the result is always a new tensor (as nn.ReLU(inplace=True) here).

    >>> relu(gn.tensor([-2.0, 0.0, 3.0])).tolist()
    [0.0, 0.0, 3.0]
    """
    if isinstance(x, Tensor) and x.data.dtype.kind in "iu":
        return Tensor._wrap(xp.maximum(x.data, 0))
    if isinstance(x, Tensor) and x.data.dtype.kind == "b":
        raise TypeError("relu: not defined for bool tensors")
    return ReLU.apply(as_float(x, "relu"))


class Abs(Function):
    """|x|; derivative sign(x), taken as 0 at 0 and at NaN (as PyTorch)."""

    def forward(self, a):
        self.a = a
        return xp.abs(a)

    def backward(self, g):
        s = xp.sign(self.a)
        return g * xp.where(s == s, s, 0)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - torch.abs
    """|x| elementwise; integers stay integers.

    >>> abs(gn.tensor([-2.0, 3.0])).tolist()
    [2.0, 3.0]
    """
    if x.data.dtype.kind in "biu":
        return Tensor._wrap(xp.abs(x.data))
    return Abs.apply(x)


class Clip(Function):
    """Gradient 1 where lo <= a <= hi (bounds included, as PyTorch's clamp), else 0 (also at NaN)."""

    def forward(self, a, lo=None, hi=None, op="clamp"):
        self.a, self.lo, self.hi = a, lo, hi
        try:
            out = xp.clip(a, lo, hi)
        except ValueError:
            shapes = [xp.shape(v) for v in (lo, hi) if v is not None]
            raise ValueError(f"{op}: bounds of shapes {shapes} cannot be broadcast to the tensor's {a.shape}") from None
        if lo is not None and hi is not None:  # PyTorch: min > max sets every element to max
            out = xp.where(backend.asarray(lo) > backend.asarray(hi), hi, out).astype(a.dtype, copy=False)
        return out

    def backward(self, g):
        a, keep = self.a, True
        if self.lo is not None:
            keep = a >= self.lo
        if self.hi is not None:
            keep = keep & (a <= self.hi)
        return g * keep


def clamp(x: Tensor, min=None, max=None, op: str = "clamp") -> Tensor:  # noqa: A002 - torch's names
    """Limit values to [min, max]; either bound may be None. Bounds may be numbers or tensors.

    >>> clamp(gn.tensor([-2.0, 0.5, 3.0]), 0, 1).tolist()
    [0.0, 0.5, 1.0]
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    dtype = result_type(x, *[b for b in (min, max) if b is not None])
    x = cast(x, dtype)
    lo = None if min is None else backend.asarray(min.data if isinstance(min, Tensor) else min, dtype=dtype)
    hi = None if max is None else backend.asarray(max.data if isinstance(max, Tensor) else max, dtype=dtype)
    if backend.cupy_loaded():  # the bounds are options, outside Function.apply's device check
        _, lo, hi = backend.same_device(op, [x.data, lo, hi])
    return Clip.apply(x, lo=lo, hi=hi, op=op)


def _no_grad_unary(ufunc, name: str, float_only: bool = False):
    """Piecewise-constant maths (sign, floor, ...): zero gradient everywhere it exists, so no graph."""

    def op(x: Tensor) -> Tensor:
        data = x.data if not float_only else x.data.astype(float_result(x.data.dtype), copy=False)
        if x.data.dtype.kind in "biu" and name in ("floor", "ceil", "round", "trunc"):
            return Tensor._wrap(data.copy())
        return Tensor._wrap(backend.asarray(ufunc(data)))

    op.__name__ = name
    op.__doc__ = f"{name} elementwise (piecewise constant: no gradient)."
    return op


sign = _no_grad_unary(xp.sign, "sign")
floor = _no_grad_unary(xp.floor, "floor")
ceil = _no_grad_unary(xp.ceil, "ceil")
round = _no_grad_unary(xp.round, "round")  # noqa: A001 - half to even, as torch.round
trunc = _no_grad_unary(xp.trunc, "trunc")


def _shifted(x, axis):
    # log-sum-exp: subtracting the max keeps exp() finite for logits near 1e4; an empty axis
    # (softmax over a batch of 0 along axis 0) has no max and nothing to normalise
    if x.ndim and x.shape[axis] == 0:
        return x.copy()
    return x - x.max(axis=axis, keepdims=True)


class Softmax(Function):
    def forward(self, x, axis):
        e = xp.exp(_shifted(x, axis))
        e /= e.sum(axis=axis, keepdims=True)
        self.out, self.axis = e, axis
        return e

    def backward(self, g):
        out = self.out
        return out * (g - (g * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, x, axis):
        if x.ndim and x.shape[axis] == 0:
            self.out = x.copy()
        else:
            shifted = _shifted(x, axis)
            self.out = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        self.axis = axis
        return self.out

    def backward(self, g):
        return g - xp.exp(self.out) * g.sum(axis=self.axis, keepdims=True)


def _softmax_axis(op: str, x: Tensor, axis, dim) -> int:
    if dim is not None:
        axis = dim
    if axis is None:  # PyTorch's implicit choice (deprecated there): 0 for 0-, 1- and 3-d inputs, else 1
        axis = 0 if x.ndim in (0, 1, 3) else 1
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"{op}: dim must be an int, got {axis!r}")
    nd = max(x.ndim, 1)  # a 0-d tensor has one "dimension" 0 or -1, as PyTorch
    if not -nd <= axis < nd:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor with {x.ndim} dimensions")
    return int(axis) % nd if x.ndim else None


def softmax(x: Tensor, axis: int | None = -1, *, dim: int | None = None, dtype=None) -> Tensor:
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) along `axis` (PyTorch's `dim=` too); shape kept.

    >>> softmax(gn.zeros(2, 4), axis=1).tolist()[0]
    [0.25, 0.25, 0.25, 0.25]
    """
    x = as_float(x, "softmax") if dtype is None else cast(x, xp.dtype(dtype))
    return Softmax.apply(x, axis=_softmax_axis("softmax", x, axis, dim))


def log_softmax(x: Tensor, axis: int | None = -1, *, dim: int | None = None, dtype=None) -> Tensor:
    """log softmax(x) = x - max x - log sum exp(x - max x) along `axis` (or `dim=`): finite even for logits near 1e4.

    x: any shape; shape preserved.

    >>> log_softmax(gn.randn(8, 10), axis=1).exp().sum(axis=1).shape
    (8,)
    """
    x = as_float(x, "log_softmax") if dtype is None else cast(x, xp.dtype(dtype))
    return LogSoftmax.apply(x, axis=_softmax_axis("log_softmax", x, axis, dim))


__all__ = ["abs", "ceil", "clamp", "cos", "exp", "expm1", "floor", "log", "log1p", "log_softmax", "relu", "round",
           "sigmoid", "sign", "sin", "softmax", "sqrt", "tanh", "trunc"]
