"""The optimisers' update rules as one compiled pass over a parameter and its buffers.

NumPy spends one trip through memory per operation (Adam: about a dozen over param, grad, exp_avg,
exp_avg_sq and scratch); here each element is read and written once. Each kernel performs the NumPy
path's operations (gradnote/optim/*.py ``_update``) in the same order, with every hyperparameter
rounded to the parameter's dtype first, as NumPy does with a Python number, and without fastmath
(no fused multiply-adds, no reordering): the results are bit for bit the NumPy path's
(tests/test_kernels_optim.py holds them so). The callers pass Python-number hyperparameters only:
NumPy computes with a NumPy float64 scalar in float64, which these kernels do not imitate.

The kernels are serial and release the GIL: the optimiser already cuts a group into ranges on
gradnote.cpu's pool and calls them once per range.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True, error_model="numpy")
def _maximum(a, b):  # np.maximum: NaN wins
    return a if a != a or a > b else b


@njit(nogil=True, cache=True, error_model="numpy")
def adam(data, grad, m, v, v_max, amsgrad, shrink, decoupled, wd, lerp_w, lerp_second, b2, one_minus_b2,
         bc2_sqrt, eps, step_size):
    """Adam/AdamW in place on flat arrays: data (theta), grad, m (exp_avg), v (exp_avg_sq), v_max (read
    only when `amsgrad`). Scalars already in the data's dtype: shrink = 1 - lr * wd (used when `decoupled`),
    wd (L2, when not), lerp_w = w = 1 - beta1 (or 1 - w when `lerp_second`: torch.lerp's second form, for
    w >= 0.5), b2, 1 - b2, sqrt(1 - beta2^t), eps, step_size = -lr / (1 - beta1^t)."""
    for i in range(data.size):
        p = data[i]
        g = grad[i]
        if decoupled:
            p = p * shrink
        elif wd != 0:
            g = p * wd + g
        mi = m[i]
        if lerp_second:
            mi = g - (g - mi) * lerp_w
        else:
            mi = mi + (g - mi) * lerp_w
        m[i] = mi
        vi = v[i] * b2 + (g * one_minus_b2) * g
        v[i] = vi
        if amsgrad:
            vi = _maximum(v_max[i], vi)
            v_max[i] = vi
        denom = np.sqrt(vi) / bc2_sqrt + eps
        data[i] = p + (mi * step_size) / denom


@njit(nogil=True, cache=True, error_model="numpy")
def sgd(data, grad, buf, wd, mu, first, damp, nesterov, lr):
    """SGD in place on flat arrays: data, grad, buf (the momentum buffer; not touched when mu == 0).
    Scalars in the data's dtype: wd (L2), mu, damp = 1 - dampening (1: no multiply, as the NumPy path), lr;
    `first`: the buffer starts as the gradient."""
    for i in range(data.size):
        p = data[i]
        g = grad[i]
        if wd != 0:
            g = p * wd + g
        if mu != 0:
            if first:
                b = g
            elif damp == 1:
                b = buf[i] * mu + g
            else:
                b = buf[i] * mu + g * damp
            buf[i] = b
            g = b * mu + g if nesterov else b
        data[i] = p - g * lr


def python_numbers(*values) -> bool:
    """True when every hyperparameter is a Python number (a NumPy scalar would make NumPy compute in its
    dtype, which the kernels do not imitate: such a group takes the NumPy path)."""
    return all(type(v) in (float, int, bool) for v in values)
