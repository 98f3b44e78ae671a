"""Recurrent networks: RNN (tanh or relu), LSTM and GRU over whole sequences.

Each layer is ONE fused op (backpropagation through time written by hand): forward runs a
loop over the T time steps, backward runs the same loop in reverse, so a sequence of
length 1,000 is one graph node per layer, not thousands, and memory stays linear in T.
The input projection W_ih x_t of every step is one matrix product before the loop, and
the weight gradients are matrix products over the whole sequence after the backward loop.

Recurrences (PyTorch's, with its gate order; x_t: (N, in), h, c: (N, H)):

    RNN   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)                act = tanh | relu
    LSTM  i, f, g, o = split(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)          weights (4H, .)
          c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
          h_t = sigmoid(o) * tanh(c_t)
    GRU   r, z = sigmoid(W_i{r,z} x_t + b_i{r,z} + W_h{r,z} h_{t-1} + b_h{r,z})   weights (3H, .)
          n    = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
          h_t  = (1 - z) * n + z * h_{t-1}

Variable-length batches: ``lengths`` (N,) freezes each sequence's state after its last
valid step (so h_n holds the state at step lengths[n] - 1) and zeroes the outputs of the
padded steps, as PyTorch's packed sequences do. A bidirectional layer runs a second
recurrence over each sequence's valid steps in reverse and concatenates the two outputs.
The cells (rnn_cell, lstm_cell, gru_cell) are the same fused layers run for one step.

    out, h_n = F.gru(x, None, [(w_ih, w_hh, b_ih, b_hh)])          # x: (T, N, in), as PyTorch
    out, (h_n, c_n) = F.lstm(x, None, weights, batch_first=True, lengths=[5, 3])
    h, c = F.lstm_cell(x_t, (h, c), w_ih, w_hh, b_ih, b_hh)        # x_t: (N, in)
"""

from __future__ import annotations

import numbers

from .. import backend, cpu, kernels
from ..autograd import Function, Tensor, concat, stack, where
from ..backend import xp
from .activations import relu, sigmoid, tanh
from .dropout import dropout as _dropout

__all__ = ["gru", "gru_cell", "gru_cell_simple", "lstm", "lstm_cell", "lstm_cell_simple", "rnn", "rnn_cell",
           "rnn_cell_simple"]


def lstm_cell_simple(x: Tensor, hx: tuple, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                     b_hh: Tensor | None = None) -> tuple:
    """One LSTM step from plain differentiable ops: the reference the fused kernels are tested against.

    x: (N, in); hx = (h, c), each (N, H); w_ih: (4H, in), w_hh: (4H, H); b_ih, b_hh: (4H,).
    Returns (h', c'), each (N, H).

    >>> h, c = lstm_cell_simple(gn.randn(2, 3), (gn.zeros(2, 4), gn.zeros(2, 4)), gn.randn(16, 3), gn.randn(16, 4))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """
    h, c = hx
    z = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        z = z + b_ih + b_hh
    H = h.shape[-1]
    i, f, g, o = (z[..., k * H:(k + 1) * H] for k in range(4))
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def rnn_cell_simple(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                    b_hh: Tensor | None = None, nonlinearity: str = "tanh") -> Tensor:
    """One Elman RNN step from plain differentiable ops: the reference the fused kernels are tested against.

    x: (N, in); h: (N, H); w_ih: (H, in), w_hh: (H, H); b_ih, b_hh: (H,). Returns h' (N, H).

    >>> rnn_cell_simple(gn.randn(2, 3), gn.zeros(2, 4), gn.randn(4, 3), gn.randn(4, 4)).shape
    (2, 4)
    """
    z = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        z = z + b_ih + b_hh
    return tanh(z) if nonlinearity == "tanh" else relu(z)


def gru_cell_simple(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                    b_hh: Tensor | None = None) -> Tensor:
    """One GRU step from plain differentiable ops: the reference the fused kernels are tested against.

    x: (N, in); h: (N, H); w_ih: (3H, in), w_hh: (3H, H); b_ih, b_hh: (3H,). Returns h' (N, H).

    >>> gru_cell_simple(gn.randn(2, 3), gn.zeros(2, 4), gn.randn(12, 3), gn.randn(12, 4)).shape
    (2, 4)
    """
    xi, hh = x @ w_ih.T, h @ w_hh.T
    if b_ih is not None:
        xi, hh = xi + b_ih, hh + b_hh
    H = h.shape[-1]
    xr, xz, xn = (xi[..., k * H:(k + 1) * H] for k in range(3))
    hr, hz, hn = (hh[..., k * H:(k + 1) * H] for k in range(3))
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = tanh(xn + r * hn)  # the reset gate scales W_hn h + b_hn, as PyTorch
    return (1 - z) * n + z * h


def _sigmoid_of_negated_(a):
    """sigmoid(x) in place from a = -x, as 1 / (1 + exp(-x)) (PyTorch's formula). The sigmoid gates'
    weight rows enter the forward loop negated (exactly: the sign commutes with every rounding), which
    saves the negation pass. On this kind of CPU exp costs half a tanh, so the gates are not evaluated
    through sigmoid(x) = (1 + tanh(x / 2)) / 2, which also loses digits where the gate is nearly shut.
    exp overflowing to inf gives the right 0."""
    with xp.errstate(over="ignore"):
        xp.exp(a, out=a)
    a += 1
    return xp.reciprocal(a, out=a)


