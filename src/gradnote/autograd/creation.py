"""Tensor factories. Shapes are given as separate ints or one tuple: zeros(2, 3) == zeros((2, 3))."""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import xp
from ..random import get_rng
from .tensor import Tensor


def _shape(op: str, args) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if not all(isinstance(n, numbers.Integral) for n in args):
        raise TypeError(f"{op}: shape must be ints or one tuple of ints, got {args!r}")
    shape = tuple(int(n) for n in args)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: negative dimension in shape {shape}")
    return shape


def _float_dtype(op: str, dtype):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: samples need a floating dtype, got {dtype}")
    return dtype


def _dtype(dtype, default=backend.float32):
    return backend.to_dtype(default if dtype is None else dtype)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Same as Tensor(...): copies `data`; Python floats become float32.

    >>> tensor([1, 2.5]).dtype, tensor([[1, 2]]).shape
    (dtype('float32'), (1, 2))
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array) -> Tensor:
    """A tensor sharing memory with `array` (no copy, dtype kept).

    >>> a = np.zeros(3, dtype=np.float64); t = from_numpy(a); t.data is a
    True
    """
    return Tensor._wrap(xp.asarray(array))


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros, float32 unless `dtype`; shape as ints or one tuple.

    >>> zeros(2, 3).shape == zeros((2, 3)).shape == (2, 3)
    True
    """
    return Tensor._wrap(xp.zeros(_shape("zeros", shape), dtype=_dtype(dtype))).requires_grad_(requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones, float32 unless `dtype`; shape as ints or one tuple.

    >>> ones(3).tolist()
    [1.0, 1.0, 1.0]
    """
    return Tensor._wrap(xp.ones(_shape("ones", shape), dtype=_dtype(dtype))).requires_grad_(requires_grad)


def full(shape, value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `shape` (int or tuple) filled with `value`; int64 for an int value, else float32.

    >>> full((2, 2), 7).tolist()
    [[7, 7], [7, 7]]
    """
    shape = _shape("full", (shape,))
    if dtype is None:
        dtype = backend.int64 if isinstance(value, int) and not isinstance(value, bool) else backend.float32
    return Tensor._wrap(xp.full(shape, value, dtype=_dtype(dtype))).requires_grad_(requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and (unless `dtype`) the dtype of `t`.

    >>> zeros_like(ones(2, 3, dtype="float64")).dtype
    dtype('float64')
    """
    return Tensor(xp.zeros(t.shape, dtype=_dtype(dtype, t.dtype)), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and (unless `dtype`) the dtype of `t`.

    >>> ones_like(zeros(2, 3)).shape
    (2, 3)
    """
    return Tensor(xp.ones(t.shape, dtype=_dtype(dtype, t.dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The (n, m) identity matrix (m defaults to n), float32 unless `dtype`.

    >>> eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return Tensor(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    """Like numpy.arange; int64 for integer arguments, float32 when any is a float.

    >>> arange(3).tolist(), arange(0, 1, 0.5).tolist()
    ([0, 1, 2], [0.0, 0.5])
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, stop, step))
        dtype = backend.int64 if ints else backend.float32
    return Tensor._wrap(xp.arange(start, stop, step, dtype=_dtype(dtype)))


def randn(*shape, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples from gradnote's generator (see gn.manual_seed).

    Shape as ints or one tuple; float32 unless `dtype` (a float dtype).

    >>> randn(32, 784).shape
    (32, 784)
    """
    data = get_rng(generator).standard_normal(_shape("randn", shape), dtype=_float_dtype("randn", dtype))
    return Tensor._wrap(data, False).requires_grad_(requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform samples in [0, 1) from gradnote's generator.

    Shape as ints or one tuple; float32 unless `dtype` (a float dtype).

    >>> u = rand(100).numpy(); bool((u >= 0).all() and (u < 1).all())
    True
    """
    data = get_rng(generator).random(_shape("rand", shape), dtype=_float_dtype("rand", dtype))
    return Tensor._wrap(data, False).requires_grad_(requires_grad)


def randint(low: int, high: int, shape, generator=None) -> Tensor:
    """Integers in [low, high) as int64.

    `shape`: int or tuple.

    >>> randint(0, 10, (2, 3)).dtype
    dtype('int64')
    """
    shape = _shape("randint", (shape,))
    if low >= high:
        raise ValueError(f"randint: low must be < high, got low={low}, high={high}")
    return Tensor._wrap(get_rng(generator).integers(low, high, shape, dtype=backend.int64))
