"""Indexing ops, each forward beside its backward: x[index], gather/scatter, index_select,
masked_fill and where. Gradients of repeated indices accumulate (np.add.at).

PyTorch and NumPy differ on one indexing rule: an integer beside an index array separated by a
slice (``x[1, :, [0, 1]]``). NumPy counts the integer as an advanced index and moves the result's
advanced axes first; PyTorch selects with the integer first. ``getitem`` follows PyTorch.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import unbroadcast, xp
from .arithmetic import cast, lift, operands
from .axes import one_dim
from .dtypes import result_type
from .function import Function
from .tensor import Tensor


class GetItem(Function):
    saves = False

    def forward(self, a, index, advanced):
        self.shape, self.index, self.advanced = a.shape, index, advanced
        try:
            return a[index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {a.shape})") from None

    def backward(self, g):
        out = backend.module_of(g).zeros(self.shape, dtype=g.dtype)
        if self.advanced:
            backend.scatter_add(out, self.index, g)
        else:
            out[self.index] = g
        return out


def clean_index(index, like=None):
    """Tensors and lists in an index become arrays; returns (index, uses advanced indexing). Indexing the
    CuPy array `like`, host index arrays move to its device (PyTorch takes CPU indices for CUDA tensors)."""
    items = index if isinstance(index, tuple) else (index,)
    clean, advanced = [], False
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, list):
            item = backend.asarray(item)
        if isinstance(item, backend.array_types):
            if item.dtype.kind not in "iub":
                raise IndexError(f"getitem: index arrays must be integer or bool, got {item.dtype}")
            advanced = True
            if like is not None and not backend.is_host(like):
                item = backend.like(item, like)
        clean.append(item)
    return (tuple(clean) if isinstance(index, tuple) else clean[0]), advanced


def _split_integers(index: tuple, ndim: int):
    """(integers first, the rest) as two basic/advanced indices applied one after the other."""
    consumed = sum(1 if not (item is None or item is Ellipsis) else 0 for item in index)
    consumed += sum(item.ndim - 1 for item in index if isinstance(item, backend.array_types) and item.dtype.kind == "b")
    first, rest = [], []
    for item in index:
        if item is Ellipsis:
            fill = ndim - consumed
            first += [slice(None)] * fill
            rest.append(Ellipsis)
        elif item is None:
            rest.append(None)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            first.append(item)
        elif isinstance(item, backend.array_types) and item.dtype.kind == "b":
            first += [slice(None)] * item.ndim
            rest.append(item)
        else:
            first.append(slice(None))
            rest.append(item)
    return tuple(first), tuple(rest)


def getitem(x: Tensor, index) -> Tensor:
    """x[index]: basic and integer-array indexing with gradient, PyTorch's rule for integers beside arrays."""
    index, advanced = clean_index(index, x.data)
    if advanced and isinstance(index, tuple) and any(
            isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in index):
        first, rest = _split_integers(index, x.ndim)
        x = GetItem.apply(x, index=first, advanced=False)
        index = rest
    return GetItem.apply(x, index=index, advanced=advanced)


class IndexPut(Function):
    """x with x[index] = v, out of place (what setitem records when the tensor is in a graph)."""

    saves = False

    def forward(self, a, v, index, advanced):
        self.index, self.advanced, self.vshape = index, advanced, v.shape
        out = a.copy()
        out[index] = v
        return out

    def backward(self, g):
        ga = g.copy()
        ga[self.index] = 0
        gv = None
        if self.needs[1]:
            picked = g[self.index]
            gv = picked if picked.shape == self.vshape else unbroadcast(picked, self.vshape)
        return ga, gv


def index_put(x: Tensor, index, value) -> Tensor:
    index, advanced = clean_index(index, x.data)
    value = cast(lift(value, x.dtype if not isinstance(value, Tensor) else None), x.dtype)
    return IndexPut.apply(x, value, index=index, advanced=advanced)


