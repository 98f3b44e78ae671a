"""The core differentiable ops, each forward beside its backward.

Every op is a Function subclass; the operators and methods of Tensor are bound to
them at the bottom of this file. Elementwise ops broadcast like NumPy; the engine
sums broadcast gradients back to each input's shape.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import xp
from .function import Function
from .tensor import Tensor


def _lift(x, like: Tensor) -> Tensor:
    """Turn a Python number or array into a constant tensor; Python numbers take `like`'s float dtype."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numbers.Number) and not isinstance(x, xp.ndarray):
        kind = like.data.dtype.kind
        if kind == "f":
            return Tensor._wrap(xp.asarray(x, dtype=like.data.dtype))
        if isinstance(x, float):
            return Tensor._wrap(xp.asarray(x, dtype=backend.float32))
        return Tensor._wrap(xp.asarray(x))
    arr = xp.asarray(x)
    if not isinstance(x, xp.ndarray) and arr.dtype == backend.float64:
        arr = arr.astype(backend.float32)
    return Tensor._wrap(arr)


def _operands(a: Tensor, b, true_divide: bool = False) -> tuple[Tensor, Tensor]:
    """a and b (lifted) with PyTorch's promotion: an integer or bool operand meeting a float one takes
    the float's dtype, and true division of integers gives float32 (NumPy would give float64 in both
    cases, e.g. for uint8 images / 255.0)."""
    b = _lift(b, a)
    da, db = a.data.dtype, b.data.dtype
    if da is not db and da != db:
        if db.kind == "f" and da.kind in "biu":
            a = Cast.apply(a, dtype=db)
        elif da.kind == "f" and db.kind in "biu":
            b = Cast.apply(b, dtype=da)
    if true_divide and a.data.dtype.kind in "biu" and b.data.dtype.kind in "biu":
        a, b = Cast.apply(a, dtype=backend.float32), Cast.apply(b, dtype=backend.float32)
    return a, b


def _bad_broadcast(op: str, a, b):
    raise ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def _norm_axis(op: str, axis, ndim: int):
    """None, or a sorted tuple of non-negative axes; errors name the op."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, numbers.Integral) else axis
    if not isinstance(axes, (tuple, list)) or not all(isinstance(ax, numbers.Integral) for ax in axes):
        raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, got {axis!r}")
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def _expand(g, shape, axes, keepdims):
    """Spread a reduced gradient back over the input shape (xp.full: much cheaper per call
    than a broadcast_to view, and every consumer would allocate a new array anyway)."""
    if axes is not None and not keepdims:
        g = g.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return xp.full(shape, g, dtype=g.dtype)


# ----- elementwise arithmetic --------------------------------------------------
class Add(Function):
    def forward(self, a, b):
        try:
            return a + b
        except ValueError:
            _bad_broadcast("add", a, b)

    def backward(self, g):
        return g, g


class Sub(Function):
    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            _bad_broadcast("sub", a, b)

    def backward(self, g):
        return g, (-g if self.needs[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            return a * b
        except ValueError:
            _bad_broadcast("mul", a, b)

    def backward(self, g):
        return (g * self.b if self.needs[0] else None, g * self.a if self.needs[1] else None)


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            return a / b
        except ValueError:
            _bad_broadcast("div", a, b)

    def backward(self, g):
        ga = g / self.b
        return (ga if self.needs[0] else None, -ga * self.a / self.b if self.needs[1] else None)


class Pow(Function):
    """a ** b with both tensors; d/db = a**b * log(a), taken as 0 where a == 0 (as PyTorch)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            self.out = a**b
        except ValueError:
            _bad_broadcast("pow", a, b)
        return self.out

    def backward(self, g):
        a, b = self.a, self.b
        ga = None
        if self.needs[0]:
            # exponent 0: d/da a**0 = 0 even at a == 0, where b * a**(b-1) is 0 * inf (as PyTorch)
            with xp.errstate(divide="ignore", invalid="ignore"):
                ga = xp.where(b == 0, 0, g * b * a ** (b - 1))
        gb = None
        if self.needs[1]:
            with xp.errstate(divide="ignore", invalid="ignore"):
                gb = g * self.out * xp.where(a == 0, 0.0, xp.log(xp.where(a == 0, 1.0, a)))
        return ga, gb


