"""Learning-rate schedules over 30 steps against their closed forms and hand-worked sequences."""

import math

import numpy as np
import pytest

from gradnote import optim
from gradnote.nn import Parameter
from gradnote.optim import lr_scheduler as S

BASE = [0.1, 0.5]  # two param groups with different starting rates
N = 30


def _opt(cls=optim.SGD):
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(1))
    return cls([{"params": [a]}, {"params": [b], "lr": BASE[1]}], lr=BASE[0])  # cls(groups, lr=...)


def _trace(sched, n=N):
    """Rates at t = 0..n (t = number of step() calls), read both from get_last_lr() and the groups."""
    out = [sched.get_last_lr()]
    for _ in range(n):
        sched.optimizer.step()
        sched.step()
        lrs = sched.get_last_lr()
        assert lrs == [g["lr"] for g in sched.optimizer.param_groups]
        out.append(lrs)
    return np.array(out)


def _expected(f, n=N):
    return np.array([[f(base, t) for base in BASE] for t in range(n + 1)])


CLOSED_FORMS = [
    (lambda o: S.StepLR(o, step_size=4, gamma=0.5), lambda b, t: b * 0.5 ** (t // 4)),
    (lambda o: S.StepLR(o, step_size=1), lambda b, t: b * 0.1**t),
    (lambda o: S.ExponentialLR(o, gamma=0.9), lambda b, t: b * 0.9**t),
    (lambda o: S.InverseTimeDecay(o, decay=0.25), lambda b, t: b / (1 + 0.25 * t)),
    (
        lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
        lambda b, t: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2,
    ),
    (lambda o: S.CosineAnnealingLR(o, T_max=7), lambda b, t: b * (1 + math.cos(math.pi * t / 7)) / 2),
    (lambda o: S.LinearWarmup(o, warmup_steps=5), lambda b, t: b * (1 / 3 + (2 / 3) * min(t, 5) / 5)),
    (lambda o: S.LinearWarmup(o, warmup_steps=8, start_factor=0.0), lambda b, t: b * min(t, 8) / 8),
    (lambda o: S.LambdaLR(o, lambda t: 1 / (1 + t)), lambda b, t: b / (1 + t)),
    (lambda o: S.MultiplicativeLR(o, lambda t: 0.9), lambda b, t: b * 0.9**t),
    (lambda o: S.MultiStepLR(o, milestones=[3, 7, 7], gamma=0.5), lambda b, t: b * 0.5 ** ((t >= 3) + 2 * (t >= 7))),
    (lambda o: S.ConstantLR(o, factor=0.25, total_iters=6), lambda b, t: b * (0.25 if t < 6 else 1.0)),
    (
        lambda o: S.LinearLR(o, start_factor=0.2, end_factor=0.8, total_iters=10),
        lambda b, t: b * (0.2 + 0.6 * min(t, 10) / 10),
    ),
    (lambda o: S.PolynomialLR(o, total_iters=12, power=2.0), lambda b, t: b * (1 - min(t, 12) / 12) ** 2),
    (
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
        # cycles of 3, 6, 12, 24 steps starting at t = 0, 3, 9, 21
        lambda b, t: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * _in_cycle(t, 3, 2)[0] / _in_cycle(t, 3, 2)[1])) / 2,
    ),
]


def _in_cycle(t, T_0, T_mult):
    """(position in the current cycle, its length) for warm restarts."""
    length = T_0
    while t >= length:
        t, length = t - length, length * T_mult
    return t, length


@pytest.mark.parametrize("make, f", CLOSED_FORMS, ids=range(len(CLOSED_FORMS)))
def test_closed_forms_over_30_steps(make, f):
    np.testing.assert_allclose(_trace(make(_opt())), _expected(f), rtol=1e-12, atol=1e-15)


def test_chainable_schedules_keep_a_rate_set_by_hand():
    # PyTorch's chainable form scales the current rate, so a rate written by hand carries on.
    opt = _opt()
    sched = S.ExponentialLR(opt, gamma=0.5)
    opt.param_groups[0]["lr"] = 1.0
    sched.step()
    assert sched.get_last_lr()[0] == 0.5


