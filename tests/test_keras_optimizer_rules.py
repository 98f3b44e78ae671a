"""Keras's Nadam, Adamax and Lion over gradnote.optim, against Keras's update rules written in NumPy."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras, optim
from gradnote.optim.lion import Lion, lion_simple

rng = np.random.default_rng(5)
GRADS = [rng.normal(size=(3, 2)) for _ in range(8)]


def _run(opt_factory, steps=GRADS):
    p = gn.nn.Parameter(np.ones((3, 2)))
    opt = opt_factory([p])
    for g in steps:
        p.grad = g.copy()
        opt.step()
    return p.data


def _keras_nadam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    theta, m, v, u_prod = np.ones((3, 2)), 0.0, 0.0, 1.0
    for t, g in enumerate(GRADS, 1):
        u_t = b1 * (1 - 0.5 * 0.96 ** (t * 0.004))
        u_t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.004))
        u_prod_t = u_prod * u_t
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - u_prod_t * u_t1) + (1 - u_t) * g / (1 - u_prod_t)
        theta = theta - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
        u_prod = u_prod_t
    return theta


def _keras_lion(lr=1e-3, b1=0.9, b2=0.99):
    theta, m = np.ones((3, 2)), 0.0
    for g in GRADS:
        theta = theta - lr * np.sign(m * b1 + g * (1 - b1))
        m = m * b2 + g * (1 - b2)
    return theta


def _keras_adamax(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    theta, m, u = np.ones((3, 2)), 0.0, 0.0
    for t, g in enumerate(GRADS, 1):
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        theta = theta - lr / (1 - b1 ** t) * m / (u + eps)
    return theta


def test_nadam_is_keras_rule():
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.Nadam(learning_rate=1e-2).bind(ps)),
                               _keras_nadam(lr=1e-2), rtol=1e-6)


def test_lion_is_keras_rule_and_its_simple_reference():
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.Lion(learning_rate=1e-2).bind(ps)),
                               _keras_lion(lr=1e-2), rtol=1e-12)
    theta, state = np.ones((3, 2)), {}
    for g in GRADS:
        theta = lion_simple(theta, g, state, lr=0.01, weight_decay=0.1)
    np.testing.assert_allclose(_run(lambda ps: Lion(ps, lr=0.01, weight_decay=0.1)), theta, rtol=1e-12)
    with pytest.raises(ValueError, match="Lion: Invalid learning rate"):
        Lion([gn.nn.Parameter(np.zeros(2))], lr=-1.0)


def test_adamax_matches_keras_rule_up_to_epsilon_placement():
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.Adamax(learning_rate=1e-2).bind(ps)),
                               _keras_adamax(lr=1e-2), rtol=1e-6)


def test_names_legacy_path_and_instances():
    for name, cls in (("nadam", optim.NAdam), ("adamax", optim.Adamax), ("lion", Lion)):
        assert isinstance(keras.optimizers.get(name), cls)
    from gradnote.keras.optimizers.legacy import Adam as LegacyAdam
    from gradnote.keras.optimizers.schedules import ExponentialDecay

    assert LegacyAdam is keras.optimizers.Adam and keras.optimizers.legacy.SGD is keras.optimizers.SGD
    assert ExponentialDecay is keras.optimizers.schedules.ExponentialDecay
    with pytest.raises(TypeError, match="Nadam: unexpected arguments \\['rho'\\]"):
        keras.optimizers.Nadam(rho=0.9)


def test_keras3_weight_decay_on_any_optimizer_is_decoupled():
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.Adam(learning_rate=1e-2, weight_decay=0.1).bind(ps)),
                               _run(lambda ps: keras.optimizers.AdamW(learning_rate=1e-2, weight_decay=0.1).bind(ps)),
                               rtol=1e-12)
    theta = np.ones((3, 2))
    for g in GRADS:
        theta = theta - 0.1 * 0.5 * theta - 0.1 * g
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.SGD(0.1, weight_decay=0.5).bind(ps)), theta,
                               rtol=1e-12)
    assert keras.optimizers.SGD(weight_decay=0.5).get_config()["weight_decay"] == 0.5
    with pytest.raises(ValueError, match="SGD: use_ema=True is not supported"):
        keras.optimizers.SGD(use_ema=True)
    with pytest.raises(ValueError, match="weight_decay must be a number >= 0"):
        keras.optimizers.RMSprop(weight_decay=-1)


def test_keras3_apply_and_build():
    p = gn.nn.Parameter(np.ones(2))
    opt = keras.optimizers.SGD(0.5)
    opt.build([p])
    opt.apply([np.array([1.0, -1.0])])
    np.testing.assert_allclose(p.data, [0.5, 1.5])
    q = gn.nn.Parameter(np.zeros(1))
    keras.optimizers.SGD(1.0).apply([np.array([2.0])], [q])
    np.testing.assert_allclose(q.data, [-2.0])


@pytest.mark.parametrize("options", [{}, {"l1": 0.05, "l2": 0.1}, {"l2_shrinkage": 0.2, "beta": 0.5,
                                                                   "learning_rate_power": -0.7}])
def test_ftrl_matches_its_simple_reference_and_keras_spelling(options):
    from gradnote.optim.ftrl import Ftrl, ftrl_simple

    theta, state = np.ones((3, 2)), {}
    for g in GRADS:
        theta = ftrl_simple(theta, g, state, lr=0.1, **options)
    names = {"l1": "l1_regularization_strength", "l2": "l2_regularization_strength",
             "l2_shrinkage": "l2_shrinkage_regularization_strength"}
    keras_options = {names.get(k, k): v for k, v in options.items()}
    np.testing.assert_allclose(_run(lambda ps: Ftrl(ps, lr=0.1, **keras_options)), theta, rtol=1e-10)
    np.testing.assert_allclose(_run(lambda ps: keras.optimizers.Ftrl(learning_rate=0.1, **keras_options).bind(ps)),
                               theta, rtol=1e-10)


def test_ftrl_l1_makes_small_coordinates_exactly_zero():
    p = gn.nn.Parameter(np.zeros(4))
    opt = keras.optimizers.get("ftrl").bind([p])
    opt.learning_rate = 0.5
    for _ in range(5):
        p.grad = np.array([0.01, -0.01, 3.0, -3.0])
        opt.step()
    assert p.data[2] < 0 < p.data[3] and abs(p.data[0]) > 0
    sparse = keras.optimizers.Ftrl(0.5, l1_regularization_strength=1.0).bind([q := gn.nn.Parameter(np.zeros(4))])
    for _ in range(5):
        q.grad = np.array([0.01, -0.01, 3.0, -3.0])
        sparse.step()
    assert q.data[0] == 0.0 and q.data[1] == 0.0 and q.data[2] != 0.0


def test_rmsprop_centered_is_optim_centered():
    np.testing.assert_allclose(
        _run(lambda ps: keras.optimizers.RMSprop(learning_rate=1e-2, centered=True, epsilon=1e-8).bind(ps)),
        _run(lambda ps: optim.RMSprop(ps, lr=1e-2, alpha=0.9, eps=1e-8, centered=True)), rtol=1e-12)
    assert keras.optimizers.RMSprop(centered=True).get_config()["centered"] is True
