"""One time step of the LSTM's and the GRU's gate math, forward and backward, as one compiled pass over
the step's (rows, gates * H) slab (gradnote/functional/recurrent.py calls them between its per-step
GEMMs, from inside its batch-chunk threads; the kernels are serial and release the GIL).

The NumPy path makes about ten calls per step, each a trip through memory plus its call overhead; at
the benchmarks' sizes ((32, 512) slabs per thread) the calls cost more than their arithmetic.

Forward: the sigmoid gates arrive negated (recurrent.py negates their weight rows), sigmoid(x) =
1 / (1 + e^a) with a = -x, and tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}) (an odd Taylor
polynomial below |x| < 1e-3, where that form loses digits). For float32 they are computed in
float64 with gradnote.kernels.exp's vectorising exp (relative error of the float64 results < 1e-11,
so the float32 results are correctly rounded but for rare ties); for float64 with libm's exp and
tanh (about 1 ulp, as NumPy's, whose bits they need not share). Backward is arithmetic only, the
NumPy path's operations in its order (no fastmath): bit for bit the NumPy path's.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from .exp import exp64


def sigmoid_of_negated(a):
    """sigmoid(-a) = 1 / (1 + e^a) (a jitted function's call; its float32 and float64 forms below)."""
    raise NotImplementedError("called from compiled code only")


def tanh(x):
    """tanh(x) (a jitted function's call; its float32 and float64 forms below)."""
    raise NotImplementedError("called from compiled code only")


@overload(sigmoid_of_negated, jit_options={"error_model": "numpy"})
def _sigmoid_of_negated(a):
    if isinstance(a, types.Float) and a.bitwidth == 32:
        return lambda a: np.float32(1.0 / (1.0 + exp64(np.float64(a))))
    return lambda a: 1.0 / (1.0 + math.exp(a))


@overload(tanh, jit_options={"error_model": "numpy"})
def _tanh(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        def tanh32(x):
            y = np.float64(x)
            s = abs(y)
            e = exp64(-2.0 * s)
            t = (1.0 - e) / (1.0 + e)
            small = y * (1.0 - y * y * (1.0 / 3.0 - y * y * (2.0 / 15.0)))
            return np.float32(small if s < 1e-3 else (t if y >= 0 else -t))
        return tanh32
    return lambda x: math.tanh(x)


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_forward(acts, xproj, c_prev, c, tc, h):
    """acts (rows, 4H): W_hh h_{t-1} in gate order i, f, o, g (sigmoid rows negated) on entry, the
    activated gates on exit; xproj (rows, 4H) the step's input projection; writes c, tanh(c), h (rows, H)."""
    H = c.shape[1]
    for n in range(acts.shape[0]):
        for j in range(H):
            i = sigmoid_of_negated(acts[n, j] + xproj[n, j])
            f = sigmoid_of_negated(acts[n, H + j] + xproj[n, H + j])
            o = sigmoid_of_negated(acts[n, 2 * H + j] + xproj[n, 2 * H + j])
            g = tanh(acts[n, 3 * H + j] + xproj[n, 3 * H + j])
            acts[n, j], acts[n, H + j], acts[n, 2 * H + j], acts[n, 3 * H + j] = i, f, o, g
            cn = f * c_prev[n, j] + i * g
            c[n, j] = cn
            t = tanh(cn)
            tc[n, j] = t
            h[n, j] = o * t


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
    and h (rows, H)."""
    H = h.shape[1]
    for k in range(hp.shape[0]):
        for j in range(H):
            r = sigmoid_of_negated(xproj[k, j] + hp[k, j])
            z = sigmoid_of_negated(xproj[k, H + j] + hp[k, H + j])
            a = hp[k, 2 * H + j] + b_hn[j]
            nn = tanh(r * a + xproj[k, 2 * H + j])
            acts[k, j], acts[k, H + j], acts[k, 2 * H + j] = r, z, nn
            hn[k, j] = a
            h[k, j] = (h_prev[k, j] - nn) * z + nn


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
