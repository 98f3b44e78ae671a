"""RNN / LSTM / GRU: outputs against plain NumPy recurrences, float64 gradcheck, masking, errors."""

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


def reference(module, x, h0=None, c0=None):
    """Multi-layer reference: x (N, T, in) if batch_first else (T, N, in); returns (out, h_n, c_n)."""
    sd = module.state_dict()
    x = np.swapaxes(x, 0, 1) if module.batch_first else x
    N, H, L = x.shape[1], module.hidden_size, module.num_layers
    h0 = np.zeros((L, N, H)) if h0 is None else h0
    c0 = np.zeros((L, N, H)) if c0 is None else c0
    hs, cs = [], []
    for k in range(L):
        w = [sd[f"weight_ih_l{k}"], sd[f"weight_hh_l{k}"], sd[f"bias_ih_l{k}"], sd[f"bias_hh_l{k}"]]
        if isinstance(module, nn.LSTM):
            x, h, c = ref_lstm_layer(x, h0[k], c0[k], *w)
            cs.append(c)
        elif isinstance(module, nn.GRU):
            x, h, _ = ref_gru_layer(x, h0[k], *w)
        else:
            act = np.tanh if module.nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
            x, h, _ = ref_rnn_layer(x, h0[k], *w, act)
        hs.append(h)
    out = np.swapaxes(x, 0, 1) if module.batch_first else x
    return out, np.stack(hs), (np.stack(cs) if cs else None)


KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def make(kind, kw, layers, batch_first, I=3, H=4):
    return getattr(nn, kind)(I, H, num_layers=layers, batch_first=batch_first, **kw).double()


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
def test_forward_matches_numpy_reference(kind, kw, layers, batch_first, with_state):
    rng = np.random.default_rng(1)
    m = make(kind, kw, layers, batch_first)
    N, T = 3, 5
    x = rng.standard_normal((N, T, 3) if batch_first else (T, N, 3))
    h0 = rng.standard_normal((layers, N, 4)) if with_state else None
    c0 = rng.standard_normal((layers, N, 4)) if with_state else None
    out, finals = run(m, gn.tensor(x), None if h0 is None else gn.tensor(h0), None if c0 is None else gn.tensor(c0))
    ref_out, ref_h, ref_c = reference(m, x, h0, c0)
    assert out.shape == ((N, T, 4) if batch_first else (T, N, 4))
    assert finals[0].shape == (layers, N, 4)  # (num_layers, N, H) even with batch_first
    np.testing.assert_allclose(out.data, ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[0].data, ref_h, rtol=1e-10, atol=1e-12)
    if ref_c is not None:
        np.testing.assert_allclose(finals[1].data, ref_c, rtol=1e-10, atol=1e-12)


# ----- gradients ------------------------------------------------------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_gradcheck(kind, kw, layers, batch_first, with_state):
    rng = np.random.default_rng(2)
    m = make(kind, kw, layers, batch_first, I=2, H=3)
    N, T = 2, 3
    x = gn.tensor(rng.standard_normal((N, T, 2) if batch_first else (T, N, 2)), requires_grad=True)
    inputs = [x]
    if with_state:
        inputs.append(gn.tensor(rng.standard_normal((layers, N, 3)), requires_grad=True))
        if kind == "LSTM":
            inputs.append(gn.tensor(rng.standard_normal((layers, N, 3)), requires_grad=True))
    params = list(m.parameters())

    def f(x, *rest):
        states = rest[:len(inputs) - 1]
        h0 = states[0] if states else None
        c0 = states[1] if len(states) > 1 else None
        out, finals = run(m, x, h0, c0)
        return (out, *finals)

    assert gn.gradcheck(f, inputs + params, raise_exception=True)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_gradcheck_with_lengths_and_no_bias(kind):
    rng = np.random.default_rng(3)
    m = getattr(nn, kind)(2, 3, num_layers=2, bias=False).double()
    x = gn.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)

    def f(x, *params):
        out, h = m(x, lengths=[4, 1, 2])
        return (out, *(h if isinstance(h, tuple) else (h,)))

    assert gn.gradcheck(f, [x, *m.parameters()], raise_exception=True)


