"""keras.ops' NumPy-like functions (Keras's keras.ops.numpy), each a thin call of gradnote's Tensor ops.

Arguments keep Keras's (NumPy's) names and meanings: ``axis=`` (an int, a tuple or None for all),
``keepdims=``; inputs may be Tensors, arrays or numbers; results are gradnote Tensors with gradients.

>>> ops = gn.keras.ops
>>> ops.sum(ops.arange(6).reshape((2, 3)), axis=0).tolist(), ops.mean(np.ones((2, 3)), axis=-1).shape
([3, 5, 7], (2,))
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from ... import autograd as ag
from ... import functional as F
from ...autograd import Tensor
from ...backend import xp
from .core import as_tensors, axes_of, cast, convert_to_tensor, keras_op, standardize_dtype

_t = convert_to_tensor


# ----- arithmetic and elementwise maths ------------------------------------------------------------------
@keras_op
def add(x1, x2): return _t(x1) + _t(x2)
@keras_op
def subtract(x1, x2): return _t(x1) - _t(x2)
@keras_op
def multiply(x1, x2): return _t(x1) * _t(x2)
@keras_op
def divide(x1, x2): return _t(x1) / _t(x2)
@keras_op
def true_divide(x1, x2): return _t(x1) / _t(x2)
@keras_op
def floor_divide(x1, x2): return _t(x1) // _t(x2)
@keras_op
def mod(x1, x2): return _t(x1) % _t(x2)
@keras_op
def negative(x): return -_t(x)
@keras_op
def power(x1, x2): return _t(x1) ** (x2 if isinstance(x2, numbers.Number) else _t(x2))
@keras_op
def square(x): return _t(x).square()
@keras_op
def sqrt(x): return _t(x).sqrt()
@keras_op
def exp(x): return _t(x).exp()
@keras_op
def log(x): return _t(x).log()
@keras_op
def log1p(x): return _t(x).log1p()
@keras_op
def expm1(x): return _t(x).expm1()
@keras_op
def log2(x): return _t(x).log2()
@keras_op
def log10(x): return _t(x).log10()
@keras_op
def abs(x): return _t(x).abs()  # noqa: A001 - Keras's name
@keras_op
def absolute(x): return _t(x).abs()
@keras_op
def sign(x): return _t(x).sign()
@keras_op
def sin(x): return _t(x).sin()
@keras_op
def cos(x): return _t(x).cos()
@keras_op
def tan(x): return _t(x).sin() / _t(x).cos()
@keras_op
def tanh(x): return _t(x).tanh()
@keras_op
def floor(x): return _t(x).floor()
@keras_op
def ceil(x): return _t(x).ceil()
@keras_op
def round(x, decimals=0): return _t(x).round(decimals)  # noqa: A001 - Keras's name
@keras_op
def reciprocal(x): return 1.0 / _t(x)
@keras_op
def clip(x, x_min, x_max): return _t(x).clip(x_min, x_max)
@keras_op
def maximum(x1, x2): return ag.maximum(*as_tensors(x1, x2))
@keras_op
def minimum(x1, x2): return ag.minimum(*as_tensors(x1, x2))


@keras_op
def where(condition, x1=None, x2=None):
    """x1 where condition holds, else x2 (broadcast); with condition alone, the indices where it holds."""
    if x1 is None and x2 is None:
        return tuple(Tensor._wrap(i) for i in xp.nonzero(_t(condition).data))
    return ag.where(_t(condition).data.astype(bool), *as_tensors(x1, x2))


# ----- comparisons and logic (no gradient) -----------------------------------------------------------------
@keras_op
def equal(x1, x2): return _t(x1) == _t(x2)
@keras_op
def not_equal(x1, x2): return _t(x1) != _t(x2)
@keras_op
def greater(x1, x2): return _t(x1) > _t(x2)
@keras_op
def greater_equal(x1, x2): return _t(x1) >= _t(x2)
@keras_op
def less(x1, x2): return _t(x1) < _t(x2)
@keras_op
def less_equal(x1, x2): return _t(x1) <= _t(x2)
@keras_op
def logical_and(x1, x2): return _t(x1).logical_and(_t(x2))
@keras_op
def logical_or(x1, x2): return _t(x1).logical_or(_t(x2))
@keras_op
def logical_not(x): return _t(x).logical_not()
@keras_op
def logical_xor(x1, x2): return _t(x1).logical_or(_t(x2)).logical_and(_t(x1).logical_and(_t(x2)).logical_not())
@keras_op
def isnan(x): return _t(x).isnan()
@keras_op
def isfinite(x): return _t(x).isfinite()
@keras_op
def isinf(x): return _t(x).isinf()


# ----- reductions ------------------------------------------------------------------------------------------
def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


@keras_op
def sum(x, axis=None, keepdims=False): return _t(x).sum(axis=_axis(axis), keepdims=keepdims)  # noqa: A001
@keras_op
def mean(x, axis=None, keepdims=False): return _t(x).mean(axis=_axis(axis), keepdims=keepdims)
@keras_op
def max(x, axis=None, keepdims=False, initial=None): return _extreme(x, axis, keepdims, initial, ag.maximum, "max")  # noqa: A001
@keras_op
def min(x, axis=None, keepdims=False, initial=None): return _extreme(x, axis, keepdims, initial, ag.minimum, "min")  # noqa: A001
@keras_op
def amax(x, axis=None, keepdims=False): return _t(x).max(axis=_axis(axis), keepdims=keepdims)
@keras_op
def amin(x, axis=None, keepdims=False): return _t(x).min(axis=_axis(axis), keepdims=keepdims)
@keras_op
def std(x, axis=None, keepdims=False): return _t(x).std(axis=_axis(axis), keepdims=keepdims)
@keras_op
def var(x, axis=None, keepdims=False): return _t(x).var(axis=_axis(axis), keepdims=keepdims)
@keras_op
def any(x, axis=None, keepdims=False): return _t(x).any(axis=_axis(axis), keepdims=keepdims)  # noqa: A001
@keras_op
def all(x, axis=None, keepdims=False): return _t(x).all(axis=_axis(axis), keepdims=keepdims)  # noqa: A001


def _extreme(x, axis, keepdims, initial, pairwise, name):
    out = getattr(_t(x), name)(axis=_axis(axis), keepdims=keepdims)
    return out if initial is None else pairwise(out, _t(initial).to(out.dtype))


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over `axis` (all axes when None)."""
    x = _t(x) if dtype is None else cast(x, dtype)
    axes = axes_of(axis, x.ndim)
    if axes is None:
        return x.reshape(-1).prod(0).reshape((1,) * x.ndim if keepdims else ())
    for a in sorted(axes, reverse=True):
        x = x.prod(a, keepdim=keepdims)
    return x


