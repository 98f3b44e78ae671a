"""keras.initializers over nn.init: Keras's variance-scaling definitions, seeds, names, configs, layers."""

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

I = keras.initializers


@pytest.mark.parametrize("cls, var", [
    (I.GlorotUniform, lambda fi, fo: 2 / (fi + fo)), (I.GlorotNormal, lambda fi, fo: 2 / (fi + fo)),
    (I.HeUniform, lambda fi, fo: 2 / fi), (I.HeNormal, lambda fi, fo: 2 / fi),
    (I.LecunUniform, lambda fi, fo: 1 / fi), (I.LecunNormal, lambda fi, fo: 1 / fi)])
def test_variance_scaling_family_has_keras_variance_and_support(cls, var):
    shape = (3, 3, 40, 60)  # Keras conv kernel: fan_in 360, fan_out 540
    w = cls(seed=1)(shape).data
    assert w.shape == shape and w.dtype == np.float32
    assert w.var() == pytest.approx(var(360, 540), rel=0.03)
    bound = math.sqrt(3 * var(360, 540)) if "Uniform" in cls.__name__ else 2 * math.sqrt(var(360, 540)) / 0.8796256
    assert np.abs(w).max() <= bound * (1 + 1e-6)


def test_seeded_initializers_repeat_and_unseeded_follow_manual_seed():
    a, b = I.HeNormal(seed=7)((20, 5)).data, I.HeNormal(seed=7)((20, 5)).data
    np.testing.assert_array_equal(a, b)
    gn.manual_seed(3)
    c = I.RandomNormal()((10,)).data
    gn.manual_seed(3)
    np.testing.assert_array_equal(c, I.RandomNormal()((10,)).data)


def test_a_layer_weight_gets_the_same_fans_as_keras_shape():
    gn.manual_seed(0)
    dense = keras.layers.Dense(300, kernel_initializer=I.HeUniform(seed=0))
    dense(gn.zeros(1, 20))
    assert dense.weight.shape == (300, 20)  # gradnote's (out, in); fan_in 20 as Keras's (20, 300)
    assert np.abs(dense.weight.data).max() <= math.sqrt(6 / 20) and np.abs(dense.weight.data).max() > 0.9 * math.sqrt(
        6 / 20)
    by_name = keras.layers.Dense(300, kernel_initializer="lecun_normal")
    by_name(gn.zeros(1, 20))
    assert by_name.weight.data.var() == pytest.approx(1 / 20, rel=0.1)


def test_simple_initializers_values():
    assert I.Constant(3.0)((2, 2)).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert I.Zeros()((3,)).tolist() == [0.0, 0.0, 0.0] and I.Ones()((2,)).tolist() == [1.0, 1.0]
    np.testing.assert_array_equal(I.Identity(0.5)((3, 3)).data, 0.5 * np.eye(3))
    q = I.Orthogonal(gain=2.0, seed=0)((5, 3)).data
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(3), atol=1e-5)
    u = I.RandomUniform(-1.0, 2.0, seed=0)((2000,)).data
    assert u.min() >= -1 and u.max() <= 2 and u.mean() == pytest.approx(0.5, abs=0.1)
    t = I.TruncatedNormal(mean=1.0, stddev=0.5, seed=0)((2000,)).data
    assert np.abs(t - 1.0).max() <= 1.0 and t.mean() == pytest.approx(1.0, abs=0.05)
    n = I.RandomNormal(1.0, 2.0, seed=0)((4000,)).data
    assert n.mean() == pytest.approx(1.0, abs=0.1) and n.std() == pytest.approx(2.0, rel=0.05)


def test_names_configs_and_errors():
    assert isinstance(I.get("he_normal"), I.HeNormal) and isinstance(I.get("GlorotUniform"), I.GlorotUniform)
    again = I.get(I.serialize(I.RandomNormal(0.1, 0.2, seed=4)))
    assert (again.mean, again.stddev, again.seed) == (0.1, 0.2, 4)
    vs = I.get({"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out"}})
    assert (vs.scale, vs.mode) == (2.0, "fan_out")
    with pytest.raises(ValueError, match="Dense: unknown kernel_initializer 'he_gaussian'"):
        keras.layers.Dense(2, kernel_initializer="he_gaussian")
    with pytest.raises(ValueError, match="VarianceScaling: mode must be"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="Identity: only 2-D shapes"):
        I.Identity()((2, 2, 2))


def test_an_initializer_object_is_saved_as_its_config(tmp_path):
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(2,), kernel_initializer=I.RandomNormal(0.0, 0.3))])
    assert model.layers[0].get_config()["kernel_initializer"] == {
        "class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.3, "seed": None}}
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.layers[0].weight.data, model.layers[0].weight.data)
    assert again.layers[0].get_config()["kernel_initializer"]["config"]["stddev"] == 0.3