class PowScalar(Function):
    """a ** p for a Python number p: d/da = p * a**(p-1)."""

    def forward(self, a, p):
        self.a, self.p = a, p
        return a**p

    def backward(self, g):
        a, p = self.a, self.p
        if p == 2:
            return g * (2 * a)
        if p == 0:
            return xp.zeros_like(g)  # not 0 * a**-1, which is nan at a == 0
        return g * (p * a ** (p - 1))


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Exp(Function):
    def forward(self, a):
        self.out = xp.exp(a)
        return self.out

    def backward(self, g):
        return g * self.out


class Log(Function):
    def forward(self, a):
        self.a = a
        return xp.log(a)

    def backward(self, g):
        return g / self.a


class Sqrt(Function):
    def forward(self, a):
        self.out = xp.sqrt(a)
        return self.out

    def backward(self, g):
        return g / (2 * self.out)


class Abs(Function):
    def forward(self, a):
        self.a = a
        return xp.abs(a)

    def backward(self, g):
        return g * xp.sign(self.a)


class Clip(Function):
    """Gradient 1 where lo <= a <= hi (bounds included, as PyTorch's clamp), else 0."""

    def forward(self, a, lo=None, hi=None):
        self.a, self.lo, self.hi = a, lo, hi
        try:
            return xp.clip(a, lo, hi)
        except ValueError:
            shapes = [xp.shape(v) for v in (lo, hi) if v is not None]
            raise ValueError(f"clip: bounds of shapes {shapes} cannot be broadcast to the tensor's {a.shape}") from None

    def backward(self, g):
        a, keep = self.a, True
        if self.lo is not None:
            keep = a >= self.lo
        if self.hi is not None:
            keep = keep & (a <= self.hi)
        return g * keep


class Cast(Function):
    def forward(self, a, dtype):
        self.src = a.dtype
        return a.astype(dtype)

    def backward(self, g):
        return g.astype(self.src)


# ----- linear algebra ----------------------------------------------------------
class MatMul(Function):
    """a @ b with NumPy's rules: 1-D operands are vectors, leading axes broadcast."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: both operands need at least 1 dimension")
        k_b = b.shape[-2] if b.ndim >= 2 else b.shape[0]
        if a.shape[-1] != k_b:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: inner dimensions {a.shape[-1]} and {k_b} differ")
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: batch dimensions cannot be broadcast") from None

    def backward(self, g):
        a, b = self.a, self.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            ga, gb = g * b, g * a
        elif a.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
            ga = (b @ g[..., None])[..., 0] if self.needs[0] else None
            gb = a[:, None] * g[..., None, :] if self.needs[1] else None
        elif b.ndim == 1:  # (..., m, k) @ (k,) -> (..., m)
            ga = g[..., None] * b if self.needs[0] else None
            gb = (xp.swapaxes(a, -1, -2) @ g[..., None])[..., 0] if self.needs[1] else None
        else:
            ga = g @ xp.swapaxes(b, -1, -2) if self.needs[0] else None
            gb = xp.swapaxes(a, -1, -2) @ g if self.needs[1] else None
        return ga, gb


# ----- reductions --------------------------------------------------------------
class Sum(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return a.sum(axis=axis, keepdims=keepdims)

    def backward(self, g):
        return _expand(g, self.shape, self.axis, self.keepdims)


class Mean(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        self.count = a.size if axis is None else int(xp.prod([a.shape[i] for i in axis]))
        with xp.errstate(invalid="ignore", divide="ignore"):
            return xp.mean(a, axis=axis, keepdims=keepdims)

    def backward(self, g):
        return _expand(g / max(self.count, 1), self.shape, self.axis, self.keepdims)


class Var(Function):
    """Variance with NumPy's ddof (0: population variance)."""

    def forward(self, a, axis=None, keepdims=False, ddof=0):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        count = a.size if axis is None else int(xp.prod([a.shape[i] for i in axis]))
        self.denom = count - ddof
        self.centered = a - a.mean(axis=axis, keepdims=True)
        with xp.errstate(invalid="ignore", divide="ignore"):
            return xp.var(a, axis=axis, keepdims=keepdims, ddof=ddof)

    def backward(self, g):
        g = _expand(g, self.shape, self.axis, self.keepdims)
        scale = 2.0 / self.denom if self.denom > 0 else float("nan")  # no degrees of freedom left
        return g * self.centered * scale