@keras_op
def argmax(x, axis=None, keepdims=False):
    """Index of the largest value along `axis` (of the flattened input when None), int."""
    x = _t(x)
    return x.reshape(-1).argmax(0) if axis is None else x.argmax(axis=axis, keepdims=keepdims)


@keras_op
def argmin(x, axis=None, keepdims=False):
    x = _t(x)
    return x.reshape(-1).argmin(0) if axis is None else x.argmin(axis=axis, keepdims=keepdims)


@keras_op
def cumsum(x, axis=None, dtype=None):
    """Running sum along `axis` (over the flattened input when None)."""
    x = _t(x) if dtype is None else cast(x, dtype)
    return x.reshape(-1).cumsum(0) if axis is None else x.cumsum(axis)


@keras_op
def cumprod(x, axis=None, dtype=None):
    """Running product along `axis` (flattened when None): one multiply per step, so the gradient is exact
    even through zeros (a cumsum of logs would not be).

    >>> cumprod(np.array([1.0, 2.0, 0.0, 3.0])).tolist()
    [1.0, 2.0, 0.0, 0.0]
    """
    x = _t(x) if dtype is None else cast(x, dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = int(axis) % x.ndim
    steps, run = [], None
    for i in range(x.shape[axis]):
        part = x[(builtins.slice(None),) * axis + (i,)]
        run = part if run is None else run * part
        steps.append(run)
    return ag.stack(steps, axis) if steps else x


# ----- shapes ----------------------------------------------------------------------------------------------
@keras_op
def reshape(x, newshape): return _t(x).reshape(tuple(newshape) if not isinstance(newshape, int) else (newshape,))
@keras_op
def transpose(x, axes=None): return _t(x).transpose(*(axes or ()))
@keras_op
def swapaxes(x, axis1, axis2): return _t(x).swapaxes(axis1, axis2)
@keras_op
def flip(x, axis=None): return _t(x).flip(tuple(range(_t(x).ndim)) if axis is None else axes_of(axis, _t(x).ndim))
@keras_op
def tril(x, k=0): return _t(x).tril(k)
@keras_op
def triu(x, k=0): return _t(x).triu(k)
@keras_op
def broadcast_to(x, shape): return _t(x).expand(*shape)
@keras_op
def ravel(x): return _t(x).reshape(-1)


@keras_op
def expand_dims(x, axis):
    """x with new axes of length 1 at `axis` (an int or a tuple, positions in the result)."""
    x = _t(x)
    axes = axes_of(axis, x.ndim + (1 if isinstance(axis, int) else len(axis)))
    shape = list(x.shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return x.reshape(tuple(shape))


@keras_op
def squeeze(x, axis=None):
    """x without its length-1 axes (only those in `axis` when given; one that is not 1 is an error)."""
    x = _t(x)
    axes = axes_of(axis, x.ndim)
    if axes is not None and builtins.any(x.shape[a] != 1 for a in axes):
        raise ValueError(f"squeeze: axis {axis} of the input of shape {x.shape} is not of length 1")
    keep = [d for i, d in enumerate(x.shape) if (d != 1 if axes is None else i not in axes)]
    return x.reshape(tuple(keep))


@keras_op
def moveaxis(x, source, destination):
    """x with axes `source` moved to positions `destination` (ints or tuples), the others in order."""
    x = _t(x)
    src, dst = axes_of(source, x.ndim), axes_of(destination, x.ndim)
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return x.transpose(*order)


@keras_op
def concatenate(xs, axis=0): return ag.concat(as_tensors(*xs), axis=axis)
@keras_op
def stack(x, axis=0): return ag.stack(as_tensors(*x), axis=axis)


@keras_op
def split(x, indices_or_sections, axis=0):
    """NumPy's split: an int cuts `axis` into that many equal parts, a list cuts before each index."""
    x = _t(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, numbers.Integral):
        if n % indices_or_sections:
            raise ValueError(f"split: axis {axis} of length {n} does not divide into {indices_or_sections} parts")
        cuts = list(range(0, n, n // indices_or_sections))[1:]
    else:
        cuts = list(indices_or_sections)
    bounds = [0, *cuts, n]
    index = (builtins.slice(None),) * (axis % x.ndim)
    return [x[(*index, builtins.slice(a, b))] for a, b in zip(bounds[:-1], bounds[1:])]


@keras_op
def tile(x, repeats):
    """x repeated `repeats` times along each axis (NumPy's tile: repeats shorter than the rank pad on the left)."""
    x = _t(x)
    reps = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    if len(reps) > x.ndim:
        x = x.reshape((1,) * (len(reps) - x.ndim) + tuple(x.shape))
    reps = (1,) * (x.ndim - len(reps)) + reps
    return x.repeat(*reps)


@keras_op
def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times along `axis` (flattened when None), as np.repeat."""
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    index = np.repeat(np.arange(x.shape[axis]), repeats)
    return x.index_select(axis, Tensor._wrap(xp.asarray(index)))


@keras_op
def take(x, indices, axis=None):
    """Elements at `indices` along `axis` (of the flattened input when None); indices of any shape."""
    x = _t(x)
    idx = _t(indices).data.astype(np.int64)
    if axis is None:
        return x.reshape(-1)[idx]
    return x[(builtins.slice(None),) * (axis % x.ndim) + (idx,)]


@keras_op
def take_along_axis(x, indices, axis=None):
    """np.take_along_axis: indices shaped like x (broadcast on the other axes) pick along `axis`."""
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    idx = _t(indices).data.astype(np.int64)
    shape = list(np.broadcast_shapes(x.shape[:axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1:],
                                     idx.shape[:axis % x.ndim] + (1,) + idx.shape[axis % x.ndim + 1:]))
    target = shape.copy()
    target[axis % x.ndim] = x.shape[axis]
    shape[axis % x.ndim] = idx.shape[axis]
    return x.expand(*target).gather(axis % x.ndim, Tensor._wrap(xp.broadcast_to(idx, shape)))


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """NumPy's pad: pad_width ((before, after) per axis, or one pair or int for all axes); modes constant,
    reflect and edge."""
    x = _t(x)
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    modes = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}
    if mode not in modes:
        raise ValueError(f"pad: mode must be one of {sorted(modes)}, got {mode!r}")
    if mode != "constant" and constant_values not in (None, 0):
        raise ValueError(f"pad: constant_values is only for mode='constant', got mode={mode!r}")
    flat = [int(v) for pair in width[::-1] for v in pair]  # F.pad's order: last axis first
    return F.pad(x, flat, mode=modes[mode], value=float(constant_values or 0) if mode == "constant" else None)


# ----- products --------------------------------------------------------------------------------------------
@keras_op
def matmul(x1, x2): return ag.matmul(*as_tensors(x1, x2))
@keras_op
def einsum(subscripts, *operands): return ag.einsum(subscripts, *as_tensors(*operands))
@keras_op
def outer(x1, x2): return ag.outer(*(t.reshape(-1) for t in as_tensors(x1, x2)))


@keras_op
def dot(x1, x2):
    """np.dot: a product for a scalar, inner product of vectors, matmul of matrices, and for N-d inputs the
    sum over x1's last axis and x2's second-to-last."""
    a, b = as_tensors(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return ag.matmul(a, b)
    return tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 2]))


@keras_op
def tensordot(x1, x2, axes=2):
    """Sum of products over `axes` (an int: x1's last and x2's first that many; or two lists), via einsum."""
    a, b = as_tensors(x1, x2)
    if isinstance(axes, numbers.Integral):
        axes = (list(range(a.ndim - axes, a.ndim)), list(range(axes)))
    ax_a, ax_b = ([axes_of(v, n)] if isinstance(v, int) else list(axes_of(v, n)) for v, n in
                  zip(axes, (a.ndim, b.ndim)))
    ax_a, ax_b = [i for v in ax_a for i in (v if isinstance(v, tuple) else (v,))], \
        [i for v in ax_b for i in (v if isinstance(v, tuple) else (v,))]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    la = [next(letters) for _ in range(a.ndim)]
    lb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(ax_a, ax_b):
        lb[j] = la[i]
    out = [c for i, c in enumerate(la) if i not in ax_a] + [c for j, c in enumerate(lb) if j not in ax_b]
    return ag.einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out)}", a, b)


# ----- creation --------------------------------------------------------------------------------------------
def _floatx():
    from ..config import floatx

    return floatx()


def arange(start, stop=None, step=1, dtype=None):
    """start, start + step, ... below stop (NumPy's arange: arange(n) counts from 0); ints are int32."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    dtype = standardize_dtype(dtype) or (np.int32 if values.dtype.kind in "iu" else _floatx())
    return Tensor._wrap(xp.asarray(values, dtype=dtype))


def ones(shape, dtype=None): return full(shape, 1, dtype)
def zeros(shape, dtype=None): return full(shape, 0, dtype)


def full(shape, fill_value, dtype=None):
    """An array of `shape` holding fill_value (float32 unless dtype says otherwise)."""
    return Tensor._wrap(xp.full(shape, fill_value, dtype=standardize_dtype(dtype or _floatx())))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    """Ones on the k-th diagonal of an N x M matrix."""
    return Tensor._wrap(xp.eye(N, M, k, dtype=standardize_dtype(dtype or _floatx())))


def identity(n, dtype=None): return eye(n, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """num evenly spaced values from start to stop (stop included when endpoint), as np.linspace."""
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = Tensor._wrap(xp.asarray(values, dtype=standardize_dtype(dtype or _floatx())))
    return (out, step) if retstep else out


@keras_op
def ones_like(x, dtype=None): return ag.ones(_t(x).shape, dtype=standardize_dtype(dtype) or _t(x).dtype)
@keras_op
def zeros_like(x, dtype=None): return ag.zeros(_t(x).shape, dtype=standardize_dtype(dtype) or _t(x).dtype)
@keras_op
def full_like(x, fill_value, dtype=None): return full(_t(x).shape, fill_value, dtype=dtype or _t(x).dtype)


# ----- linear algebra ----------------------------------------------------------------------------------------
@keras_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's name
    """Vector norm over `axis` (an int; all axes when None: the Frobenius norm), ord 2 by default, or 1,
    inf, -inf or any p."""
    x = _t(x)
    ord = 2 if ord in (None, "fro") else ord
    axes = _axis(axis)
    a = x.abs()
    if ord == np.inf:
        return a.max(axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return a.min(axis=axes, keepdims=keepdims)
    if ord == 2:
        return x.square().sum(axis=axes, keepdims=keepdims).sqrt()
    return (a ** ord).sum(axis=axes, keepdims=keepdims) ** (1.0 / ord)


__all__ = [n for n, v in dict(globals()).items() if callable(v) and not n.startswith("_") and getattr(
    v, "__module__", None) == __name__]