def _negated_rows(k: int, rows: int, dtype):
    """(rows,) signs: -1 for the first k rows (the sigmoid gates), +1 for the rest."""
    sign = xp.ones(rows, dtype=dtype)
    sign[:k] = -1
    return sign


def _one_minus_square(a, out):
    """1 - a**2 (tanh's derivative from its output) written into `out`, no temporaries."""
    xp.multiply(a, a, out=out)
    return xp.subtract(1, out, out=out)


def _sigmoid_grad(s, out):
    """s * (1 - s) (sigmoid's derivative from its output) written into `out`."""
    xp.subtract(1, s, out=out)
    out *= s
    return out


# Below this many sequences per thread, a batch is one chunk: the two threads' per-step NumPy calls
# queue for the GIL and a chunk's GEMMs get too thin to gain.
MIN_ROWS_PER_THREAD = 16


def _rows(fn, n: int) -> None:
    """fn(rows) over slices of the batch rows 0..n, in parallel on gradnote's thread pool: the whole
    time loop of one sequence never reads another sequence's state, so each chunk runs its own loop
    with its own thin GEMMs, and the threads meet once per layer, not once per step."""
    cpu.parallel_for(lambda start, stop: fn(slice(start, stop)), n, MIN_ROWS_PER_THREAD)


class _Recurrence(Function):
    """Frame shared by the three layers. Inputs: x (T, N, in), h0 (N, H)[, c0 (N, H)], w_ih, w_hh
    [, b_ih, b_hh]. Output (T + states, N, H): the T outputs, then h_n (and c_n for the LSTM)."""

    gates = 1
    states = 1

    def _setup(self, x, w_ih, w_hh, lengths):
        T, N, _ = x.shape
        self.T, self.N, self.H = T, N, w_hh.shape[1]
        self.dtype = dt = xp.result_type(x, w_ih)
        self.x2 = x.reshape(T * N, x.shape[2])  # explicit sizes: -1 is ambiguous for an empty batch
        if lengths is None:
            self.mask = self.keep = None
        else:  # (T, N, 1): 1 while step t < lengths[n]
            self.mask = (xp.arange(T)[:, None] < lengths[None, :])[..., None].astype(dt)
            self.keep = 1 - self.mask
        return dt

    def _project(self, w_ih, bias):
        """W_ih x_t + bias for every step in one matrix product -> (T, N, G)."""
        xproj = self.x2 @ xp.ascontiguousarray(w_ih.T, dtype=self.dtype)
        if bias is not None:
            xproj += bias
        return xproj.reshape(self.T, self.N, xproj.shape[-1])

    def _buffers(self):
        """States hs (T + 1, N, H) with hs[0] = h0, and the packed result. Without masking the
        outputs ARE the states, so both are views of one buffer (no copy)."""
        T, N, H = self.T, self.N, self.H
        buf = xp.empty((T + 1 + self.states, N, H), dtype=self.dtype)
        hs = buf[:T + 1] if self.mask is None else xp.empty((T + 1, N, H), dtype=self.dtype)
        return hs, buf[1:]

    def _finish(self, result, hs, c_n=None):
        T = self.T
        if self.mask is not None:  # padded steps output zeros, as PyTorch's packed sequences
            xp.multiply(hs[1:], self.mask, out=result[:T])
        result[T] = hs[T]
        if c_n is not None:
            result[T + 1] = c_n
        return result

    def _blend(self, t, rows, new, prev):
        """State update of a masked step: new where step t is valid, else prev (in place on new)."""
        new -= prev
        new *= self.mask[t, rows]
        new += prev

    def _input_grads(self, dxproj, dhproj, hprev, w_ih, n_bias, perm=None):
        """Gradients of x and of the weights from the pre-activation gradients of ALL steps at
        once. dxproj / dhproj: (T, N, G) gradients of W_ih x_t + b_ih and of W_hh h_{t-1} + b_hh,
        their columns in the gate order of `w_ih`; `perm` (an involution) takes the weight and bias
        gradients back to the caller's gate order."""
        T, N, H = self.T, self.N, self.H
        gx = dxproj.reshape(T * N, dxproj.shape[-1])
        gh = dhproj.reshape(T * N, dhproj.shape[-1])
        k = 1 + self.states  # index of w_ih among the inputs
        dx = (gx @ w_ih).reshape(T, N, w_ih.shape[1]) if self.needs[0] else None
        grads = [dx, gx.T @ self.x2 if self.needs[k] else None,
                 gh.T @ hprev.reshape(T * N, H) if self.needs[k + 1] else None]
        if n_bias:
            db_ih = gx.sum(axis=0) if self.needs[k + 2] else None
            if dhproj is dxproj:  # RNN, LSTM: both biases sit in the same sum
                db_hh = (db_ih if db_ih is not None else gh.sum(axis=0)) if self.needs[k + 3] else None
            else:
                db_hh = gh.sum(axis=0) if self.needs[k + 3] else None
            grads += [db_ih, db_hh]
        if perm is not None:
            grads[1:] = [None if gr is None else gr[perm] for gr in grads[1:]]
        return grads


