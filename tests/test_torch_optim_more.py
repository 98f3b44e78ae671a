"""Rprop and ASGD's own behaviour (their fast updates are rows of test_kernels_optim's table, held against their
`*_simple` rules) and optim.swa_utils (AveragedModel, SWALR, update_bn) against NumPy references."""

import math

import numpy as np
import pytest
from test_kernels_optim import _fast, _problem

import gradnote as gn
from gradnote import nn, optim
from gradnote.optim import swa_utils


def test_rprop_steps_by_sign_alone():
    p = nn.Parameter(gn.tensor([0.0, 0.0, 0.0], dtype=gn.float64))
    opt = optim.Rprop([p], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    for g in ([1.0, -1.0, 0.0], [3.0, 5.0, 0.0], [4.0, 1.0, 1.0]):
        p.grad = np.array(g)
        opt.step()
    # coordinate 0: +, +, + -> steps 0.1, 0.2, 0.3 (clipped); coordinate 1: -, + (sign change: no move), +
    np.testing.assert_allclose(p.data, [-0.6, 0.1 - 0.05, -0.1])
    np.testing.assert_allclose(opt.state[p]["step_size"], [0.3, 0.05, 0.1])


def test_asgd_average_starts_after_t0():
    p = nn.Parameter(gn.tensor([1.0], dtype=gn.float64))
    opt = optim.ASGD([p], lr=0.1, lambd=0.0, t0=2)
    path = []
    for _ in range(5):
        p.grad = np.array([1.0])
        opt.step()
        path.append(p.data[0])
    np.testing.assert_allclose(path, [0.9, 0.8, 0.7, 0.6, 0.5])
    # step t averages with the mu of step t - 1, 1 / max(1, t - 1 - t0): 1 through step t0 + 2, then 1/2
    np.testing.assert_allclose(opt.state[p]["ax"], [0.7 + (0.6 - 0.7) / 1 + (0.5 - 0.6) / 2])


def test_state_dict_round_trip_and_keys():
    rng = np.random.default_rng(3)
    for cls, keys in ((optim.Rprop, ["prev", "step", "step_size"]), (optim.ASGD, ["ax", "eta", "mu", "step"])):
        inits, grads = _problem(rng, [(3, 2)], np.float32)
        _, opt = _fast(cls, {}, inits, grads)
        sd = opt.state_dict()
        assert sorted(sd["state"][0]) == keys
        p = nn.Parameter(gn.tensor(inits[0]))
        fresh = cls([p])
        fresh.load_state_dict(sd)
        for k, v in fresh.state[p].items():
            np.testing.assert_array_equal(v, sd["state"][0][k])


@pytest.mark.parametrize("make, message", [
    (lambda ps: optim.Rprop(ps, etas=(1.0, 1.2)), "Rprop: Invalid eta values: 1.0, 1.2"),
    (lambda ps: optim.Rprop(ps, etas=(0.5, 0.9)), "Rprop: Invalid eta values: 0.5, 0.9"),
    (lambda ps: optim.Rprop(ps, lr=-1), "Rprop: Invalid learning rate: -1"),
    (lambda ps: optim.Rprop(ps, step_sizes=(1.0, 0.1)), "Rprop: step_sizes must be"),
    (lambda ps: optim.Rprop(ps, differentiable=True), "Rprop: differentiable=True is not supported"),
    (lambda ps: optim.ASGD(ps, weight_decay=-0.1), "ASGD: Invalid weight_decay value: -0.1"),
])
def test_bad_hyperparameters(make, message):
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter(gn.zeros(2))])


# ------------------------------------------------------------------------------------------- swa_utils
def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def _snapshots(rng, model, n):
    """Give `model` n random weight sets (and BatchNorm statistics from a batch); yields after each."""
    for _ in range(n):
        for p in model.parameters():
            p.data[...] = rng.standard_normal(p.shape).astype(np.float32)
        model.train()
        model(gn.tensor(rng.standard_normal((5, 3)).astype(np.float32)))
        yield {k: np.array(getattr(v, "data", v), dtype=np.float64) for k, v in model.state_dict().items()}


