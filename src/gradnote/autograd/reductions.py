"""Reductions over axes, each forward beside its backward: sum, mean, var/std, max/min, prod,
cumsum, norm, logsumexp, and the index-returning ones (argmax, topk, sort: no gradient for indices).

Axes arrive normalised (a sorted tuple of non-negative ints, or None for all); the Tensor methods
translate NumPy's ``axis=/keepdims=`` and PyTorch's ``dim=/keepdim=`` into that.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

from .. import backend
from ..backend import xp
from .arithmetic import cast
from .axes import one_dim
from .dtypes import float_result
from .function import Function
from .indexing import gather, narrow
from .tensor import Tensor


def _expand(g, shape, axes, keepdims):
    """Spread a reduced gradient back over the input shape (a filled copy, as xp.full: much cheaper per call
    than a broadcast_to view, and every consumer would allocate a new array anyway; empty_like keeps g's device)."""
    if axes is not None and not keepdims:
        g = g.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    out = xp.empty_like(g, shape=shape)
    out[...] = g
    return out


def _count(shape, axes) -> int:
    n = 1
    for i in range(len(shape)) if axes is None else axes:
        n *= shape[i]
    return n


class Sum(Function):
    saves = False

    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return backend.asarray(a.sum(axis=axis, keepdims=keepdims))

    def backward(self, g):
        return _expand(g, self.shape, self.axis, self.keepdims)


class Mean(Function):
    saves = False

    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        self.count = _count(a.shape, axis)
        with xp.errstate(invalid="ignore", divide="ignore"):
            return backend.asarray(xp.mean(a, axis=axis, keepdims=keepdims))

    def backward(self, g):
        return _expand(g / max(self.count, 1), self.shape, self.axis, self.keepdims)


class Var(Function):
    """Variance with `ddof` (NumPy's name; PyTorch's `correction`): sum((x - mean)^2) / (n - ddof)."""

    def forward(self, a, axis=None, keepdims=False, ddof=0):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        self.denom = _count(a.shape, axis) - ddof
        self.centered = a - a.mean(axis=axis, keepdims=True)
        with xp.errstate(invalid="ignore", divide="ignore"):
            return backend.asarray(xp.var(a, axis=axis, keepdims=keepdims, ddof=ddof))

    def backward(self, g):
        g = _expand(g, self.shape, self.axis, self.keepdims)
        scale = 2.0 / self.denom if self.denom > 0 else float("nan")  # no degrees of freedom left
        return g * self.centered * scale


class Extreme(Function):
    """max or min over axes; the gradient is shared equally among tied extremes (as torch.amax), NaN counts as the extreme."""

    def forward(self, a, axis=None, keepdims=False, mode="max"):
        # only an empty reduced axis has no extreme; (0, 3).max(axis=1) is just an empty (0,) result
        if any(a.shape[i] == 0 for i in (range(a.ndim) if axis is None else axis)):
            raise ValueError(f"{mode}: cannot reduce an empty tensor of shape {a.shape}"
                             + ("" if axis is None else f" along axis {axis if len(axis) > 1 else axis[0]}"))
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        reduce = xp.max if mode == "max" else xp.min
        out = reduce(a, axis=axis, keepdims=True)
        self.mask = (a == out) | (xp.isnan(a) & xp.isnan(out)) if a.dtype.kind == "f" else a == out
        return out if keepdims else (out.reshape(()) if axis is None else xp.squeeze(out, axis))

    def backward(self, g):
        mask = self.mask
        count = mask.sum(axis=self.axis, keepdims=True).astype(g.dtype)
        return _expand(g, self.shape, self.axis, self.keepdims) * mask / count


class Prod(Function):
    """Product over one axis (or all); d/dx_i = product of the others (exact with zeros: no division)."""

    def forward(self, a, axis=None, keepdims=False):
        self.a, self.axis, self.keepdims = a, axis, keepdims
        return backend.asarray(xp.prod(a, axis=axis, keepdims=keepdims))

    def backward(self, g):
        a, axis = self.a, self.axis
        flat = a.reshape(-1) if axis is None else a
        ax = 0 if axis is None else axis
        ones = xp.ones_like(xp.take(flat, [0], axis=ax))
        before = xp.cumprod(xp.concatenate([ones, xp.take(flat, range(flat.shape[ax] - 1), axis=ax)], axis=ax), axis=ax)
        rev = xp.flip(flat, ax)
        after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.take(rev, range(flat.shape[ax] - 1), axis=ax)], axis=ax),
                                   axis=ax), ax)
        others = (before * after).reshape(a.shape)
        if axis is not None and not self.keepdims:
            g = xp.expand_dims(g, axis)
        return g * others


class CumSum(Function):
    saves = False

    def forward(self, a, axis):
        self.axis = axis
        return xp.cumsum(a, axis=axis)

    def backward(self, g):
        return xp.flip(xp.cumsum(xp.flip(g, self.axis), axis=self.axis), self.axis)


