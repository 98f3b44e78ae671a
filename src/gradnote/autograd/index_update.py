"""Writing along an index or a mask: index_add, index_copy, index_fill, masked_scatter (out of place; the
Tensor's ``index_add_`` etc. record them in place). Written over scatter and index_put, so the gradient
flows to the tensor (except where overwritten) and to the source.

    counts = gn.zeros(3).index_add_(0, gn.tensor([0, 2, 2]), gn.ones(3))    # [1., 0., 2.]
"""

from __future__ import annotations

from .. import backend
from ..backend import xp
from .arithmetic import lift
from .axes import one_dim
from .indexing import _index_tensor, index_put, masked_fill, scatter
from .tensor import Tensor


def _spread(op: str, x: Tensor, dim: int, index, source: Tensor):
    """The 1-D `index` along `dim`, broadcast to source's shape (what scatter wants), and the normalised dim."""
    idx = _index_tensor(op, index)
    if idx.ndim > 1:
        raise ValueError(f"{op}: index must be 0-d or 1-D, got shape {idx.shape}")
    d = one_dim(op, dim, x.ndim)
    idx = idx.reshape(-1)
    want = x.shape[:d] + (idx.size,) + x.shape[d + 1:] if x.ndim else (idx.size,)
    if source.shape != want and not (x.ndim == 0 and source.size == idx.size):
        raise ValueError(f"{op}: source must have shape {want} for an input of shape {x.shape}, index of "
                         f"{idx.size} along dim {dim}; got {source.shape}")
    shape = [1] * max(x.ndim, 1)
    shape[d] = idx.size
    return xp.broadcast_to(idx.reshape(shape), source.shape), d


def index_add(x: Tensor, dim: int, index, source, alpha=1) -> Tensor:
    """x with alpha * source[..., j, ...] added at x[..., index[j], ...] (repeated indices add up)."""
    source = lift(source)
    idx, d = _spread("index_add", x, dim, index, source)
    return scatter(x, d, Tensor._wrap(idx), source if alpha == 1 else alpha * source, reduce="add")


def index_copy(x: Tensor, dim: int, index, source) -> Tensor:
    """x with x[..., index[j], ...] = source[..., j, ...]."""
    source = lift(source)
    idx, d = _spread("index_copy", x, dim, index, source)
    return scatter(x, d, Tensor._wrap(idx), source)


def index_fill(x: Tensor, dim: int, index, value) -> Tensor:
    """x with every x[..., index[j], ...] set to `value` (a number or a 0-d tensor)."""
    idx = _index_tensor("index_fill", index).reshape(-1)
    d = one_dim("index_fill", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_fill: index out of range for dim {dim} of size {n}")
    mask = xp.zeros(n, dtype=bool)
    mask[idx] = True
    shape = [1] * x.ndim
    if x.ndim:
        shape[d] = n
    return masked_fill(x, Tensor._wrap(backend.like(mask.reshape(shape), x.data)), value)


def masked_scatter(x: Tensor, mask, source) -> Tensor:
    """x with the positions where the (broadcast) mask is True filled, in row-major order, by source's first
    elements."""
    m = getattr(mask, "data", mask)
    if getattr(m, "dtype", None) != xp.bool_:
        raise TypeError("masked_scatter: mask must be a bool tensor")
    m = xp.broadcast_to(m, x.shape)
    k = int(m.sum())
    source = lift(source)
    if source.numel() < k:
        raise ValueError(f"masked_scatter: the mask selects {k} elements but source has only {source.numel()}")
    return index_put(x, Tensor._wrap(m), source.reshape(-1)[:k])
