"""Softmax/sigmoid outputs remember their logits, so Keras's cross-entropy is stable in any container.

Regression: a Dense(3, activation="softmax") with saturated logits under categorical_crossentropy got
loss 75.0 with a gradient inside a Sequential but 16.12 with a zero gradient inside a custom Module.
"""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers, training
from gradnote.train.losses import Loss, logits_of

W = np.array([[50.0, 0.0], [0.0, 50.0], [-50.0, -50.0]], np.float32)
X = np.array([[1.0, -0.5], [-1.0, 0.5]], np.float32)
Y = np.array([[0, 1, 0], [1, 0, 0]], np.float32)  # confidently wrong


def _saturated_dense():
    d = layers.Dense(3, activation="softmax", input_shape=(2,))
    d.weight.data[...] = W
    return d


class OneLine(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.d = _saturated_dense()

    def forward(self, x):
        return self.d(x)


def _functional():
    inputs = keras.Input(shape=(2,))
    dense = layers.Dense(3, activation="softmax")
    model = keras.Model(inputs, dense(inputs))
    dense.weight.data[...] = W
    return model


def _reference():
    z = X.astype(np.float64) @ W.T.astype(np.float64)
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    loss = (lse - (Y * z).sum(1)).mean()
    p = np.exp(z - lse[:, None])
    grad_w = ((p - Y) / len(X)).T @ X
    return loss, grad_w


def _models():
    return {"Sequential": keras.Sequential([_saturated_dense()]), "custom Module": OneLine(),
            "functional": _functional()}


@pytest.mark.parametrize("kind", ["Sequential", "custom Module", "functional"])
def test_saturated_softmax_loss_and_gradient_do_not_depend_on_the_container(kind):
    model = _models()[kind]
    loss_ref, grad_ref = _reference()
    assert loss_ref > 70  # log(1e-7) clipping would cap it near 16
    loss = Loss("categorical_crossentropy")(Y, model(gn.tensor(X)))
    loss.backward()
    weight = next(p for name, p in model.named_parameters() if name.endswith("weight"))
    assert loss.item() == pytest.approx(loss_ref, rel=1e-5)
    np.testing.assert_allclose(weight.grad, grad_ref, rtol=1e-4, atol=1e-6)
    assert np.abs(weight.grad).max() > 0.1  # training does not stall
    training.compile(model, gn.keras.optimizers.SGD(lr=0.0), "categorical_crossentropy")
    assert training.evaluate(model, X, Y) == pytest.approx(loss_ref, rel=1e-5)  # no graph: the remembered logits


def test_softmax_op_under_a_graph_is_recognised_and_clipping_is_the_fallback():
    z = gn.tensor(X @ W.T, requires_grad=True)
    p = gn.functional.softmax(z, axis=-1)  # the plain op, as nn.Softmax uses it
    assert logits_of(p, "softmax") is z and logits_of(p, "sigmoid") is None
    assert Loss("categorical_crossentropy")(Y, p).item() == pytest.approx(_reference()[0], rel=1e-5)
    with gn.no_grad():
        q = gn.functional.softmax(gn.tensor(X @ W.T), axis=-1)
    clipped = Loss("categorical_crossentropy")(Y, q).item()  # no logits known: Keras's clipped log
    assert clipped == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_sigmoid_output_uses_its_logits_for_binary_crossentropy():
    d = layers.Dense(1, activation="sigmoid", input_shape=(2,))
    d.weight.data[...] = np.array([[80.0, 0.0]], np.float32)
    t = np.array([[0.0], [1.0]], np.float32)
    out = d(gn.tensor(X))
    loss = Loss("binary_crossentropy")(t, out)
    z = X[:, :1].astype(np.float64) * 80
    ref = (np.logaddexp(0, z) - t * z).mean()
    assert loss.item() == pytest.approx(ref, rel=1e-5)
    loss.backward()
    assert np.abs(d.weight.grad).max() > 0.1


def test_from_logits_and_sample_weight():
    z = gn.tensor(X @ W.T)
    cce = keras.losses.CategoricalCrossentropy(from_logits=True)
    assert cce(Y, z).item() == pytest.approx(_reference()[0], rel=1e-5)
    per_sample = Loss("categorical_crossentropy", reduction="none", from_logits=True)(Y, z).numpy()
    weighted = cce(Y, z, sample_weight=np.array([1.0, 0.0])).item()
    assert weighted == pytest.approx(per_sample[0] / 2, rel=1e-5)
