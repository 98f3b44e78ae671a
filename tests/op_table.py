"""The one op table's parts, shared by the files that hold its rows (test_functional_ops.py runs the generic
tests over every row, including the PyTorch-spelled ops of test_torch_functional.py).

A row (OpCase): how to make sample inputs, a NumPy reference written in the test, whether a float64 gradcheck
applies, and bad inputs that must raise a named error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import gradnote as gn


@dataclass
class OpCase:
    name: str
    fn: Callable  # fn(*tensors) -> Tensor
    make: list  # one maker per tensor input: rng -> float64 array
    ref: Callable  # ref(*arrays) -> ndarray
    gradcheck: bool = True
    bad: list = field(default_factory=list)  # (callable, exception type, regex the message must match)
    same_values_in_float32: bool = True  # False where float32 draws a different random stream


def away_from_kinks(a, at=(0.0,), margin=0.05):
    """Push samples away from points where the function is not differentiable (finite differences fail there)."""
    for k in at:
        close = np.abs(a - k) < margin
        a = np.where(close, a + 2 * margin * np.sign(a - k + 1e-12), a)
    return a


def normal(*shape, scale=1.0, kinks=(0.0,)):
    return lambda rng: away_from_kinks(rng.standard_normal(shape) * scale, kinks)


def uniform(lo, hi, *shape):
    return lambda rng: rng.uniform(lo, hi, shape)


def np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a, "batchmean": lambda a: a.sum() / a.shape[0]}[
        reduction](loss)


def inputs(case, dtype=np.float64, requires_grad=False):
    rng = np.random.default_rng(42)
    arrays = [make(rng).astype(dtype) for make in case.make]
    return arrays, [gn.Tensor(a, requires_grad=requires_grad) for a in arrays]
