"""One table of Keras layers, one generic test (in the spirit of Keras's run_layer_test): output shape,
parameter count, float64 gradcheck, state-dict round trip into a fresh layer, and train/eval behaviour."""

import numpy as np
import pytest

import gradnote as gn
from gradnote.keras import layers as L


def _f(*shape):
    return lambda rng: rng.normal(size=shape).astype(np.float32)


def _ids(*shape, high=9):
    return lambda rng: rng.integers(1, high, size=shape)


H = 3  # units of the recurrent layers below
# name: (make layer, make input, output shape, parameter count, differentiable input, random in training)
TABLE = {
    "Dense": (lambda: L.Dense(4, activation="relu"), _f(2, 3), (2, 4), 16, True, False),
    "Conv2D_last": (lambda: L.Conv2D(2, 3, padding="same"), _f(2, 5, 5, 3), (2, 5, 5, 2), 56, True, False),
    "Conv1D": (lambda: L.Conv1D(4, 3), _f(2, 7, 2), (2, 5, 4), 28, True, False),
    "Conv1D_first": (lambda: L.Conv1D(4, 3, data_format="channels_first"), _f(2, 2, 7), (2, 4, 5), 28, True, False),
    "MaxPooling1D": (lambda: L.MaxPooling1D(2), _f(2, 6, 3), (2, 3, 3), 0, True, False),
    "AveragePooling1D": (lambda: L.AveragePooling1D(3), _f(2, 6, 3), (2, 2, 3), 0, True, False),
    "MaxPooling2D": (lambda: L.MaxPooling2D(2), _f(2, 4, 4, 3), (2, 2, 2, 3), 0, True, False),
    "AveragePooling2D": (lambda: L.AveragePooling2D(2), _f(2, 4, 6, 3), (2, 2, 3, 3), 0, True, False),
    "GlobalAveragePooling1D": (lambda: L.GlobalAveragePooling1D(), _f(2, 5, 3), (2, 3), 0, True, False),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D(), _f(2, 5, 3), (2, 3), 0, True, False),
    "GlobalAveragePooling2D": (lambda: L.GlobalAveragePooling2D(), _f(2, 4, 4, 3), (2, 3), 0, True, False),
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(keepdims=True), _f(2, 4, 4, 3), (2, 1, 1, 3), 0, True,
                           False),
    "Flatten": (lambda: L.Flatten(), _f(2, 3, 4), (2, 12), 0, True, False),
    "Reshape": (lambda: L.Reshape((3, -1)), _f(2, 12), (2, 3, 4), 0, True, False),
    "Rescaling": (lambda: L.Rescaling(1 / 255, offset=-1.0), _f(2, 3), (2, 3), 0, True, False),
    "Activation": (lambda: L.Activation("tanh"), _f(2, 3), (2, 3), 0, True, False),
    "LayerNormalization": (lambda: L.LayerNormalization(), _f(2, 5, 4), (2, 5, 4), 8, True, False),
    "BatchNormalization": (lambda: L.BatchNormalization(), _f(6, 4), (6, 4), 16, True, False),  # moving stats count
    "Dropout": (lambda: L.Dropout(0.5), _f(4, 50), (4, 50), 0, True, True),
    "SpatialDropout1D": (lambda: L.SpatialDropout1D(0.5), _f(4, 5, 30), (4, 5, 30), 0, True, True),
    "SpatialDropout2D": (lambda: L.SpatialDropout2D(0.5), _f(4, 3, 3, 30), (4, 3, 3, 30), 0, True, True),
    "Embedding": (lambda: L.Embedding(10, 4), _ids(2, 5), (2, 5, 4), 40, False, False),
    "SimpleRNN": (lambda: L.SimpleRNN(H), _f(2, 4, 2), (2, H), H * 2 + H * H + 2 * H, True, False),
    "SimpleRNN_seq": (lambda: L.SimpleRNN(H, activation="relu", return_sequences=True), _f(2, 4, 2), (2, 4, H),
                      H * 2 + H * H + 2 * H, True, False),
    "LSTM": (lambda: L.LSTM(H), _f(2, 4, 2), (2, H), 4 * (H * 2 + H * H + 2 * H), True, False),
    "LSTM_backwards": (lambda: L.LSTM(H, go_backwards=True, return_sequences=True), _f(2, 4, 2), (2, 4, H),
                       4 * (H * 2 + H * H + 2 * H), True, False),
    "GRU": (lambda: L.GRU(H, return_sequences=True), _f(2, 4, 2), (2, 4, H), 3 * (H * 2 + H * H + 2 * H), True,
            False),
    "Bidirectional": (lambda: L.Bidirectional(L.LSTM(H)), _f(2, 4, 2), (2, 2 * H), 8 * (H * 2 + H * H + 2 * H),
                      True, False),
    "Bidirectional_ave": (lambda: L.Bidirectional(L.GRU(H, return_sequences=True), merge_mode="ave"), _f(2, 4, 2),
                          (2, 4, H), 6 * (H * 2 + H * H + 2 * H), True, False),
    "TimeDistributed": (lambda: L.TimeDistributed(L.Dense(2)), _f(2, 4, 3), (2, 4, 2), 8, True, False),
    "MultiHeadAttention": (lambda: L.MultiHeadAttention(2, 3), _f(2, 4, 5), (2, 4, 5), 3 * (5 * 6 + 6) + 6 * 5 + 5,
                           True, False),
}


