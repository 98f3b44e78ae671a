"""Keras's Attention (Luong) and AdditiveAttention (Bahdanau) against NumPy references written here."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers
rng = np.random.default_rng(0)


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_dot_attention_with_key_masks_and_causal():
    q, v, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 4))
    layer = L.Attention()
    out, w = layer([q, v, k], return_attention_scores=True)
    ref_w = _softmax(q @ k.transpose(0, 2, 1))
    np.testing.assert_allclose(w.data, ref_w, rtol=1e-10)
    np.testing.assert_allclose(out.data, ref_w @ v, rtol=1e-10)
    np.testing.assert_allclose(layer([q, v]).data, _softmax(q @ v.transpose(0, 2, 1)) @ v, rtol=1e-10)
    v_mask = np.array([[True, True, False, True, False], [True] * 5])
    q_mask = np.array([[True, False, True], [True, True, True]])
    masked = layer([q, v], mask=[q_mask, v_mask]).data
    s = q @ v.transpose(0, 2, 1) - 1e9 * ~v_mask[:, None]
    np.testing.assert_allclose(masked, (_softmax(s) @ v) * q_mask[..., None], rtol=1e-8)
    x = rng.normal(size=(1, 4, 4))
    causal = layer([x, x], use_causal_mask=True).data
    s = x @ x.transpose(0, 2, 1) - 1e9 * ~np.tril(np.ones((4, 4), bool))
    np.testing.assert_allclose(causal, _softmax(s) @ x, rtol=1e-8)
    assert gn.gradcheck(lambda a, b: layer([a, b]), [gn.tensor(q, requires_grad=True), gn.tensor(v, requires_grad=True)])


def test_scaled_and_concat_attention():
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    scaled = L.Attention(use_scale=True, dtype="float64")
    scaled.scale.data[...] = 0.5
    np.testing.assert_allclose(scaled([q, v]).data, _softmax(0.5 * q @ v.transpose(0, 2, 1)) @ v, rtol=1e-6)
    assert len(list(scaled.parameters())) == 1
    concat = L.Attention(score_mode="concat")
    s = np.tanh(q[:, :, None] + v[:, None]).sum(-1)
    np.testing.assert_allclose(concat([q, v]).data, _softmax(s) @ v, rtol=1e-6)
    assert L.Attention(**concat.get_config()).get_config() == concat.get_config()
    with pytest.raises(ValueError, match="Attention: score_mode"):
        L.Attention(score_mode="general")


def test_additive_attention():
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    layer = L.AdditiveAttention()
    layer([gn.tensor(q), gn.tensor(v)])
    assert layer.scale.shape == (4,) and np.abs(layer.scale.data).max() <= np.sqrt(3 / 4)
    scale = layer.scale.data.astype(np.float64)
    s = (scale * np.tanh(q[:, :, None] + v[:, None])).sum(-1)
    np.testing.assert_allclose(layer([q, v]).data, _softmax(s) @ v, rtol=1e-5)
    plain = L.AdditiveAttention(use_scale=False)
    np.testing.assert_allclose(plain([q, v]).data, _softmax(np.tanh(q[:, :, None] + v[:, None]).sum(-1)) @ v)
    assert gn.gradcheck(lambda a, b: plain([a, b]), [gn.tensor(q, requires_grad=True), gn.tensor(v, requires_grad=True)])


def test_attention_in_a_functional_model():
    query, value = keras.Input(shape=(None, 4)), keras.Input(shape=(6, 4))
    attended = L.Attention()([query, value])
    out = L.Concatenate()([L.GlobalAveragePooling1D()(query), L.GlobalAveragePooling1D()(attended)])
    model = keras.Model([query, value], L.Dense(1)(out))
    assert attended.shape == (None, None, 4)
    assert model(gn.randn(2, 3, 4), gn.randn(2, 6, 4)).shape == (2, 1)
