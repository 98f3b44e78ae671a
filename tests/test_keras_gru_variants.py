"""Keras's GRU variants beyond nn.GRU: reset_after=False (Keras 2 / TF1's GRU) and recurrent_dropout."""

import numpy as np
import pytest

import gradnote as gn
from gradnote.keras import layers as L


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _keras_gru_before(x, kernel, recurrent, bias, h=None, keep=None):
    """Keras's reset_after=False GRU over (N, T, F), gates z, r, h: outputs (N, T, units). keep: the
    recurrent dropout mask, one per sequence, on the h entering the recurrent products."""
    N, T, _ = x.shape
    u = recurrent.shape[0]
    h = np.zeros((N, u)) if h is None else h
    keep = np.ones((N, u)) if keep is None else keep
    outs = []
    for t in range(T):
        xi = x[:, t] @ kernel + bias
        hk = h * keep
        z = _sigmoid(xi[:, :u] + hk @ recurrent[:, :u])
        r = _sigmoid(xi[:, u:2 * u] + hk @ recurrent[:, u:2 * u])
        cand = np.tanh(xi[:, 2 * u:] + (r * hk) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * cand
        outs.append(h)
    return np.stack(outs, 1)


def _torch_gru(x, w_ih, w_hh, b_ih, b_hh, keep=None):
    """reset_after=True (PyTorch's layout, gates r, z, n) with Keras's recurrent dropout on h in the products."""
    N, T, _ = x.shape
    u = w_hh.shape[1]
    h = np.zeros((N, u))
    keep = np.ones((N, u)) if keep is None else keep
    outs = []
    for t in range(T):
        xi, hh = x[:, t] @ w_ih.T + b_ih, (h * keep) @ w_hh.T + b_hh
        r, z = _sigmoid(xi[:, :u] + hh[:, :u]), _sigmoid(xi[:, u:2 * u] + hh[:, u:2 * u])
        n = np.tanh(xi[:, 2 * u:] + r * hh[:, 2 * u:])
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs, 1)


def _weights(gru):
    return gru.kernel.data, gru.recurrent_kernel.data, gru.bias.data


def test_reset_after_false_has_keras_weights_and_matches_the_reference_over_steps():
    gn.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(3, 5, 4))
    gru = L.GRU(6, reset_after=False, return_sequences=True, return_state=True, dtype="float64")
    gru(gn.tensor(x))
    assert [w.shape for w in gru.get_weights()] == [(4, 18), (6, 18), (18,)]
    assert gru.count_params() == 4 * 18 + 6 * 18 + 18
    gru.bias.data[...] = np.random.default_rng(1).normal(size=18)  # zeros would hide a misplaced bias
    out, h = gru(gn.tensor(x))
    ref = _keras_gru_before(x, *_weights(gru))
    np.testing.assert_allclose(out.data, ref, atol=1e-12)
    np.testing.assert_allclose(h.data, ref[:, -1], atol=1e-12)
    # the two variants are different equations: the same numbers in torch's layout give another result
    k, rk, b = _weights(gru)
    swap = lambda w: np.concatenate([w[..., 6:12], w[..., :6], w[..., 12:]], -1).T  # noqa: E731  z,r,h -> r,z,n
    assert not np.allclose(ref, _torch_gru(x, swap(k), swap(rk), swap(b), np.zeros(18)), atol=1e-3)
    h0 = np.random.default_rng(2).normal(size=(3, 6))
    np.testing.assert_allclose(gru(gn.tensor(x), initial_state=[gn.tensor(h0)])[0].data,
                               _keras_gru_before(x, *_weights(gru), h=h0), atol=1e-12)


def test_reset_after_false_masks_go_backwards_and_use_bias():
    x = np.random.default_rng(3).normal(size=(3, 6, 2))
    real = np.ones((3, 6), bool)
    real[0, 4:] = False  # "post" padding
    real[1, :2] = False  # "pre" padding
    gru = L.GRU(3, reset_after=False, return_sequences=True, return_state=True, dtype="float64")
    gru(gn.tensor(x))
    gru.bias.data[...] = np.random.default_rng(4).normal(size=9)
    out, h = (t.data for t in gru(gn.tensor(x), mask=real))
    w = _weights(gru)
    np.testing.assert_allclose(out[2], _keras_gru_before(x[2:], *w)[0], atol=1e-12)
    np.testing.assert_allclose(out[0, :4], _keras_gru_before(x[:1, :4], *w)[0], atol=1e-12)
    np.testing.assert_array_equal(out[0, 4:], 0)
    np.testing.assert_allclose(out[1, 2:], _keras_gru_before(x[1:2, 2:], *w)[0], atol=1e-12)
    np.testing.assert_array_equal(out[1, :2], 0)
    np.testing.assert_allclose(h[0], _keras_gru_before(x[:1, :4], *w)[0, -1], atol=1e-12)  # state of the last real step
    back = L.GRU(3, reset_after=False, go_backwards=True, dtype="float64")
    back(gn.tensor(x))
    np.testing.assert_allclose(back(gn.tensor(x)).data, _keras_gru_before(x[:, ::-1], *_weights(back))[:, -1],
                               atol=1e-12)
    nobias = L.GRU(3, reset_after=False, use_bias=False, dtype="float64")
    nobias(gn.tensor(x))
    assert [k for k, _ in nobias.named_parameters()] == ["kernel", "recurrent_kernel"]
    np.testing.assert_allclose(nobias(gn.tensor(x)).data,
                               _keras_gru_before(x, nobias.kernel.data, nobias.recurrent_kernel.data,
                                                 np.zeros(9))[:, -1], atol=1e-12)
    stacked = L.RNN([L.GRUCell(3, reset_after=False), L.GRUCell(2, reset_after=False)])
    assert stacked(gn.randn(2, 4, 2)).shape == (2, 2)


