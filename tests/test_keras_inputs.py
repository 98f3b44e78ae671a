"""Keras fit/predict input handling found by a new user (issue 14): one sample without its batch axis,
uint8 images, NaN in the data."""

import numpy as np
import pytest

import gradnote as gn


def _model():
    model = gn.models.Sequential([gn.layers.Dense(8, activation="relu"), gn.layers.Dense(3)])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def test_predict_on_one_sample_names_the_missing_batch_axis():
    # predict(x[0]) either reported the wrong shape or returned (3,) for "4 samples" of a scalar
    x = np.random.default_rng(0).random((20, 4)).astype(np.float32)
    model = _model()
    model.fit(x, np.arange(20) % 3, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"predict: x of shape \(4,\) has no batch axis.*\(N, 4\).*x\[None\]"):
        model.predict(x[0])
    assert model.predict(x[0][None]).shape == (1, 3)


def test_uint8_images_are_cast_as_keras_does():
    # uint8 input was refused ("linear: expected a floating-point tensor"); Keras casts it to float32
    x = np.random.default_rng(1).integers(0, 256, (12, 4)).astype(np.uint8)
    model = _model()
    history = model.fit(x, np.arange(12) % 3, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    out = model.predict(x)
    np.testing.assert_array_equal(out, model.predict(x.astype(np.float32)))
    assert out.dtype == np.float32
    emb = gn.models.Sequential([gn.layers.Embedding(10, 2), gn.layers.Flatten(), gn.layers.Dense(2)])
    emb.compile("adam", "sparse_categorical_crossentropy")
    emb.fit(np.array([[1, 2], [3, 4]], dtype=np.uint8), np.array([0, 1]), epochs=1, verbose=0)  # indices stay ints


def test_nan_in_the_data_is_named_before_training():
    # NaN in x trained silently to `loss nan`
    x = np.random.default_rng(2).random((20, 4)).astype(np.float32)
    x[7, 2] = np.nan
    with pytest.warns(RuntimeWarning, match=r"fit: x holds 1 NaN/inf values \(first in sample 7\)"):
        _model().fit(x, np.arange(20) % 3, epochs=1, verbose=0)