class RNNLayer(_Recurrence):
    """One Elman RNN layer over all time steps (see module docstring)."""

    def forward(self, x, h0, w_ih, w_hh, *biases, nonlinearity="tanh", lengths=None):
        dt = self._setup(x, w_ih, w_hh, lengths)
        w_ih, w_hh = backend.asarray(w_ih), backend.asarray(w_hh)  # plain views: parameters' arrays are a subclass
        T = self.T
        xproj = self._project(w_ih, biases[0] + biases[1] if biases else None)
        w_hh_t = xp.ascontiguousarray(w_hh.T, dtype=dt)  # BLAS is faster on C order
        hs, result = self._buffers()
        hs[0] = h0
        relu = nonlinearity == "relu"

        def rows(r):
            for t in range(T):
                a = xp.matmul(hs[t, r], w_hh_t, out=hs[t + 1, r])
                a += xproj[t, r]
                if relu:
                    xp.maximum(a, 0, out=a)
                else:
                    xp.tanh(a, out=a)
                if self.mask is not None:
                    self._blend(t, r, a, hs[t, r])

        _rows(rows, self.N)
        if any(self.needs):
            self.hs, self.relu, self.w_ih, self.w_hh, self.n_bias = hs, relu, w_ih, w_hh, len(biases)
        return self._finish(result, hs)

    def backward(self, g):
        T, hs, mask, w_hh = self.T, self.hs, self.mask, self.w_hh
        dpre = xp.empty_like(hs[1:])
        dh0 = xp.empty_like(g[T])

        def rows(r):
            # act'(a) from the saved outputs of every step in one call (masked steps get zero anyway);
            # the loop turns it in place into the pre-activation gradient dpre
            if self.relu:
                xp.greater(hs[1:, r], 0, out=dpre[:, r])
            else:
                _one_minus_square(hs[1:, r], dpre[:, r])
            dh = g[T, r].copy()
            for t in range(T - 1, -1, -1):
                if mask is None:
                    dh += g[t, r]
                    dpre[t, r] *= dh
                    dh = dpre[t, r] @ w_hh
                else:
                    dpre[t, r] *= (dh + g[t, r]) * mask[t, r]
                    dh = dpre[t, r] @ w_hh + dh * self.keep[t, r]
            dh0[r] = dh

        _rows(rows, self.N)
        dx, *dw = self._input_grads(dpre, dpre, hs[:T], self.w_ih, self.n_bias)
        return (dx, dh0, *dw)


def _swap_go(hidden: int):
    """Row order i, f, o, g for PyTorch's i, f, g, o: the three sigmoid gates side by side, so each
    step activates them with one call. Swapping two blocks is its own inverse."""
    H = hidden
    return xp.concatenate([xp.arange(2 * H), xp.arange(3 * H, 4 * H), xp.arange(2 * H, 3 * H)])