def test_step_with_epoch_uses_the_closed_form():
    sched = S.StepLR(_opt(), step_size=3, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(7)
    assert sched.last_epoch == 7 and sched.get_last_lr() == [0.1 * 0.25, 0.5 * 0.25]


def _cyclic(t, base, top, up, down, scale=lambda cycle, t: 1.0):
    cycle = math.floor(1 + t / (up + down))
    x = 1 + t / (up + down) - cycle
    r = up / (up + down)
    s = x / r if x <= r else (x - 1) / (r - 1)
    return base + (top - base) * s * scale(cycle, t), s * scale(cycle, t)


@pytest.mark.parametrize(
    "kw, scale",
    [
        ({"step_size_up": 4, "step_size_down": 6}, lambda c, t: 1.0),
        ({"step_size_up": 3, "mode": "triangular2"}, lambda c, t: 1 / 2 ** (c - 1)),
        ({"step_size_up": 5, "mode": "exp_range", "gamma": 0.97}, lambda c, t: 0.97**t),
    ],
)
def test_cyclic_lr_and_momentum(kw, scale):
    opt = _opt(lambda groups, lr: optim.SGD(groups, lr=lr, momentum=0.9))
    sched = S.CyclicLR(opt, base_lr=0.01, max_lr=[0.1, 1.0], **kw)
    up = kw["step_size_up"]
    down = kw.get("step_size_down", up)
    for t in range(1, 40):
        opt.step()
        sched.step()
        lr0, s0 = _cyclic(t, 0.01, 0.1, up, down, scale)
        lr1, _ = _cyclic(t, 0.01, 1.0, up, down, scale)
        np.testing.assert_allclose(sched.get_last_lr(), [lr0, lr1], rtol=1e-12)
        np.testing.assert_allclose(opt.param_groups[0]["momentum"], 0.9 - 0.1 * s0, rtol=1e-12)


def _one_cycle(t, top, n, pct=0.3, div=25.0, final=1e4, cos=True):
    def anneal(a, b, p):
        return b + (a - b) / 2 * (math.cos(math.pi * p) + 1) if cos else a + (b - a) * p

    lo, peak = top / div, float(pct * n) - 1
    if t <= peak:
        p = t / peak
        return anneal(lo, top, p), anneal(0.95, 0.85, p)
    p = (t - peak) / (n - 1 - peak)
    return anneal(top, lo / final, p), anneal(0.85, 0.95, p)


@pytest.mark.parametrize("cos", [True, False])
def test_one_cycle_lr_and_adam_beta1(cos):
    opt = _opt(optim.Adam)
    n = 50
    sched = S.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=n, anneal_strategy="cos" if cos else "linear")
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0 / 25, 2.0 / 25]
    for t in range(n):
        lr, beta1 = _one_cycle(t, 1.0, n, cos=cos)
        np.testing.assert_allclose(sched.get_last_lr()[0], lr, rtol=1e-12)
        np.testing.assert_allclose(opt.param_groups[0]["betas"], (beta1, 0.999), rtol=1e-12)
        if t < n - 1:
            opt.step()
            sched.step()
    sched.step()  # step n is allowed (PyTorch's bound), one more is not
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 51 times"):
        sched.step()


def test_sequential_lr_restarts_each_scheduler_at_its_milestone():
    opt = _opt()
    sched = S.SequentialLR(
        opt, [S.ConstantLR(opt, factor=0.1, total_iters=20), S.ExponentialLR(opt, gamma=0.9)], milestones=[5]
    )
    lrs = _trace(sched, 10)[:, 0]
    np.testing.assert_allclose(lrs, [0.01] * 5 + [0.1 * 0.9**k for k in range(6)], rtol=1e-12)
    sd = sched.state_dict()
    assert len(sd["_schedulers"]) == 2 and sd["last_epoch"] == 10


def test_chained_scheduler_multiplies():
    opt = _opt()
    sched = S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=3), S.ExponentialLR(opt, gamma=0.9)])
    lrs = _trace(sched, 6)[:, 1]
    np.testing.assert_allclose(lrs, [0.5 * 0.9**t * (0.5 if t < 3 else 1.0) for t in range(7)], rtol=1e-12)


