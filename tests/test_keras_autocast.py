"""Keras's autocast in Layer.__call__: float inputs are cast to the layer's compute dtype (float32 unless the
layer was made with dtype="float64" or moved with .to(gn.float64)), eagerly as in fit / predict."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers

X64 = np.random.default_rng(0).standard_normal((4, 3))


def test_eager_call_casts_float64_like_predict():
    gn.manual_seed(0)
    model = keras.Sequential([layers.Dense(5, activation="relu"), layers.Dense(2)])
    out = model(X64)
    assert out.dtype == np.float32 and model.layers[0].weight.dtype == np.float32
    np.testing.assert_array_equal(out.data, model.predict(X64))
    inputs = keras.Input(shape=(3,), dtype="float64")
    functional = keras.Model(inputs, layers.Flatten()(layers.Dense(2)(inputs)))
    assert functional.outputs[0].dtype == np.float32 and functional(X64).dtype == np.float32


def test_float64_layers_keep_float64():
    dense = layers.Dense(2, dtype="float64")
    x = gn.tensor(X64, requires_grad=True)
    y = dense(x)
    assert y.dtype == np.float64 and dense.weight.dtype == np.float64 and dense.compute_dtype == np.float64
    np.testing.assert_allclose(y.data, X64 @ dense.weight.data.T + dense.bias.data, rtol=1e-12)
    assert gn.gradcheck(lambda t: dense(t), [x])
    moved = layers.Dense(2)
    moved(X64)
    moved.to(gn.float64)
    assert moved(X64).dtype == np.float64 and layers.Flatten().to(gn.float64).compute_dtype == np.float64
    sized = layers.Dense(2, input_dim=3, dtype="float64")  # weights made at construction follow dtype= too
    assert sized.weight.dtype == np.float64
    with pytest.raises(ValueError, match="Dense: dtype must be a float dtype"):
        layers.Dense(2, dtype="mixed_float16")


def test_the_cast_is_differentiable_and_leaves_integers_alone():
    dense = layers.Dense(2)
    x = gn.tensor(X64, requires_grad=True)
    dense(x).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, np.tile(dense.weight.data.sum(0), (4, 1)), rtol=1e-6)
    emb = layers.Embedding(10, 3)
    assert emb(np.array([[1, 2]])).dtype == np.float32


def test_weightless_layers_and_autocast_false_keep_their_inputs_dtype():
    assert layers.Flatten()(X64).dtype == np.float64  # no weights: as its input (Keras would cast here too)

    class Keep(keras.layers.Layer):
        def __init__(self):
            super().__init__(autocast=False)
            self.dense = layers.Dense(2, dtype="float64")

        def call(self, x):
            assert x.dtype == np.float32  # reached as given
            return self.dense(x)

    assert Keep()(X64.astype(np.float32)).dtype == np.float64
