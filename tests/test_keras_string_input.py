"""keras.Input(dtype="string"): keras-io's end-to-end text model (TextVectorization inside the model)."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers

TEXTS = ["This movie was great!", "a terrible, boring film", "great acting and a great story", "boring"]
LABELS = np.array([1, 0, 1, 0], dtype=np.float32)


def _end_to_end(output_sequence_length=6):
    gn.manual_seed(0)
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=output_sequence_length)
    vectorize.adapt(TEXTS)
    model = keras.Sequential([layers.Embedding(20, 4), layers.GlobalAveragePooling1D(),
                              layers.Dense(1, activation="sigmoid")])
    inputs = keras.Input(shape=(1,), dtype="string")
    outputs = model(vectorize(inputs))
    end_to_end = keras.Model(inputs, outputs)
    end_to_end.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return vectorize, model, end_to_end


def test_string_input_is_an_object_keras_tensor_of_empty_strings():
    x = keras.Input(shape=(1,), dtype="string")
    example = x.example()
    assert x.dtype == np.dtype(object) and example.shape == (1, 1) and example.tolist() == [[""]]


@pytest.mark.parametrize("length", [6, None])
def test_end_to_end_model_predicts_and_evaluates_raw_strings(length):
    vectorize, model, end_to_end = _end_to_end(length)
    assert end_to_end.output.shape == (None, 1)
    expected = model(vectorize(np.array(TEXTS)[:, None])).data
    # without output_sequence_length each batch pads to its longest text (as Keras): one batch then
    got = end_to_end.predict(np.array(TEXTS)[:, None], batch_size=3 if length else 4)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    one = end_to_end.predict(["this movie was great"])  # a list of str, (N,) for the (None, 1) Input
    np.testing.assert_allclose(one, model(vectorize(["this movie was great"])).data, rtol=1e-6)
    p = np.clip(expected[:, 0].astype(np.float64), 1e-7, 1 - 1e-7)
    bce = -np.mean(LABELS * np.log(p) + (1 - LABELS) * np.log(1 - p))
    loss, accuracy = end_to_end.evaluate(TEXTS, LABELS, batch_size=4)
    assert loss == pytest.approx(bce, rel=1e-5)
    assert accuracy == pytest.approx(np.mean((expected[:, 0] > 0.5) == LABELS))


def test_end_to_end_model_fits_on_strings_and_saves(tmp_path):
    vectorize, model, end_to_end = _end_to_end()
    before = model.get_weights()[0].copy()
    end_to_end.fit(np.array(TEXTS), LABELS, batch_size=2, epochs=1, verbose=0)
    assert not np.allclose(model.get_weights()[0], before)
    path = tmp_path / "text.keras"
    end_to_end.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(TEXTS), end_to_end.predict(TEXTS), rtol=1e-6)


def test_string_lookup_and_hashing_take_a_string_input():
    x = keras.Input(shape=(2,), dtype="string")
    ids = layers.StringLookup(vocabulary=["a", "b"])(x)
    bins = layers.Hashing(num_bins=5)(x)
    model = keras.Model(x, [ids, bins])
    got_ids, got_bins = model.predict(np.array([["b", "x"], ["a", "a"]]))
    np.testing.assert_array_equal(got_ids, [[2, 0], [1, 1]])
    assert got_bins.shape == (2, 2) and got_bins[1, 0] == got_bins[1, 1]


def test_other_layers_refuse_strings_naming_the_layer():
    with pytest.raises(TypeError, match=r"dense_strings \(Dense\): got string input"):
        layers.Dense(2, name="dense_strings")(keras.Input(shape=(1,), dtype="string"))
    with pytest.raises(TypeError, match=r"Dense\): got string input \(shape \(2, 1\)\)"):
        layers.Dense(2)(np.array([["a"], ["b"]]))
    with pytest.raises(TypeError, match=r"Embedding\): got string input \(list\)"):
        layers.Embedding(3, 2)(["a"])
