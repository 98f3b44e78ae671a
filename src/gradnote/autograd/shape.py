"""Shape ops, each forward beside its backward: reshape/view, permute/transpose, expand, repeat,
concat/stack, flip, and the torch helpers built from them (squeeze, unsqueeze, flatten, split, chunk).

Their backward never reads the inputs' values (``saves = False``): only shapes and axes.
"""

from __future__ import annotations

import numbers

from ..backend import xp
from .arithmetic import cast, lift
from .axes import norm_axis, one_dim
from .dtypes import result_type
from .function import Function
from .tensor import Tensor


def as_shape(op: str, shape) -> tuple:
    """Sizes given as separate ints or one tuple/list/Size/Tensor -> a tuple of ints."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = shape[0]
        if isinstance(shape, Tensor):
            shape = shape.tolist()
    if not all(isinstance(n, numbers.Integral) or (isinstance(n, Tensor) and n.data.size == 1) for n in shape):
        raise TypeError(f"{op}: sizes must be ints or one tuple of ints, got {shape!r}")
    return tuple(int(n) for n in shape)


class Reshape(Function):
    saves = False

    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) into "
                             f"{shape}") from None

    def backward(self, g):
        return g.reshape(self.shape)


def reshape(x: Tensor, *shape) -> Tensor:
    """The same elements in a new shape (one size may be -1: inferred). view() is the same op here."""
    return Reshape.apply(x, shape=as_shape("reshape", shape))


class Transpose(Function):
    saves = False

    def forward(self, a, axes):
        self.axes = axes
        return a.transpose(axes)

    def backward(self, g):
        return g.transpose(tuple(xp.argsort(self.axes).tolist()))


def permute(x: Tensor, *axes, op: str = "permute") -> Tensor:
    """Reorder the axes: permute(x, 2, 0, 1) moves the last axis first (NumPy's transpose(axes)); none: reverse."""
    axes = as_shape(op, axes) if axes else tuple(range(x.ndim - 1, -1, -1))
    nd = x.ndim
    if not all(-nd <= a < nd for a in axes) or sorted(a % nd for a in axes) != list(range(nd)):
        raise ValueError(f"{op}: axes {axes} are not a permutation of a tensor with {nd} dimensions")
    return Transpose.apply(x, axes=tuple(a % nd for a in axes))


def swapdims(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """torch.transpose(x, dim0, dim1): swap two axes on any rank."""
    nd = max(x.ndim, 1)
    if not all(isinstance(d, numbers.Integral) and -nd <= d < nd for d in (dim0, dim1)):
        raise ValueError(f"transpose: axes {(dim0, dim1)} are not a permutation of a tensor with {x.ndim} dimensions, "
                         "nor two of its dims to swap")
    if x.ndim == 0:
        return x
    d0, d1 = dim0 % nd, dim1 % nd
    axes = list(range(x.ndim))
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return Transpose.apply(x, axes=tuple(axes))


def squeeze(x: Tensor, dim=None) -> Tensor:
    """Drop size-1 axes (all, or those in `dim` whose size is 1; others stay, as PyTorch)."""
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = norm_axis("squeeze", dim, x.ndim) or ()
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1))
    return x if shape == x.shape else Reshape.apply(x, shape=shape)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 axis at `dim` (-1: at the end)."""
    d = one_dim("unsqueeze", dim, x.ndim + 1)
    return Reshape.apply(x, shape=x.shape[:d] + (1,) + x.shape[d:])


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes start_dim..end_dim into one (a 0-d tensor becomes 1-d)."""
    if x.ndim == 0:
        return Reshape.apply(x, shape=(1,))
    s, e = one_dim("flatten", start_dim, x.ndim), one_dim("flatten", end_dim, x.ndim)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    n = 1
    for k in x.shape[s:e + 1]:
        n *= k
    return Reshape.apply(x, shape=x.shape[:s] + (n,) + x.shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes) -> Tensor:
    """Split axis `dim` into `sizes` (one may be -1)."""
    d = one_dim("unflatten", dim, x.ndim)
    return Reshape.apply(x, shape=x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


class Expand(Function):
    saves = False

    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return xp.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"expand: a tensor of shape {a.shape} cannot be expanded to {shape}") from None

    def backward(self, g):
        return g  # the engine sums broadcast axes back to the input's shape


