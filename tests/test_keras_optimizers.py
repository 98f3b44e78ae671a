"""Keras optimisers are gradnote.optim optimisers bound late; clipping and decay are step pre-hooks."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras, optim


def test_step_pre_hooks_run_before_the_update_and_can_be_removed():
    p = gn.nn.Parameter(np.array([1.0, 2.0]))
    opt = optim.SGD([p], lr=1.0)
    seen = []

    def halve(o, args, kwargs):
        seen.append((o, args))
        for q in o.param_groups[0]["params"]:
            q.grad = q.grad / 2

    handle = opt.register_step_pre_hook(halve)
    p.grad = np.array([2.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [0.0, 1.0])
    assert seen == [(opt, (None,))]
    handle.remove()
    p.grad = np.array([2.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [-2.0, -1.0])


@pytest.mark.parametrize("cls, base", [(keras.optimizers.SGD, optim.SGD), (keras.optimizers.Adam, optim.Adam),
                                       (keras.optimizers.AdamW, optim.AdamW), (keras.optimizers.RMSprop, optim.RMSprop),
                                       (keras.optimizers.Adagrad, optim.Adagrad),
                                       (keras.optimizers.Adadelta, optim.Adadelta)])
def test_a_keras_optimizer_is_its_optim_class_bound_at_compile(cls, base):
    opt = cls(learning_rate=0.05)
    assert isinstance(opt, base) and not opt.bound
    with pytest.raises(RuntimeError, match="no parameters yet"):
        opt.zero_grad()
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.compile(opt, "mse")
    assert opt.bound and opt.param_groups[0]["params"] == list(model.parameters())
    assert opt.param_groups[0]["lr"] == 0.05
    model.compile(opt, "mse")  # binding again: a fresh state and one set of hooks
    assert len(opt.__dict__["_step_pre_hooks"]) == len(opt._pre_step_hooks())


def test_unknown_arguments_are_refused():
    with pytest.raises(TypeError, match=r"Adam: unexpected arguments \['betas'\]"):
        keras.optimizers.Adam(betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="Invalid momentum value"):
        keras.optimizers.SGD(momentum=-1)


def test_decay_counts_updates_in_the_state_dict():
    p, q = gn.nn.Parameter(np.zeros(2)), gn.nn.Parameter(np.zeros(2))
    a = keras.optimizers.SGD(lr=1.0, decay=1.0).bind([p])
    for _ in range(2):
        p.grad = np.ones(2)
        a.step()
    np.testing.assert_allclose(p.data, [-1.5, -1.5])  # 1/(1+0) + 1/(1+1)
    b = keras.optimizers.SGD(lr=1.0, decay=1.0).bind([q])
    b.load_state_dict(a.state_dict())
    q.data[:] = p.data
    p.grad, q.grad = np.ones(2), np.ones(2)
    a.step()
    b.step()
    np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_allclose(q.data, [-1.5 - 1 / 3] * 2)
    assert b.lr == pytest.approx(1 / 4)


def test_adadelta_has_keras_2_defaults_and_keras_update_rule():
    # mnist_cnn.py (Keras 2 examples) compiles with keras.optimizers.Adadelta(): lr=1.0, rho=0.95, epsilon=1e-7
    assert keras.optimizers.get("adadelta").get_config()["lr"] == 1.0
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(5)
    p = gn.nn.Parameter(w0.copy())
    opt = keras.optimizers.Adadelta().bind([p])
    assert opt.param_groups[0]["rho"] == 0.95 and opt.param_groups[0]["eps"] == 1e-7
    w, acc, delta_acc = w0.copy(), np.zeros(5), np.zeros(5)
    for _ in range(4):
        g = rng.standard_normal(5)
        p.grad = g.copy()
        opt.step()
        acc = 0.95 * acc + 0.05 * g ** 2  # Keras 2's Adadelta, written out
        update = g * np.sqrt(delta_acc + 1e-7) / np.sqrt(acc + 1e-7)
        w -= 1.0 * update
        delta_acc = 0.95 * delta_acc + 0.05 * update ** 2
    np.testing.assert_allclose(p.data, w, rtol=1e-6)
