"""keras.optimizers.schedules against their closed forms per step, and optimisers evaluating them per update."""

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

S = keras.optimizers.schedules
STEPS = range(0, 60)


def _poly(step, lr0, n, end, power, cycle):
    if cycle:
        n = n * max(1, math.ceil(step / n))
    else:
        step = min(step, n)
    return (lr0 - end) * (1 - step / n) ** power + end


def _cos(step, lr0, n, alpha, target=None, warm=0):
    if target is None:
        f = min(step, n) / n
        return lr0 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * f)) + alpha)
    step = min(step, n + warm)
    if step < warm:
        return lr0 + (target - lr0) * step / warm
    return target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * (step - warm) / n)) + alpha)


def _restarts(step, lr0, first, t_mul, m_mul, alpha):
    start, length, i = 0.0, first, 0  # walk the periods one by one
    while step >= start + length:
        start, length, i = start + length, length * t_mul, i + 1
    f = (step - start) / length
    return lr0 * ((1 - alpha) * 0.5 * m_mul ** i * (1 + math.cos(math.pi * f)) + alpha)


CASES = [
    (S.ExponentialDecay(0.1, 7, 0.8), lambda s: 0.1 * 0.8 ** (s / 7)),
    (S.ExponentialDecay(0.1, 7, 0.8, staircase=True), lambda s: 0.1 * 0.8 ** (s // 7)),
    (S.InverseTimeDecay(0.5, 4, 0.3), lambda s: 0.5 / (1 + 0.3 * s / 4)),
    (S.InverseTimeDecay(0.5, 4, 0.3, staircase=True), lambda s: 0.5 / (1 + 0.3 * (s // 4))),
    (S.PiecewiseConstantDecay([10, 30], [1.0, 0.5, 0.1]), lambda s: 1.0 if s <= 10 else 0.5 if s <= 30 else 0.1),
    (S.PolynomialDecay(0.2, 25, 0.01, power=2.0), lambda s: _poly(s, 0.2, 25, 0.01, 2.0, False)),
    (S.PolynomialDecay(0.2, 25, 0.01, cycle=True), lambda s: _poly(s, 0.2, 25, 0.01, 1.0, True)),
    (S.CosineDecay(0.3, 40, alpha=0.1), lambda s: _cos(s, 0.3, 40, 0.1)),
    (S.CosineDecay(0.0, 40, warmup_target=0.5, warmup_steps=10), lambda s: _cos(s, 0.0, 40, 0.0, 0.5, 10)),
    (S.CosineDecayRestarts(0.3, 10), lambda s: _restarts(s, 0.3, 10, 2.0, 1.0, 0.0)),
    (S.CosineDecayRestarts(0.3, 10, t_mul=1.0, m_mul=0.5, alpha=0.2), lambda s: _restarts(s, 0.3, 10, 1.0, 0.5, 0.2)),
]


@pytest.mark.parametrize("schedule, ref", CASES, ids=[f"{type(c[0]).__name__}{i}" for i, c in enumerate(CASES)])
def test_schedules_match_their_closed_forms_and_round_trip(schedule, ref):
    np.testing.assert_allclose([schedule(s) for s in STEPS], [ref(s) for s in STEPS], rtol=1e-9, atol=1e-12)
    again = S.deserialize(S.serialize(schedule))
    assert type(again) is type(schedule) and [again(s) for s in STEPS] == [schedule(s) for s in STEPS]


def test_optimizer_evaluates_the_schedule_at_each_update():
    schedule = S.PiecewiseConstantDecay([2, 4], [1.0, 0.1, 0.01])
    p = gn.nn.Parameter(np.zeros(1, np.float32))
    opt = keras.optimizers.SGD(learning_rate=schedule).bind([p])
    moved, rates = [], []
    for _ in range(7):
        rates.append(opt.learning_rate)
        before = float(p.data[0])
        p.grad = np.ones(1, np.float32)
        opt.step()
        moved.append(before - float(p.data[0]))
    expected = [schedule(t) for t in range(7)]
    np.testing.assert_allclose(moved, expected, rtol=1e-6)
    assert rates == expected and opt.iterations == 7
    with pytest.raises(TypeError, match="cannot be set to a number"):
        opt.learning_rate = 0.5


def test_schedule_in_fit_steps_per_batch_and_survives_get_config():
    gn.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    y = x.sum(1, keepdims=True)
    schedule = S.ExponentialDecay(0.05, decay_steps=1, decay_rate=0.9)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule), loss="mse")
    hist = model.fit(x, y, batch_size=10, epochs=2, verbose=0)
    assert model.optimizer.iterations == 8
    assert hist.history["learning_rate"][-1] == pytest.approx(0.05 * 0.9 ** 7)  # the rate of the last update
    config = model.optimizer.get_config()
    again = keras.optimizers.get({"class_name": "Adam", "config": config})
    assert isinstance(again.schedule, S.ExponentialDecay) and again.schedule(3) == schedule(3)


def test_bad_schedule_arguments_are_refused():
    with pytest.raises(ValueError, match="ExponentialDecay: decay_steps must be a number > 0, got 0"):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="one more element than boundaries"):
        S.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="decay and a learning-rate schedule"):
        keras.optimizers.SGD(learning_rate=S.CosineDecay(0.1, 10), decay=0.1)


def test_a_subclassed_schedule_written_with_keras_ops_drives_the_optimizer():
    class Warmup(S.LearningRateSchedule):  # the shape of keras-io's transformer schedule
        def __init__(self, d_model, warmup_steps=4):
            self.d_model, self.warmup_steps = d_model, warmup_steps

        def __call__(self, step):
            step = keras.ops.cast(step, "float32") + 1.0
            return keras.ops.rsqrt(float(self.d_model)) * keras.ops.minimum(keras.ops.rsqrt(step),
                                                                            step * self.warmup_steps ** -1.5)

    schedule = Warmup(16)
    p = gn.nn.Parameter(np.zeros(1, np.float32))
    opt = keras.optimizers.SGD(learning_rate=schedule).bind([p])
    for t in range(6):
        before = float(p.data[0])
        p.grad = np.ones(1, np.float32)
        opt.step()
        s = t + 1.0
        assert before - float(p.data[0]) == pytest.approx(16 ** -0.5 * min(s ** -0.5, s * 4 ** -1.5), rel=1e-5)