# ----- variable lengths ------------------------------------------------------------------
@pytest.mark.parametrize("kind,kw", KINDS, ids=IDS)
@pytest.mark.parametrize("batch_first", [True, False])
def test_lengths_equal_running_each_sequence_alone(kind, kw, batch_first):
    rng = np.random.default_rng(4)
    m = make(kind, kw, 2, batch_first)
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
    m = nn.LSTM(3, 4).double()
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
    sizes = [_graph_size(m(gn.randn(2, T, 3))[1][0]) for T in (3, 300)]
    assert sizes[0] == sizes[1] < 15


def test_gru_and_lstm_learn_a_simple_sum():
    """Plain gradient-descent steps through the fused ops lower the loss (wiring works end to end)."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((32, 6, 1)).astype(np.float32)
    y = x.sum(axis=1)
    for kind in ("GRU", "LSTM"):
        gn.manual_seed(0)
        m, head = getattr(nn, kind)(1, 8), gn.randn(8, 1) * 0.3
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
def test_seq_first_input_to_batch_first_layer_names_layer_and_shapes():
    m = nn.LSTM(32, 128)
    with pytest.raises(ValueError) as e:
        m(gn.zeros(50, 64, 16))
    assert str(e.value) == ("LSTM(input_size=32, hidden_size=128): expected input of shape (N, T, 32) "
                            "with batch_first=True, got (50, 64, 16)")


def test_other_bad_inputs():
    with pytest.raises(ValueError, match=r"GRU\(input_size=3, hidden_size=4\): expected a 3-D input.*got shape \(5, 3\)"):
        nn.GRU(3, 4)(gn.zeros(5, 3))
    with pytest.raises(ValueError, match=r"expected input of shape \(T, N, 3\) with batch_first=False"):
        nn.RNN(3, 4, batch_first=False)(gn.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 2, 4\) \(num_layers, N, hidden_size\), got \(1, 2, 4\)"):
        nn.RNN(3, 4, num_layers=2)(gn.zeros(2, 5, 3), gn.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"expected c0 of shape \(1, 2, 4\)"):
        nn.LSTM(3, 4)(gn.zeros(2, 5, 3), (gn.zeros(1, 2, 4), gn.zeros(2, 4)))
    with pytest.raises(TypeError, match=r"tuple \(h0, c0\)"):
        nn.LSTM(3, 4)(gn.zeros(2, 5, 3), gn.zeros(1, 2, 4))
    with pytest.raises(TypeError, match="floating-point input"):
        nn.LSTM(3, 4)(gn.zeros(2, 5, 3, dtype="int64"))
    with pytest.raises(ValueError, match=r"lengths must lie in \[0, 5\].*max 6"):
        nn.GRU(3, 4)(gn.zeros(2, 5, 3), lengths=[6, 2])
    with pytest.raises(ValueError, match=r"lengths must have shape \(2,\)"):
        nn.GRU(3, 4)(gn.zeros(2, 5, 3), lengths=[5])


def test_bad_hyperparameters_quote_the_value():
    with pytest.raises(ValueError, match="RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="LSTM: hidden_size must be a positive int, got 0"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="GRU: dropout must be in"):
        nn.GRU(3, 4, dropout=1.5)


def test_functional_form_and_repr():
    m = nn.GRU(3, 4, num_layers=2)
    x = gn.randn(2, 5, 3)
    out, _ = F.gru(x, None, m._weights())
    np.testing.assert_array_equal(out.data, m(x)[0].data)
    assert repr(m) == "GRU(3, 4, num_layers=2, batch_first=True)"
    assert m.get_config()["num_layers"] == 2


def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = gn.randn(2, 5, 3)
    m.eval()
    np.testing.assert_array_equal(m(x)[0].data, m(x)[0].data)  # eval: deterministic
    m.train()
    a, b = m(x)[0].data, m(x)[0].data
    assert not np.array_equal(a, b)  # a fresh mask on the first layer's outputs each call
    single = nn.LSTM(3, 4, dropout=0.5)  # one layer: nothing to drop between
    np.testing.assert_array_equal(single(x)[0].data, single(x)[0].data)


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
    with pytest.raises(ValueError, match=f"{kind}.*sequence length larger than 0.*\\(2, 0, 3\\)"):
        getattr(nn, kind)(3, 4)(gn.zeros(2, 0, 3))
