"""RNN / LSTM / GRU and their cells: outputs against plain NumPy recurrences, float64 gradcheck,
masking, bidirectional and unbatched inputs, nn.utils.rnn padding, errors."""

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
from gradnote import nn


# ----- NumPy references of one layer, written from the equations (PyTorch's gate order) ------
def _sig(a):
    return 1 / (1 + np.exp(-a))


def ref_rnn_layer(x, h, w_ih, w_hh, b_ih, b_hh, act):
    outs = []
    for x_t in x:  # x: (T, N, in)
        h = act(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outs.append(h)
    return np.stack(outs), h, None


def ref_lstm_layer(x, h, c, w_ih, w_hh, b_ih, b_hh):
    outs = []
    for x_t in x:
        i, f, g, o = np.split(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs), h, c


def ref_gru_layer(x, h, w_ih, w_hh, b_ih, b_hh):
    outs = []
    for x_t in x:
        xr, xz, xn = np.split(x_t @ w_ih.T + b_ih, 3, axis=1)
        hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=1)
        r, z = _sig(xr + hr), _sig(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h, None


def ref_layer(module, x, h, c, w):
    """One layer of `module`'s kind over x (T, N, in) with weights w = [w_ih, w_hh, b_ih, b_hh]."""
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        return ref_lstm_layer(x, h, c, *w)
    if isinstance(module, (nn.GRU, nn.GRUCell)):
        return ref_gru_layer(x, h, *w)
    act = np.tanh if module.nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
    return ref_rnn_layer(x, h, *w, act)


def reference(module, x, h0=None, c0=None):
    """Multi-layer reference: x (N, T, in) if batch_first else (T, N, in); returns (out, h_n, c_n).
    A bidirectional layer also runs the time-reversed sequence with the `_reverse` weights and
    concatenates the (re-reversed) outputs on the feature axis; states are ordered layer * 2 + direction."""
    sd = module.state_dict()
    x = np.swapaxes(x, 0, 1) if module.batch_first else x
    D = 2 if module.bidirectional else 1
    N, H, L = x.shape[1], module.hidden_size, module.num_layers
    h0 = np.zeros((L * D, N, H)) if h0 is None else h0
    c0 = np.zeros((L * D, N, H)) if c0 is None else c0
    hs, cs = [], []
    for k in range(L):
        outs = []
        for d, suffix in enumerate(("", "_reverse")[:D]):
            w = [sd[f"{n}_l{k}{suffix}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            out, h, c = ref_layer(module, x if d == 0 else x[::-1], h0[k * D + d], c0[k * D + d], w)
            outs.append(out if d == 0 else out[::-1])
            hs.append(h)
            cs.append(c)
        x = np.concatenate(outs, axis=2)
    out = np.swapaxes(x, 0, 1) if module.batch_first else x
    return out, np.stack(hs), (np.stack(cs) if isinstance(module, nn.LSTM) else None)


KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def make(kind, kw, layers, batch_first, I=3, H=4, bidirectional=False):
    return getattr(nn, kind)(I, H, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional,
                             **kw).double()


def run(module, x, h0, c0):
    """Call the module and return (out, [h_n, (c_n)]) as tensors."""
    if isinstance(module, nn.LSTM):
        out, (h, c) = module(x, None if h0 is None else (h0, c0))
        return out, [h, c]
    out, h = module(x, h0)
    return out, [h]


# ----- forward against NumPy ---------------------------------------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_forward_matches_numpy_reference(kind, kw, layers, batch_first, with_state, bidirectional):
    rng = np.random.default_rng(1)
    m = make(kind, kw, layers, batch_first, bidirectional=bidirectional)
    N, T, D = 3, 5, 2 if bidirectional else 1
    x = rng.standard_normal((N, T, 3) if batch_first else (T, N, 3))
    h0 = rng.standard_normal((layers * D, N, 4)) if with_state else None
    c0 = rng.standard_normal((layers * D, N, 4)) if with_state else None
    out, finals = run(m, gn.tensor(x), None if h0 is None else gn.tensor(h0), None if c0 is None else gn.tensor(c0))
    ref_out, ref_h, ref_c = reference(m, x, h0, c0)
    assert out.shape == ((N, T, 4 * D) if batch_first else (T, N, 4 * D))
    assert finals[0].shape == (layers * D, N, 4)  # (num_layers * D, N, H) even with batch_first
    np.testing.assert_allclose(out.data, ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[0].data, ref_h, rtol=1e-10, atol=1e-12)
    if ref_c is not None:
        np.testing.assert_allclose(finals[1].data, ref_c, rtol=1e-10, atol=1e-12)


# ----- batch-parallel kernels ---------------------------------------------------------------
@pytest.fixture
def two_threads_small_chunks(monkeypatch):
    """Make the fused layers split even a tiny batch across two threads (gradnote.cpu's pool)."""
    import gradnote.functional.recurrent as R

    before = gn.cpu.get_num_threads()
    gn.cpu.set_num_threads(2)
    monkeypatch.setattr(R, "MIN_ROWS_PER_THREAD", 2)
    yield
    gn.cpu.set_num_threads(before)


def _outputs_and_grads(m, x, h0, c0, lengths=None):
    xs, hs, cs = (gn.tensor(a, requires_grad=True) for a in (x, h0, c0))
    if lengths is not None:
        fn = {nn.LSTM: F.lstm, nn.GRU: F.gru, nn.RNN: F.rnn}[type(m)]
        out, finals = fn(xs, (hs, cs) if isinstance(m, nn.LSTM) else hs, m.all_weights, lengths=lengths)
        finals = list(finals) if isinstance(m, nn.LSTM) else [finals]
    else:
        out, finals = run(m, xs, hs, cs if isinstance(m, nn.LSTM) else None)
    loss = (out * out).sum() + sum((f * f).sum() for f in finals)
    for p in m.parameters():
        p.grad = None
    loss.backward()
    grads = [xs.grad, hs.grad] + ([cs.grad] if isinstance(m, nn.LSTM) else []) + [p.grad for p in m.parameters()]
    return [out.data, *(f.data for f in finals)], grads


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("masked", [False, True])
def test_batch_chunks_on_threads_equal_one_chunk(kind, masked, two_threads_small_chunks):
    rng = np.random.default_rng(30)
    m = make(kind, {}, 1, False, I=3, H=5)
    T, N = 6, 7  # odd N: unequal chunks
    x, h0, c0 = rng.standard_normal((T, N, 3)), rng.standard_normal((1, N, 5)), rng.standard_normal((1, N, 5))
    lengths = np.array([6, 1, 3, 6, 2, 5, 4]) if masked else None
    got = _outputs_and_grads(m, x, h0, c0, lengths)
    gn.cpu.set_num_threads(1)  # one chunk, on the calling thread
    want = _outputs_and_grads(m, x, h0, c0, lengths)
    for a, b in zip(got[0] + got[1], want[0] + want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_batch_chunks_on_threads_gradcheck(kind, two_threads_small_chunks):
    rng = np.random.default_rng(31)
    m = make(kind, {}, 1, False, I=2, H=3)
    x = gn.tensor(rng.standard_normal((3, 5, 2)), requires_grad=True)
    h0 = gn.tensor(rng.standard_normal((1, 5, 3)), requires_grad=True)
    c0 = gn.tensor(rng.standard_normal((1, 5, 3)), requires_grad=True)
    states = (h0, c0) if kind == "LSTM" else (h0,)

    def f(x, *rest):
        out, finals = run(m, x, rest[0], rest[1] if kind == "LSTM" else None)
        return out, *finals

    assert gn.gradcheck(f, [x, *states, *m.parameters()], raise_exception=True)


# ----- gradients ------------------------------------------------------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck(kind, kw, layers, batch_first, with_state, bidirectional):
    rng = np.random.default_rng(2)
    m = make(kind, kw, layers, batch_first, I=2, H=3, bidirectional=bidirectional)
    N, T, D = 2, 3, 2 if bidirectional else 1
    x = gn.tensor(rng.standard_normal((N, T, 2) if batch_first else (T, N, 2)), requires_grad=True)
    inputs = [x]
    if with_state:
        inputs.append(gn.tensor(rng.standard_normal((layers * D, N, 3)), requires_grad=True))
        if kind == "LSTM":
            inputs.append(gn.tensor(rng.standard_normal((layers * D, N, 3)), requires_grad=True))
    params = list(m.parameters())

    def f(x, *rest):
        states = rest[:len(inputs) - 1]
        h0 = states[0] if states else None
        c0 = states[1] if len(states) > 1 else None
        out, finals = run(m, x, h0, c0)
        return (out, *finals)

    assert gn.gradcheck(f, inputs + params, raise_exception=True)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck_with_lengths_and_no_bias(kind, bidirectional):
    rng = np.random.default_rng(3)
    m = getattr(nn, kind)(2, 3, num_layers=2, bias=False, batch_first=True, bidirectional=bidirectional).double()
    x = gn.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)

    def f(x, *params):
        out, h = m(x, lengths=[4, 1, 2])
        return (out, *(h if isinstance(h, tuple) else (h,)))

    assert gn.gradcheck(f, [x, *m.parameters()], raise_exception=True)


# ----- variable lengths ------------------------------------------------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_equal_running_each_sequence_alone(kind, kw, batch_first, bidirectional):
    # the reverse direction must start at each sequence's LAST VALID step, as PyTorch's packed sequences
    rng = np.random.default_rng(4)
    m = make(kind, kw, 2, batch_first, bidirectional=bidirectional)
    lengths = [5, 2, 3, 1]
    x = rng.standard_normal((4, 5, 3))
    xs = x if batch_first else np.swapaxes(x, 0, 1)
    out, finals = m(gn.tensor(xs), lengths=lengths)
    finals = finals if isinstance(finals, tuple) else (finals,)
    out = out.data if batch_first else np.swapaxes(out.data, 0, 1)
    for n, L in enumerate(lengths):
        alone = x[n:n + 1, :L] if batch_first else np.swapaxes(x[n:n + 1, :L], 0, 1)
        ref_out, ref_h, ref_c = reference(m, alone)
        ref_out = ref_out if batch_first else np.swapaxes(ref_out, 0, 1)
        np.testing.assert_allclose(out[n, :L], ref_out[0], rtol=1e-10, atol=1e-12)
        assert np.all(out[n, L:] == 0)  # padded steps output zeros
        np.testing.assert_allclose(finals[0].data[:, n], ref_h[:, 0], rtol=1e-10, atol=1e-12)
        if ref_c is not None:
            np.testing.assert_allclose(finals[1].data[:, n], ref_c[:, 0], rtol=1e-10, atol=1e-12)


def test_padded_steps_get_no_gradient_and_change_nothing():
    rng = np.random.default_rng(5)
    m = nn.LSTM(3, 4, batch_first=True).double()
    x = gn.tensor(rng.standard_normal((2, 6, 3)), requires_grad=True)
    _, (h, _) = m(x, lengths=[6, 2])
    h.sum().backward()
    assert np.all(x.grad[1, 2:] == 0) and np.any(x.grad[1, :2] != 0)


# ----- structure: PyTorch names, shapes, init, dtypes, one node per layer ---------------------
@pytest.mark.parametrize("kind,gates", [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_parameter_names_shapes_and_init(kind, gates):
    m = getattr(nn, kind)(5, 8, num_layers=2)
    shapes = {k: v.shape for k, v in m.state_dict().items()}
    assert list(shapes) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"]
    assert shapes["weight_ih_l0"] == (gates * 8, 5) and shapes["weight_ih_l1"] == (gates * 8, 8)
    assert shapes["weight_hh_l0"] == (gates * 8, 8) and shapes["bias_hh_l1"] == (gates * 8,)
    bound = 1 / np.sqrt(8)
    for p in m.parameters():
        assert p.dtype == np.float32 and np.abs(p.data).max() <= bound and p.data.std() > bound / 3
    assert "bias_ih_l0" not in getattr(nn, kind)(5, 8, bias=False).state_dict()
    bi = getattr(nn, kind)(5, 8, num_layers=2, bidirectional=True).state_dict()
    suffixes = ["_l0", "_l0_reverse", "_l1", "_l1_reverse"]  # PyTorch's order
    assert list(bi) == [n + s for s in suffixes for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert bi["weight_ih_l1_reverse"].shape == (gates * 8, 16)  # layer 2 reads both directions


def test_state_dict_round_trip_gives_same_outputs():
    a, b = nn.GRU(3, 4, num_layers=2), nn.GRU(3, 4, num_layers=2)
    b.load_state_dict(a.state_dict())
    x = gn.randn(2, 5, 3)
    np.testing.assert_array_equal(a(x)[0].data, b(x)[0].data)


def test_float32_stays_float32():
    m = nn.LSTM(3, 4)
    out, (h, c) = m(gn.randn(2, 5, 3))
    assert out.dtype == np.float32 and h.dtype == np.float32 and c.dtype == np.float32
    out.sum().backward()
    assert all(p.grad.dtype == np.float32 for p in m.parameters())


def _graph_size(t):
    seen, stack = set(), [t]
    while stack:
        u = stack.pop()
        if u._ctx is not None and id(u._ctx) not in seen:
            seen.add(id(u._ctx))
            stack.extend(u._ctx.parents)
    return len(seen)


def test_one_fused_node_per_layer_whatever_the_length():
    m = nn.LSTM(3, 4, num_layers=2)
    sizes = [_graph_size(m(gn.randn(T, 2, 3))[1][0]) for T in (3, 300)]
    assert sizes[0] == sizes[1] < 15


def test_gru_and_lstm_learn_a_simple_sum():
    """Plain gradient-descent steps through the fused ops lower the loss (wiring works end to end)."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((32, 6, 1)).astype(np.float32)
    y = x.sum(axis=1)
    for kind in ("GRU", "LSTM"):
        gn.manual_seed(0)
        m, head = getattr(nn, kind)(1, 8, batch_first=True), gn.randn(8, 1) * 0.3
        head.requires_grad = True
        losses = []
        for _ in range(60):
            out, _ = m(gn.tensor(x))
            loss = ((out[:, -1] @ head - gn.tensor(y)) ** 2).mean()
            m.zero_grad()
            head.grad = None
            loss.backward()
            for p in [*m.parameters(), head]:
                p.data -= 0.1 * p.grad
            losses.append(loss.item())
        assert losses[-1] < 0.5 * losses[0], (kind, losses[0], losses[-1])


# ----- errors ----------------------------------------------------------------------------
def test_default_is_sequence_first_as_pytorch():
    # regression: batch_first defaulted to True, so (T, N, F) code ran the recurrence over the batch axis
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 2, 3))  # (T, N, F)
    for kind in ("RNN", "LSTM", "GRU"):
        m = getattr(nn, kind)(3, 4).double()
        assert m.batch_first is False
        out, state = m(gn.tensor(x))
        ref_out, ref_h, _ = reference(m, x)
        np.testing.assert_allclose(out.data, ref_out, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose((state[0] if kind == "LSTM" else state).data, ref_h, rtol=1e-10, atol=1e-12)
        bf = getattr(nn, kind)(3, 4, batch_first=True).double()
        bf.load_state_dict(m.state_dict())
        out_bf, _ = bf(gn.tensor(np.swapaxes(x, 0, 1)))
        np.testing.assert_allclose(np.swapaxes(out_bf.data, 0, 1), out.data, rtol=1e-12)


def test_wrong_feature_size_names_layer_layout_and_shapes():
    with pytest.raises(ValueError) as e:
        nn.LSTM(32, 128)(gn.zeros(50, 64, 16))
    assert str(e.value) == ("LSTM(input_size=32, hidden_size=128): expected input of shape (T, N, 32) "
                            "with batch_first=False, or (T, 32) unbatched, got (50, 64, 16)")
    with pytest.raises(ValueError, match=r"\(N, T, 32\) with batch_first=True"):
        nn.LSTM(32, 128, batch_first=True)(gn.zeros(50, 64, 16))


def test_other_bad_inputs():
    with pytest.raises(ValueError, match=r"GRU\(input_size=3, hidden_size=4\): expected a 3-D \(or 2-D unbatched\) "
                                         r"input.*got shape \(5, 2, 1, 3\)"):
        nn.GRU(3, 4)(gn.zeros(5, 2, 1, 3))
    with pytest.raises(ValueError, match=r"expected input of shape \(T, N, 3\) with batch_first=False"):
        nn.RNN(3, 4, batch_first=False)(gn.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 2, 4\) \(num_layers, N, hidden_size\), got \(1, 2, 4\)"):
        nn.RNN(3, 4, num_layers=2, batch_first=True)(gn.zeros(2, 5, 3), gn.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 5, 4\) \(num_layers \* 2, N, hidden_size\)"):
        nn.GRU(3, 4, bidirectional=True)(gn.zeros(2, 5, 3), gn.zeros(1, 5, 4))
    with pytest.raises(ValueError, match=r"expected c0 of shape \(1, 2, 4\)"):
        nn.LSTM(3, 4, batch_first=True)(gn.zeros(2, 5, 3), (gn.zeros(1, 2, 4), gn.zeros(2, 4)))
    with pytest.raises(TypeError, match=r"tuple \(h0, c0\)"):
        nn.LSTM(3, 4)(gn.zeros(2, 5, 3), gn.zeros(1, 5, 4))
    with pytest.raises(TypeError, match="floating-point input"):
        nn.LSTM(3, 4)(gn.zeros(2, 5, 3, dtype="int64"))
    with pytest.raises(ValueError, match=r"lengths must lie in \[0, 5\].*max 6"):
        nn.GRU(3, 4, batch_first=True)(gn.zeros(2, 5, 3), lengths=[6, 2])
    with pytest.raises(ValueError, match=r"lengths must have shape \(2,\)"):
        nn.GRU(3, 4, batch_first=True)(gn.zeros(2, 5, 3), lengths=[5])
    with pytest.raises(ValueError, match=r"lengths needs a batched 3-D input.*\(5, 3\)"):
        nn.GRU(3, 4)(gn.zeros(5, 3), lengths=[5])


def test_bad_hyperparameters_quote_the_value():
    with pytest.raises(ValueError, match="RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="LSTM: hidden_size must be a positive int, got 0"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match=r"GRU: dropout must be in \[0, 1\], got 1.5"):
        nn.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="LSTM: proj_size must be a positive int or 0.*got -1"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(NotImplementedError, match="LSTM: proj_size=2 .* not implemented"):
        nn.LSTM(3, 4, proj_size=2)
    assert nn.LSTM(3, 4, proj_size=0).proj_size == 0
    with pytest.raises(ValueError, match="RNNCell: nonlinearity must be 'tanh' or 'relu', got 'gelu'"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="GRUCell: hidden_size must be a positive int, got -2"):
        nn.GRUCell(3, -2)


def test_functional_form_and_repr():
    m = nn.GRU(3, 4, num_layers=2)
    x = gn.randn(2, 5, 3)
    out, _ = F.gru(x, None, m._weights())
    np.testing.assert_array_equal(out.data, m(x)[0].data)
    assert repr(m) == "GRU(3, 4, num_layers=2)"  # PyTorch's repr: batch_first shown only when True
    assert repr(nn.LSTM(3, 4, batch_first=True, bidirectional=True)) == "LSTM(3, 4, batch_first=True, bidirectional=True)"
    assert m.get_config()["num_layers"] == 2


def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = gn.randn(2, 5, 3)
    m.eval()
    np.testing.assert_array_equal(m(x)[0].data, m(x)[0].data)  # eval: deterministic
    m.train()
    a, b = m(x)[0].data, m(x)[0].data
    assert not np.array_equal(a, b)  # a fresh mask on the first layer's outputs each call
    with pytest.warns(UserWarning, match="dropout=0.5 does nothing with num_layers=1"):
        single = nn.LSTM(3, 4, dropout=0.5)  # one layer: nothing to drop between (PyTorch warns too)
    np.testing.assert_array_equal(single(x)[0].data, single(x)[0].data)


@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
def test_dropout_one_feeds_zeros_to_the_next_layer(kind, kw):
    # dropout in [0, 1] as PyTorch; p = 1 zeroes every output of layer 0, so layer 1 sees only zeros
    rng = np.random.default_rng(8)
    m = getattr(nn, kind)(3, 4, num_layers=2, dropout=1.0, bidirectional=True, **kw).double()
    x = rng.standard_normal((5, 2, 3))
    out, _ = m(gn.tensor(x))
    top = getattr(nn, kind)(8, 4, bidirectional=True, **kw).double()
    top.load_state_dict({k.replace("_l1", "_l0"): v for k, v in m.state_dict().items() if "_l1" in k})
    np.testing.assert_allclose(out.data, reference(top, np.zeros((5, 2, 8)))[0], rtol=1e-10, atol=1e-12)
    m.eval()
    np.testing.assert_allclose(m(gn.tensor(x))[0].data, reference(m, x)[0], rtol=1e-10, atol=1e-12)


def test_dropout_between_layers_is_reproducible_with_manual_seed():
    m = nn.GRU(3, 4, num_layers=3, dropout=0.3)
    x = gn.randn(5, 2, 3)
    gn.manual_seed(3)
    a = m(x)[0].data
    gn.manual_seed(3)
    np.testing.assert_array_equal(m(x)[0].data, a)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_empty_batch_gives_empty_outputs_and_zero_weight_grads(kind, batch_first):
    # regression: N == 0 crashed in reshape(T * N, -1) ("cannot reshape array of size 0")
    layer = getattr(nn, kind)(3, 4, num_layers=2, batch_first=batch_first)
    x = gn.tensor(np.zeros((0, 5, 3) if batch_first else (5, 0, 3)), requires_grad=True)
    out, state = layer.double()(x)
    h_n = state[0] if kind == "LSTM" else state
    assert out.shape == ((0, 5, 4) if batch_first else (5, 0, 4)) and h_n.shape == (2, 0, 4)
    (out.sum() + h_n.sum()).backward()
    assert x.grad.shape == x.shape
    np.testing.assert_array_equal(layer.weight_hh_l1.grad, np.zeros(layer.weight_hh_l1.shape))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_zero_length_sequence_is_a_clear_error(kind):
    with pytest.raises(ValueError, match=f"{kind}.*sequence length larger than 0.*\\(0, 2, 3\\)"):
        getattr(nn, kind)(3, 4)(gn.zeros(0, 2, 3))
    with pytest.raises(ValueError, match=f"{kind}.*sequence length larger than 0.*\\(2, 0, 3\\)"):
        getattr(nn, kind)(3, 4, batch_first=True)(gn.zeros(2, 0, 3))


# ----- unbatched input, as PyTorch: (T, F) with states (L * D, H) ----------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_unbatched_input_is_a_batch_of_one(kind, kw, batch_first, bidirectional):
    rng = np.random.default_rng(9)
    m = make(kind, kw, 2, batch_first, bidirectional=bidirectional)
    D = 2 if bidirectional else 1
    x, h0, c0 = rng.standard_normal((5, 3)), rng.standard_normal((2 * D, 4)), rng.standard_normal((2 * D, 4))
    out, finals = run(m, gn.tensor(x), gn.tensor(h0), gn.tensor(c0))
    batch = x[None] if batch_first else x[:, None]  # batch_first does not apply to an unbatched input
    ref_out, ref_h, ref_c = reference(m, batch, h0[:, None], c0[:, None])
    assert out.shape == (5, 4 * D) and finals[0].shape == (2 * D, 4)
    np.testing.assert_allclose(out.data, ref_out[0] if batch_first else ref_out[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[0].data, ref_h[:, 0], rtol=1e-10, atol=1e-12)
    if ref_c is not None:
        np.testing.assert_allclose(finals[1].data, ref_c[:, 0], rtol=1e-10, atol=1e-12)
    xt = gn.tensor(x, requires_grad=True)
    assert gn.gradcheck(lambda x: run(m, x, None, None)[0], [xt], raise_exception=True)
    with pytest.raises(ValueError, match=rf"expected h0 of shape \({2 * D}, 4\) \(num_layers.*unbatched input"):
        run(m, gn.tensor(x), gn.tensor(h0[:, None]), gn.tensor(c0[:, None]))


# ----- cells ----------------------------------------------------------------------------------
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}), ("GRUCell", {})]
CELL_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def run_cell(cell, x, h, c):
    if isinstance(cell, nn.LSTMCell):
        return cell(x, None if h is None else (h, c))
    return (cell(x, h),)


@pytest.mark.parametrize("kind,kw", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_numpy_step_and_gradchecks(kind, kw, batched, with_state, bias):
    rng = np.random.default_rng(10)
    cell = getattr(nn, kind)(3, 4, bias=bias, **kw).double()
    shape = (2, 4) if batched else (4,)
    x = rng.standard_normal((2, 3) if batched else (3,))
    h = rng.standard_normal(shape) if with_state else np.zeros(shape)
    c = rng.standard_normal(shape) if with_state else np.zeros(shape)
    sd = cell.state_dict()
    zero = np.zeros(len(sd["weight_ih"]))
    w = [sd["weight_ih"], sd["weight_hh"], sd.get("bias_ih", zero), sd.get("bias_hh", zero)]
    _, ref_h, ref_c = ref_layer(cell, x.reshape(1, -1, 3), h.reshape(-1, 4), c.reshape(-1, 4), w)
    states = [gn.tensor(h, requires_grad=True), gn.tensor(c, requires_grad=True)] if with_state else [None, None]
    got = run_cell(cell, gn.tensor(x), *states)
    assert all(t.shape == shape for t in got)
    np.testing.assert_allclose(got[0].data, ref_h.reshape(shape), rtol=1e-10, atol=1e-12)
    if ref_c is not None:
        np.testing.assert_allclose(got[1].data, ref_c.reshape(shape), rtol=1e-10, atol=1e-12)
    inputs = [gn.tensor(x, requires_grad=True)] + [s for s in states if s is not None][:len(got)]
    n = len(inputs)

    def f(x, *rest):
        st = list(rest[:n - 1]) + [None] * 2
        return run_cell(cell, x, st[0], st[1])

    assert gn.gradcheck(f, inputs + list(cell.parameters()), raise_exception=True)


def test_fused_lstm_matches_the_simple_cell_forward_and_backward():
    # lstm_cell_simple (plain ops) is the reference for the fused kernel, one step and a whole sequence
    rng = np.random.default_rng(11)
    m = nn.LSTM(3, 4).double()
    w = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]
    x = gn.tensor(rng.standard_normal((6, 2, 3)), requires_grad=True)
    h0, c0 = (gn.tensor(rng.standard_normal((1, 2, 4)), requires_grad=True) for _ in range(2))
    out, (h_n, c_n) = m(x, (h0, c0))
    (out * out).sum().backward()
    fused = [x.grad, h0.grad, c0.grad, *(p.grad for p in w)]
    for t in (x, h0, c0, *w):
        t.grad = None
    h, c, outs = h0[0], c0[0], []
    for t in range(6):
        h, c = F.lstm_cell_simple(x[t], (h, c), *w)
        outs.append(h)
    simple_out = gn.stack(outs, axis=0)
    np.testing.assert_allclose(out.data, simple_out.data, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_n.data[0], c.data, rtol=1e-12, atol=1e-14)
    (simple_out * simple_out).sum().backward()
    for a, b in zip(fused, [x.grad, h0.grad, c0.grad, *(p.grad for p in w)]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    cell = nn.LSTMCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in m.state_dict().items()})  # weight_ih_l0 -> weight_ih
    got = cell(x[0], (h0[0], c0[0]))
    want = F.lstm_cell_simple(x[0], (h0[0], c0[0]), *w)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)


def test_lstm_cell_simple_matches_numpy_and_gradchecks():
    rng = np.random.default_rng(12)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    w_ih, w_hh, b_ih, b_hh = (rng.standard_normal(s) for s in ((16, 3), (16, 4), (16,), (16,)))
    _, ref_h, ref_c = ref_lstm_layer(x[None], h, c, w_ih, w_hh, b_ih, b_hh)
    ts = [gn.tensor(a, requires_grad=True) for a in (x, h, c, w_ih, w_hh, b_ih, b_hh)]
    got_h, got_c = F.lstm_cell_simple(ts[0], (ts[1], ts[2]), *ts[3:])
    np.testing.assert_allclose(got_h.data, ref_h, rtol=1e-12)
    np.testing.assert_allclose(got_c.data, ref_c, rtol=1e-12)
    assert gn.gradcheck(lambda x, h, c, *w: F.lstm_cell_simple(x, (h, c), *w), ts, raise_exception=True)


@pytest.mark.parametrize("kind,kw", [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {})],
                         ids=["rnn_tanh", "rnn_relu", "gru"])
@pytest.mark.parametrize("N", [2, 40])  # 40: the fused layer splits the batch across threads
def test_fused_rnn_and_gru_match_the_simple_cells_forward_and_backward(kind, kw, N):
    rng = np.random.default_rng(13)
    m = getattr(nn, kind)(3, 4, **kw).double()
    w = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]
    x = gn.tensor(rng.standard_normal((6, N, 3)), requires_grad=True)
    h0 = gn.tensor(rng.standard_normal((1, N, 4)), requires_grad=True)
    out, h_n = m(x, h0)
    (out * out).sum().backward()
    fused = [x.grad, h0.grad, *(p.grad for p in w)]
    for t in (x, h0, *w):
        t.grad = None
    h, outs = h0[0], []
    for t in range(6):
        h = F.gru_cell_simple(x[t], h, *w) if kind == "GRU" else F.rnn_cell_simple(x[t], h, *w, **kw)
        outs.append(h)
    simple_out = gn.stack(outs, axis=0)
    np.testing.assert_allclose(out.data, simple_out.data, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_n.data[0], h.data, rtol=1e-12, atol=1e-14)
    (simple_out * simple_out).sum().backward()
    for a, b in zip(fused, [x.grad, h0.grad, *(p.grad for p in w)]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn_tanh", "rnn_relu", "gru"])
def test_rnn_and_gru_cell_simple_match_numpy_and_gradcheck(kind):
    rng = np.random.default_rng(14)
    G = 12 if kind == "gru" else 4
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    w_ih, w_hh, b_ih, b_hh = (rng.standard_normal(s) for s in ((G, 3), (G, 4), (G,), (G,)))
    if kind == "gru":
        _, ref_h, _ = ref_gru_layer(x[None], h, w_ih, w_hh, b_ih, b_hh)
        cell = F.gru_cell_simple
    else:
        act = np.tanh if kind == "rnn_tanh" else (lambda a: np.maximum(a, 0))
        _, ref_h, _ = ref_rnn_layer(x[None], h, w_ih, w_hh, b_ih, b_hh, act)
        cell = lambda *a: F.rnn_cell_simple(*a, nonlinearity=kind[4:])  # noqa: E731
    ts = [gn.tensor(a, requires_grad=True) for a in (x, h, w_ih, w_hh, b_ih, b_hh)]
    np.testing.assert_allclose(cell(*ts).data, ref_h, rtol=1e-12)
    assert gn.gradcheck(cell, ts, raise_exception=True)


@pytest.mark.parametrize("kind,gates", [("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)])
def test_cell_parameter_names_shapes_init_and_repr(kind, gates):
    cell = getattr(nn, kind)(5, 8)
    assert {k: v.shape for k, v in cell.state_dict().items()} == {
        "weight_ih": (gates * 8, 5), "weight_hh": (gates * 8, 8), "bias_ih": (gates * 8,), "bias_hh": (gates * 8,)}
    bound = 1 / np.sqrt(8)
    for p in cell.parameters():
        assert p.dtype == np.float32 and np.abs(p.data).max() <= bound and p.data.std() > bound / 3
    assert list(getattr(nn, kind)(5, 8, bias=False).state_dict()) == ["weight_ih", "weight_hh"]
    assert repr(cell) == f"{kind}(5, 8)" and repr(getattr(nn, kind)(5, 8, bias=False)) == f"{kind}(5, 8, bias=False)"
    out = run_cell(cell, gn.randn(2, 5), None, None)
    assert all(t.dtype == np.float32 and t.shape == (2, 8) for t in out)


def test_cell_unrolled_equals_the_layer():
    # the training loop of a seq2seq decoder: a GRUCell stepped by hand gives the GRU's outputs
    rng = np.random.default_rng(13)
    layer, cell = nn.GRU(3, 4).double(), nn.GRUCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = gn.tensor(rng.standard_normal((5, 2, 3)))
    out, h_n = layer(x)
    h = None
    for t in range(5):
        h = cell(x[t], h)
        np.testing.assert_allclose(h.data, out.data[t], rtol=1e-12, atol=1e-14)


def test_cell_bad_inputs_name_the_cell_and_shapes():
    who = r"LSTMCell\(input_size=3, hidden_size=4\)"
    with pytest.raises(ValueError, match=who + r": expected input of shape \(N, 3\), or \(3,\) unbatched, got \(2, 5\)"):
        nn.LSTMCell(3, 4)(gn.zeros(2, 5))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\).*got \(2, 2, 3\)"):
        nn.RNNCell(3, 4)(gn.zeros(2, 2, 3))
    with pytest.raises(ValueError, match=r"GRUCell.*expected hx of shape \(2, 4\) \(N, hidden_size\), got \(3, 4\)"):
        nn.GRUCell(3, 4)(gn.zeros(2, 3), gn.zeros(3, 4))
    with pytest.raises(ValueError, match=r"expected cx of shape \(4,\) \(hidden_size,\) for an unbatched input"):
        nn.LSTMCell(3, 4)(gn.zeros(3), (gn.zeros(4), gn.zeros(1, 4)))
    with pytest.raises(TypeError, match=r"LSTMCell.*tuple \(h, c\)"):
        nn.LSTMCell(3, 4)(gn.zeros(2, 3), gn.zeros(2, 4))
    with pytest.raises(TypeError, match="floating-point input"):
        nn.RNNCell(3, 4)(gn.zeros(2, 3, dtype="int64"))
    with pytest.raises(ValueError, match="rnn_cell: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        F.rnn_cell(gn.zeros(2, 3), None, gn.zeros(4, 3), gn.zeros(4, 4), nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="gru_cell: give both biases"):
        F.gru_cell(gn.zeros(2, 3), None, gn.zeros(12, 3), gn.zeros(12, 4), gn.zeros(12))


# ----- nn.utils.rnn ---------------------------------------------------------------------------
rnn_utils = nn.utils.rnn


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_numpy_and_gradchecks(batch_first, side):
    rng = np.random.default_rng(14)
    arrays = [rng.standard_normal((L, 2)) for L in (3, 1, 4)]
    want = np.full((3, 4, 2), -1.0)  # (B, T, *)
    for i, a in enumerate(arrays):
        if side == "right":
            want[i, :len(a)] = a
        else:
            want[i, 4 - len(a):] = a
    want = want if batch_first else np.swapaxes(want, 0, 1)
    seqs = [gn.tensor(a, requires_grad=True) for a in arrays]
    got = rnn_utils.pad_sequence(seqs, batch_first=batch_first, padding_value=-1.0, padding_side=side)
    np.testing.assert_array_equal(got.data, want)
    assert got.dtype == np.float64
    f = lambda *s: rnn_utils.pad_sequence(s, batch_first, -1.0, side)
    assert gn.gradcheck(f, seqs, raise_exception=True)


def test_pad_sequence_feeds_a_layer_with_lengths_and_unpad_inverts_it():
    rng = np.random.default_rng(15)
    arrays = [rng.standard_normal((L, 3)) for L in (2, 5, 3)]
    padded = rnn_utils.pad_sequence([gn.tensor(a) for a in arrays])  # (T, B, 3), sequence-first as PyTorch
    assert padded.shape == (5, 3, 3)
    m = nn.GRU(3, 4, bidirectional=True).double()
    out, h_n = m(padded, lengths=[2, 5, 3])
    for i, a in enumerate(arrays):
        alone, h_alone = m(gn.tensor(a))  # unbatched
        np.testing.assert_allclose(out.data[:len(a), i], alone.data, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(h_n.data[:, i], h_alone.data, rtol=1e-10, atol=1e-12)
    back = rnn_utils.unpad_sequence(padded, [2, 5, 3])
    for a, b in zip(arrays, back):
        np.testing.assert_array_equal(b.data, a)
    back = rnn_utils.unpad_sequence(padded.transpose(1, 0, 2), gn.tensor(np.array([2, 5, 3])), batch_first=True)
    assert [b.shape for b in back] == [(2, 3), (5, 3), (3, 3)]


def test_pad_sequence_accepts_a_tensor_and_refuses_bad_input():
    assert rnn_utils.pad_sequence(gn.zeros(2, 3, 4)).shape == (3, 2, 4)  # 2 sequences of length 3
    with pytest.raises(ValueError, match="empty list of sequences"):
        rnn_utils.pad_sequence([])
    with pytest.raises(ValueError, match=r"sequence 1.*\(2, 3\)"):
        rnn_utils.pad_sequence([gn.zeros(3, 2), gn.zeros(2, 3)])
    with pytest.raises(ValueError, match="sequence 0 is 0-d"):
        rnn_utils.pad_sequence([gn.tensor(1.0)])
    with pytest.raises(ValueError, match="padding_side must be 'left' or 'right', got 'mid'"):
        rnn_utils.pad_sequence([gn.zeros(3)], padding_side="mid")
    with pytest.raises(ValueError, match=r"unpad_sequence: lengths must be 2 integers in \[0, 3\]"):
        rnn_utils.unpad_sequence(gn.zeros(3, 2), [4, 1])


def numpy_pack(x, lengths):
    """PyTorch's packed layout written out: order = longest first (stable), then step by step."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    rows, sizes = [], []
    for t in range(max(lengths)):
        running = [i for i in order if lengths[i] > t]
        rows += [x[t, i] for i in running]
        sizes.append(len(running))
    return np.stack(rows), np.array(sizes), np.array(order)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_sequence_layout_and_round_trip(batch_first):
    rng = np.random.default_rng(16)
    lengths = [3, 5, 3, 1, 5, 3]  # ties: the stable order keeps batch order among equal lengths
    x = rng.standard_normal((5, 6, 2))
    xin = np.swapaxes(x, 0, 1) if batch_first else x
    p = rnn_utils.pack_padded_sequence(gn.tensor(xin), lengths, batch_first=batch_first, enforce_sorted=False)
    data, sizes, order = numpy_pack(x, lengths)
    np.testing.assert_array_equal(p.data.data, data)
    np.testing.assert_array_equal(p.batch_sizes.data, sizes)
    np.testing.assert_array_equal(p.sorted_indices.data, order)
    np.testing.assert_array_equal(p.sorted_indices.data[p.unsorted_indices.data], np.arange(6))
    assert p.batch_sizes.dtype == np.int64
    padded, got_lengths = rnn_utils.pad_packed_sequence(p, batch_first=batch_first, padding_value=-3.0, total_length=7)
    np.testing.assert_array_equal(got_lengths.data, lengths)
    want = np.full((7, 6, 2), -3.0)
    for i, L in enumerate(lengths):
        want[:L, i] = x[:L, i]
    np.testing.assert_array_equal(padded.data, np.swapaxes(want, 0, 1) if batch_first else want)
    s = rnn_utils.pack_padded_sequence(gn.tensor(x[:, [1, 4, 0, 2, 5, 3]]), sorted(lengths, reverse=True))
    assert s.sorted_indices is None and s.unsorted_indices is None
    np.testing.assert_array_equal(s.data.data, data)
    xt = gn.tensor(np.ascontiguousarray(xin), requires_grad=True)  # gradcheck perturbs x.data in place

    def f(x):
        packed = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        return packed.data, rnn_utils.pad_packed_sequence(packed, batch_first, -3.0)[0]

    assert gn.gradcheck(f, [xt], raise_exception=True)


@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_layers_take_and_return_packed_sequences(kind, kw, batch_first):
    # a packed batch runs exactly as the padded batch with lengths; h_n stays in the caller's batch order
    rng = np.random.default_rng(17)
    m = make(kind, kw, 2, batch_first, I=2, H=3, bidirectional=True)
    lengths = [2, 4, 1]
    x = gn.tensor(rng.standard_normal((3, 4, 2) if batch_first else (4, 3, 2)), requires_grad=True)
    h0 = gn.tensor(rng.standard_normal((4, 3, 3)), requires_grad=True)
    hx = (h0, h0 * 2) if kind == "LSTM" else h0
    packed = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    out, state = m(packed, hx)
    assert isinstance(out, rnn_utils.PackedSequence)
    np.testing.assert_array_equal(out.batch_sizes.data, packed.batch_sizes.data)
    np.testing.assert_array_equal(out.sorted_indices.data, packed.sorted_indices.data)
    ref_out, ref_state = m(x, hx, lengths=lengths)
    padded, got_lengths = rnn_utils.pad_packed_sequence(out, batch_first=batch_first)
    np.testing.assert_allclose(padded.data, ref_out.data, rtol=1e-12, atol=1e-14)
    for a, b in zip(state if kind == "LSTM" else (state,), ref_state if kind == "LSTM" else (ref_state,)):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)

    def f(x, h0):
        p = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        o, s = m(p, (h0, h0 * 2) if kind == "LSTM" else h0)
        return o.data, *(s if kind == "LSTM" else (s,))

    assert gn.gradcheck(f, [x, h0], raise_exception=True)
    with pytest.raises(ValueError, match="PackedSequence carries its own lengths"):
        m(packed, lengths=lengths)


def test_pack_sequence_unpack_sequence_and_packing_errors():
    rng = np.random.default_rng(18)
    seqs = [gn.tensor(rng.standard_normal((L, 2))) for L in (2, 4, 1)]
    packed = rnn_utils.pack_sequence(seqs, enforce_sorted=False)
    np.testing.assert_array_equal(packed.batch_sizes.data, [3, 2, 1, 1])
    for a, b in zip(seqs, rnn_utils.unpack_sequence(packed)):
        np.testing.assert_array_equal(a.data, b.data)
    x = gn.zeros(4, 3, 2)
    with pytest.raises(ValueError, match=r"sorted in decreasing order when enforce_sorted=True.*\[2, 4, 1\]"):
        rnn_utils.pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(ValueError, match=r"every length must lie in \[1, 4\].*\[2, 0, 1\]"):
        rnn_utils.pack_padded_sequence(x, [2, 0, 1], enforce_sorted=False)
    with pytest.raises(ValueError, match=r"every length must lie in \[1, 4\].*\[5, 1, 1\]"):
        rnn_utils.pack_padded_sequence(x, [5, 1, 1])
    with pytest.raises(ValueError, match=r"expected 3 integer lengths.*\[2, 1\]"):
        rnn_utils.pack_padded_sequence(x, [2, 1])
    with pytest.raises(ValueError, match=r"total_length must be at least the longest sequence length 4, got total_length=3"):
        rnn_utils.pad_packed_sequence(packed, total_length=3)


def test_torch_module_surface_all_weights_flatten_parameters_and_dtype():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=gn.float64)
    assert m._all_weights[1] == ["weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"]
    assert [p is q for p, q in zip(m.all_weights[2], (m.weight_ih_l1, m.weight_hh_l1, m.bias_ih_l1, m.bias_hh_l1))] == [True] * 4
    assert len(nn.GRU(3, 4, bias=False).all_weights[0]) == 2
    assert all(p.dtype == np.float64 for p in m.parameters())
    x = gn.randn(5, 2, 3, dtype=gn.float64)
    before = m(x)[0].data
    m.flatten_parameters()  # cuDNN housekeeping in torch; programs call it, so it must exist and change nothing
    np.testing.assert_array_equal(m(x)[0].data, before)
    assert nn.GRUCell(3, 4, dtype=gn.float64).weight_hh.dtype == np.float64