class LSTMLayer(_Recurrence):
    """One LSTM layer over all time steps, gates i, f, g, o (see module docstring); inside, the gate
    rows run in the order i, f, o, g (_swap_go)."""

    gates, states = 4, 2

    def forward(self, x, h0, c0, w_ih, w_hh, *biases, lengths=None):
        dt = self._setup(x, w_ih, w_hh, lengths)
        w_ih, w_hh = backend.asarray(w_ih), backend.asarray(w_hh)  # plain views: parameters' arrays are a subclass
        T, N, H = self.T, self.N, self.H
        H3, mask = 3 * H, self.mask
        perm = _swap_go(H)
        w_ih, w_hh = w_ih[perm], w_hh[perm]
        sign = _negated_rows(H3, 4 * H, dt)
        xproj = self._project(w_ih * sign[:, None], (biases[0] + biases[1])[perm] * sign if biases else None)
        w_hh_t = xp.ascontiguousarray((w_hh * sign[:, None]).T, dtype=dt)
        hs, result = self._buffers()
        hs[0] = h0
        cs = xp.empty((T + 1, N, H), dtype=dt)
        cs[0] = c0
        acts = xp.empty((T, N, 4 * H), dtype=dt)  # activated gates i, f, o, g of every step
        tcs = xp.empty((T, N, H), dtype=dt)  # tanh(c_t)

        fast = kernels.load("recurrent", acts, xproj, hs, cs, tcs) if mask is None else None

        def rows(r):
            tmp = xp.empty_like(hs[0, r])
            for t in range(T):
                a = xp.matmul(hs[t, r], w_hh_t, out=acts[t, r])
                if fast is not None:  # the gate math below as one compiled pass
                    fast.lstm_forward(a, xproj[t, r], cs[t, r], cs[t + 1, r], tcs[t, r], hs[t + 1, r])
                    continue
                a += xproj[t, r]
                _sigmoid_of_negated_(a[:, :H3])
                xp.tanh(a[:, H3:], out=a[:, H3:])
                i, f, o, gg = a[:, :H], a[:, H:2 * H], a[:, 2 * H:H3], a[:, H3:]
                c = xp.multiply(f, cs[t, r], out=cs[t + 1, r])
                c += xp.multiply(i, gg, out=tmp)
                tc = xp.tanh(c, out=tcs[t, r])
                h = xp.multiply(o, tc, out=hs[t + 1, r])
                if mask is not None:
                    self._blend(t, r, c, cs[t, r])
                    self._blend(t, r, h, hs[t, r])

        _rows(rows, N)
        if any(self.needs):
            self.hs, self.cs, self.acts, self.tcs, self.perm = hs, cs, acts, tcs, perm
            self.w_ih, self.w_hh, self.n_bias = w_ih, w_hh, len(biases)
        return self._finish(result, hs, cs[T])

    def backward(self, g):
        T, N, H, mask, keep = self.T, self.N, self.H, self.mask, self.keep
        H2, H3 = 2 * H, 3 * H
        acts, cs, tcs, w_hh = self.acts, self.cs, self.tcs, self.w_hh
        dpre = xp.empty_like(acts)  # gradient of every step's gate pre-activations
        dh0, dc0 = xp.empty_like(g[T]), xp.empty_like(g[T])
        fast = kernels.load("recurrent", acts, tcs, cs, g, dpre) if mask is None else None

        def rows(r):
            # step-local work stays in cache: one (N, 4H) slab per step, no whole-sequence temporaries
            d, q = xp.empty_like(acts[0, r]), xp.empty_like(tcs[0, r])
            dh, dc = g[T, r].copy(), g[T + 1, r].copy()
            for t in range(T - 1, -1, -1):
                if fast is not None:  # the step's elementwise part below as one compiled pass, same numbers
                    fast.lstm_backward(acts[t, r], tcs[t, r], cs[t, r], g[t, r], dh, dc, dpre[t, r])
                    dh = xp.matmul(dpre[t, r], w_hh, out=dh)
                    continue
                a = acts[t, r]
                i, f, o, gg = a[:, :H], a[:, H:H2], a[:, H2:H3], a[:, H3:]
                if mask is None:
                    dh += g[t, r]
                    dhn, dcn = dh, dc
                else:
                    dhn = (dh + g[t, r]) * mask[t, r]
                    dcn = dc * mask[t, r]
                _one_minus_square(tcs[t, r], q)  # dh -> dc through h = o * tanh(c)
                q *= o
                q *= dhn
                dcn += q
                xp.multiply(dcn, gg, out=d[:, :H])
                xp.multiply(dcn, cs[t, r], out=d[:, H:H2])
                xp.multiply(dhn, tcs[t, r], out=d[:, H2:H3])
                xp.multiply(dcn, i, out=d[:, H3:])
                dp = dpre[t, r]  # local derivative of each gate, then times d
                _sigmoid_grad(a[:, :H3], dp[:, :H3])
                _one_minus_square(gg, dp[:, H3:])
                dp *= d
                if mask is None:
                    dc = xp.multiply(dcn, f, out=dc)
                    dh = xp.matmul(dp, w_hh, out=dh)
                else:
                    dc = dcn * f + dc * keep[t, r]
                    dh = dp @ w_hh + dh * keep[t, r]
            dh0[r], dc0[r] = dh, dc

        _rows(rows, N)
        dx, *dw = self._input_grads(dpre, dpre, self.hs[:T], self.w_ih, self.n_bias, self.perm)
        return (dx, dh0, dc0, *dw)


