"""Ops that select values by their order or count them: kthvalue, median, mode, cummax/cummin, aminmax,
unique, bincount, histc, searchsorted, bucketize.

The selecting ops find indices on the arrays and take the values with ``gather``, so the gradient flows to
the chosen elements (and nowhere else), as in PyTorch; the counting ops have no gradient.

    values, indices = x.median(dim=1)
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import xp
from .axes import one_dim
from .indexing import gather
from .reductions import MaxMin
from .tensor import Tensor


def _selected(x: Tensor, idx, ax: int, keepdim: bool) -> MaxMin:
    """Values of x at the int64 indices `idx` (x's rank, size 1 along ax) and the indices, keepdim applied."""
    values = gather(x, ax, Tensor._wrap(idx))
    if not keepdim:
        values, idx = values.squeeze(ax), idx.squeeze(ax)
    return MaxMin(values, Tensor._wrap(idx))


def _along(op: str, x: Tensor, dim) -> int:
    ax = one_dim(op, dim, x.ndim)
    if x.ndim and x.shape[ax] == 0:
        raise IndexError(f"{op}: dim {dim} of the tensor of shape {x.shape} is empty")
    return ax


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> MaxMin:
    """The k-th smallest value (k from 1) along `dim` and its index; x: (..., n, ...) -> (..., ...).

    >>> gn.tensor([3.0, 1.0, 2.0]).kthvalue(2)
    MaxMin(values=tensor(2.), indices=tensor(2))
    """
    if x.ndim == 0:
        x = x.reshape(1)
        return MaxMin(*(t.reshape(()) for t in kthvalue(x, k, 0, keepdim)))
    ax = _along("kthvalue", x, dim)
    if not isinstance(k, numbers.Integral) or not 1 <= k <= x.shape[ax]:
        raise IndexError(f"kthvalue: k must be in [1, {x.shape[ax]}] for dim {dim} of shape {x.shape}, got {k!r}")
    idx = xp.take(xp.argsort(x.data, axis=ax, kind="stable"), [k - 1], axis=ax).astype(xp.int64)
    return _selected(x, idx, ax, keepdim)


def median(x: Tensor, dim=None, keepdim: bool = False):
    """The lower median (the ((n - 1) // 2)-th smallest, as PyTorch; no averaging of the two middle values).
    Without `dim`: over all elements, one value; with `dim`: (values, indices). NaN counts as the largest.

    >>> gn.tensor([1.0, 4.0, 2.0, 3.0]).median()
    tensor(2.)
    """
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            return Tensor._wrap(xp.full((), xp.nan, dtype=x.dtype))
        return kthvalue(flat, (flat.shape[0] - 1) // 2 + 1).values
    ax = _along("median", x, dim) if x.ndim else 0
    n = x.shape[ax] if x.ndim else 1
    return kthvalue(x, (n - 1) // 2 + 1, ax, keepdim)


def nanmedian(x: Tensor, dim=None, keepdim: bool = False):
    """median() that ignores NaN (NaN only where a whole slice is NaN)."""
    if dim is None:
        flat = x.reshape(-1)
        keep = ~xp.isnan(flat.data)
        return median(flat[Tensor._wrap(keep)]) if keep.any() else median(flat)
    ax = _along("nanmedian", x, dim) if x.ndim else 0
    counts = (~xp.isnan(x.data)).sum(axis=ax, keepdims=True) if x.ndim else xp.ones((), xp.int64)
    order = xp.argsort(x.data, axis=ax, kind="stable") if x.ndim else xp.zeros((), xp.int64)
    pos = xp.maximum((counts - 1) // 2, 0)
    idx = xp.take_along_axis(order, pos, ax).astype(xp.int64) if x.ndim else order
    return _selected(x, idx, ax, keepdim) if x.ndim else MaxMin(x * 1, Tensor._wrap(idx))


def mode(x: Tensor, dim: int = -1, keepdim: bool = False) -> MaxMin:
    """The most frequent value along `dim` (the smallest among equally frequent ones) and the index of its
    last occurrence, as PyTorch on the CPU.

    >>> gn.tensor([2, 1, 2, 1, 3]).mode()
    MaxMin(values=tensor(1), indices=tensor(3))
    """
    if x.ndim == 0:
        return MaxMin(x * 1, Tensor._wrap(xp.zeros((), xp.int64)))
    ax = _along("mode", x, dim)
    rows = xp.moveaxis(x.data, ax, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    last = backend.module_of(rows).empty(len(flat), dtype=xp.int64)
    for r, row in enumerate(flat):  # one np.unique per slice keeps the tie rules readable
        values, counts = xp.unique(row, return_counts=True)
        last[r] = xp.flatnonzero(row == values[xp.argmax(counts)])[-1]
    idx = xp.moveaxis(last.reshape(rows.shape[:-1] + (1,)), -1, ax)
    return _selected(x, idx, ax, keepdim)


def cumextreme(x: Tensor, dim: int, mode: str) -> MaxMin:
    """cummax/cummin: the running max (min) along `dim` and the index where it was reached (the last
    index among equal values, as PyTorch)."""
    op = "cum" + mode
    if x.ndim == 0:
        return MaxMin(x * 1, Tensor._wrap(xp.zeros((), xp.int64)))
    ax = one_dim(op, dim, x.ndim)
    data = xp.moveaxis(x.data, ax, -1)
    run = (xp.fmax if mode == "max" else xp.fmin).accumulate(data, axis=-1) if data.shape[-1] else data
    nan = xp.isnan(data) if data.dtype.kind == "f" else xp.zeros_like(data, bool)
    positions = backend.module_of(data).arange(data.shape[-1])
    hit = (data == run) | nan  # NaN propagates: once seen it is the running extreme
    seen_nan = xp.logical_or.accumulate(nan, axis=-1) if data.shape[-1] else nan
    pos = xp.where(hit, positions, -1)
    idx = xp.maximum.accumulate(pos, axis=-1) if data.shape[-1] else pos
    nan_pos = xp.maximum.accumulate(xp.where(nan, positions, -1), axis=-1) if data.shape[-1] else pos
    idx = xp.where(seen_nan, nan_pos, idx)
    idx = xp.moveaxis(idx, -1, ax).astype(xp.int64)
    return MaxMin(gather(x, ax, Tensor._wrap(idx)), Tensor._wrap(idx))


def aminmax(x: Tensor, dim=None, keepdim: bool = False):
    """(min, max) over `dim` (None: all elements), as torch.aminmax's named pair."""
    return MinMax(x.amin(dim, keepdim), x.amax(dim, keepdim))


class MinMax(tuple):
    """torch.aminmax's result: ``.min`` and ``.max``, unpackable."""

    def __new__(cls, lo, hi):
        return super().__new__(cls, (lo, hi))

    min = property(lambda self: self[0])  # noqa: A003
    max = property(lambda self: self[1])  # noqa: A003


def unique(x: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim=None):
    """The distinct values (sorted), optionally with the inverse indices (x's shape) and the counts; with
    `dim`, the distinct slices along that dim. No gradient.

    >>> gn.unique(gn.tensor([1, 3, 1, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 1, 1]))
    """
    data = backend.asnumpy(x.data)
    ax = None if dim is None else one_dim("unique", dim, x.ndim)
    values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True, axis=ax)
    inverse = inverse.reshape(data.shape if ax is None else (data.shape[ax],))
    out = [Tensor._wrap(backend.like(values, x.data))]
    if return_inverse:
        out.append(Tensor._wrap(backend.like(inverse.astype(xp.int64), x.data)))
    if return_counts:
        out.append(Tensor._wrap(backend.like(counts.astype(xp.int64), x.data)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(x: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive values (of the flattened tensor; dim is not supported)."""
    if dim is not None:
        raise NotImplementedError("unique_consecutive: dim= is not supported; flatten the tensor or use unique(dim=)")
    flat = x.data.reshape(-1)
    new = xp.concatenate([xp.ones(min(flat.size, 1), bool), flat[1:] != flat[:-1]])
    out = [Tensor._wrap(flat[new])]
    if return_inverse:
        out.append(Tensor._wrap((xp.cumsum(new) - 1).astype(xp.int64).reshape(x.shape)))
    if return_counts:
        out.append(Tensor._wrap(xp.diff(xp.append(xp.flatnonzero(new), flat.size)).astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """Counts of each value 0..max of a 1-D non-negative integer tensor (weights: sums of them instead).

    >>> gn.bincount(gn.tensor([0, 2, 2])).tolist()
    [1, 0, 2]
    """
    if x.ndim != 1 or x.data.dtype.kind not in "iu":
        raise ValueError(f"bincount: expects a 1-D integer tensor, got {x.dtype} of shape {x.shape}")
    if x.data.size and x.data.min() < 0:
        raise ValueError("bincount: the input must be non-negative")
    w = None if weights is None else getattr(weights, "data", weights)
    out = xp.bincount(x.data, w, minlength)
    dtype = xp.int64 if w is None else (w.dtype if w.dtype.kind == "f" else xp.float64)
    return Tensor._wrap(out.astype(dtype))


def histc(x: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in `bins` equal bins between min and max (both 0: the data's range), in x's dtype; values
    outside are ignored.

    >>> gn.histc(gn.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3).tolist()
    [0.0, 2.0, 1.0, 0.0]
    """
    if x.data.dtype.kind != "f":
        raise TypeError(f"histc: expects a floating tensor, got {x.dtype}")
    lo, hi = float(min), float(max)
    if lo == hi and x.data.size:
        lo, hi = float(x.data.min()), float(x.data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise ValueError(f"histc: max must be larger than min, got min={min}, max={max}")
    counts, _ = xp.histogram(x.data, bins=int(bins), range=(lo, hi))
    return Tensor._wrap(counts.astype(x.dtype))


def searchsorted(sorted_sequence, values, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter=None) -> Tensor:
    """Insertion indices of `values` into the last dim of `sorted_sequence` (1-D, or one row per leading
    index of values); side="right" (or right=True) places after equal entries.

    >>> gn.searchsorted(gn.tensor([1, 3, 5]), gn.tensor([3, 6])).tolist()
    [1, 3]
    """
    seq = getattr(sorted_sequence, "data", sorted_sequence)
    scalar = not isinstance(values, (Tensor, *backend.array_types))
    vals = xp.asarray(getattr(values, "data", values))
    side = side or ("right" if right else "left")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if sorter is not None:
        seq = xp.take_along_axis(seq, getattr(sorter, "data", sorter), -1)
    if seq.ndim == 1:
        out = xp.searchsorted(seq, vals, side=side)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise ValueError(f"searchsorted: the leading dims of sorted_sequence {seq.shape} and values "
                             f"{vals.shape} must match")
        rows = seq.reshape(-1, seq.shape[-1])
        out = xp.stack([xp.searchsorted(r, v, side=side) for r, v in zip(rows, vals.reshape(len(rows), -1))])
        out = out.reshape(vals.shape)
    out = Tensor._wrap(out.astype(xp.int32 if out_int32 else xp.int64))
    return out.reshape(()) if scalar else out


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each input value given 1-D sorted `boundaries` (torch.bucketize's `right` is the
    opposite of searchsorted's: right=False puts a value equal to a boundary in that boundary's bucket)."""
    b = getattr(boundaries, "data", boundaries)
    if xp.ndim(b) != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {xp.shape(b)}")
    return searchsorted(b, input, out_int32=out_int32, right=right)