@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_is_the_running_mean(use_buffers):
    rng = np.random.default_rng(0)
    model = _model()
    swa = swa_utils.AveragedModel(model, use_buffers=use_buffers)
    seen = []
    for snap in _snapshots(rng, model, 4):
        swa.update_parameters(model)
        seen.append(snap)
    got = swa.state_dict()
    assert sorted(got) == sorted(["n_averaged"] + [f"module.{k}" for k in seen[0]])
    assert int(got["n_averaged"]) == 4
    for k in seen[0]:
        averaged = use_buffers or k.startswith(("0.", "2.")) or k in ("1.weight", "1.bias")
        want = np.mean([s[k] for s in seen], axis=0) if averaged else seen[-1][k]
        if k.endswith("num_batches_tracked"):
            want = np.floor(want) if averaged else want
            np.testing.assert_allclose(np.asarray(getattr(got[f"module.{k}"], "data", got[f"module.{k}"])), want,
                                       atol=1, err_msg=k)  # integer buffers average with truncation
            continue
        np.testing.assert_allclose(np.asarray(getattr(got[f"module.{k}"], "data", got[f"module.{k}"])), want,
                                   rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("multi", [False, True])
def test_ema_averages_recursively(multi):
    rng = np.random.default_rng(1)
    model = nn.Linear(3, 2)
    fn = {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.8)} if multi else {"avg_fn": swa_utils.get_ema_avg_fn(0.8)}
    ema = swa_utils.AveragedModel(model, **fn)
    want = None
    for snap in _snapshots(rng, model, 5):
        ema.update_parameters(model)
        want = dict(snap) if want is None else {k: 0.8 * want[k] + 0.2 * snap[k] for k in snap}
    for k, v in want.items():
        np.testing.assert_allclose(getattr(ema.module, k).data, v, rtol=1e-5, atol=1e-6)
    x = gn.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    np.testing.assert_allclose(ema(x).data, x.data @ want["weight"].T + want["bias"], rtol=1e-5, atol=1e-6)
    assert not ema.module.weight.grad  # averaging records no graph


def test_averaged_model_errors():
    with pytest.raises(ValueError, match="AveragedModel: give only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(nn.Linear(2, 2), avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
        swa_utils.get_ema_avg_fn(1.5)
    swa = swa_utils.AveragedModel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"AveragedModel.update_parameters: shape \(3, 2\) given"):
        swa.update_parameters(nn.Linear(2, 3))


def _swalr_reference(lr0, swa_lr, anneal_epochs, strategy, steps):
    """PyTorch's recursive SWALR rule written out: each step undoes the previous blend, then blends anew."""
    def alpha(t):
        return (1 - math.cos(math.pi * t)) / 2 if strategy == "cos" else t

    lrs, lr = [], lr0
    for k in range(steps):  # k-th step() call, the constructor's being k = 0
        step = max(1, k) if anneal_epochs == 0 else k
        span = max(1, anneal_epochs)
        pa, a = alpha(max(0, min(1, (step - 1) / span))), alpha(max(0, min(1, step / span)))
        prev = swa_lr if pa == 1 else (lr - pa * swa_lr) / (1 - pa)
        lr = swa_lr * a + prev * (1 - a)
        lrs.append(lr)
    return lrs


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_anneals_to_swa_lr(strategy, anneal_epochs):
    opt = optim.SGD([nn.Parameter(gn.zeros(1))], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    got = [opt.param_groups[0]["lr"]]
    for _ in range(7):
        sched.step()
        got.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(got, _swalr_reference(1.0, 0.1, anneal_epochs, strategy, 8), rtol=1e-12)
    assert got[-1] == pytest.approx(0.1)
    if anneal_epochs == 4 and strategy == "linear":
        np.testing.assert_allclose(got[:6], [1.0, 0.775, 0.55, 0.325, 0.1, 0.1])


def test_swalr_errors():
    opt = optim.SGD([nn.Parameter(gn.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match="SWALR: anneal_strategy must be one of 'cos' or 'linear', got 'exp'"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="SWALR: anneal_epochs must be an integer >= 0, got -1"):
        swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="SWALR: swa_lr must have the same length"):
        swa_utils.SWALR(opt, [0.1, 0.2])


def test_update_bn_is_the_cumulative_batch_statistics():
    rng = np.random.default_rng(2)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=0.3))
    model.eval()
    batches = [rng.standard_normal((n, 3)).astype(np.float32) for n in (5, 7, 6)]
    swa_utils.update_bn([(gn.tensor(x), None) for x in batches], model)
    w, b = model[0].weight.data, model[0].bias.data
    hs = [x @ w.T + b for x in batches]
    np.testing.assert_allclose(model[1].running_mean, np.mean([h.mean(0) for h in hs], 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model[1].running_var, np.mean([h.var(0, ddof=1) for h in hs], 0), rtol=1e-5, atol=1e-6)
    assert model[1].momentum == 0.3 and not model.training
    plain = nn.Linear(2, 2)
    swa_utils.update_bn([gn.ones(1, 2)], plain)  # no BatchNorm: nothing to do