def test_lambda_state_dict_saves_callable_objects_only():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, t):
            return self.rate**t

    opt = _opt()
    fn = Decay()
    sched = S.LambdaLR(opt, [lambda t: 1.0, fn])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, {"rate": 0.5}]
    fn.rate = 0.1
    sched.load_state_dict(sd)
    assert fn.rate == 0.5


def test_step_lr_by_hand():
    sched = S.StepLR(_opt(), step_size=3, gamma=0.5)
    got = _trace(sched, 9)[:, 0]
    np.testing.assert_allclose(got, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125])


def test_cosine_reaches_eta_min_at_T_max_and_rises_after():
    lrs = _trace(S.CosineAnnealingLR(_opt(), T_max=10, eta_min=0.01))[:, 0]
    assert lrs[10] == pytest.approx(0.01) and lrs[20] == pytest.approx(0.1)
    assert np.all(np.diff(lrs[:11]) < 0) and np.all(np.diff(lrs[10:21]) > 0)


def test_warmup_is_linear_then_constant():
    lrs = _trace(S.LinearWarmup(_opt(), warmup_steps=4, start_factor=0.2))[:, 1]
    np.testing.assert_allclose(lrs[:6], [0.1, 0.2, 0.3, 0.4, 0.5, 0.5])
    np.testing.assert_allclose(lrs[4:], 0.5)


def test_scheduled_rate_is_what_the_optimiser_uses():
    p = Parameter(np.zeros(1))
    opt = optim.SGD([p], lr=1.0)
    sched = S.ExponentialLR(opt, gamma=0.5)
    moves = []
    for _ in range(4):
        before = p.data.copy()
        p.grad = np.ones(1)
        opt.step()
        sched.step()
        moves.append(float(before[0] - p.data[0]))
    np.testing.assert_allclose(moves, [1.0, 0.5, 0.25, 0.125])


def test_scheduler_state_dict_round_trip():
    opt = _opt(optim.Adam)
    sched = S.CosineAnnealingLR(opt, T_max=12, eta_min=0.001)
    _trace(sched, 7)
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 7

    opt2 = _opt(optim.Adam)
    opt2.load_state_dict(opt.state_dict())  # carries "initial_lr" in the groups
    sched2 = S.CosineAnnealingLR(opt2, T_max=1, last_epoch=6)
    sched2.load_state_dict(sd)
    np.testing.assert_array_equal(_trace(sched, 10), _trace(sched2, 10))
    with pytest.raises(ValueError, match="unexpected keys"):
        sched2.load_state_dict({"nonsense": 1})


def test_resume_without_initial_lr_is_an_error():
    with pytest.raises(KeyError, match="initial_lr"):  # PyTorch raises KeyError too
        S.StepLR(_opt(), step_size=2, last_epoch=5)


# ------------------------------------------------------------------------------------------- plateau
def _plateau(metrics, **kw):
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        sched.step(m)
        out.append(sched.get_last_lr())
    return np.array(out)


def test_plateau_waits_more_than_patience():
    # Epoch 1 improves (best=1); epochs 2, 3, 4 are bad: the third bad epoch exceeds patience=2.
    lrs = _plateau([1.0] * 10, factor=0.5, patience=2)[:, 0]
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125])


def test_plateau_relative_threshold_and_improvement_reset():
    # 0.99995 is not better than 1 * (1 - 1e-4); 0.9 is, and resets the count.
    metrics = [1.0, 0.99995, 0.99995, 0.9, 0.9, 0.9, 0.9]
    lrs = _plateau(metrics, patience=2, factor=0.1)[:, 1]
    np.testing.assert_allclose(lrs, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.05])


def test_plateau_cooldown_and_min_lr_per_group():
    # patience 0: every bad epoch reduces, except during the 2 cooldown epochs after a reduction.
    lrs = _plateau([1.0] * 10, factor=0.5, patience=0, cooldown=2, min_lr=[0.02, 0.3])
    np.testing.assert_allclose(lrs[:, 0], [0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02])
    np.testing.assert_allclose(lrs[:, 1], [0.5, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3])


