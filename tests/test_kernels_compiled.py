"""The optional compiled (numba) kernels against their NumPy paths and float64 references: values across
random shapes and dtypes, the tails, infinities and NaN; the switches (GRADNOTE_NUMBA=0, kernels.disabled(),
numba missing) that give the NumPy path; results independent of the thread count.

The optimisers' compiled updates are held against their `*_simple` rules in tests/test_kernels_optim.py."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import ndtr

import gradnote as gn
import gradnote.functional as F
from gradnote import kernels

F32_TINY = np.finfo(np.float32).tiny


def _gelu_ref(x):
    """GELU, its derivative Phi + x phi, and |Phi| + |x phi| (the derivative's scale: it crosses 0 at
    x ~ -0.75, where no float32 sum of the two terms is accurate relative to the result), in float64,
    accurate in the lower tail (ndtr, not 1 + erf)."""
    x = np.asarray(x, np.float64)
    cdf, x_pdf = ndtr(x), x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return x * cdf, cdf + x_pdf, np.abs(cdf) + np.abs(x_pdf)


def _gelu_and_grad(x, compiled=True):
    t = gn.tensor(x, requires_grad=True)
    if compiled:
        y = F.gelu(t)
    else:
        with kernels.disabled():
            y = F.gelu(t)
    y.sum().backward()
    return y.data, t.grad


def _ulps(got, want, floor=0.0):
    """|got - want| in float32 ulps of max(|want|, floor) (want in float64)."""
    scale = np.maximum(np.abs(want), floor)
    return np.abs(got.astype(np.float64) - want) / (np.spacing(scale.astype(np.float32)).astype(np.float64))


def test_gelu_takes_the_compiled_path_for_float32_only():
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    assert kernels.load("gelu", x, dtypes=(np.float32,)) is not None
    assert kernels.load("gelu", x.astype(np.float64), dtypes=(np.float32,)) is None
    assert kernels.load("gelu", np.linspace(-3, 3, 14, dtype=np.float32)[::2], dtypes=(np.float32,)) is None
    fn = F.gelu(gn.tensor(x, requires_grad=True))._ctx
    assert fn.dydx is not None and fn.dydx.dtype == np.float32
    with kernels.disabled():
        assert F.gelu(gn.tensor(x, requires_grad=True))._ctx.dydx is None


@pytest.mark.parametrize("seed", range(4))
def test_gelu_float32_within_two_ulps_of_float64_reference(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 9, rng.integers(0, 4)))
    x = (rng.standard_normal(shape) * rng.choice([0.5, 3.0, 12.0])).astype(np.float32)
    y, g = _gelu_and_grad(x)
    want_y, want_d, scale = _gelu_ref(x)
    assert y.dtype == g.dtype == np.float32 and y.shape == g.shape == x.shape
    assert np.all(_ulps(y, want_y, F32_TINY) <= 2)
    assert np.all(_ulps(g, want_d, scale) <= 2)
    y_np, g_np = _gelu_and_grad(x, compiled=False)  # the NumPy path agrees to float32 rounding
    np.testing.assert_allclose(y, y_np, rtol=3e-6, atol=1e-6)
    np.testing.assert_allclose(g, g_np, rtol=3e-6, atol=1e-6)


def test_gelu_float32_dense_sweep_and_lower_tail():
    x = np.concatenate([np.linspace(-20, 20, 400_001), -np.geomspace(1e-30, 14, 2001), np.geomspace(1e-30, 14, 2001),
                        [0.0, -0.0]]).astype(np.float32)
    y, g = _gelu_and_grad(x)
    want_y, want_d, scale = _gelu_ref(x)
    assert _ulps(y, want_y, F32_TINY).max() <= 2  # relative to y itself far into the tail
    assert _ulps(g, want_d, np.maximum(scale, F32_TINY)).max() <= 2
    tail = np.float32([-8.0, -10.0, -12.0])  # 1 + erf in float32 (PyTorch, the NumPy path) gives 0 here
    np.testing.assert_allclose(_gelu_and_grad(tail)[0], _gelu_ref(tail)[0], rtol=3e-7)
    assert np.all(_gelu_and_grad(tail)[0] < 0)


def test_gelu_float32_infinities_and_nan_as_pytorch():
    x = np.float32([np.inf, -np.inf, np.nan, -100.0, 100.0])
    y, g = _gelu_and_grad(x)
    # torch 2.13: gelu([inf, -inf, nan]) = [inf, nan, nan], gradient nan at all three
    np.testing.assert_array_equal(y, np.float32([np.inf, np.nan, np.nan, -0.0, 100.0]))
    np.testing.assert_array_equal(g, np.float32([np.nan, np.nan, np.nan, 0.0, 1.0]))


def test_gelu_float32_gradient_by_finite_differences():
    # the compiled path is float32 only (float64 takes scipy's erf and is gradchecked in the op table),
    # so its derivative is checked by central differences in float64 of the float32 function's reference
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((5, 6)) * 3).astype(np.float32)
    t = gn.tensor(x, requires_grad=True)
    w = rng.standard_normal((5, 6)).astype(np.float32)
    (F.gelu(t) * gn.tensor(w)).sum().backward()
    h = 1e-3
    fd = (_gelu_ref(x.astype(np.float64) + h)[0] - _gelu_ref(x.astype(np.float64) - h)[0]) / (2 * h)
    np.testing.assert_allclose(t.grad, w * fd, rtol=1e-5, atol=1e-5)


def test_gelu_float64_keeps_scipy_accuracy():
    x = np.linspace(-6, 6, 101)
    y, g = _gelu_and_grad(x)
    want_y, want_d, _ = _gelu_ref(x)
    np.testing.assert_allclose(y, want_y, rtol=1e-14, atol=1e-15)  # 1 + erf: absolute accuracy in the tail
    np.testing.assert_allclose(g, want_d, rtol=1e-13, atol=1e-15)
    assert gn.gradcheck(F.gelu, (gn.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True),))


def test_gelu_no_grad_forward_saves_no_derivative():
    x = np.linspace(-3, 3, 9, dtype=np.float32)
    with gn.no_grad():
        y = F.gelu(gn.tensor(x, requires_grad=True))
    np.testing.assert_allclose(y.data, _gelu_ref(x)[0], rtol=3e-7, atol=F32_TINY)


def test_gelu_results_do_not_depend_on_threads(monkeypatch):
    from gradnote.kernels import gelu as gelu_kernels

    x = (np.random.default_rng(5).standard_normal((7, 1001)) * 4).astype(np.float32)
    one = gelu_kernels.gelu_forward(x, True)
    before = gn.cpu.get_num_threads()
    monkeypatch.setattr(gelu_kernels, "_CHUNK", 10)
    try:
        gn.cpu.set_num_threads(2)
        two = gelu_kernels.gelu_forward(x, True)
    finally:
        gn.cpu.set_num_threads(before)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


# ----- the switches -------------------------------------------------------------------------------------------
def test_qualifies_only_host_contiguous_float_arrays():
    a = np.zeros((3, 4), np.float32)
    assert kernels.qualifies(a) and kernels.qualifies(a.astype(np.float64))
    assert not kernels.qualifies(a.T) and not kernels.qualifies(a[:, ::2])
    assert not kernels.qualifies(a.astype(np.float16)) and not kernels.qualifies(a.astype(np.int32))
    assert not kernels.qualifies([[0.0]]) and not kernels.qualifies(gn.zeros(3))


def test_disabled_restores_the_flag_and_environment_switch_turns_it_off():
    before = kernels.enabled
    with kernels.disabled():
        assert not kernels.enabled
        assert kernels.load("gelu", np.zeros(2, np.float32)) is None
    assert kernels.enabled == before
    code = "import gradnote.kernels as k, numpy as np; print(k.enabled, k.load('gelu', np.zeros(2, np.float32)))"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "GRADNOTE_NUMBA": "0"},
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "None"]


def test_missing_numba_gives_the_numpy_path_silently(monkeypatch):
    import importlib

    real = importlib.import_module

    def no_numba(name, *args):
        if name.startswith("gradnote.kernels."):
            raise ImportError("No module named 'numba'")
        return real(name, *args)

    monkeypatch.setattr(kernels, "_families", {})
    monkeypatch.setattr(importlib, "import_module", no_numba)
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    assert kernels.load("gelu", x) is None
    y, g = _gelu_and_grad(x)
    np.testing.assert_allclose(y, _gelu_ref(x)[0], rtol=3e-6, atol=1e-6)
    assert F.gelu(gn.tensor(x, requires_grad=True))._ctx.dydx is None


def test_import_gradnote_does_not_import_numba():
    code = "import sys, gradnote, gradnote.functional as F; F.gelu(gradnote.zeros(2)); print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "GRADNOTE_NUMBA": "0"},
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    out = subprocess.run([sys.executable, "-c", "import sys, gradnote; print('numba' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ----- LSTM / GRU gate math ----------------------------------------------------------------------------------
def _layer(kind, dtype, rng, T, N, I, H, scale=1.0):
    """(Function class, its inputs as tensors requiring grad): x (T, N, I), h0 [, c0], w_ih, w_hh, b_ih, b_hh."""
    from gradnote.functional.recurrent import GRULayer, LSTMLayer

    cls, gates = (LSTMLayer, 4) if kind == "lstm" else (GRULayer, 3)
    shapes = [(T, N, I), (N, H)] + ([(N, H)] if kind == "lstm" else []) + [(gates * H, I), (gates * H, H),
                                                                           (gates * H,), (gates * H,)]
    return cls, [gn.tensor((rng.standard_normal(s) * scale).astype(dtype), requires_grad=True) for s in shapes]


def _run_layer(cls, inputs, g):
    out = cls.apply(*inputs)
    out.backward(gn.tensor(g))
    grads = [t.grad for t in inputs]
    for t in inputs:
        t.grad = None
    return out.data, grads


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(3))
def test_recurrent_gate_kernels_match_the_numpy_path(kind, dtype, seed):
    rng = np.random.default_rng(40 + seed)
    T, N, I, H = (int(v) for v in rng.integers(1, 9, 4))
    cls, inputs = _layer(kind, dtype, rng, T, N, I, H, scale=[0.3, 0.6, 8.0][seed])  # 8: saturated gates (larger weights of
    # unsaturated gates make the recurrence chaotic: float32 rounding differences grow step by step)
    g = rng.standard_normal((T + (2 if kind == "lstm" else 1), N, H)).astype(dtype)
    assert kernels.load("recurrent", np.zeros(2, dtype)) is not None
    got = _run_layer(cls, inputs, g)
    with kernels.disabled():
        want = _run_layer(cls, inputs, g)
    tol = {"rtol": 1e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    for a, b in zip([got[0], *got[1]], [want[0], *want[1]]):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_recurrent_backward_kernels_equal_the_numpy_path_bit_for_bit(kind, dtype):
    # the same saved forward, then backward once compiled, once NumPy: arithmetic in the same order
    rng = np.random.default_rng(50)
    cls, inputs = _layer(kind, dtype, rng, 5, 6, 3, 4, scale=1.5)
    out = cls.apply(*inputs)
    fn = out._ctx
    g = rng.standard_normal(out.shape).astype(dtype)
    got = fn.backward(g)
    with kernels.disabled():
        want = fn.backward(g)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_recurrent_gate_kernels_tails_and_nan(kind):
    rng = np.random.default_rng(60)
    cls, inputs = _layer(kind, np.float32, rng, 3, 4, 2, 3)
    x = inputs[0].data
    x[0, 0, 0], x[1, 1, 1], x[2, 2, 0] = np.nan, 1e30, -1e30
    g = np.ones((3 + (2 if kind == "lstm" else 1), 4, 3), np.float32)
    with np.errstate(all="ignore"):
        got = _run_layer(cls, inputs, g)
        with kernels.disabled():
            want = _run_layer(cls, inputs, g)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=2e-6)  # NaN where NumPy has NaN
    assert np.isnan(got[0][:, 0]).any() and not np.isnan(got[0][:, 3]).any()


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_gate_kernels_gradcheck_float64(kind):
    # float64 takes the compiled path too (libm exp/tanh); tests/test_recurrent.py gradchecks every layout
    rng = np.random.default_rng(70)
    m = getattr(gn.nn, kind)(2, 3, num_layers=2, bidirectional=True).double()
    x = gn.tensor(rng.standard_normal((4, 3, 2)), requires_grad=True)
    assert gn.gradcheck(lambda x, *p: m(x)[0], [x, *m.parameters()], raise_exception=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_seeded_runs_repeat_bit_for_bit_on_two_threads(kind, monkeypatch):
    from gradnote.functional import recurrent

    monkeypatch.setattr(recurrent, "MIN_ROWS_PER_THREAD", 2)
    before = gn.cpu.get_num_threads()
    gn.cpu.set_num_threads(2)
    try:
        runs = []
        for _ in range(2):
            gn.manual_seed(3)
            m = getattr(gn.nn, kind)(4, 6)
            opt = gn.optim.Adam(m.parameters(), lr=1e-2)
            x = gn.randn(7, 9, 4)
            for _ in range(3):
                opt.zero_grad()
                m(x)[0].square().sum().backward()
                opt.step()
            runs.append([p.data.copy() for p in m.parameters()])
    finally:
        gn.cpu.set_num_threads(before)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_recurrent_float32_sigmoid_and_tanh_within_three_ulps_of_float64():
    from gradnote.kernels import recurrent as compiled

    H = 50_000
    a = np.concatenate([np.linspace(-20, 20, 4 * H - 6), [np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30]])
    a = a.astype(np.float32).reshape(1, 4 * H)
    acts, zeros = a.copy(), np.zeros((1, H), np.float32)
    c, tc, h = (np.empty((1, H), np.float32) for _ in range(3))
    compiled.lstm_forward(acts, np.zeros_like(a), zeros, c, tc, h)
    a64 = a.astype(np.float64)
    with np.errstate(over="ignore"):
        want = np.concatenate([1 / (1 + np.exp(a64[:, :3 * H])), np.tanh(a64[:, 3 * H:])], axis=1)
    assert _ulps(acts, want, F32_TINY).max() <= 3
    np.testing.assert_array_equal(acts[0, -6:], np.float32([1.0, -1.0, 0.0, -0.0, 1e-30, -1e-30]))  # tanh's ends
    assert _ulps(tc, np.tanh(c.astype(np.float64)), F32_TINY).max() <= 3