def select(x: Tensor, dim: int, i: int) -> Tensor:
    """The slice at position i along dim, without that axis."""
    d = one_dim("select", dim, x.ndim)
    return GetItem.apply(x, index=(slice(None),) * d + (int(i),), advanced=False)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The `length` elements from `start` along `dim` (a view in PyTorch, a slice here)."""
    d = one_dim("narrow", dim, x.ndim)
    n = x.shape[d]
    start = int(start) + (n if start < 0 else 0)
    if not (0 <= start <= n and 0 <= length and start + length <= n):
        raise IndexError(f"narrow: start {start} + length {length} exceeds dim {dim} of size {n}")
    return GetItem.apply(x, index=(slice(None),) * d + (slice(start, start + int(length)),), advanced=False)


def _index_tensor(op: str, index, like=None) -> xp.ndarray:
    """The index array of `index`; checked to be on the device of the array `like` (PyTorch's rule)."""
    idx = index.data if isinstance(index, Tensor) else backend.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor (int64), got {idx.dtype}")
    if like is not None and backend.cupy_loaded():
        idx = backend.same_device(op, [like, idx])[1]
    return idx


class Gather(Function):
    saves = False

    def forward(self, a, axis, idx):
        self.shape, self.axis, self.idx = a.shape, axis, idx
        return xp.take_along_axis(a, idx, axis)

    def backward(self, g):
        out = backend.module_of(g).zeros(self.shape, dtype=g.dtype)
        backend.scatter_add(out, _along_index(self.idx, self.axis), g)
        return out


def _along_index(idx, axis):
    """An advanced index that addresses a[..., idx[...], ...] elementwise along `axis` (open grids, as
    np.ogrid, made by idx's array module)."""
    m, nd = backend.module_of(idx), idx.ndim
    grids = [m.arange(n).reshape([n if i == k else 1 for i in range(nd)]) for k, n in enumerate(idx.shape)]
    grids[axis] = idx
    return tuple(grids)


def gather(x: Tensor, dim: int, index) -> Tensor:
    """out[i][j] = x[i][index[i][j]] for dim=1 (any rank): index has x's rank; out has index's shape."""
    idx = _index_tensor("gather", index, x.data)
    d = one_dim("gather", dim, x.ndim)
    if idx.ndim != x.ndim:
        raise ValueError(f"gather: index of shape {idx.shape} must have as many dims as the input {x.shape}")
    if any(i != d and s > t for i, (s, t) in enumerate(zip(idx.shape, x.shape))):
        raise ValueError(f"gather: index shape {idx.shape} exceeds input shape {x.shape} outside dim {dim}")
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise IndexError(f"gather: index out of range for dim {dim} of size {x.shape[d]}")
    sl = tuple(slice(0, s) if i != d else slice(None) for i, s in enumerate(idx.shape))
    part = GetItem.apply(x, index=sl, advanced=False) if x.ndim else x
    return Gather.apply(part, axis=d, idx=idx % max(x.shape[d], 1) if x.ndim else idx)


class Scatter(Function):
    """x with x[..index..] = src (reduce None) or += src (reduce "add"), out of place."""

    saves = False

    def forward(self, a, src, axis, idx, reduce):
        self.axis, self.idx, self.reduce, self.src_shape = axis, idx, reduce, src.shape
        out = a.copy()
        where = _along_index(idx, axis)
        part = src[tuple(slice(0, s) for s in idx.shape)]
        if reduce == "add":
            backend.scatter_add(out, where, part)
        else:
            out[where] = part
        return out

    def backward(self, g):
        where = _along_index(self.idx, self.axis)
        ga = None
        if self.needs[0]:
            ga = g.copy()
            if self.reduce != "add":
                ga[where] = 0
        gs = None
        if self.needs[1]:
            gs = backend.module_of(g).zeros(self.src_shape, dtype=g.dtype)
            gs[tuple(slice(0, s) for s in self.idx.shape)] = g[where]
        return ga, gs


def scatter(x: Tensor, dim: int, index, src=None, value=None, reduce=None) -> Tensor:
    """Out of place: out[i][index[i][j]] = src[i][j] for dim=1 (reduce="add" sums); src may be a number (value)."""
    idx = _index_tensor("scatter", index, x.data)
    d = one_dim("scatter", dim, x.ndim)
    if src is None:
        src = value
    if reduce not in (None, "add", "sum"):
        raise ValueError(f"scatter: reduce must be None or 'add', got {reduce!r}")
    if not isinstance(src, Tensor):
        src = Tensor._wrap(backend.module_of(x.data).full(idx.shape, src, dtype=x.dtype))
    if idx.ndim != x.ndim or src.ndim != x.ndim:
        raise ValueError(f"scatter: index {idx.shape}, src {src.shape} and input {x.shape} need the same number of dims")
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise IndexError(f"scatter: index out of range for dim {dim} of size {x.shape[d]}")
    return Scatter.apply(x, cast(src, x.dtype), axis=d, idx=idx % max(x.shape[d], 1),
                         reduce="add" if reduce in ("add", "sum") else None)


def index_select(x: Tensor, dim: int, index) -> Tensor:
    """The entries at `index` (1-D int tensor) along `dim`."""
    idx = _index_tensor("index_select", index, x.data)
    if idx.ndim > 1:
        raise ValueError(f"index_select: index must be 0-d or 1-D, got shape {idx.shape}")
    d = one_dim("index_select", dim, x.ndim)
    return GetItem.apply(x, index=(slice(None),) * d + (idx.reshape(-1),), advanced=True)


class Where(Function):
    saves = False

    def forward(self, a, b, cond):
        self.cond = cond
        try:
            return xp.where(cond, a, b)
        except ValueError:
            raise ValueError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be broadcast together") from None

    def backward(self, g):
        zero = g.dtype.type(0)  # a NumPy scalar: CuPy takes it beside device arrays
        return (xp.where(self.cond, g, zero) if self.needs[0] else None,
                xp.where(self.cond, zero, g) if self.needs[1] else None)


def _bool(op: str, cond) -> xp.ndarray:
    cond = cond.data if isinstance(cond, Tensor) else backend.asarray(cond)
    return cond if cond.dtype == xp.bool_ else cond.astype(bool)


def where(cond, a=None, b=None):
    """Elementwise choice: a where cond is true, else b (cond gets no gradient); cond, a, b broadcast.
    With only cond: the indices of its true elements, as a tuple of int64 tensors (torch.where(cond)).

    >>> where(gn.tensor([True, False]), gn.ones(2), gn.zeros(2)).tolist()
    [1.0, 0.0]
    """
    cond = _bool("where", cond)
    if a is None and b is None:
        return tuple(Tensor._wrap(i.astype(xp.int64)) for i in xp.nonzero(cond))
    a, b = operands(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else operands(lift(a), b)
    if backend.cupy_loaded():  # the condition is an option, outside Function.apply's device check
        _, _, cond = backend.same_device("where", [a.data, b.data, cond])
    return Where.apply(a, b, cond=cond)


def masked_fill(x: Tensor, mask, value) -> Tensor:
    """x with `value` where mask (bool, broadcast to x's shape) is true; the gradient there is 0."""
    m = _bool("masked_fill", mask)
    if m.dtype != xp.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {m.dtype}")
    v = value.data if isinstance(value, Tensor) else value
    if xp.ndim(v) != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {xp.shape(v)}")
    try:
        ok = xp.broadcast_shapes(m.shape, x.shape) == x.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"masked_fill: mask of shape {m.shape} cannot be broadcast to the input's {x.shape}")
    filler = Tensor._wrap(backend.asarray(v, dtype=x.dtype))
    if x.data.dtype.kind in "biu" and result_type(x, v).kind == "f":
        raise TypeError(f"masked_fill: a float value {v!r} cannot fill a {x.dtype} tensor")
    if backend.cupy_loaded():
        _, m = backend.same_device("masked_fill", [x.data, m])
    return Where.apply(filler, x, cond=m)


__all__ = ["gather", "getitem", "index_select", "masked_fill", "narrow", "scatter", "select", "where"]
