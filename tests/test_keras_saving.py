"""model.save / keras.models.load_model: nested layers, functional graphs and the compile config, in the safe format."""

import json

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.io import GradnoteFileError
from gradnote.io.container import read

L = keras.layers


def _round_trip(model, x, tmp_path):
    expected = model.predict(x)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), expected)
    assert type(loaded) is type(model) and loaded is not model
    return loaded, path


@pytest.mark.parametrize("make", [
    lambda: keras.Sequential([keras.Input(shape=(5, 4)), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                              L.Bidirectional(L.GRU(2), merge_mode="sum")]),
    lambda: keras.Sequential([keras.Input(shape=(5, 4)), L.TimeDistributed(L.Dense(3, activation="relu"))]),
], ids=["bidirectional", "time_distributed"])
def test_nested_layers_round_trip(make, tmp_path):
    gn.manual_seed(0)
    model = make()
    loaded, path = _round_trip(model, np.random.default_rng(0).normal(size=(2, 5, 4)).astype(np.float32), tmp_path)
    arch = json.loads(read(path)[1]["architecture"])
    assert "pickle" not in json.dumps(arch) and arch["layers"][0][1]["config"]["layer"]["class"].startswith("gradnote")


def test_functional_graph_with_attention_two_inputs_and_two_outputs(tmp_path):
    gn.manual_seed(1)
    a, b = keras.Input(shape=(5, 4), name="a"), keras.Input(shape=(3,), name="b")
    att = L.MultiHeadAttention(num_heads=2, key_dim=3)(a, a)
    pooled = L.GlobalAveragePooling1D()(att)
    joined = L.Concatenate()([pooled, L.Dense(4, activation="relu")(b)])
    model = keras.Model([a, b], [L.Dense(2, activation="softmax")(joined), L.Dense(1)(joined)], name="two_heads")
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(3, 5, 4)).astype(np.float32), rng.normal(size=(3, 3)).astype(np.float32)]
    expected = model(*[gn.Tensor(x) for x in xs])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    got = loaded(*[gn.Tensor(x) for x in xs])
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e.data, g.data)
    assert loaded.name == "two_heads" and [t.name for t in loaded._graph[0]] == ["a", "b"]
    assert [m.name for m in loaded.layers] == [m.name for m in model.layers]


def test_text_vectorization_in_a_functional_model(tmp_path):
    tv = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    tv.adapt(["the cat sat", "the dog ran"])
    emb = L.Embedding(20, 3)
    inputs = keras.Input(shape=(4,), dtype="int64")
    model = keras.Model(inputs, L.GlobalAveragePooling1D()(emb(inputs)))
    seqs = tv(["the cat ran"]).data
    _round_trip(model, seqs, tmp_path)
    again = keras.Sequential([tv])
    again.save(tmp_path / "tv.keras")
    np.testing.assert_array_equal(keras.models.load_model(tmp_path / "tv.keras")(["the dog"]).data,
                                  tv(["the dog"]).data)


def test_a_loaded_model_keeps_its_compile_config(tmp_path):
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, L.Dense(3, activation="softmax")(L.Dense(5, activation="relu")(inputs)))
    model.compile(keras.optimizers.Adam(learning_rate=0.02, clipnorm=1.0),
                  keras.losses.CategoricalCrossentropy(from_logits=False), metrics=["acc"])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    opt = loaded.optimizer
    assert isinstance(opt, keras.optimizers.Adam) and opt.lr == 0.02 and opt.clipnorm == 1.0 and opt.bound
    x = np.eye(4, dtype=np.float32)[[0, 1, 2, 3] * 4]
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0] * 4]
    assert set(loaded.fit(x, y, epochs=1, verbose=0).history) == {"loss", "acc", "learning_rate"}
    uncompiled = keras.Sequential([keras.Input(shape=(2,)), L.Dense(1)])
    uncompiled.save(tmp_path / "u.keras")
    assert "_compiled" not in keras.models.load_model(tmp_path / "u.keras").__dict__


def test_a_graph_naming_a_class_off_the_allow_list_is_refused(tmp_path):
    inputs = keras.Input(shape=(2,))
    keras.Model(inputs, L.Dense(1)(inputs)).save(tmp_path / "m.keras")
    raw = (tmp_path / "m.keras").read_bytes().replace(b"gradnote.layers.Dense", b"os.system.Dense______")
    (tmp_path / "bad.keras").write_bytes(raw)
    with pytest.raises(GradnoteFileError, match="not a gradnote layer"):
        keras.models.load_model(tmp_path / "bad.keras")