class Extreme(Function):
    """max or min over axes; the gradient is shared equally among tied extremes (as torch.amax)."""

    def forward(self, a, axis=None, keepdims=False, mode="max"):
        # only an empty reduced axis has no extreme; (0, 3).max(axis=1) is just an empty (0,) result
        if any(a.shape[i] == 0 for i in (range(a.ndim) if axis is None else axis)):
            raise ValueError(f"{mode}: cannot reduce an empty tensor of shape {a.shape}"
                             + ("" if axis is None else f" along axis {axis if len(axis) > 1 else axis[0]}"))
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        reduce = xp.max if mode == "max" else xp.min
        out = reduce(a, axis=axis, keepdims=True)
        self.mask = a == out
        return out if keepdims else (out.reshape(()) if axis is None else xp.squeeze(out, axis))

    def backward(self, g):
        mask = self.mask
        count = mask.sum(axis=self.axis, keepdims=True).astype(g.dtype)
        return _expand(g, self.shape, self.axis, self.keepdims) * mask / count


# ----- shape and indexing ------------------------------------------------------
class Reshape(Function):
    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) into {shape}") from None

    def backward(self, g):
        return g.reshape(self.shape)


class Transpose(Function):
    def forward(self, a, axes):
        self.axes = axes
        return a.transpose(axes)

    def backward(self, g):
        return g.transpose(xp.argsort(self.axes))


class GetItem(Function):
    """Basic and integer-array indexing; repeated indices accumulate their gradients."""

    def forward(self, a, index, advanced):
        self.shape, self.index, self.advanced = a.shape, index, advanced
        try:
            return a[index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {a.shape})") from None

    def backward(self, g):
        out = xp.zeros(self.shape, dtype=g.dtype)
        if self.advanced:
            xp.add.at(out, self.index, g)
        else:
            out[self.index] = g
        return out


def _index_arrays(index):
    """Replace Tensors and lists in an index by arrays; report whether it uses advanced indexing."""
    items = index if isinstance(index, tuple) else (index,)
    clean, advanced = [], False
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, list):
            item = xp.asarray(item)
        if isinstance(item, xp.ndarray):
            if item.dtype.kind not in "iub":
                raise IndexError(f"getitem: index arrays must be integer or bool, got {item.dtype}")
            advanced = True
        clean.append(item)
    return (tuple(clean) if isinstance(index, tuple) else clean[0]), advanced


