"""Exact GELU's forward for float32 in one pass: y = x Phi(x) and, when a gradient is wanted, the
derivative dy/dx = Phi(x) + x phi(x) that backward multiplies by (so backward is one product).

Phi(x) = erfc(-x / sqrt 2) / 2, and erfc(z) for z = |x| / sqrt 2 >= 0 is written as
exp(-z^2) * t * Q(t), t = 1 / (1 + z / 2), Q a degree-12 polynomial least-squares fitted (relative
weights) to erfcx(z) / t on t in (0, 1]; Phi(x) = 1 - erfc / 2 for x >= 0. exp(-z^2) = exp(-x^2 / 2)
is phi's too, so one exp serves both. Arithmetic is float64 throughout, rounded once to float32.

Accuracy (tests/test_kernels_compiled.py checks it against scipy's float64 ndtr): Q's relative error
is < 5e-9 and exp's < 1e-14, so y and dy/dx are within 2 float32 ulps (measured: 0.5; y relative to
itself all the way down the lower tail, where PyTorch's float32 GELU returns 0 from x < -7.5 on; dy/dx
relative to |Phi| + |x phi|, as it crosses 0 near x = -0.75). Infinities and NaN come out as
PyTorch's: GELU(inf) = inf, GELU(-inf) = NaN, and the derivative at either infinity is NaN.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .. import cpu
from .exp import exp64

_INV_SQRT2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_CHUNK = 32768  # elements per thread at least: below that the pool costs more than it saves


@njit(nogil=True, cache=True, error_model="numpy", fastmath={"contract"})
def _gelu(x, y, d):
    for i in range(x.size):
        xi = np.float64(x[i])
        z = abs(xi) * _INV_SQRT2
        t = 1.0 / (1.0 + 0.5 * z)
        q = 0.28209479232537926 + t * (0.2820946991094411 + t * (0.24683648762215418 + t * (
            0.17625885320569815 + t * (0.08399339801867796 + t * (-0.0034400014297332427 + t * (
                -0.07510825412876074 + t * (0.0503237484045148 + t * (-0.32554432530860344 + t * (
                    0.6403867252185215 + t * (-0.548388801825909 + t * (0.2293269002745224 + t * (
                        -0.038834225637210895))))))))))))
        e = exp64(-0.5 * xi * xi)
        half_erfc = 0.5 * e * t * q
        cdf = half_erfc if xi < 0 else 1.0 - half_erfc
        y[i] = xi * cdf
        if d is not None:
            d[i] = cdf + xi * e * _INV_SQRT_2PI


def gelu_forward(x: np.ndarray, with_grad: bool):
    """(y, dy/dx) for a C-contiguous float32 `x` (dy/dx is None unless `with_grad`), both shaped as x."""
    y = np.empty_like(x)
    d = np.empty_like(x) if with_grad else None
    xf, yf, df = x.reshape(-1), y.reshape(-1), None if d is None else d.reshape(-1)

    def run(start, stop):
        _gelu(xf[start:stop], yf[start:stop], None if df is None else df[start:stop])

    cpu.parallel_for(run, xf.size, _CHUNK)
    return y, d