class GRULayer(_Recurrence):
    """One GRU layer over all time steps, gates r, z, n with PyTorch's reset placement."""

    gates = 3

    def forward(self, x, h0, w_ih, w_hh, *biases, lengths=None):
        dt = self._setup(x, w_ih, w_hh, lengths)
        w_ih, w_hh = backend.asarray(w_ih), backend.asarray(w_hh)  # plain views: parameters' arrays are a subclass
        T, N, H = self.T, self.N, self.H
        H2, mask = 2 * H, self.mask
        bias = b_hn = None
        if biases:  # b_hr, b_hz join the input projection; b_hn stays inside r * (W_hn h + b_hn)
            bias = biases[0].copy()
            bias[:H2] += biases[1][:H2]
            b_hn = biases[1][H2:]
        sign = _negated_rows(H2, 3 * H, dt)
        xproj = self._project(w_ih * sign[:, None], None if bias is None else bias * sign)
        w_hh_t = xp.ascontiguousarray((w_hh * sign[:, None]).T, dtype=dt)
        hs, result = self._buffers()
        hs[0] = h0
        acts = xp.empty((T, N, 3 * H), dtype=dt)  # r, z, n of every step
        hn = xp.empty((T, N, H), dtype=dt)  # W_hn h_{t-1} + b_hn, needed for dr
        b_hn_c = xp.zeros(H, dt) if b_hn is None else xp.ascontiguousarray(b_hn, dtype=dt)
        fast = kernels.load("recurrent", xproj, hs, acts, hn, b_hn_c) if mask is None else None

        def rows(r):
            hp = xp.empty_like(acts[0, r])
            for t in range(T):
                xp.matmul(hs[t, r], w_hh_t, out=hp)
                if fast is not None:  # the gate math below as one compiled pass
                    fast.gru_forward(hp, xproj[t, r], b_hn_c, hs[t, r], acts[t, r], hn[t, r], hs[t + 1, r])
                    continue
                rz = xp.add(xproj[t, r, :H2], hp[:, :H2], out=acts[t, r, :H2])
                _sigmoid_of_negated_(rz)
                if b_hn is None:
                    hn[t, r] = hp[:, H2:]
                else:
                    xp.add(hp[:, H2:], b_hn, out=hn[t, r])
                n = xp.multiply(rz[:, :H], hn[t, r], out=acts[t, r, H2:])
                n += xproj[t, r, H2:]
                xp.tanh(n, out=n)
                h = xp.subtract(hs[t, r], n, out=hs[t + 1, r])
                h *= rz[:, H:]
                h += n
                if mask is not None:
                    self._blend(t, r, h, hs[t, r])

        _rows(rows, N)
        if any(self.needs):
            self.hs, self.acts, self.hn = hs, acts, hn
            self.w_ih, self.w_hh, self.n_bias = w_ih, w_hh, len(biases)
        return self._finish(result, hs)

    def backward(self, g):
        T, H, mask, keep = self.T, self.H, self.mask, self.keep
        H2 = 2 * H
        acts, hs, w_hh = self.acts, self.hs, self.w_hh
        dxp = xp.empty_like(acts)
        dhp = xp.empty_like(acts)
        dh0 = xp.empty_like(g[T])
        fast = kernels.load("recurrent", acts, hs, self.hn, g, dxp, dhp) if mask is None else None

        def rows(rw):
            if fast is not None:  # each step's elementwise part below as one compiled pass, same numbers
                dh = g[T, rw].copy()
                for t in range(T - 1, -1, -1):
                    fast.gru_backward(acts[t, rw], hs[t, rw], self.hn[t, rw], g[t, rw], dh, dxp[t, rw], dhp[t, rw])
                    dh += dhp[t, rw] @ w_hh
                dh0[rw] = dh
                return
            r, z, n = acts[:, rw, :H], acts[:, rw, H:H2], acts[:, rw, H2:]
            # factors turning dh_t into each pre-activation gradient, vectorised over all steps
            one_minus_z = xp.subtract(1, z)
            dn_fac = _one_minus_square(n, xp.empty_like(n))
            dn_fac *= one_minus_z
            dz_fac = xp.subtract(hs[:T, rw], n)
            dz_fac *= z
            dz_fac *= one_minus_z
            dr_fac = _sigmoid_grad(r, one_minus_z)  # reuses the buffer
            dr_fac *= self.hn[:, rw]
            dh = g[T, rw].copy()
            for t in range(T - 1, -1, -1):
                if mask is None:
                    dh += g[t, rw]
                    dhn = dh
                else:
                    dhn = (dh + g[t, rw]) * mask[t, rw]
                dx_t, dh_t = dxp[t, rw], dhp[t, rw]
                dan = xp.multiply(dhn, dn_fac[t], out=dx_t[:, H2:])
                xp.multiply(dan, r[t], out=dh_t[:, H2:])
                xp.multiply(dan, dr_fac[t], out=dx_t[:, :H])
                xp.multiply(dhn, dz_fac[t], out=dx_t[:, H:H2])
                dh_t[:, :H2] = dx_t[:, :H2]
                back = dh_t @ w_hh
                if mask is None:
                    dh *= z[t]
                    dh += back
                else:
                    dh = dhn * z[t] + back + dh * keep[t, rw]
            dh0[rw] = dh

        _rows(rows, self.N)
        dx, *dw = self._input_grads(dxp, dhp, hs[:T], self.w_ih, self.n_bias)
        return (dx, dh0, *dw)


# ----- multi-layer functions ----------------------------------------------------
_KINDS = {"rnn": (RNNLayer, 1), "lstm": (LSTMLayer, 4), "gru": (GRULayer, 3)}


class TimeReverse(Function):
    """x (T, N, F) -> the first lengths[n] steps of each sequence in reverse order, the padded
    steps after them left in place (all T steps reversed without lengths). The permutation is
    its own inverse, so backward applies it to the gradient."""

    def forward(self, x, lengths=None):
        if lengths is None:
            self.index = slice(None, None, -1)
        else:
            m = backend.module_of(x)
            t = m.arange(x.shape[0])[:, None]
            self.index = (xp.where(t < lengths, lengths - 1 - t, t), m.arange(x.shape[1])[None, :])
        return backend.module_of(x).ascontiguousarray(x[self.index])

    def backward(self, g):
        return backend.module_of(g).ascontiguousarray(g[self.index])


def _shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


