"""One time step of the LSTM's and the GRU's gate math, forward and backward, as one compiled pass over
the step's (rows, gates * H) slab (gradnote/functional/recurrent.py calls them between its per-step
GEMMs, from inside its batch-chunk threads; the kernels are serial and release the GIL).

The NumPy path makes about ten calls per step, each a trip through memory plus its call overhead; at
the benchmarks' sizes ((32, 512) slabs per thread) the calls cost more than their arithmetic.

Forward: the sigmoid gates arrive negated (recurrent.py negates their weight rows), sigmoid(x) =
1 / (1 + e^a) with a = -x; tanh(x) = x + x^3 P(x^2) below |x| < 0.625, else sign(x) (1 - 2 / (e^{2|x|} + 1)).
For float32 they are computed in float32 with gradnote.kernels.exp's vectorising exp32 (within 1.2 ulps):
sigmoid and tanh within about 2 ulps, as NumPy's own float32 exp and tanh (whose bits they need not share;
tests/test_kernels_compiled.py measures them against float64); for float64 with libm's exp and tanh.
Backward is arithmetic only, the NumPy path's operations in its order (no fastmath): bit for bit the
NumPy path's.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from .exp import exp32


def sigmoid_of_negated(a):
    """sigmoid(-a) = 1 / (1 + e^a) (a jitted function's call; its float32 and float64 forms below)."""
    raise NotImplementedError("called from compiled code only")


def tanh(x):
    """tanh(x) (a jitted function's call; its float32 and float64 forms below)."""
    raise NotImplementedError("called from compiled code only")


@overload(sigmoid_of_negated, jit_options={"error_model": "numpy"})
def _sigmoid_of_negated(a):
    if isinstance(a, types.Float) and a.bitwidth == 32:
        return lambda a: np.float32(1.0) / (np.float32(1.0) + exp32(a))
    return lambda a: 1.0 / (1.0 + math.exp(a))


@overload(tanh, jit_options={"error_model": "numpy"})
def _tanh(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        def tanh32(x):
            s = abs(x)
            z = x * x  # below 0.625: x + x^3 P(x^2), P least-squares fitted (relative error 2e-9 before rounding)
            p = np.float32(0.0023393942) * z - np.float32(0.008386178)
            p = ((((p * z + np.float32(0.021782178)) * z - np.float32(0.053960939)) * z + np.float32(0.13333311)) * z
                 - np.float32(0.33333333))
            small = x + x * z * p
            large = np.float32(1.0) - np.float32(2.0) / (exp32(np.float32(2.0) * s) + np.float32(1.0))
            return small if s < np.float32(0.625) else (large if x >= 0 else -large)
        return tanh32
    return lambda x: math.tanh(x)


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_forward(acts, xproj, c_prev, c, tc, h):
    """acts (rows, 4H): W_hh h_{t-1} in gate order i, f, o, g (sigmoid rows negated) on entry, the
    activated gates on exit; xproj (rows, 4H) the step's input projection; writes c, tanh(c), h (rows, H).
    Row by row in three plain loops over 1-D slices (one loop over the 2-D slab was 4x slower: it did
    not vectorise)."""
    H = c.shape[1]
    for n in range(acts.shape[0]):
        a, x = acts[n], xproj[n]
        for j in range(3 * H):
            a[j] = sigmoid_of_negated(a[j] + x[j])
        g, xg = acts[n, 3 * H:], xproj[n, 3 * H:]
        for j in range(H):
            g[j] = tanh(g[j] + xg[j])
        i, f, o = acts[n, :H], acts[n, H:2 * H], acts[n, 2 * H:3 * H]
        cp, cn, tn, hn = c_prev[n], c[n], tc[n], h[n]
        for j in range(H):
            cj = f[j] * cp[j] + i[j] * g[j]
            cn[j] = cj
            t = tanh(cj)
            tn[j] = t
            hn[j] = o[j] * t


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_backward(acts, tc, c_prev, g_t, dh, dc, dpre):
    """One step back: dh (rows, H) the gradient reaching h_t from step t + 1 (g_t, the output's, is
    added), dc the one reaching c_t (replaced by c_{t-1}'s); writes dpre (rows, 4H), the gradient of
    the gate pre-activations (order i, f, o, g), which the caller multiplies by W_hh for h_{t-1}'s."""
    H, one = dh.shape[1], acts.dtype.type(1)  # a typed 1: an int 1 would make float32 arithmetic float64
    for n in range(acts.shape[0]):
        for j in range(H):
            i, f, o, g = acts[n, j], acts[n, H + j], acts[n, 2 * H + j], acts[n, 3 * H + j]
            t = tc[n, j]
            dhn = dh[n, j] + g_t[n, j]
            dcn = dc[n, j] + ((one - t * t) * o) * dhn
            dpre[n, j] = ((one - i) * i) * (dcn * g)
            dpre[n, H + j] = ((one - f) * f) * (dcn * c_prev[n, j])
            dpre[n, 2 * H + j] = ((one - o) * o) * (dhn * t)
            dpre[n, 3 * H + j] = (one - g * g) * (dcn * i)
            dc[n, j] = dcn * f


@njit(nogil=True, cache=True, error_model="numpy")
def gru_forward(hp, xproj, b_hn, h_prev, acts, hn, h):
    """hp (rows, 3H): W_hh h_{t-1} in gate order r, z, n (r, z rows negated); xproj (rows, 3H) the
    input projection with b_ih and b_hr, b_hz; b_hn (H,). Writes acts (r, z, n), hn = W_hn h + b_hn
    and h (rows, H); row by row over 1-D slices, as lstm_forward."""
    H = h.shape[1]
    for k in range(hp.shape[0]):
        a, x, p = acts[k], xproj[k], hp[k]
        for j in range(2 * H):
            a[j] = sigmoid_of_negated(x[j] + p[j])
        r, z, nn = acts[k, :H], acts[k, H:2 * H], acts[k, 2 * H:]
        pn, xn, hk, hpk, hnk = hp[k, 2 * H:], xproj[k, 2 * H:], h[k], h_prev[k], hn[k]
        for j in range(H):
            q = pn[j] + b_hn[j]
            hnk[j] = q
            t = tanh(r[j] * q + xn[j])
            nn[j] = t
            hk[j] = (hpk[j] - t) * z[j] + t


@njit(nogil=True, cache=True, error_model="numpy")
def gru_backward(acts, h_prev, hn, g_t, dh, dx, dhp):
    """One step back: dh (rows, H) the gradient reaching h_t from step t + 1 (g_t added); writes dx
    (rows, 3H) and dhp (rows, 3H), the gradients of the input and hidden projections, and leaves
    dh * z in dh: the caller adds dhp @ W_hh to it for h_{t-1}'s gradient."""
    H, one = dh.shape[1], acts.dtype.type(1)
    for k in range(acts.shape[0]):
        for j in range(H):
            r, z, nn = acts[k, j], acts[k, H + j], acts[k, 2 * H + j]
            dhn = dh[k, j] + g_t[k, j]
            one_minus_z = one - z
            dan = dhn * ((one - nn * nn) * one_minus_z)
            dhp[k, 2 * H + j] = dan * r
            dr = dan * (((one - r) * r) * hn[k, j])
            dz = dhn * (((h_prev[k, j] - nn) * z) * one_minus_z)
            dx[k, j], dx[k, H + j], dx[k, 2 * H + j] = dr, dz, dan
            dhp[k, j], dhp[k, H + j] = dr, dz
            dh[k, j] = dhn * z
