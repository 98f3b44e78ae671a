"""Several inputs and outputs in Keras's fit / evaluate / predict / *_on_batch (lists and dicts of arrays, one
loss per output, loss_weights, per-output metrics and their Keras 3 log names), weighted_metrics, per-step
cross-entropies over (N, T, C), and a functional model's input / output / InputLayer surface."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers

rng = np.random.default_rng(0)
XA, XB = rng.standard_normal((40, 4)).astype(np.float32), rng.standard_normal((40, 3)).astype(np.float32)
Y1, Y2 = rng.integers(0, 3, 40), rng.standard_normal((40, 1)).astype(np.float32)


def _model():
    gn.manual_seed(0)
    a, b = keras.Input(shape=(4,), name="a"), keras.Input(shape=(3,), name="b")
    h = layers.concatenate([layers.Dense(6, activation="relu")(a), layers.Dense(6)(b)])
    return keras.Model([a, b], [layers.Dense(3, activation="softmax", name="cls")(h), layers.Dense(1, name="reg")(h)])


def _reference_losses(model, weights=(1.0, 0.5)):
    p, r = model.predict([XA, XB], batch_size=40)
    ce = -np.log(np.clip(p[np.arange(40), Y1], 1e-7, 1)).mean()
    return weights[0] * ce, weights[1] * ((r - Y2) ** 2).mean()


def test_losses_per_output_weighted_and_named_as_keras3():
    model = _model()
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], ["mae"]])
    logs = model.evaluate([XA, XB], [Y1, Y2], batch_size=40, return_dict=True)
    assert list(logs) == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]
    ce, mse = _reference_losses(model)
    assert logs["cls_loss"] == pytest.approx(ce, rel=1e-5) and logs["reg_loss"] == pytest.approx(mse, rel=1e-5)
    assert logs["loss"] == pytest.approx(ce + mse, rel=1e-5)
    p, r = model.predict([XA, XB])
    assert logs["cls_accuracy"] == pytest.approx((p.argmax(1) == Y1).mean())
    assert logs["reg_mae"] == pytest.approx(np.abs(r - Y2).mean(), rel=1e-5)
    # dicts by Input / output name give the same numbers; a loss dict names outputs
    model.compile("sgd", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"}, loss_weights={"reg": 0.5})
    again = model.evaluate({"b": XB, "a": XA}, {"reg": Y2, "cls": Y1}, batch_size=8, return_dict=True)
    assert again["loss"] == pytest.approx(logs["loss"], rel=1e-5)
    with pytest.raises(ValueError, match="names output"):
        model.compile("sgd", loss={"nope": "mse"})


def test_fit_validation_split_slices_every_array_and_learns():
    model = _model()
    model.compile(keras.optimizers.Adam(0.02), loss=["sparse_categorical_crossentropy", "mse"],
                  metrics={"reg": ["mae"]})
    before = model.evaluate([XA[30:], XB[30:]], [Y1[30:], Y2[30:]], return_dict=True)
    hist = model.fit([XA, XB], [Y1, Y2], epochs=3, batch_size=8, verbose=0, validation_split=0.25)
    assert {"val_cls_loss", "val_reg_loss", "reg_mae", "val_reg_mae", "learning_rate"} <= set(hist.history)
    after = model.evaluate([XA[30:], XB[30:]], [Y1[30:], Y2[30:]], return_dict=True)
    assert hist.history["val_loss"][-1] == pytest.approx(after["loss"], rel=1e-5)  # the last 10 rows, as Keras
    assert hist.history["loss"][-1] < before["loss"]
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit([XA, XB[:5]], [Y1, Y2], verbose=0)
    with pytest.raises(ValueError, match="2 inputs"):
        model.fit([XA], [Y1, Y2], verbose=0)


def test_predict_and_on_batch_methods():
    model = _model()
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"])
    p = model.predict([XA, XB], batch_size=7)
    assert isinstance(p, list) and [q.shape for q in p] == [(40, 3), (40, 1)]
    np.testing.assert_allclose(model.predict_on_batch([XA, XB])[1], p[1], rtol=1e-6)
    test = model.test_on_batch([XA, XB], [Y1, Y2], return_dict=True)
    assert test["loss"] == pytest.approx(sum(_reference_losses(model, (1.0, 1.0))), rel=1e-5)
    w0 = model.layers[-1].weight.data.copy()
    loss = model.train_on_batch([XA, XB], [Y1, Y2])
    assert loss[0] == pytest.approx(test["loss"], rel=1e-5)  # the loss before the update
    assert not np.allclose(model.layers[-1].weight.data, w0)
    assert model.test_on_batch([XA, XB], [Y1, Y2])[0] < test["loss"]


def test_generator_of_structured_batches():
    model = _model()
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"])

    def batches():
        while True:
            for i in range(0, 40, 10):
                yield {"a": XA[i:i + 10], "b": XB[i:i + 10]}, [Y1[i:i + 10], Y2[i:i + 10]]

    hist = model.fit(batches(), steps_per_epoch=4, epochs=1, verbose=0)
    assert set(hist.history) >= {"cls_loss", "reg_loss"}
    assert model.evaluate(batches(), steps=4) == pytest.approx(model.evaluate([XA, XB], [Y1, Y2], batch_size=10))
    assert model.predict([XA[i:i + 10], XB[i:i + 10]] for i in range(0, 40, 10))[0].shape == (40, 3)


def test_weighted_metrics_take_the_sample_weights():
    gn.manual_seed(0)
    x = keras.Input(shape=(4,))
    model = keras.Model(x, layers.Dense(1)(x))
    model.compile("sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"], loss_weights=2.0)
    w = np.linspace(0.0, 2.0, 40).astype(np.float32)
    logs = model.evaluate(XA, Y2, sample_weight=w, batch_size=40, return_dict=True)
    err = np.abs(model.predict(XA) - Y2)[:, 0]
    assert logs["mae"] == pytest.approx(err.mean(), rel=1e-5)
    assert logs["weighted_mae"] == pytest.approx((err * w).sum() / w.sum(), rel=1e-5)
    assert logs["loss"] == pytest.approx(2.0 * (err ** 2 * w).mean(), rel=1e-5)  # loss_weights scales the loss


def test_per_step_crossentropy_is_a_mean_over_samples_and_steps():
    logits = rng.standard_normal((3, 5, 4)).astype(np.float32)
    labels = rng.integers(0, 4, (3, 5))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    want = -logp[np.arange(3)[:, None], np.arange(5), labels].mean()
    probs = np.exp(logp)
    for loss, y in ((keras.losses.SparseCategoricalCrossentropy(), labels),
                    (keras.losses.CategoricalCrossentropy(), np.eye(4, dtype=np.float32)[labels])):
        assert float(loss(y, gn.tensor(probs))) == pytest.approx(want, rel=1e-5)
        got = type(loss)(from_logits=True)(y, gn.tensor(logits, requires_grad=True))
        assert float(got) == pytest.approx(want, rel=1e-5)
    weighted = keras.losses.SparseCategoricalCrossentropy()(labels, gn.tensor(probs), np.array([1.0, 0.0, 0.0]))
    assert float(weighted) == pytest.approx(-logp[0, np.arange(5), labels[0]].sum() / 15, rel=1e-5)


def test_functional_input_output_and_input_layers():
    model = _model()
    assert [type(m).__name__ for m in model.layers[:2]] == ["InputLayer", "InputLayer"]
    assert [m.name for m in model.layers[:2]] == ["a", "b"] and model.get_layer("a").output is model.input[0]
    assert model.inputs == model.input and model.input[1].shape == (None, 3)
    assert [t.shape for t in model.outputs] == [(None, 3), (None, 1)]
    dense = model.get_layer("reg")
    assert dense.output is model.outputs[1] and dense.input.shape == (None, 12)
    lstm = layers.LSTM(2, return_state=True)
    lstm(keras.Input(shape=(None, 3)))
    assert [t.shape for t in lstm.output] == [(None, 2)] * 3
    assert sum(m.count_params() for m in model.layers) == model.count_params()
    with pytest.raises(AttributeError, match="never been called"):
        _ = layers.Dense(2).output
    assert keras.Input(shape=(2,)).name.startswith("input_layer")


def test_lstm_seq2seq_trains_and_decodes_from_model_input_and_layer_output():
    # keras-io lstm_seq2seq: fit([encoder_input, decoder_input], decoder_target), then inference models rebuilt
    # from model.input[0], model.layers[2].output and the trained decoder layers
    gn.manual_seed(0)
    enc_in, dec_in = keras.Input(shape=(None, 5)), keras.Input(shape=(None, 6))
    _, h, c = layers.LSTM(8, return_state=True)(enc_in)
    dec_out, _, _ = layers.LSTM(8, return_sequences=True, return_state=True)(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], layers.Dense(6, activation="softmax")(dec_out))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    xe = np.eye(5, dtype=np.float32)[rng.integers(0, 5, (32, 4))]
    target = np.eye(6, dtype=np.float32)[np.tile(np.arange(7) % 6, (32, 1))]
    xd = np.concatenate([np.zeros_like(target[:, :1]), target[:, :-1]], axis=1)
    hist = model.fit([xe, xd], target, batch_size=8, epochs=4, validation_split=0.25, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0] < 2.0  # a per-step mean: ~log(6) at the start
    encoder = keras.Model(model.input[0], list(model.layers[2].output[1:]))
    he, ce = encoder.predict(xe[:2])
    full = model.predict([xe[:2], xd[:2]])
    step = model.layers[4](model.layers[3](gn.tensor(xd[:2]), initial_state=[gn.tensor(he), gn.tensor(ce)])[0])
    np.testing.assert_allclose(step.data, full, rtol=1e-5, atol=1e-6)