class Concat(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.splits = xp.cumsum([a.shape[axis] for a in arrays])[:-1]
        return xp.concatenate(arrays, axis=axis)

    def backward(self, g):
        return tuple(xp.split(g, self.splits, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        return xp.stack(arrays, axis=axis)

    def backward(self, g):
        return tuple(xp.moveaxis(g, self.axis, 0))


class Where(Function):
    def forward(self, a, b, cond):
        self.cond = cond
        try:
            return xp.where(cond, a, b)
        except ValueError:
            raise ValueError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be broadcast together") from None

    def backward(self, g):
        zero = xp.zeros((), dtype=g.dtype)
        return (xp.where(self.cond, g, zero) if self.needs[0] else None,
                xp.where(self.cond, zero, g) if self.needs[1] else None)


class Maximum(Function):
    """Elementwise max (or min); ties split the gradient half and half, as PyTorch."""

    def forward(self, a, b, mode="max"):
        self.a, self.b, self.mode = a, b, mode
        try:
            return xp.maximum(a, b) if mode == "max" else xp.minimum(a, b)
        except ValueError:
            _bad_broadcast("maximum" if mode == "max" else "minimum", a, b)

    def backward(self, g):
        a, b = self.a, self.b
        win = (a > b) if self.mode == "max" else (a < b)
        share = xp.where(a == b, 0.5, win).astype(g.dtype, copy=False)
        return (g * share if self.needs[0] else None, g * (1.0 - share) if self.needs[1] else None)


# ----- the public free functions ------------------------------------------------
def _check_tensors(op: str, tensors):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def concat(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis. concat([(2,3), (4,3)], 0) -> (6,3).

    >>> concat([gn.zeros(2, 3), gn.ones(4, 3)], axis=0).shape
    (6, 3)
    """
    ts = _check_tensors("concat", tensors)
    ndim = ts[0].ndim
    if ndim == 0:
        raise ValueError("concat: zero-dimensional tensors cannot be concatenated; use stack")
    ax = _norm_axis("concat", axis, ndim)[0]
    for t in ts[1:]:
        if t.ndim != ndim or any(s != r for i, (s, r) in enumerate(zip(t.shape, ts[0].shape)) if i != ax):
            raise ValueError(f"concat: shapes {ts[0].shape} and {t.shape} differ outside axis {axis}")
    return Concat.apply(*ts, axis=ax)


def stack(tensors, axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis. stack([(2,3)]*4, 0) -> (4,2,3).

    >>> stack([gn.zeros(2, 3)] * 4, axis=0).shape
    (4, 2, 3)
    """
    ts = _check_tensors("stack", tensors)
    for t in ts[1:]:
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: all tensors need the same shape, got {ts[0].shape} and {t.shape}")
    ax = _norm_axis("stack", axis, ts[0].ndim + 1)[0]
    return Stack.apply(*ts, axis=ax)


def where(cond, a, b) -> Tensor:
    """Elementwise choice: a where cond is true, else b (cond gets no gradient).

    cond, a, b broadcast together.

    >>> where(gn.tensor([True, False]), gn.ones(2), gn.zeros(2)).tolist()
    [1.0, 0.0]
    """
    cond = cond.data if isinstance(cond, Tensor) else xp.asarray(cond)
    if cond.dtype != backend.bool_:
        cond = cond.astype(bool)
    a, b = _pair(a, b)
    return Where.apply(a, b, cond=cond)


def _pair(a, b) -> tuple:
    """Two operands as tensors; a number or array takes its float dtype from the tensor beside it."""
    if not isinstance(a, Tensor):
        a = _lift(a, b) if isinstance(b, Tensor) else Tensor(a)
    return a, _lift(b, a)


def maximum(a, b) -> Tensor:
    """Elementwise maximum with broadcasting; ties share the gradient equally.

    >>> maximum(gn.tensor([1.0, 5.0]), 3.0).tolist()
    [3.0, 5.0]
    """
    return Maximum.apply(*_pair(a, b), mode="max")


def minimum(a, b) -> Tensor:
    """Elementwise minimum with broadcasting; ties share the gradient equally.

    >>> minimum(gn.tensor([1.0, 5.0]), 3.0).tolist()
    [1.0, 3.0]
    """
    return Maximum.apply(*_pair(a, b), mode="min")


# ----- binding operators and methods to Tensor ---------------------------------
def _pow(a, b):
    if isinstance(b, numbers.Number) and not isinstance(b, xp.ndarray):
        return PowScalar.apply(a, p=b)
    return Pow.apply(a, _lift(b, a))


def _rpow(a, b):
    return Pow.apply(_lift(b, a), a)


def _matmul(a, b):
    return MatMul.apply(a, _lift(b, a))


def _compare(ufunc):
    def compare(a, b):
        b = b.data if isinstance(b, Tensor) else b
        try:
            return Tensor._wrap(ufunc(a.data, b))
        except ValueError:
            _bad_broadcast(ufunc.__name__, a.data, xp.asarray(b))

    return compare


def _reduction(name, cls, **fixed):
    def reduce(self, axis=None, keepdims=False, **kw):
        axes = _norm_axis(name, axis, self.data.ndim)
        return cls.apply(self, axis=axes, keepdims=keepdims, **fixed, **kw)

    reduce.__name__ = name
    reduce.__doc__ = f"{name} over `axis` (None: all), NumPy semantics; differentiable."
    return reduce


def _reshape(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape.apply(self, shape=tuple(int(s) for s in shape))


def _transpose(self, *axes):
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    nd = self.data.ndim
    if not axes:
        axes = tuple(range(nd - 1, -1, -1))
    if (not all(isinstance(a, numbers.Integral) and -nd <= a < nd for a in axes)
            or sorted(a % nd for a in axes) != list(range(nd))):
        raise ValueError(f"transpose: axes {axes} are not a permutation of a tensor with {nd} dimensions")
    return Transpose.apply(self, axes=tuple(a % nd for a in axes))


def _getitem(self, index):
    index, advanced = _index_arrays(index)
    return GetItem.apply(self, index=index, advanced=advanced)


def _setitem(self, index, value):
    if self._rg:
        raise RuntimeError("setitem: in-place assignment to a tensor that requires grad would corrupt its graph; "
                           "assign to .data or build a new tensor with gn.where")
    index, _ = _index_arrays(index)
    self.data[index] = value.data if isinstance(value, Tensor) else value


def _clip(self, lo=None, hi=None):
    """Limit values to [lo, hi]; either bound may be None (no limit on that side)."""
    if lo is None and hi is None:
        raise ValueError("clip: at least one of lo and hi must be given")
    lo = lo.data if isinstance(lo, Tensor) else lo
    hi = hi.data if isinstance(hi, Tensor) else hi
    return Clip.apply(self, lo=lo, hi=hi)


def _arg_extreme(name, find):
    def arg(self, axis=None, keepdims=False):
        if axis is not None:
            if not isinstance(axis, numbers.Integral):
                raise TypeError(f"{name}: axis must be None or an int, got {axis!r}")
            axis = _norm_axis(name, axis, self.data.ndim)[0]
        if self.data.size == 0 and (axis is None or self.shape[axis] == 0):
            raise ValueError(f"{name}: cannot reduce an empty tensor of shape {self.shape}")
        return Tensor._wrap(xp.asarray(find(self.data, axis=axis, keepdims=keepdims)))

    arg.__name__ = name
    arg.__doc__ = f"Indices (int64, no gradient) of the {name[3:]} values along `axis` (None: flattened)."
    return arg


Tensor.__add__ = lambda a, b: Add.apply(*_operands(a, b))
Tensor.__radd__ = lambda a, b: Add.apply(*_operands(a, b)[::-1])
Tensor.__sub__ = lambda a, b: Sub.apply(*_operands(a, b))
Tensor.__rsub__ = lambda a, b: Sub.apply(*_operands(a, b)[::-1])
Tensor.__mul__ = lambda a, b: Mul.apply(*_operands(a, b))
Tensor.__rmul__ = lambda a, b: Mul.apply(*_operands(a, b)[::-1])
Tensor.__truediv__ = lambda a, b: Div.apply(*_operands(a, b, true_divide=True))
Tensor.__rtruediv__ = lambda a, b: Div.apply(*_operands(a, b, true_divide=True)[::-1])
Tensor.__pow__ = _pow
Tensor.__rpow__ = _rpow
Tensor.__matmul__ = _matmul
Tensor.__rmatmul__ = lambda a, b: MatMul.apply(_lift(b, a), a)
Tensor.__neg__ = lambda a: Neg.apply(a)
Tensor.__pos__ = lambda a: a
Tensor.__eq__ = _compare(xp.equal)
Tensor.__ne__ = _compare(xp.not_equal)
Tensor.__lt__ = _compare(xp.less)
Tensor.__le__ = _compare(xp.less_equal)
Tensor.__gt__ = _compare(xp.greater)
Tensor.__ge__ = _compare(xp.greater_equal)
Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem

Tensor.sum = _reduction("sum", Sum)
Tensor.mean = _reduction("mean", Mean)
def _var(self, axis=None, keepdims=False, ddof=0):
    """Variance over `axis` (None: all), NumPy semantics: sum((x - mean)^2) / (n - ddof)."""
    return Var.apply(self, axis=_norm_axis("var", axis, self.data.ndim), keepdims=keepdims, ddof=ddof)


Tensor.var = _var
Tensor.max = _reduction("max", Extreme, mode="max")
Tensor.min = _reduction("min", Extreme, mode="min")
Tensor.reshape = _reshape
Tensor.transpose = _transpose
Tensor.exp = lambda a: Exp.apply(a)
Tensor.log = lambda a: Log.apply(a)
Tensor.sqrt = lambda a: Sqrt.apply(a)
Tensor.abs = lambda a: Abs.apply(a)
Tensor.__abs__ = lambda a: Abs.apply(a)
Tensor.clip = _clip
Tensor.argmax = _arg_extreme("argmax", xp.argmax)
Tensor.argmin = _arg_extreme("argmin", xp.argmin)
