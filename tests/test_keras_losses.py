"""Keras's loss classes over gradnote.train.losses' per-sample functions, against NumPy references."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

EPS = 1e-7
rng = np.random.default_rng(0)
T = rng.uniform(0.05, 1.0, (5, 4))
P = rng.uniform(0.05, 1.0, (5, 4))
SIGNED = np.where(rng.uniform(size=(5, 4)) > 0.5, 1.0, -1.0)
BINARY = (rng.uniform(size=(5, 4)) > 0.5).astype(np.float64)
ONEHOT = np.eye(4)[rng.integers(0, 4, 5)]


def _cos(t, p):
    n = lambda a: a / np.sqrt(np.maximum((a * a).sum(-1, keepdims=True), 1e-12))  # noqa: E731
    return -(n(t) * n(p)).sum(-1)


def _focal(t, p, gamma=2.0, alpha=0.25, balance=False):
    p = np.clip(p, EPS, 1 - EPS)
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    p_t = t * p + (1 - t) * (1 - p)
    w = t * alpha + (1 - t) * (1 - alpha) if balance else 1.0
    return (w * (1 - p_t) ** gamma * bce).mean(-1)


CASES = [  # (loss object, y_true, y_pred, NumPy per-sample reference)
    (keras.losses.Huber(0.3), T, P, lambda t, p: np.where(np.abs(p - t) <= 0.3, 0.5 * (p - t) ** 2,
                                                           0.3 * np.abs(p - t) - 0.5 * 0.09).mean(-1)),
    (keras.losses.KLDivergence(), T, P, lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1)
                                                                                  / np.clip(p, EPS, 1))).sum(-1)),
    (keras.losses.CosineSimilarity(), T - 0.5, P - 0.5, _cos),
    (keras.losses.LogCosh(), T * 30, P, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    (keras.losses.Poisson(), T, P, lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    (keras.losses.Hinge(), SIGNED, P - 0.5, lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
    (keras.losses.Hinge(), BINARY, P - 0.5, lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),
    (keras.losses.SquaredHinge(), SIGNED, P - 0.5, lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1)),
    (keras.losses.CategoricalHinge(), ONEHOT, P, lambda t, p: np.maximum(
        ((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)),
    (keras.losses.MeanSquaredLogarithmicError(), T * 5, P * 5, lambda t, p: (
        (np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)),
    (keras.losses.MeanAbsolutePercentageError(), T, P, lambda t, p: 100 * (np.abs(t - p) / np.abs(t)).mean(-1)),
    (keras.losses.BinaryFocalCrossentropy(), BINARY, P, _focal),
    (keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.5), BINARY, P,
     lambda t, p: _focal(t, p, 1.5, 0.25, True)),
    (keras.losses.BinaryCrossentropy(label_smoothing=0.2), BINARY, P, lambda t, p: _focal(t * 0.8 + 0.1, p, 0.0)),
    (keras.losses.CategoricalCrossentropy(label_smoothing=0.1), ONEHOT, P / P.sum(-1, keepdims=True),
     lambda t, p: -((t * 0.9 + 0.025) * np.log(p)).sum(-1)),
]


@pytest.mark.parametrize("loss, t, p, ref", CASES, ids=[f"{type(c[0]).__name__}{i}" for i, c in enumerate(CASES)])
def test_loss_classes_match_numpy_per_sample_and_batch_mean(loss, t, p, ref):
    expected = ref(t, p)
    per_sample = type(loss)(reduction="none", **loss.options)(t, gn.Tensor(p))
    np.testing.assert_allclose(per_sample.data, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(loss(t, gn.Tensor(p)).item(), expected.mean(), rtol=1e-6)
    w = np.arange(1.0, 6.0)
    np.testing.assert_allclose(loss(t, gn.Tensor(p), sample_weight=w).item(), (w * expected).mean(), rtol=1e-6)


@pytest.mark.parametrize("name", ["huber", "kld", "cosine_similarity", "log_cosh", "poisson", "hinge",
                                  "squared_hinge", "msle", "mape", "binary_focal_crossentropy"])
def test_each_loss_has_a_gradient_and_resolves_by_name(name):
    t = gn.Tensor(BINARY if "focal" in name or "hinge" in name else T)
    assert gn.gradcheck(lambda p: keras.losses.get(name)(t, p), [gn.Tensor(P, requires_grad=True)])


def test_focal_loss_from_logits_equals_it_on_probabilities():
    logits = rng.normal(size=(5, 4))
    a = keras.losses.BinaryFocalCrossentropy(from_logits=True, gamma=2.0)(BINARY, gn.Tensor(logits)).item()
    b = keras.losses.BinaryFocalCrossentropy(gamma=2.0)(BINARY, gn.Tensor(1 / (1 + np.exp(-logits)))).item()
    assert a == pytest.approx(b, rel=1e-6)


def test_loss_classes_take_keras_positional_order_and_refuse_bad_options():
    assert keras.losses.Huber(2.0).options == {"delta": 2.0}
    assert keras.losses.BinaryFocalCrossentropy(True, 0.5).options["alpha"] == 0.5
    with pytest.raises(TypeError, match="Huber: unexpected arguments \\['from_logits'\\]"):
        keras.losses.Huber(from_logits=True)
    with pytest.raises(ValueError, match="CosineSimilarity: only axis=-1"):
        keras.losses.CosineSimilarity(axis=0)
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\], got 2"):
        keras.losses.BinaryCrossentropy(label_smoothing=2)


def test_new_losses_train_through_compile_by_name():
    gn.manual_seed(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5], np.float32))[:, None]
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="log_cosh")
    hist = model.fit(x, y, epochs=15, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]


def test_reduction_names_and_serialize_round_trip():
    t, p = np.zeros((4, 2)), gn.Tensor(np.ones((4, 2)))
    assert keras.losses.Huber(reduction=keras.losses.Reduction.SUM)(t, p).item() == pytest.approx(4 * 0.5)
    assert keras.losses.Huber(reduction=keras.losses.Reduction.AUTO)(t, p).item() == pytest.approx(0.5)
    config = keras.losses.serialize(keras.losses.BinaryFocalCrossentropy(gamma=3.0, reduction="sum"))
    again = keras.losses.deserialize(config)
    assert again.options["gamma"] == 3.0 and again.reduction == "sum"


def test_loss_functions_take_keras_positional_options():
    logits = rng.normal(size=(5, 4))
    by_position = keras.losses.binary_crossentropy(BINARY, gn.Tensor(logits), True).data
    by_name = keras.losses.BinaryCrossentropy(from_logits=True, reduction="none")(BINARY, gn.Tensor(logits)).data
    np.testing.assert_allclose(by_position, by_name)
    np.testing.assert_allclose(keras.losses.huber(T, gn.Tensor(P), 0.1).data,
                               keras.losses.Huber(0.1, reduction="none")(T, gn.Tensor(P)).data)
