"""Ops that move or pick elements without changing their values: roll, diagonal, trace, movedim, unfold
(sliding windows), repeat_interleave, rot90, diff, kron, block_diag, cartesian_prod, combinations,
masked_select and the tril/triu index lists.

Each is written over the indexing and shape ops (index_select, getitem, permute, reshape, concat), so
its gradient is theirs: no new backward to trust.

    windows = gn.arange(10.0).unfold(0, 3, 2)    # (4, 3)
"""

from __future__ import annotations

import itertools
import numbers

from .. import backend
from ..backend import xp
from .arithmetic import lift
from .axes import one_dim
from .indexing import getitem, index_select
from .shape import concat, permute, reshape, stack
from .tensor import Tensor


def _ints(op: str, value) -> tuple:
    vals = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    if not all(isinstance(v, numbers.Integral) for v in vals):
        raise TypeError(f"{op}: expected an int or a tuple of ints, got {value!r}")
    return tuple(int(v) for v in vals)


def _take(x: Tensor, dim: int, idx) -> Tensor:
    return index_select(x, dim, Tensor._wrap(backend.like(xp.asarray(idx, dtype=xp.int64), x.data)))


def roll(x: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements along `dims` cyclically (None: over the flattened tensor, shape kept).

    >>> gn.arange(4).roll(1).tolist()
    [3, 0, 1, 2]
    """
    shifts = _ints("roll", shifts)
    if dims is None:
        if len(shifts) != 1:
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts}")
        return reshape(roll(reshape(x, -1), shifts, 0), x.shape)
    dims = _ints("roll", dims)
    if len(dims) != len(shifts):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    for s, d in zip(shifts, dims):
        d = one_dim("roll", d, x.ndim)
        n = x.shape[d] if x.ndim else 1
        x = _take(x, d, (xp.arange(n) - s) % max(n, 1)) if x.ndim else x
    return x


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes as the last dim; offset > 0 above the main diagonal.

    >>> gn.arange(9).reshape(3, 3).diagonal(1).tolist()
    [1, 5]
    """
    if x.ndim < 2:
        raise ValueError(f"diagonal: expects a tensor with at least 2 dims, got shape {x.shape}")
    d1, d2 = one_dim("diagonal", dim1, x.ndim), one_dim("diagonal", dim2, x.ndim)
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    x = permute(x, *rest, d1, d2)
    n1, n2 = x.shape[-2:]
    rows = xp.arange(max(0, -offset), min(n1, n2 - offset)) if min(n1, n2 - offset) > max(0, -offset) else xp.arange(0)
    return getitem(x, (Ellipsis, Tensor._wrap(rows), Tensor._wrap(rows + offset)))


def trace(x: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal."""
    if x.ndim != 2:
        raise ValueError(f"trace: expects a 2-D tensor, got shape {x.shape}")
    return diagonal(x).sum()


def movedim(x: Tensor, source, destination) -> Tensor:
    """Move dims from `source` to `destination` positions, the others keeping their order (np.moveaxis)."""
    src, dst = _ints("movedim", source), _ints("movedim", destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same length")
    src = [one_dim("movedim", s, x.ndim) for s in src]
    dst = [one_dim("movedim", d, x.ndim) for d in dst]
    if x.ndim == 0:
        return x
    order = [d for d in range(x.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, *order)


def unfold(x: Tensor, dim: int, size: int, step: int) -> Tensor:
    """Sliding windows of `size` every `step` along `dim`: that dim becomes the window count and a new
    last dim of length `size` holds each window (Tensor.unfold).

    >>> gn.arange(5).unfold(0, 2, 2).tolist()
    [[0, 1], [2, 3]]
    """
    d = one_dim("unfold", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not isinstance(size, numbers.Integral) or not 0 <= size <= n:
        raise ValueError(f"unfold: size must be in [0, {n}] for dim {dim} of shape {x.shape}, got {size!r}")
    if not isinstance(step, numbers.Integral) or step <= 0:
        raise ValueError(f"unfold: step must be a positive int, got {step!r}")
    if x.ndim == 0:
        return reshape(x, 1)
    count = (n - size) // step + 1
    idx = (xp.arange(count)[:, None] * step + xp.arange(size)[None, :]).reshape(-1)
    out = reshape(_take(x, d, idx), x.shape[:d] + (count, size) + x.shape[d + 1:])
    return movedim(out, d + 1, -1)


def repeat_interleave(x: Tensor, repeats, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element `repeats` times (an int, or one count per element) along `dim` (None: flattened).

    >>> gn.tensor([1, 2]).repeat_interleave(2).tolist()
    [1, 1, 2, 2]
    """
    if dim is None:
        x, d = reshape(x, -1), 0
    else:
        d = one_dim("repeat_interleave", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    reps = xp.asarray(backend.asnumpy(getattr(repeats, "data", repeats)))
    if reps.dtype.kind not in "iu" or (reps < 0).any() or reps.ndim > 1 or (reps.ndim == 1 and reps.size not in (1, n)):
        raise ValueError(f"repeat_interleave: repeats must be a non-negative int or {n} counts, got {repeats!r}")
    return _take(x if x.ndim else reshape(x, 1), d, xp.repeat(xp.arange(n), reps))


def rot90(x: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees k times in the plane of `dims`, from the first dim toward the second (np.rot90)."""
    d0, d1 = (one_dim("rot90", d, x.ndim) for d in _ints("rot90", dims))
    if x.ndim < 2 or d0 == d1 or len(dims) != 2:
        raise ValueError(f"rot90: needs two different dims of a tensor with >= 2 dims, got dims={dims}, shape {x.shape}")
    k %= 4
    if k == 0:
        return x * 1
    if k == 2:
        return x.flip((d0, d1))
    return x.flip(d1).swapdims(d0, d1) if k == 1 else x.swapdims(d0, d1).flip(d1)


def diff(x: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along `dim` (out[i] = x[i + 1] - x[i], n times), after prepend/append."""
    d = one_dim("diff", dim, x.ndim)
    parts = [lift(p) for p in (prepend,) if p is not None] + [x] + [lift(a) for a in (append,) if a is not None]
    x = concat(parts, d) if len(parts) > 1 else x
    for _ in range(n):
        m = x.shape[d]
        before = (slice(None),) * d
        x = getitem(x, before + (slice(1, m),)) - getitem(x, before + (slice(0, max(m - 1, 0)),))
    return x


def kron(a: Tensor, b: Tensor) -> Tensor:
    """The Kronecker product: out[i*m + k, j*n + l] = a[i, j] * b[k, l] (any rank; the lower is padded)."""
    a, b = lift(a), lift(b)
    nd = max(a.ndim, b.ndim)
    sa, sb = (1,) * (nd - a.ndim) + a.shape, (1,) * (nd - b.ndim) + b.shape
    prod = reshape(a, [s for s in sa for s in (s, 1)]) * reshape(b, [s for s in sb for s in (1, s)])
    return reshape(prod, tuple(p * q for p, q in zip(sa, sb)))


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix from 0-, 1- and 2-D tensors (1-D ones are rows).

    >>> gn.block_diag(gn.ones(1, 1), gn.ones(2, 2)).shape
    (3, 3)
    """
    mats = []
    for t in (lift(t) for t in tensors):
        if t.ndim > 2:
            raise ValueError(f"block_diag: inputs must have at most 2 dims, got shape {t.shape}")
        mats.append(reshape(t, (1, 1) if t.ndim == 0 else (1, t.shape[0]) if t.ndim == 1 else t.shape))
    if not mats:
        return Tensor._wrap(xp.zeros((1, 0), dtype=backend.float32))
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = xp.result_type(dtype, m.dtype)
    width = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        pad = [Tensor._wrap(backend.module_of(m.data).zeros((m.shape[0], w), dtype=dtype))
               for w in (left, width - left - m.shape[1])]
        rows.append(concat([pad[0], m.to(dtype), pad[1]], 1))
        left += m.shape[1]
    return concat(rows, 0)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element of each 1-D tensor, as rows (itertools.product order)."""
    ts = [lift(t) for t in tensors]
    if any(t.ndim != 1 for t in ts):
        raise ValueError(f"cartesian_prod: expects 1-D tensors, got shapes {[t.shape for t in ts]}")
    if len(ts) == 1:
        return ts[0]
    grids = xp.meshgrid(*[xp.arange(t.shape[0]) for t in ts], indexing="ij")
    return stack([_take(t, 0, g.reshape(-1)) for t, g in zip(ts, grids)], 1)


def combinations(x: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All length-r combinations of a 1-D tensor's elements, as rows (itertools order)."""
    if x.ndim != 1:
        raise ValueError(f"combinations: expects a 1-D tensor, got shape {x.shape}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = xp.array(list(pick(range(x.shape[0]), r)), dtype=xp.int64).reshape(-1, r)
    if idx.shape[0] == 0:
        return Tensor._wrap(xp.zeros((0,) if r else (0,), dtype=x.dtype))
    return stack([_take(x, 0, idx[:, j]) for j in range(r)], 1)


def masked_select(x: Tensor, mask) -> Tensor:
    """The elements where the (broadcast) bool mask is True, as a 1-D tensor in row-major order."""
    m = getattr(mask, "data", mask)
    if getattr(m, "dtype", None) != xp.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got {getattr(m, 'dtype', type(m).__name__)}")
    shape = xp.broadcast_shapes(x.shape, m.shape)
    x = x.expand(*shape) if x.shape != shape else x
    return getitem(x, Tensor._wrap(xp.broadcast_to(m, shape)))


def _index_pairs(op: str, rows, cols, offset: int, lower: bool):
    fn = xp.tril_indices if lower else xp.triu_indices
    if rows < 0 or cols < 0:
        raise ValueError(f"{op}: row and col must be non-negative, got {rows} and {cols}")
    return Tensor._wrap(xp.stack(fn(rows, offset, cols)).astype(xp.int64).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, dtype=None, device=None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix, row by row.

    >>> gn.tril_indices(2, 2).tolist()
    [[0, 1, 1], [0, 0, 1]]
    """
    return _index_pairs("tril_indices", row, col, offset, True)


def triu_indices(row: int, col: int, offset: int = 0, dtype=None, device=None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix, row by row."""
    return _index_pairs("triu_indices", row, col, offset, False)


__all__ = ["block_diag", "cartesian_prod", "combinations", "diagonal", "diff", "kron", "masked_select", "movedim",
           "repeat_interleave", "roll", "rot90", "trace", "tril_indices", "triu_indices"]