def _call(layer, x):
    if isinstance(layer, L.MultiHeadAttention):
        return layer(x, x)
    return layer(x)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_layer(name):
    make, inp, shape, n_params, differentiable, random = TABLE[name]
    gn.manual_seed(0)
    rng = np.random.default_rng(0)
    x = inp(rng)
    layer = make()
    out = _call(layer, gn.tensor(x))
    assert out.shape == shape
    assert out.dtype == (np.float32 if x.dtype.kind == "f" or name == "Embedding" else out.dtype)
    assert layer.count_params() == n_params

    fresh = make()  # a state-dict round trip into a fresh layer of the same config gives the same outputs
    _call(fresh, gn.tensor(x))
    fresh.load_state_dict({k: np.array(v) for k, v in layer.state_dict().items()})
    layer.eval(), fresh.eval()
    np.testing.assert_allclose(_call(fresh, gn.tensor(x)).data, _call(layer, gn.tensor(x)).data, rtol=1e-6)

    a, b = _call(layer, gn.tensor(x)).data, _call(layer, gn.tensor(x)).data
    np.testing.assert_array_equal(a, b)  # evaluation is deterministic
    layer.train()
    if random:
        assert not np.array_equal(_call(layer, gn.tensor(x)).data, a)
        return
    if differentiable:
        layer.to(gn.float64)
        x64 = gn.tensor(x.astype(np.float64), requires_grad=True)
        if name == "BatchNormalization":
            layer.eval()
        assert gn.gradcheck(lambda t: _call(layer, t), [x64])


def test_lstm_init_is_keras_glorot_orthogonal_unit_forget_bias():
    gn.manual_seed(1)
    lstm = L.LSTM(8)
    lstm(gn.randn(2, 3, 5))
    w_hh = lstm.weight_hh_l0.data  # (4H, H) = Keras's recurrent kernel (H, 4H) transposed: orthonormal columns
    np.testing.assert_allclose(w_hh.T @ w_hh, np.eye(8), atol=1e-5)
    bound = np.sqrt(6 / (5 + 32))
    assert np.abs(lstm.weight_ih_l0.data).max() <= bound and np.abs(lstm.weight_ih_l0.data).max() > 0.8 * bound
    np.testing.assert_array_equal(lstm.bias_ih_l0.data, np.r_[np.zeros(8), np.ones(8), np.zeros(16)])
    np.testing.assert_array_equal(lstm.bias_hh_l0.data, np.zeros(32))