def test_plateau_max_mode_abs_threshold():
    # mode max: better means > best + 0.05.
    metrics = [0.5, 0.54, 0.56, 0.56, 0.6, 0.7, 0.7]
    lrs = _plateau(metrics, mode="max", threshold=0.05, threshold_mode="abs", patience=0, factor=0.5)[:, 0]
    np.testing.assert_allclose(lrs, [0.1, 0.05, 0.05, 0.025, 0.0125, 0.0125, 0.00625])


def test_plateau_eps_skips_tiny_changes():
    lrs = _plateau([1.0] * 4, factor=0.5, patience=0, eps=0.1)
    np.testing.assert_allclose(lrs[:, 0], 0.1)  # 0.1 -> 0.05 changes by less than eps
    # 0.5 -> 0.25 -> 0.125 change by more than eps; 0.125 -> 0.0625 does not.
    np.testing.assert_allclose(lrs[:, 1], [0.5, 0.25, 0.125, 0.125])


def test_plateau_over_30_steps_against_a_hand_count():
    rng = np.random.default_rng(0)
    metrics = list(1.0 + 0.01 * rng.standard_normal(N))
    lrs = _plateau(metrics, factor=0.5, patience=3)[:, 0]
    best, bad, lr, expected = math.inf, 0, 0.1, []
    for m in metrics:
        if m < best * (1 - 1e-4):
            best, bad = m, 0
        else:
            bad += 1
        if bad > 3:
            lr, bad = lr * 0.5, 0
        expected.append(lr)
    np.testing.assert_allclose(lrs, expected)
    assert lrs[-1] < 0.1


def test_plateau_state_dict_round_trip():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=1)
    for m in [1.0, 1.0, 1.0]:
        sched.step(m)
    sched2 = S.ReduceLROnPlateau(_opt(), patience=1)
    sched2.load_state_dict(sched.state_dict())
    assert sched2.best == 1.0 and sched2.num_bad_epochs == sched.num_bad_epochs
    assert sched2.last_epoch == 3


# ------------------------------------------------------------------------------------------- validation
BAD = [
    (lambda o: S.StepLR(o, step_size=0), "StepLR: step_size must be an integer >= 1, got 0"),
    (lambda o: S.StepLR(o, step_size=2, gamma=0.0), "StepLR: gamma must be > 0, got 0.0"),
    (lambda o: S.ExponentialLR(o, gamma=-0.5), "ExponentialLR: gamma must be > 0, got -0.5"),
    (lambda o: S.InverseTimeDecay(o, decay=-1.0), "InverseTimeDecay: decay must be >= 0, got -1.0"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be an integer >= 1, got 0"),
    (lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=-1), "eta_min must be >= 0, got -1"),
    (lambda o: S.LinearWarmup(o, warmup_steps=0), "LinearWarmup: warmup_steps must be an integer >= 1"),
    (lambda o: S.LinearWarmup(o, warmup_steps=3, start_factor=1.5), r"start_factor must be in \[0, 1\], got 1.5"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), r"ReduceLROnPlateau: factor must be in \(0, 1\), got 1.0"),
    (lambda o: S.ReduceLROnPlateau(o, mode="lowest"), "mode must be 'min' or 'max', got 'lowest'"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), "threshold_mode must be 'rel' or 'abs'"),
    (lambda o: S.ReduceLROnPlateau(o, patience=-1), "patience must be an integer >= 0, got -1"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), "expected 2 min_lr values"),
    (lambda o: S.LambdaLR(o, [lambda t: 1.0]), "LambdaLR: expected 2 lr_lambda values"),
    (lambda o: S.ConstantLR(o, factor=1.5), r"ConstantLR: factor must be in \[0, 1\], got 1.5"),
    (lambda o: S.LinearLR(o, start_factor=0), r"LinearLR: start_factor must be in \(0, 1\], got 0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), "T_0 must be an integer >= 1, got 0"),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="sine"), "CyclicLR: mode must be"),
    (lambda o: S.OneCycleLR(o, 0.1), "OneCycleLR: give total_steps, or both epochs and steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, 0.1, total_steps=10, pct_start=1), "pct_start must be a float in"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]), "SequentialLR: expected 0 milestones"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_bad_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make(_opt())
