"""keras.ops' maths beyond NumPy's names (Keras's keras.ops.math): erf, logsumexp, top_k, rsqrt.

>>> top_k(np.array([1.0, 3.0, 2.0]), 2)[1].tolist()
[1, 2]
"""

from __future__ import annotations

import math

from ...autograd import Function
from ...backend import erf as _erf
from ...backend import xp
from .core import convert_to_tensor as _t
from .core import keras_op

__all__ = ["erf", "logsumexp", "rsqrt", "top_k"]


class Erf(Function):
    """erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt; d/dx = 2/sqrt(pi) e^(-x^2)."""

    def forward(self, x):
        self.x = x
        return _erf(x)

    def backward(self, g):
        return g * (2 / math.sqrt(math.pi)) * xp.exp(-self.x * self.x)


@keras_op
def erf(x):
    """The error function, elementwise (float inputs; ints compute in float32).

    >>> round(float(erf(np.array(0.5))), 6)
    0.5205
    """
    x = _t(x)
    return Erf.apply(x if x.dtype.kind == "f" else x.to("float32"))


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis` (all axes when None), stable for large x."""
    x = _t(x)
    if axis is None:
        out = x.reshape(-1).logsumexp(0)
        return out.reshape((1,) * x.ndim) if keepdims else out
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return x.logsumexp(axes if len(axes) > 1 else axes[0], keepdim=keepdims)


@keras_op
def rsqrt(x): return _t(x).rsqrt()


@keras_op
def top_k(x, k, sorted=True):  # noqa: A002 - Keras's name
    """The k largest values along the last axis and their indices, as a (values, indices) pair."""
    values, indices = _t(x).topk(int(k), -1, True, sorted)
    return values, indices