def validate_inputs(who: str, kind: str, x, hx, weights, batch_first: bool, lengths, bidirectional: bool = False):
    """Check shapes of a recurrent call; errors name `who` (the layer), the shape and the expectation.
    x is (T, N, in), (N, T, in) with batch_first, or (T, in) unbatched. Returns lengths as an int64
    array (or None)."""
    if not weights:
        raise ValueError(f"{who}: no layer weights given")
    D = 2 if bidirectional else 1
    if len(weights) % D:
        raise ValueError(f"{who}: a bidirectional layer needs weights for both directions, got {len(weights)} sets")
    gates = _KINDS[kind][1]
    in_size, hidden = weights[0][0].shape[1], weights[0][1].shape[1]
    layout = f"(N, T, {in_size}) with batch_first=True" if batch_first else f"(T, N, {in_size}) with batch_first=False"
    layout += f", or (T, {in_size}) unbatched"
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a Tensor input, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating-point input, got dtype {x.dtype} (token ids go through an Embedding first)")
    if x.ndim not in (2, 3):
        raise ValueError(f"{who}: expected a 3-D (or 2-D unbatched) input of shape {layout}, got shape {_shape(x.shape)}")
    if x.shape[-1] != in_size:
        raise ValueError(f"{who}: expected input of shape {layout}, got {_shape(x.shape)}")
    for k, w in enumerate(weights):
        prev = in_size if k < D else D * hidden
        if w[0].shape != (gates * hidden, prev) or w[1].shape != (gates * hidden, hidden):
            raise ValueError(f"{who}: weights {k} have shapes {_shape(w[0].shape)} and {_shape(w[1].shape)}, "
                             f"expected ({gates * hidden}, {prev}) and ({gates * hidden}, {hidden})")
    unbatched = x.ndim == 2
    N = None if unbatched else x.shape[0] if batch_first else x.shape[1]
    T = x.shape[0] if unbatched or not batch_first else x.shape[1]
    if T == 0:
        raise ValueError(f"{who}: expected a sequence length larger than 0, got input of shape {_shape(x.shape)}")
    layers = "num_layers" if D == 1 else "num_layers * 2"
    want, meaning = ((len(weights), hidden), f"({layers}, hidden_size) for an unbatched input") if unbatched else \
        ((len(weights), N, hidden), f"({layers}, N, hidden_size)")
    states = hx if kind == "lstm" and hx is not None else (hx,)
    if kind == "lstm" and hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
        raise TypeError(f"{who}: the initial state must be a tuple (h0, c0), got {type(hx).__name__}")
    for name, s in zip(("h0", "c0"), states):
        if s is None:
            continue
        if not isinstance(s, Tensor):
            raise TypeError(f"{who}: {name} must be a Tensor, got {type(s).__name__}")
        if s.shape != want:
            raise ValueError(f"{who}: expected {name} of shape {_shape(want)} {meaning}, got {_shape(s.shape)}")
    if lengths is None:
        return None
    if unbatched:
        raise ValueError(f"{who}: lengths needs a batched 3-D input, got an unbatched input of shape {_shape(x.shape)}")
    lengths = backend.asarray(lengths.data if isinstance(lengths, Tensor) else lengths)
    if backend.cupy_loaded():  # lengths are an option, outside Function.apply's device check
        lengths = backend.same_device(who, [x.data, lengths])[1]
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"{who}: lengths must be integers, got dtype {lengths.dtype}")
    if lengths.shape != (N,):
        raise ValueError(f"{who}: lengths must have shape ({N},) (one per sequence), got {_shape(lengths.shape)}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > T):
        raise ValueError(f"{who}: lengths must lie in [0, {T}] (the sequence length), "
                         f"got min {lengths.min()} and max {lengths.max()}")
    return lengths.astype(xp.int64)


def _run(kind: str, who: str, x, hx, weights, batch_first, lengths, dropout, training, bidirectional, **opts):
    weights = [tuple(w) for w in weights]
    lengths = validate_inputs(who, kind, x, hx, weights, batch_first, lengths, bidirectional)
    if not (isinstance(dropout, numbers.Real) and 0 <= dropout <= 1):
        raise ValueError(f"{who}: dropout must be in [0, 1], got {dropout!r}")
    layer, _ = _KINDS[kind]
    D = 2 if bidirectional else 1
    h0 = c0 = None
    if hx is not None:
        h0, c0 = hx if kind == "lstm" else (hx, None)
    unbatched = x.ndim == 2
    if unbatched:  # one sequence: a batch of one, whatever batch_first says (as PyTorch)
        x = x.reshape(x.shape[0], 1, x.shape[1])
        h0, c0 = (None if s is None else s.reshape(s.shape[0], 1, s.shape[1]) for s in (h0, c0))
    elif batch_first:
        x = x.transpose(1, 0, 2)
    T, N = x.shape[0], x.shape[1]
    hidden = weights[0][1].shape[1]
    dt = xp.result_type(x.data, weights[0][0].data)
    zero = Tensor._wrap(backend.module_of(x.data).zeros((N, hidden), dtype=dt)) if h0 is None or (
        kind == "lstm" and c0 is None) else None
    finals_h, finals_c = [], []
    for k in range(len(weights) // D):
        if k > 0 and dropout > 0 and training:
            x = _dropout(x, dropout, True)
        outs = []
        for d in range(D):  # d = 1: the reverse direction, state index k * 2 + 1 as PyTorch
            j = k * D + d
            init = [zero if h0 is None else h0[j]]
            if kind == "lstm":
                init.append(zero if c0 is None else c0[j])
            seq = x if d == 0 else TimeReverse.apply(x, lengths=lengths)
            if backend.is_host(x.data):
                res = layer.apply(seq, *init, *weights[j], lengths=lengths, **opts)
            else:
                res = _layer_simple(kind, seq, init, weights[j], lengths, **opts)
            outs.append(res[:T] if d == 0 else TimeReverse.apply(res[:T], lengths=lengths))
            finals_h.append(res[T])
            if kind == "lstm":
                finals_c.append(res[T + 1])
        x = outs[0] if D == 1 else concat(outs, axis=2)
    finals = [stack(f, axis=0) for f in (finals_h, finals_c) if f]
    if unbatched:
        x = x.reshape(T, x.shape[2])
        finals = [f.reshape(f.shape[0], hidden) for f in finals]
    elif batch_first:
        x = x.transpose(1, 0, 2)
    return (x, tuple(finals)) if kind == "lstm" else (x, finals[0])


def _layer_simple(kind: str, x: Tensor, init: list, weights: tuple, lengths, **opts) -> Tensor:
    """One layer and direction as a loop of the *_cell_simple steps, stacked as the fused layers return it:
    (T + states, N, H) = outputs, then the final h (and c). The path of CuPy arrays: the fused kernels'
    buffers, threads and compiled loops are host-only. Past a sequence's length its state is held
    and its output is 0, as the fused layers (and PyTorch's packed sequences) do."""
    states, outs = list(init), []
    for t in range(x.shape[0]):
        if kind == "lstm":
            new = list(lstm_cell_simple(x[t], tuple(states), *weights))
        elif kind == "gru":
            new = [gru_cell_simple(x[t], states[0], *weights)]
        else:
            new = [rnn_cell_simple(x[t], states[0], *weights, nonlinearity=opts["nonlinearity"])]
        if lengths is not None:
            valid = (lengths > t)[:, None]
            new = [where(valid, n, s) for n, s in zip(new, states)]
            outs.append(where(valid, new[0], 0.0))
        else:
            outs.append(new[0])
        states = new
    return stack(outs + states, axis=0)


def rnn(x: Tensor, h0: Tensor | None = None, weights=(), *, nonlinearity: str = "tanh", batch_first: bool = False,
        lengths=None, dropout: float = 0.0, training: bool = False, bidirectional: bool = False):
    """Multi-layer Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu.

    x: (T, N, in), or (N, T, in) with batch_first, or (T, in) unbatched; h0: (L*D, N, H) or None
    (zeros), D = 2 if bidirectional else 1; weights: one (w_ih, w_hh[, b_ih, b_hh]) per layer and
    direction (layer k reverse at index 2k + 1), w_ih (H, in), w_hh (H, H); lengths: optional (N,)
    valid lengths. Returns (output (T, N, D*H), h_n (L*D, N, H)).

    >>> w = [(gn.randn(8, 3), gn.randn(8, 8))]
    >>> [t.shape for t in rnn(gn.randn(5, 4, 3), None, w)]
    [(5, 4, 8), (1, 4, 8)]
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return _run("rnn", "rnn", x, h0, weights, batch_first, lengths, dropout, training, bidirectional,
                nonlinearity=nonlinearity)


def lstm(x: Tensor, hx: tuple | None = None, weights=(), *, batch_first: bool = False, lengths=None,
         dropout: float = 0.0, training: bool = False, bidirectional: bool = False):
    """Multi-layer LSTM (gates i, f, g, o as PyTorch).

    x: (T, N, in), or (N, T, in) with batch_first, or (T, in) unbatched; hx: (h0, c0), each
    (L*D, N, H), or None; weights: one (w_ih, w_hh[, b_ih, b_hh]) per layer and direction,
    w_ih (4H, in), w_hh (4H, H). Returns (output (T, N, D*H), (h_n, c_n)), each (L*D, N, H).

    >>> w = [(gn.randn(32, 3), gn.randn(32, 8))]
    >>> out, (h, c) = lstm(gn.randn(5, 4, 3), None, w); out.shape, c.shape
    ((5, 4, 8), (1, 4, 8))
    """
    return _run("lstm", "lstm", x, hx, weights, batch_first, lengths, dropout, training, bidirectional)


def gru(x: Tensor, h0: Tensor | None = None, weights=(), *, batch_first: bool = False, lengths=None,
        dropout: float = 0.0, training: bool = False, bidirectional: bool = False):
    """Multi-layer GRU (gates r, z, n; reset applied to W_hn h + b_hn as PyTorch).

    x: (T, N, in), or (N, T, in) with batch_first, or (T, in) unbatched; h0: (L*D, N, H) or None;
    weights: one (w_ih, w_hh[, b_ih, b_hh]) per layer and direction, w_ih (3H, in), w_hh (3H, H).
    Returns (output (T, N, D*H), h_n (L*D, N, H)).

    >>> w = [(gn.randn(24, 3), gn.randn(24, 8))]
    >>> [t.shape for t in gru(gn.randn(5, 4, 3), None, w)]
    [(5, 4, 8), (1, 4, 8)]
    """
    return _run("gru", "gru", x, h0, weights, batch_first, lengths, dropout, training, bidirectional)


# ----- cells: one time step ---------------------------------------------------------
def validate_cell_inputs(who: str, kind: str, x, hx, w_ih, w_hh, b_ih, b_hh) -> None:
    """Check a cell call: x (N, in) or (in,) unbatched, states of shape (N, H) or (H,)."""
    gates, (G, in_size), H = _KINDS[kind][1], w_ih.shape, w_hh.shape[1]
    if w_ih.shape != (gates * H, in_size) or w_hh.shape != (gates * H, H):
        raise ValueError(f"{who}: weights have shapes {_shape(w_ih.shape)} and {_shape(w_hh.shape)}, expected "
                         f"({gates * H}, input_size) and ({gates * H}, {H})")
    if (b_ih is None) != (b_hh is None):
        raise ValueError(f"{who}: give both biases b_ih and b_hh or neither")
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None and b.shape != (G,):
            raise ValueError(f"{who}: {name} has shape {_shape(b.shape)}, expected ({G},)")
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a Tensor input, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating-point input, got dtype {x.dtype}")
    if x.ndim not in (1, 2) or x.shape[-1] != in_size:
        raise ValueError(f"{who}: expected input of shape (N, {in_size}), or ({in_size},) unbatched, "
                         f"got {_shape(x.shape)}")
    if hx is None:
        return
    if kind == "lstm" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
        raise TypeError(f"{who}: the state must be a tuple (h, c), got {type(hx).__name__}")
    want = (H,) if x.ndim == 1 else (x.shape[0], H)
    for name, s in zip(("hx", "cx"), hx if kind == "lstm" else (hx,)):
        if not isinstance(s, Tensor):
            raise TypeError(f"{who}: {name} must be a Tensor, got {type(s).__name__}")
        if s.shape != want:
            raise ValueError(f"{who}: expected {name} of shape {_shape(want)} "
                             f"({'hidden_size,) for an unbatched input' if x.ndim == 1 else 'N, hidden_size)'}, "
                             f"got {_shape(s.shape)}")


def _cell(kind: str, who: str, x, hx, w_ih, w_hh, b_ih, b_hh, **opts):
    """The fused layer `kind` run for one step: x (N, in) or (in,) -> h' (the LSTM: (h', c'))."""
    validate_cell_inputs(who, kind, x, hx, w_ih, w_hh, b_ih, b_hh)
    N, H = (1 if x.ndim == 1 else x.shape[0]), w_hh.shape[1]
    if hx is None:
        zero = Tensor._wrap(backend.module_of(x.data).zeros((N, H), dtype=xp.result_type(x.data, w_ih.data)))
        states = (zero, zero) if kind == "lstm" else (zero,)
    else:
        states = tuple(s.reshape(N, H) for s in (hx if kind == "lstm" else (hx,)))
    biases = () if b_ih is None else (b_ih, b_hh)
    if backend.is_host(x.data):
        res = _KINDS[kind][0].apply(x.reshape(1, N, x.shape[-1]), *states, w_ih, w_hh, *biases, **opts)
    else:
        res = _layer_simple(kind, x.reshape(1, N, x.shape[-1]), list(states), (w_ih, w_hh, *biases), None, **opts)
    shape = (H,) if x.ndim == 1 else (N, H)
    h = res[1].reshape(*shape)
    return (h, res[2].reshape(*shape)) if kind == "lstm" else h


def rnn_cell(x: Tensor, hx: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, *, nonlinearity: str = "tanh") -> Tensor:
    """One Elman RNN step h' = act(W_ih x + b_ih + W_hh h + b_hh).

    x: (N, in) or (in,); hx: (N, H) or (H,), None for zeros; w_ih (H, in), w_hh (H, H). Returns h'.

    >>> rnn_cell(gn.randn(2, 3), None, gn.randn(4, 3), gn.randn(4, 4)).shape
    (2, 4)
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_cell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return _cell("rnn", "rnn_cell", x, hx, w_ih, w_hh, b_ih, b_hh, nonlinearity=nonlinearity)


def lstm_cell(x: Tensor, hx: tuple | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple:
    """One LSTM step (gates i, f, g, o), the fused kernel for T = 1; same result as lstm_cell_simple.

    x: (N, in) or (in,); hx: (h, c), each (N, H) or (H,), or None; w_ih (4H, in), w_hh (4H, H).
    Returns (h', c').

    >>> h, c = lstm_cell(gn.randn(2, 3), None, gn.randn(16, 3), gn.randn(16, 4)); h.shape, c.shape
    ((2, 4), (2, 4))
    """
    return _cell("lstm", "lstm_cell", x, hx, w_ih, w_hh, b_ih, b_hh)


def gru_cell(x: Tensor, hx: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (gates r, z, n; reset applied to W_hn h + b_hn as PyTorch).

    x: (N, in) or (in,); hx: (N, H) or (H,), or None; w_ih (3H, in), w_hh (3H, H). Returns h'.

    >>> gru_cell(gn.randn(3), None, gn.randn(12, 3), gn.randn(12, 4)).shape
    (4,)
    """
    return _cell("gru", "gru_cell", x, hx, w_ih, w_hh, b_ih, b_hh)