class Norm(Function):
    """The p-norm (sum |x|^p)^(1/p) over axes; p = inf is the max |x|. The gradient at a zero norm is 0, as PyTorch."""

    def forward(self, a, p=2.0, axis=None, keepdims=False):
        self.a, self.p, self.axis, self.keepdims = a, p, axis, keepdims
        absa = xp.abs(a)
        if p == float("inf"):
            out = absa.max(axis=axis, keepdims=True) if a.size else xp.zeros((1,) * a.ndim, a.dtype)
        elif p == 0:
            out = (a != 0).sum(axis=axis, keepdims=True).astype(a.dtype)
        elif p == 2:
            out = xp.sqrt((a * a).sum(axis=axis, keepdims=True))
        else:
            out = (absa**p).sum(axis=axis, keepdims=True) ** (1.0 / p)
        self.out = out
        return out if keepdims else (out.reshape(()) if axis is None else xp.squeeze(out, axis))

    def backward(self, g):
        a, p, out = self.a, self.p, self.out
        if self.axis is not None and not self.keepdims:
            g = xp.expand_dims(g, self.axis)
        elif self.axis is None:
            g = g.reshape((1,) * a.ndim)
        with xp.errstate(divide="ignore", invalid="ignore"):
            if p == float("inf"):
                mask = xp.abs(a) == out
                local = (xp.sign(a) * mask / mask.sum(axis=self.axis, keepdims=True)).astype(a.dtype)
            elif p == 0:
                local = xp.zeros_like(a)
            elif p == 2:
                local = xp.where(out == 0, 0, a / out)
            else:
                local = xp.where(out == 0, 0, xp.sign(a) * xp.abs(a) ** (p - 1) / out ** (p - 1))
        return g * local


class LogSumExp(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.a, self.axis, self.keepdims = a, axis, keepdims
        m = a.max(axis=axis, keepdims=True) if a.size else xp.zeros((1,) * a.ndim, a.dtype)
        m = xp.where(xp.isfinite(m), m, 0)
        with xp.errstate(divide="ignore"):
            self.out = xp.log(xp.exp(a - m).sum(axis=axis, keepdims=True)) + m
        out = self.out
        return out if keepdims else (out.reshape(()) if axis is None else xp.squeeze(out, axis))

    def backward(self, g):
        if self.axis is not None and not self.keepdims:
            g = xp.expand_dims(g, self.axis)
        elif self.axis is None:
            g = g.reshape((1,) * self.a.ndim)
        return g * xp.exp(self.a - self.out)


# ----- the public functions ---------------------------------------------------------------------------
class MaxMin(NamedTuple):
    """What torch.max(x, dim), sort, topk return: ``values`` and ``indices`` (also unpackable)."""

    values: Tensor
    indices: Tensor


def max_along(x: Tensor, dim: int, keepdim: bool = False, mode: str = "max") -> MaxMin:
    """torch.max(x, dim): the values (differentiable, gradient to the first extreme only) and their indices."""
    if x.ndim == 0:
        return MaxMin(x * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    ax = one_dim(mode, dim, x.ndim)
    if x.shape[ax] == 0:
        raise ValueError(f"{mode}: cannot reduce an empty dim {dim} of a tensor of shape {x.shape}")
    idx = arg_extreme(x, ax, True, mode)
    values = gather(x, ax, idx)
    if not keepdim:
        values, idx = values.squeeze(ax), idx.squeeze(ax)
    return MaxMin(values, idx)


def arg_extreme(x: Tensor, axis, keepdim: bool, mode: str) -> Tensor:
    """Indices (int64, no gradient) of the first max/min along `axis` (None: of the flattened tensor); NaN is the max."""
    name = "argmax" if mode == "max" else "argmin"
    if axis is not None:
        axis = one_dim(name, axis, x.ndim)
    if x.data.size == 0 and (axis is None or x.shape[axis] == 0):
        raise ValueError(f"{name}: cannot reduce an empty tensor of shape {x.shape}")
    find = xp.argmax if mode == "max" else xp.argmin
    data = x.data if x.ndim else x.data.reshape(1)
    out = find(data, axis=axis if x.ndim else 0, keepdims=keepdim and x.ndim > 0)
    return Tensor._wrap(backend.asarray(out, dtype=xp.int64))


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> MaxMin:
    """Values sorted along `dim` (differentiable) and the int64 indices that sort them (stable order for ties)."""
    if x.ndim == 0:
        return MaxMin(x * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    ax = one_dim("sort", dim, x.ndim)
    data = x.data
    if descending:
        # stable descending: sort the reversed array ascending, then flip back (NaN first, as torch)
        idx = xp.flip(data.shape[ax] - 1 - xp.argsort(xp.flip(data, ax), axis=ax, kind="stable"), ax)
        if data.dtype.kind == "f":
            nan_first = xp.argsort(~xp.isnan(xp.take_along_axis(data, idx, ax)), axis=ax, kind="stable")
            idx = xp.take_along_axis(idx, nan_first, ax)
    else:
        idx = xp.argsort(data, axis=ax, kind="stable")
    idx = Tensor._wrap(idx.astype(xp.int64))
    return MaxMin(gather(x, ax, idx), idx)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> MaxMin:  # noqa: A002
    """The k largest (or smallest) values along `dim` and their indices, in sorted order."""
    ax = one_dim("topk", dim, x.ndim) if x.ndim else 0
    n = x.shape[ax] if x.ndim else 1
    if not isinstance(k, numbers.Integral) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int in [0, {n}] for dim {dim} of a tensor of shape {x.shape}, got {k!r}")
    values, idx = sort(x, ax, descending=largest, stable=True)
    if x.ndim == 0:
        return MaxMin(values, idx)
    return MaxMin(narrow(values, ax, 0, k), narrow(idx, ax, 0, k))


def var(x: Tensor, axis=None, keepdims: bool = False, ddof=0) -> Tensor:
    """Variance over axes (normalised tuple or None) with `ddof`; float-only (ints compute in float32)."""
    return Var.apply(cast(x, float_result(x.data.dtype)), axis=axis, keepdims=keepdims, ddof=ddof)


__all__ = ["MaxMin", "arg_extreme", "max_along", "sort", "topk", "var"]