def _lstm_reference(x, w_ih, w_hh, b, keep=1.0):
    """keep: Keras's recurrent-dropout mask (N, H), multiplying h before the recurrent kernel at every step."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    H = w_hh.shape[1]
    h = np.zeros((x.shape[0], H))
    c = np.zeros_like(h)
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ w_ih.T + (h * keep) @ w_hh.T + b
        i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1)


def test_lstm_return_state_go_backwards_and_bidirectional_match_a_numpy_reference():
    gn.manual_seed(2)
    x = np.random.default_rng(2).normal(size=(3, 6, 4)).astype(np.float32)
    lstm = L.LSTM(5, return_sequences=True, return_state=True)
    out, h, c = lstm(gn.tensor(x))
    ref = _lstm_reference(x, lstm.weight_ih_l0.data, lstm.weight_hh_l0.data, lstm.bias_ih_l0.data + lstm.bias_hh_l0.data)
    np.testing.assert_allclose(out.data, ref, atol=1e-5)
    np.testing.assert_allclose(h.data, ref[:, -1], atol=1e-5)
    assert c.shape == (3, 5)
    back = L.LSTM(5, go_backwards=True)
    back(gn.tensor(x))
    back.load_state_dict(lstm.state_dict())
    np.testing.assert_allclose(back(gn.tensor(x)).data, _lstm_reference(x[:, ::-1], lstm.weight_ih_l0.data,
                               lstm.weight_hh_l0.data, lstm.bias_ih_l0.data + lstm.bias_hh_l0.data)[:, -1], atol=1e-5)
    bi = L.Bidirectional(L.LSTM(5, return_sequences=True), merge_mode=None)
    fwd, bwd = bi(gn.tensor(x))
    sd = bi.state_dict()
    w = lambda s: (sd[f"layer.weight_ih_l0{s}"], sd[f"layer.weight_hh_l0{s}"],  # noqa: E731
                   sd[f"layer.bias_ih_l0{s}"] + sd[f"layer.bias_hh_l0{s}"])
    np.testing.assert_allclose(fwd.data, _lstm_reference(x, *w("")), atol=1e-5)
    np.testing.assert_allclose(bwd.data, _lstm_reference(x[:, ::-1], *w("_reverse"))[:, ::-1], atol=1e-5)


def test_lstm_recurrent_dropout_is_one_mask_per_sequence_on_h_and_respects_masks():
    # imdb_lstm.py (Keras 2 examples): LSTM(128, dropout=0.2, recurrent_dropout=0.2)
    gn.manual_seed(5)
    x = np.random.default_rng(5).normal(size=(3, 6, 4))
    real = np.ones((3, 6), bool)
    real[1, :2] = False  # "pre" padding: sequence 1 has 4 real steps at the end
    lstm = L.LSTM(5, return_sequences=True, recurrent_dropout=0.5, dtype="float64")
    lstm(gn.tensor(x))
    args = (lstm.weight_ih_l0.data, lstm.weight_hh_l0.data, lstm.bias_ih_l0.data + lstm.bias_hh_l0.data)
    gn.manual_seed(9)
    keep = gn.functional.dropout(gn.ones(3, 5, dtype=gn.float64), 0.5, True).data  # the layer's first draw
    assert set(np.unique(keep)) == {0.0, 2.0}
    gn.manual_seed(9)
    out = lstm(gn.tensor(x), mask=real).data
    ref = _lstm_reference(x, *args, keep=keep)
    np.testing.assert_allclose(out[[0, 2]], ref[[0, 2]], atol=1e-10)
    np.testing.assert_allclose(out[1, 2:], _lstm_reference(x[1:2, 2:], *args, keep=keep[1])[0], atol=1e-10)
    np.testing.assert_array_equal(out[1, :2], 0)
    lstm.eval()  # no dropout at inference: the fused kernel's result
    np.testing.assert_allclose(lstm(gn.tensor(x)).data, _lstm_reference(x, *args), atol=1e-10)
    lstm.train()
    bi = L.Bidirectional(L.LSTM(5, recurrent_dropout=0.3), dtype="float64")
    bi(gn.tensor(x))
    gn.manual_seed(9)
    keeps = [gn.functional.dropout(gn.ones(3, 5, dtype=gn.float64), 0.3, True).data for _ in range(2)]
    gn.manual_seed(9)
    both = bi(gn.tensor(x)).data
    sd = bi.state_dict()
    w = lambda s: (sd[f"layer.weight_ih_l0{s}"], sd[f"layer.weight_hh_l0{s}"],  # noqa: E731
                   sd[f"layer.bias_ih_l0{s}"] + sd[f"layer.bias_hh_l0{s}"])
    np.testing.assert_allclose(both[:, :5], _lstm_reference(x, *w(""), keep=keeps[0])[:, -1], atol=1e-10)
    np.testing.assert_allclose(both[:, 5:], _lstm_reference(x[:, ::-1], *w("_reverse"), keep=keeps[1])[:, -1],
                               atol=1e-10)
    with pytest.raises(ValueError, match=r"recurrent_dropout must be in \[0, 1\)"):
        L.LSTM(2, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match=r"recurrent_dropout must be in \[0, 1\)"):
        L.GRU(2, recurrent_dropout=1.5)


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_mask_zero_runs_each_sequence_over_its_real_steps(padding):
    gn.manual_seed(3)
    emb = L.Embedding(20, 4, mask_zero=True)
    rnn = L.Bidirectional(L.GRU(3))
    real = [[3, 4, 5], [7, 8, 9, 10, 11]]
    padded = gn.keras.preprocessing.sequence.pad_sequences(real, maxlen=6, padding=padding)
    out = rnn(L.Dropout(0.5).eval()(emb(gn.tensor(padded))))  # the mask passes through Dropout
    for row, seq in enumerate(real):
        alone = rnn(emb(gn.tensor(np.array([seq]))))
        np.testing.assert_allclose(out.data[row], alone.data[0], atol=1e-5)
    pooled = L.GlobalAveragePooling1D()(emb(gn.tensor(padded)))
    np.testing.assert_allclose(pooled.data[0], emb.weight.data[[3, 4, 5]].mean(0), atol=1e-6)
    with pytest.raises(ValueError, match="one block"):
        L.LSTM(2)(emb(gn.tensor(np.array([[1, 0, 2]]))))


def test_multi_head_attention_matches_a_numpy_reference_and_masks():
    gn.manual_seed(4)
    rng = np.random.default_rng(4)
    q, v = rng.normal(size=(2, 3, 6)).astype(np.float32), rng.normal(size=(2, 4, 5)).astype(np.float32)
    mask = rng.random((2, 3, 4)) < 0.7
    mask[..., 0] = True
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
    out, scores = mha(gn.tensor(q), gn.tensor(v), attention_mask=mask, return_attention_scores=True)
    lin = lambda m, x: x @ m.weight.data.T + m.bias.data  # noqa: E731
    heads = lambda x, d: x.reshape(2, -1, 2, d).transpose(0, 2, 1, 3)  # noqa: E731
    Q, K, V = heads(lin(mha.query_dense, q), 3), heads(lin(mha.key_dense, v), 3), heads(lin(mha.value_dense, v), 2)
    s = np.where(mask[:, None], Q @ K.transpose(0, 1, 3, 2) / np.sqrt(3), -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ref = lin(mha.output_dense, (p @ V).transpose(0, 2, 1, 3).reshape(2, 3, 4))
    np.testing.assert_allclose(scores.data, p, atol=1e-5)
    np.testing.assert_allclose(out.data, ref, atol=1e-5)
    assert out.shape == (2, 3, 6)


def test_functional_merge_layers_and_bad_arguments():
    a, b = gn.keras.Input(shape=(3,)), gn.keras.Input(shape=(3,))
    model = gn.keras.Model([a, b], [L.Concatenate()([a, b]), L.Add()([a, b]), L.Subtract()([a, b]),
                                    L.Multiply()([a, b]), L.Average()([a, b])])
    x, y = np.ones((2, 3), np.float32), np.full((2, 3), 3.0, np.float32)
    outs = [o.data for o in model([x, y])]
    assert outs[0].shape == (2, 6)
    np.testing.assert_array_equal(np.stack(outs[1:]), [x + y, x - y, x * y, (x + y) / 2])
    with pytest.raises(ValueError, match="same shape"):
        L.Add()([gn.ones(2, 3), gn.ones(2, 4)])
    for bad, match in [(lambda: L.LSTM(0), "units"), (lambda: L.LSTM(3, activation="relu"), "activation"),
                       (lambda: L.GRU(3, reset_after="no"), "reset_after"), (lambda: L.Conv1D(2, 0), "kernel_size"),
                       (lambda: L.SpatialDropout1D(1.5), r"\[0, 1\)"), (lambda: L.Reshape((2, -1, -1)), "target"),
                       (lambda: L.Bidirectional(L.Dense(2)), "LSTM"), (lambda: L.Embedding(0, 3), "input_dim"),
                       (lambda: L.MultiHeadAttention(2, 0), "key_dim"), (lambda: L.LSTM(2, dropout=2), "dropout")]:
        with pytest.raises((ValueError, TypeError), match=match):
            bad()
    with pytest.raises(ValueError, match=r"\(N, L, C\)"):
        L.Conv1D(2, 3)(gn.ones(2, 3))
