"""What every keras.ops function shares: the decorator that makes it work on KerasTensors, and
conversion to and from gradnote Tensors (Keras's dtype strings, convert_to_tensor, cast).

    x = ops.convert_to_tensor([1.0, 2.0])          # a gradnote Tensor, float32 (Keras's floatx)
    y = ops.mean(keras.Input((4,)), axis=-1)       # a KerasTensor: a TensorOp node in the graph

An op called with a KerasTensor anywhere in its arguments records itself (graph.symbolic_call);
called on tensors, arrays or numbers it runs at once on gradnote Tensors, with gradients.
"""

from __future__ import annotations

import builtins
import functools
import numbers

import numpy as np

from ...autograd import Tensor
from ...backend import xp
from ..graph import OPS, KerasTensor, _symbolic, symbolic_call

__all__ = ["cast", "cond", "convert_to_numpy", "convert_to_tensor", "dtype", "fori_loop", "is_tensor", "shape",
           "slice", "standardize_dtype", "stop_gradient"]


def keras_op(fn):
    """Register `fn` as the graph op "ops.<name>" and make it record a node when given KerasTensors."""
    name = f"ops.{fn.__name__}"
    OPS[name] = fn

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if _symbolic(args) or _symbolic(kwargs.values()):
            return symbolic_call(name, *args, **kwargs)
        return fn(*args, **kwargs)

    return op


def standardize_dtype(dtype) -> np.dtype | None:
    """A Keras dtype ("float32", "int32", "bool", a NumPy dtype) as a NumPy dtype; None stays None."""
    if dtype is None:
        return None
    if str(dtype) == "bfloat16":
        raise ValueError("keras.ops: dtype 'bfloat16' is not supported (NumPy has no bfloat16); use float32")
    try:
        return xp.dtype(getattr(dtype, "name", dtype) if not isinstance(dtype, np.dtype) else dtype)
    except TypeError:
        raise ValueError(f"keras.ops: unknown dtype {dtype!r}") from None


def convert_to_tensor(x, dtype=None, sparse=None) -> Tensor:
    """x as a gradnote Tensor (a Tensor passes through, cast if `dtype` is given). Python floats become
    float32 and Python ints int32, as Keras; arrays keep their dtype.

    >>> convert_to_tensor([1, 2]).dtype, convert_to_tensor(np.ones(2)).dtype, convert_to_tensor(0.5).dtype
    (dtype('int32'), dtype('float64'), dtype('float32'))
    """
    if sparse:
        raise ValueError("convert_to_tensor: sparse=True is not supported (gradnote tensors are dense)")
    if isinstance(x, KerasTensor):
        raise TypeError(f"convert_to_tensor: {x!r} is symbolic; call ops on it inside the model instead")
    dtype = standardize_dtype(dtype)
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else cast(x, dtype)
    a = np.asarray(x)
    if dtype is None and not isinstance(x, (np.ndarray, np.generic)):  # Python numbers and lists
        a = a.astype(np.float32 if a.dtype.kind == "f" else np.int32 if a.dtype.kind in "iu" else a.dtype)
    return Tensor._wrap(xp.asarray(a, dtype=dtype))


def convert_to_numpy(x) -> np.ndarray:
    """x as a NumPy array (a Tensor's data, copied off any device)."""
    if isinstance(x, KerasTensor):
        raise TypeError(f"convert_to_numpy: {x!r} is symbolic and holds no values")
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def is_tensor(x) -> bool:
    """Whether x is a gradnote Tensor (Keras's backend tensor); arrays and KerasTensors are not."""
    return isinstance(x, Tensor)


def shape(x) -> tuple:
    """The shape as a tuple of ints (None for a KerasTensor's unknown axes)."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def dtype(x) -> str:
    """The dtype as Keras's string ("float32")."""
    return str(x.dtype) if hasattr(x, "dtype") else str(np.asarray(x).dtype)


@keras_op
def cast(x, dtype) -> Tensor:
    """x in `dtype` (differentiable between float dtypes).

    >>> cast(np.ones(2), "int32").dtype
    dtype('int32')
    """
    x, d = x if isinstance(x, Tensor) else convert_to_tensor(x), standardize_dtype(dtype)
    return x if x.dtype == d else x.to(d)


@keras_op
def stop_gradient(variable) -> Tensor:
    """The same values with no gradient flowing back through them."""
    return convert_to_tensor(variable).detach()


@keras_op
def slice(inputs, start_indices, shape) -> Tensor:  # noqa: A001 - Keras's name
    """The block of `shape` starting at `start_indices` (one per axis).

    >>> slice(np.arange(12).reshape(3, 4), (1, 1), (2, 2)).tolist()
    [[5, 6], [9, 10]]
    """
    x = convert_to_tensor(inputs)
    if len(start_indices) != x.ndim or len(shape) != x.ndim:
        raise ValueError(f"slice: start_indices {tuple(start_indices)} and shape {tuple(shape)} need one entry per "
                         f"axis of the input of shape {x.shape}")
    return x[tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))]


def cond(pred, true_fn, false_fn):
    """true_fn() if pred else false_fn() (gradnote runs eagerly, so this is Python's if)."""
    return true_fn() if bool(pred.item() if isinstance(pred, Tensor) else pred) else false_fn()


def fori_loop(lower: int, upper: int, body_fun, init_val):
    """val = body_fun(i, val) for i in range(lower, upper), from init_val (a Python loop: eager)."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def as_tensors(*xs) -> list:
    """Each argument as a Tensor (numbers and arrays through convert_to_tensor)."""
    return [x if isinstance(x, Tensor) else convert_to_tensor(x) for x in xs]


def axes_of(axis, ndim: int) -> tuple | None:
    """A Keras axis (None, an int or a tuple; negative counts from the end) as a tuple of axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    return tuple(int(a) % ndim if ndim else int(a) for a in axes)