def test_reset_after_false_gradcheck_float64():
    gru = L.GRU(2, reset_after=False, return_sequences=True, dtype="float64")
    x = gn.tensor(np.random.default_rng(5).normal(size=(2, 3, 3)), requires_grad=True)
    gru(x)
    gru.bias.data[...] = np.random.default_rng(6).normal(size=6)
    real = np.array([[True, True, True], [True, True, False]])
    # the layer's own float64 parameters are perturbed in place by gradcheck
    assert gn.gradcheck(lambda x, *weights: gru(x, mask=real), [x, gru.kernel, gru.recurrent_kernel, gru.bias],
                        raise_exception=True)


def test_reset_after_false_config_round_trip_and_refusals():
    gru = L.GRU(4, reset_after=False, return_sequences=True, recurrent_dropout=0.25, input_shape=(None, 3))
    config = gru.get_config()
    assert config["reset_after"] is False and config["recurrent_dropout"] == 0.25
    again = L.GRU.from_config(config)
    assert again.get_config() == config and not again.reset_after
    again.set_weights(gru.get_weights())
    gru.eval(), again.eval()
    x = gn.randn(2, 5, 3)
    np.testing.assert_array_equal(again(x).data, gru(x).data)
    assert L.GRU(4).get_config()["reset_after"] is True
    with pytest.raises(ValueError, match="GRU: reset_after must be True or False, got 'no'"):
        L.GRU(4, reset_after="no")
    with pytest.raises(ValueError, match=r"GRU: recurrent_dropout must be in \[0, 1\), got 1.0"):
        L.GRU(4, recurrent_dropout=1.0)
    with pytest.raises(ValueError, match=r"GRU: recurrent_dropout must be in \[0, 1\), got -0.1"):
        L.GRU(4, reset_after=False, recurrent_dropout=-0.1)
    with pytest.raises(ValueError, match="Bidirectional: GRU\\(reset_after=False\\) is not supported"):
        L.Bidirectional(L.GRU(4, reset_after=False))(gn.randn(2, 5, 3))


@pytest.mark.parametrize("reset_after", [True, False])
def test_recurrent_dropout_is_one_mask_per_sequence_in_training_and_identity_in_inference(reset_after):
    x = np.random.default_rng(7).normal(size=(3, 6, 4))
    gru = L.GRU(5, reset_after=reset_after, return_sequences=True, recurrent_dropout=0.4, dtype="float64")
    gru(gn.tensor(x))

    def reference(keep=None):
        if not reset_after:
            return _keras_gru_before(x, *_weights(gru), keep=keep)
        return _torch_gru(x, gru.weight_ih_l0.data, gru.weight_hh_l0.data, gru.bias_ih_l0.data,
                          gru.bias_hh_l0.data, keep=keep)

    gru.train()
    gn.manual_seed(11)
    keep = gn.functional.dropout(gn.ones(3, 5, dtype=gn.float64), 0.4, True).data  # the layer's first draw
    assert set(np.unique(keep)) == {0.0, 1 / 0.6}
    gn.manual_seed(11)
    out = gru(gn.tensor(x)).data
    np.testing.assert_allclose(out, reference(keep), atol=1e-12)  # the same mask at every step
    assert not np.allclose(out, reference(), atol=1e-3)
    gn.manual_seed(12)
    assert not np.allclose(gru(gn.tensor(x)).data, out, atol=1e-3)  # a fresh mask per call
    gru.eval()
    np.testing.assert_allclose(gru(gn.tensor(x)).data, reference(), atol=1e-12)
    np.testing.assert_array_equal(gru(gn.tensor(x)).data, gru(gn.tensor(x)).data)


def test_recurrent_dropout_trains_with_gradients_and_bidirectional_reset_after_true():
    x = gn.tensor(np.random.default_rng(8).normal(size=(2, 4, 3)), requires_grad=True)
    gru = L.GRU(3, recurrent_dropout=0.5, dtype="float64")
    gru.train()
    gn.manual_seed(1)
    gru(x).sum().backward()
    assert x.grad.shape == (2, 4, 3) and np.abs(gru.weight_hh_l0.grad).sum() > 0
    bi = L.Bidirectional(L.GRU(3, recurrent_dropout=0.5, return_sequences=True))
    bi.train()
    assert bi(gn.randn(2, 4, 3)).shape == (2, 4, 6)
