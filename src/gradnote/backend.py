"""The array namespace every op calls.

NumPy today. A CuPy backend would replace ``xp`` here (CuPy mirrors NumPy's API),
so ops written as ``xp.exp(x)`` need no change. Nothing else in gradnote imports
numpy for array math directly.
"""

from __future__ import annotations

import numpy as xp

float32 = xp.float32
float64 = xp.float64
int64 = xp.int64
bool_ = xp.bool_

ndarray = xp.ndarray


def is_float(dtype) -> bool:
    return xp.dtype(dtype).kind == "f"


def to_dtype(dtype):
    """Accept a NumPy dtype, a type or a string ("float32") and return a NumPy dtype."""
    try:
        return xp.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"unknown dtype {dtype!r}") from e


def unbroadcast(grad, shape: tuple):
    """Sum `grad` down to `shape`, undoing NumPy broadcasting (leading axes and size-1 axes)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


# scipy.special is imported on first use: importing it costs about a second, too much for `import gradnote`.
def expit(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), exact in both tails (no overflow at x = -1000)."""
    from scipy.special import expit as _expit

    return _expit(x)


def erf(x):
    """Gauss error function, to float64 precision (exact GELU)."""
    from scipy.special import erf as _erf

    return _erf(x)
