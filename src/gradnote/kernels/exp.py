"""exp(a) written as arithmetic, so that a loop calling it vectorises (numba calls libm's scalar exp
otherwise, ~2.7 ns per float32 element here against NumPy's vectorised 1.4 ns).

exp(a) = 2^n * exp(r), n = round(a / ln 2), |r| <= ln(2) / 2, exp(r) by its Taylor series, and 2^n
built from its bits in two halves so that results down to the underflow to 0 (and the overflow to
inf) come out as in libm, without a branch. NaN stays NaN, -inf gives 0, +inf gives inf.

- ``exp64``: float64, series to r^11, relative error < 1e-14 over the whole range (~3 ns per element
  here, 4 lanes).
- ``exp32``: float32 throughout, series to r^7, within 1.2 ulps (NumPy's own float32 exp: 2.4; both
  measured against float64), ~0.8 ns per element (8 lanes).

numba's on-disk cache checks only the calling kernel's own file: after editing this one, delete
gradnote/kernels/__pycache__ (or touch the kernels' files) so the callers recompile.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 = _LN2_HI + _LN2_LO, _LN2_HI with zeros in its low bits, so n * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10


@intrinsic
def float64_from_bits(typingctx, bits):
    """The float64 whose IEEE bit pattern is the int64 `bits` (a bitcast, no conversion)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@intrinsic
def float32_from_bits(typingctx, bits):
    """The float32 whose IEEE bit pattern is the int32 `bits`."""
    sig = types.float32(types.int32)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return sig, codegen


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def exp32(a):
    """e^a for a float32 `a`, in float32 arithmetic."""
    c = min(max(a, np.float32(-104.0)), np.float32(89.0))
    n = np.floor(c * np.float32(_LOG2E) + np.float32(0.5))
    n = n if n == n else np.float32(0.0)
    r = (c - n * np.float32(0.693359375)) - n * np.float32(-2.12194440e-4)  # ln 2 in two parts, the first exact
    p = np.float32(1.0) + r * (np.float32(1.0) + r * (np.float32(0.5) + r * (np.float32(1 / 6) + r * (
        np.float32(1 / 24) + r * (np.float32(1 / 120) + r * (np.float32(1 / 720) + r * np.float32(1 / 5040)))))))
    k = np.int32(n)
    h = k >> 1
    return p * float32_from_bits((h + 127) << 23) * float32_from_bits((k - h + 127) << 23)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def exp64(a):
    """e^a for a float64 `a`."""
    c = min(max(a, -1100.0), 710.0)
    n = np.floor(c * _LOG2E + 0.5)
    n = n if n == n else 0.0  # NaN: any n will do (r carries the NaN), but the int conversion must not see it
    r = (c - n * _LN2_HI) - n * _LN2_LO
    p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
        1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800)))))))))))
    k = np.int64(n)
    h = k >> 1
    return p * float64_from_bits((h + 1023) << 52) * float64_from_bits((k - h + 1023) << 52)
