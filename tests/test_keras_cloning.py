"""keras.cloning: clone_model / model_to_json / model_from_json rebuild the architecture with fresh weights."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras.cloning import clone_model, model_from_json, model_to_json


def test_clone_has_the_architecture_and_its_own_fresh_weights():
    gn.manual_seed(0)
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,),
                                                 kernel_regularizer=keras.regularizers.l2(0.1)),
                              keras.layers.Dense(2)])
    twin = clone_model(model)
    assert [type(a) for a in twin.layers] == [type(b) for b in model.layers]
    assert [p.shape for p in twin.parameters()] == [p.shape for p in model.parameters()]
    assert not np.allclose(twin.layers[0].weight.data, model.layers[0].weight.data)
    twin.layers[0].weight.data[...] = 0  # not shared
    assert np.abs(model.layers[0].weight.data).sum() > 0
    x = gn.ones(2, 3)
    twin(x)
    assert twin.losses[0].item() == pytest.approx(0.0)  # the regularizer came along (on the zeroed kernel)


def test_functional_model_round_trips_through_json():
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Dense(5, activation="tanh")(inputs))
    model = keras.Model(inputs, outputs)
    again = model_from_json(model_to_json(model))
    again.load_state_dict(model.state_dict())
    x = gn.Tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32))
    np.testing.assert_allclose(again(x).data, model(x).data, rtol=1e-6)
    with pytest.raises(ValueError, match="clone_function= is not supported"):
        clone_model(model, clone_function=lambda layer: layer)