def expand(x: Tensor, *sizes) -> Tensor:
    """A broadcast view with new leading axes or size-1 axes stretched; -1 keeps a size."""
    sizes = as_shape("expand", sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a tensor with {x.ndim} dimensions")
    shape = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    return Expand.apply(x, shape=shape)


class Repeat(Function):
    saves = False

    def forward(self, a, reps):
        self.shape, self.reps = a.shape, reps
        return xp.tile(a.reshape((1,) * (len(reps) - a.ndim) + a.shape), reps)

    def backward(self, g):
        shape = (1,) * (len(self.reps) - len(self.shape)) + self.shape
        split = []
        for r, n in zip(self.reps, shape):
            split += [r, n]
        return g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(self.shape)


def repeat(x: Tensor, *repeats) -> Tensor:
    """Tile the tensor: repeat(2, 3) on (a, b) gives (2a, 3b) (torch's repeat, NumPy's tile)."""
    reps = as_shape("repeat", repeats)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: {len(reps)} repeats given for a tensor with {x.ndim} dimensions (need >= ndim)")
    return Repeat.apply(x, reps=reps)


class Concat(Function):
    saves = False

    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.splits = xp.cumsum([a.shape[axis] for a in arrays])[:-1].tolist()  # ints: CuPy takes no host array
        return xp.concatenate(arrays, axis=axis)

    def backward(self, g):
        return tuple(xp.split(g, self.splits, axis=self.axis))


class Stack(Function):
    saves = False

    def forward(self, *arrays, axis=0):
        self.axis = axis
        return xp.stack(arrays, axis=axis)

    def backward(self, g):
        return tuple(xp.moveaxis(g, self.axis, 0))


def _check_tensors(op: str, tensors) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}: expected a sequence of tensors, got one Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    ts = [lift(t) for t in tensors]
    dtype = result_type(*ts)
    return [cast(t, dtype) for t in ts]


def concat(tensors, axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (`axis=` or PyTorch's `dim=`; torch.cat). concat([(2,3), (4,3)], 0) -> (6,3).

    >>> concat([gn.zeros(2, 3), gn.ones(4, 3)], axis=0).shape
    (6, 3)
    """
    axis = axis if dim is None else dim
    ts = _check_tensors("concat", tensors)
    ndim = ts[0].ndim
    if ndim == 0:
        raise ValueError("concat: zero-dimensional tensors cannot be concatenated; use stack")
    ax = one_dim("concat", axis, ndim)
    for t in ts[1:]:
        if t.ndim != ndim or any(s != r for i, (s, r) in enumerate(zip(t.shape, ts[0].shape)) if i != ax):
            raise ValueError(f"concat: shapes {ts[0].shape} and {t.shape} differ outside dim {axis}")
    return Concat.apply(*ts, axis=ax)


def stack(tensors, axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new axis (`axis=` or `dim=`). stack([(2,3)]*4, 0) -> (4,2,3).

    >>> stack([gn.zeros(2, 3)] * 4, axis=0).shape
    (4, 2, 3)
    """
    axis = axis if dim is None else dim
    ts = _check_tensors("stack", tensors)
    for t in ts[1:]:
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: all tensors need the same shape, got {ts[0].shape} and {t.shape}")
    return Stack.apply(*ts, axis=one_dim("stack", axis, ts[0].ndim + 1))


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces along `dim`: of size `split_size` each (the last may be smaller), or of the given sizes."""
    from .indexing import narrow

    d = one_dim("split", dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size <= 0 and n > 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not sum to dim {dim}'s size {n}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    """At most `chunks` pieces of size ceil(n / chunks) along `dim` (torch.chunk)."""
    if not isinstance(chunks, numbers.Integral) or chunks < 1:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    n = x.shape[one_dim("chunk", dim, x.ndim)]
    return split(x, max(-(-n // chunks), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices along `dim`, each without that axis."""
    from .indexing import select

    d = one_dim("unbind", dim, x.ndim)
    return tuple(select(x, d, i) for i in range(x.shape[d]))


class Flip(Function):
    saves = False

    def forward(self, a, axes):
        self.axes = axes
        return xp.flip(a, axes)

    def backward(self, g):
        return xp.flip(g, self.axes)


def flip(x: Tensor, dims) -> Tensor:
    """Reverse the order of elements along `dims`."""
    return Flip.apply(x, axes=norm_axis("flip", dims, x.ndim))


__all__ = ["chunk", "concat", "expand", "flatten", "flip", "permute", "repeat", "reshape", "split", "squeeze", "stack",
           "swapdims", "unbind", "unflatten", "unsqueeze"]
