"""Small helpers shared by the functional ops: argument checks with errors that name the op."""

from __future__ import annotations

import numbers

from .. import backend
from ..autograd import Tensor

REDUCTIONS = ("mean", "sum", "none")


def as_tensor(x, op: str) -> Tensor:
    """Tensors pass through; arrays are wrapped without copying; Python data becomes a tensor."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, backend.array_types):
        return Tensor._wrap(x)
    if isinstance(x, (numbers.Number, list, tuple)):
        return Tensor(x)
    raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def float_tensor(x, op: str) -> Tensor:
    x = as_tensor(x, op)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {x.data.dtype}")
    return x


def check_axis(axis, ndim: int, op: str) -> int:
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dimensions")
    return int(axis) % ndim


def check_reduction(reduction: str, op: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")
    return reduction
