"""Optimisers against their update rules written out by hand in NumPy, plus groups, state dicts and errors."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gradnote as gn
from gradnote import optim
from gradnote.nn import Parameter

SHAPES = [(3, 4), (5,), ()]
STEPS = 6


# ------------------------------------------------------------------------------------------- references
# Each reference takes the parameter, the list of gradients and the hyperparameters, and returns the
# trajectory theta_1..theta_T, following the rule in the class docstring literally (no in-place tricks).


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    out, b = [], None
    for t, g in enumerate(grads, 1):
        g = g + weight_decay * theta
        if momentum:
            b = g if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        out.append(theta)
    return out


def ref_adagrad(theta, grads, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    out, s = [], np.full_like(theta, initial_accumulator_value)
    for t, g in enumerate(grads, 1):
        clr = lr / (1 + (t - 1) * lr_decay)
        g = g + weight_decay * theta
        s = s + g**2
        theta = theta - clr * g / (np.sqrt(s) + eps)
        out.append(theta)
    return out


def ref_rmsprop(theta, grads, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    out, v, b, gave = [], np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        vt = v
        if centered:
            gave = alpha * gave + (1 - alpha) * g
            vt = vt - gave**2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(vt) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(vt) + eps)
        out.append(theta)
    return out


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    b1, b2 = betas
    out, m, v, vmax = [], np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, 1):
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        if amsgrad:
            vmax = np.maximum(vmax, v)
            vv = vmax
        else:
            vv = v
        mhat = m / (1 - b1**t)
        denom = np.sqrt(vv) / math.sqrt(1 - b2**t) + eps
        theta = theta - lr * mhat / denom
        out.append(theta)
    return out


def ref_adamw(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
    return ref_adam(theta, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=True)


def ref_adadelta(theta, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    out, v, u = [], np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * theta
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
        out.append(theta)
    return out


def ref_nadam(theta, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
              decoupled_weight_decay=False):
    b1, b2 = betas
    out, m, v, prod = [], np.zeros_like(theta), np.zeros_like(theta), np.float32(1.0)
    for t, g in enumerate(grads, 1):
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        prod = np.float32(prod * np.float32(mu))  # PyTorch keeps the product in a float32 tensor
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        denom = np.sqrt(v / (1 - b2**t)) + eps
        theta = theta - lr * (1 - mu) / (1 - float(prod)) * g / denom
        theta = theta - lr * mu_next / (1 - float(prod) * mu_next) * m / denom
        out.append(theta)
    return out


def ref_radam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    b1, b2 = betas
    out, m, v = [], np.zeros_like(theta), np.zeros_like(theta)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, 1):
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        mhat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            theta = theta - lr * mhat * math.sqrt(1 - b2**t) / (np.sqrt(v) + eps) * r
        else:
            theta = theta - lr * mhat
        out.append(theta)
    return out


def ref_adamax(theta, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    out, m, u = [], np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, 1):
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        theta = theta - lr / (1 - b1**t) * m / u
        out.append(theta)
    return out


def maximizing(ref):
    """The reference of a rule run with maximize=True: the same rule fed -grad."""
    return lambda theta, grads, maximize=True, **kw: ref(theta, [-g for g in grads], **kw)


CASES = [
    (optim.SGD, ref_sgd, {"lr": 0.1}),
    (optim.SGD, ref_sgd, {"lr": 0.1, "momentum": 0.9}),
    (optim.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}),
    (optim.SGD, ref_sgd, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (optim.SGD, ref_sgd, {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01}),
    (optim.Adagrad, ref_adagrad, {}),
    (
        optim.Adagrad,
        ref_adagrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.2, "eps": 1e-6},
    ),
    (optim.RMSprop, ref_rmsprop, {}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.01, "alpha": 0.9, "momentum": 0.8}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.01, "centered": True}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.02, "alpha": 0.3, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    (optim.Adam, ref_adam, {}),
    (optim.Adam, ref_adam, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    (optim.Adam, ref_adam, {"lr": 0.01, "amsgrad": True}),
    (optim.Adam, ref_adam, {"lr": 0.01, "betas": (0.3, 0.5), "eps": 1e-3, "weight_decay": 0.05, "amsgrad": True}),
    (optim.AdamW, ref_adamw, {}),
    (optim.AdamW, ref_adamw, {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
    (optim.Adadelta, ref_adadelta, {}),
    (optim.Adadelta, ref_adadelta, {"lr": 0.5, "rho": 0.7, "eps": 1e-3, "weight_decay": 0.1, "maximize": True}),
    (optim.NAdam, ref_nadam, {}),
    (optim.NAdam, ref_nadam, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "momentum_decay": 0.05}),
    (optim.NAdam, ref_nadam, {"lr": 0.01, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    (optim.RAdam, ref_radam, {"lr": 0.01}),  # rho_t <= 5 for the first steps: the plain-momentum branch
    (optim.RAdam, ref_radam, {"lr": 0.01, "betas": (0.9, 0.5), "weight_decay": 0.1}),  # rectified from step 2
    (optim.RAdam, ref_radam, {"lr": 0.01, "betas": (0.5, 0.6), "weight_decay": 0.1, "decoupled_weight_decay": True}),
    (optim.Adamax, ref_adamax, {}),
    (optim.Adamax, ref_adamax, {"lr": 0.05, "betas": (0.7, 0.8), "eps": 1e-3, "weight_decay": 0.1}),
    (optim.SGD, maximizing(ref_sgd), {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    (optim.Adam, maximizing(ref_adam), {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    (optim.RMSprop, maximizing(ref_rmsprop), {"centered": True, "momentum": 0.5, "maximize": True}),
    (optim.Adagrad, maximizing(ref_adagrad), {"lr_decay": 0.1, "maximize": True}),
]
IDS = [f"{cls.__name__}-{kw}" for cls, _, kw in CASES]


def _problem(dtype=np.float64, steps=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    return inits, grads


def _run(opt, params, grads):
    """Feed the gradients step by step; returns each step's parameter values."""
    traj = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = g.copy()
        opt.step()
        traj.append([p.data.copy() for p in params])
    return traj


# ------------------------------------------------------------------------------------------- update rules
@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_matches_hand_rule_float64(cls, ref, kw):
    inits, grads = _problem()
    params = [Parameter(x.copy()) for x in inits]
    traj = _run(cls(params, **kw), params, grads)
    for i, x0 in enumerate(inits):
        expected = ref(x0, [gs[i] for gs in grads], **kw)
        for t in range(STEPS):
            np.testing.assert_allclose(
                traj[t][i], expected[t], rtol=1e-12, atol=1e-14, err_msg=f"param {i} step {t + 1}"
            )


@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_float32_stays_float32(cls, ref, kw):
    inits, grads = _problem(np.float32)
    params = [Parameter(x.copy()) for x in inits]
    opt = cls(params, **kw)
    traj = _run(opt, params, grads)
    for p in params:
        assert p.data.dtype == np.float32
        for v in opt.state[p].values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32
    for i, x0 in enumerate(inits):
        expected = ref(x0.astype(np.float64), [gs[i].astype(np.float64) for gs in grads], **kw)
        np.testing.assert_allclose(traj[-1][i], expected[-1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_updates_in_place_and_leaves_grad_alone(cls, ref, kw):
    inits, grads = _problem(steps=2)
    params = [Parameter(x.copy()) for x in inits]
    arrays_before = [p.data for p in params]
    view = params[0].data[0]  # other code (modules, weight tying) holds views of the same memory
    opt = cls(params, **kw)
    for gs in grads:
        given_grads = [g.copy() for g in gs]
        for p, g in zip(params, given_grads):
            p.grad = g
        opt.step()
        for g, g0 in zip(given_grads, gs):
            np.testing.assert_array_equal(g, g0)
    assert all(p.data is a for p, a in zip(params, arrays_before))
    np.testing.assert_array_equal(view, params[0].data[0])


def test_sgd_plain_rule_by_hand():
    p = Parameter(np.array([1.0, -2.0]))
    opt = optim.SGD([p], lr=0.5)
    p.grad = np.array([0.2, 0.4])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, -2.2])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (4,), elements=st.floats(0.01, 100)), st.booleans())
def test_adam_first_step_is_lr_times_sign(g, flip):
    # After one step m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps) ~ lr * sign(g).
    g = -g if flip else g
    p = Parameter(np.zeros(4))
    opt = optim.Adam([p], lr=0.1)
    p.grad = g
    opt.step()
    np.testing.assert_allclose(p.data, -0.1 * np.sign(g), rtol=1e-6)


def test_adamw_differs_from_adam_with_l2():
    inits, grads = _problem(steps=3)
    a, b = Parameter(inits[0].copy()), Parameter(inits[0].copy())
    oa, ob = optim.Adam([a], lr=0.1, weight_decay=0.1), optim.AdamW([b], lr=0.1, weight_decay=0.1)
    for gs in grads:
        a.grad, b.grad = gs[0], gs[0]
        oa.step()
        ob.step()
    assert not np.allclose(a.data, b.data)
    assert optim.Adam([Parameter(np.zeros(1))], decoupled_weight_decay=True).param_groups[0]["decoupled_weight_decay"]


def test_trains_a_linear_model_with_autograd():
    rng = np.random.default_rng(1)
    x = gn.tensor(rng.standard_normal((64, 3)))
    y = x.data @ np.array([1.0, -2.0, 0.5])
    w = Parameter(np.zeros(3))
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((x @ w - gn.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 1e-6 * losses[0]
    np.testing.assert_allclose(w.data, [1.0, -2.0, 0.5], atol=1e-3)


# ------------------------------------------------------------------------------------------- base class
def test_grad_none_is_skipped():
    a, b = Parameter(np.ones(3)), Parameter(np.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.ones(3)
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(2))
    assert b not in opt.state and opt.state[a]["step"] == 1
    assert not np.allclose(a.data, 1.0)


def test_zero_grad_sets_none_and_closure_returns_loss():
    p = Parameter(np.ones(2))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones(2)
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, np.zeros(2))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 2.0
    np.testing.assert_allclose(p.data, [0.8, 0.8])


def test_param_groups_with_different_lr():
    inits, grads = _problem()
    a, b = Parameter(inits[0].copy()), Parameter(inits[1].copy())
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["nesterov"] is False  # defaults fill missing keys
    traj = _run(opt, [a, b], [gs[:2] for gs in grads])
    np.testing.assert_allclose(traj[-1][0], ref_sgd(inits[0], [g[0] for g in grads], lr=0.1, momentum=0.9)[-1])
    np.testing.assert_allclose(traj[-1][1], ref_sgd(inits[1], [g[1] for g in grads], lr=0.01, momentum=0.5)[-1])


def test_add_param_group_and_duplicates():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999) and opt.param_groups[1]["lr"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(ValueError, match="Adam: Invalid learning rate: -1"):
        opt.add_param_group({"params": [Parameter(np.ones(1))], "lr": -1})


def test_grad_of_wrong_shape_is_an_error():
    p = Parameter(np.ones((3, 4)))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones(4)  # would broadcast silently into a (3, 4) buffer
    with pytest.raises(ValueError, match=r"SGD.step: a parameter of shape \(3, 4\) has a grad of shape \(4,\)"):
        opt.step()


def test_positional_arguments_follow_pytorch():
    # torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov): weight_decay comes before nesterov
    g = optim.SGD([Parameter(np.ones(2))], 0.1, 0.9, 0.0, 1e-4, True).param_groups[0]
    assert (g["lr"], g["momentum"], g["dampening"], g["weight_decay"], g["nesterov"]) == (0.1, 0.9, 0.0, 1e-4, True)
    g = optim.RMSprop([Parameter(np.ones(2))], 0.1, 0.9, 1e-6, 0.1, 0.5, True).param_groups[0]
    assert (g["alpha"], g["eps"], g["weight_decay"], g["momentum"], g["centered"]) == (0.9, 1e-6, 0.1, 0.5, True)
    g = optim.NAdam([Parameter(np.ones(2))], 0.1, (0.8, 0.9), 1e-6, 0.1, 0.01, True).param_groups[0]
    assert (g["momentum_decay"], g["decoupled_weight_decay"]) == (0.01, True)


def test_torch_only_switches_are_accepted_when_off():
    p = Parameter(np.ones(2))
    for cls in (optim.Adam, optim.AdamW, optim.SGD):
        g = cls([p], lr=0.1, foreach=None, differentiable=False, fused=None).param_groups[0]
        assert g["foreach"] is None and g["fused"] is None and g["maximize"] is False
    assert optim.Adam([p], foreach=True).param_groups[0]["foreach"] is True  # a speed hint: same rule
    assert optim.Adam([p], eps=0.0).param_groups[0]["eps"] == 0.0  # PyTorch allows eps = 0


def test_bad_params_argument():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Parameters"):
        optim.SGD(Parameter(np.ones(2)), lr=0.1)
    with pytest.raises(TypeError, match="got ndarray at position 0"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {Parameter(np.ones(2))}}], lr=0.1)


def test_accepts_generator_of_module_parameters():
    class Tiny(gn.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(np.ones((2, 2)))
            self.b = Parameter(np.zeros(2))

    m = Tiny()
    opt = optim.RMSprop(m.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2


# ------------------------------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("cls, ref, kw", CASES, ids=IDS)
def test_state_dict_round_trip_continues_bit_for_bit(cls, ref, kw):
    inits, grads = _problem(steps=6)
    params = [Parameter(x.copy()) for x in inits]
    opt = cls(params, **kw)
    _run(opt, params, grads[:3])
    sd = opt.state_dict()

    # Travel as plain data: JSON for the structure (string keys), arrays kept aside, as saving does.
    arrays_aside = {}

    def strip(obj, path):
        if isinstance(obj, np.ndarray):
            arrays_aside[path] = obj
            return {"__array__": path}
        if isinstance(obj, dict):
            return {str(k): strip(v, f"{path}.{k}") for k, v in obj.items()}
        if isinstance(obj, list):
            return [strip(v, f"{path}.{i}") for i, v in enumerate(obj)]
        return obj

    def unstrip(obj):
        if isinstance(obj, dict):
            if "__array__" in obj:
                return arrays_aside[obj["__array__"]]
            return {k: unstrip(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [unstrip(v) for v in obj]
        return obj

    reloaded = unstrip(json.loads(json.dumps(strip(sd, "sd"))))

    clones = [Parameter(p.data.copy()) for p in params]
    fresh = cls(clones, lr=123.0)
    fresh.load_state_dict(reloaded)
    assert fresh.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    a = _run(opt, params, grads[3:])
    b = _run(fresh, clones, grads[3:])
    for ta, tb in zip(a, b):
        for x, y in zip(ta, tb):
            np.testing.assert_array_equal(x, y)


def test_state_dict_layout_is_plain_and_a_snapshot():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}])
    a.grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][1]["params"] == [1]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    assert list(sd["state"]) == [0] and sd["state"][0]["step"] == 1
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    saved = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], saved)


def test_load_state_dict_errors():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = optim.Adam([a, b])
    a.grad, b.grad = np.ones(2), np.ones(3)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="2 parameters, optimizer has 1"):
        optim.Adam([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match="1 parameter group.*has 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"parameter 0 'exp_avg': saved shape \(2,\), parameter shape \(3,\)"):
        optim.Adam([b, a]).load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optim.Adam([a, b]).load_state_dict({"state": {}})
    target = optim.Adam([a, b], lr=0.7)
    with pytest.raises(ValueError):
        target.load_state_dict({"state": {5: {"step": 1}}, "param_groups": sd["param_groups"]})
    assert target.param_groups[0]["lr"] == 0.7 and not target.state  # nothing changed on failure


def test_load_state_dict_casts_to_param_dtype():
    a = Parameter(np.ones(2, dtype=np.float32))
    opt = optim.RMSprop([a], momentum=0.9, centered=True)
    sd = {
        "state": {
            0: {"step": np.array(4), "square_avg": np.ones(2), "momentum_buffer": np.zeros(2), "grad_avg": np.zeros(2)}
        },
        "param_groups": [dict(opt.state_dict()["param_groups"][0])],
    }
    opt.load_state_dict(sd)
    assert opt.state[a]["step"] == 4 and isinstance(opt.state[a]["step"], int)
    assert opt.state[a]["square_avg"].dtype == np.float32


# ------------------------------------------------------------------------------------------- validation
BAD = [
    (optim.SGD, {"lr": -0.1}, "SGD: Invalid learning rate: -0.1"),
    (optim.SGD, {"lr": -1}, "SGD: Invalid learning rate: -1"),
    (optim.SGD, {"lr": 0.1, "momentum": -0.5}, "SGD: Invalid momentum value: -0.5"),
    (optim.SGD, {"lr": 0.1, "weight_decay": -1e-4}, "SGD: Invalid weight_decay value: -0.0001"),
    (optim.SGD, {"lr": 0.1, "nesterov": True}, "SGD: Nesterov momentum requires a momentum and zero dampening"),
    (optim.SGD, {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    (optim.SGD, {"lr": 0.1, "differentiable": True}, "SGD: differentiable=True is not supported"),
    (optim.SGD, {"lr": 0.1, "fused": True}, "SGD: fused=True is not supported"),
    (optim.Adam, {"betas": (1.0, 0.999)}, r"Adam: Invalid beta parameter at index 0: 1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, r"Adam: Invalid beta parameter at index 1: -0.1"),
    (optim.Adam, {"betas": (0.9,)}, "Adam: betas must be a pair"),
    (optim.Adam, {"eps": -1.0}, "Adam: Invalid epsilon value: -1.0"),
    (optim.Adam, {"capturable": True}, "Adam: capturable=True is not supported"),
    (optim.AdamW, {"eps": -1e-8}, "AdamW: Invalid epsilon value: -1e-08"),
    (optim.AdamW, {"weight_decay": -0.01}, "AdamW: Invalid weight_decay value: -0.01"),
    (optim.AdamW, {"lr": -1e-3}, "AdamW: Invalid learning rate: -0.001"),
    (optim.RMSprop, {"alpha": -0.5}, r"RMSprop: Invalid alpha value: -0.5"),
    (optim.RMSprop, {"momentum": -0.1}, "RMSprop: Invalid momentum value: -0.1"),
    (optim.RMSprop, {"eps": -1}, "RMSprop: Invalid epsilon value: -1"),
    (optim.Adagrad, {"lr_decay": -0.1}, "Adagrad: Invalid lr_decay value: -0.1"),
    (optim.Adagrad, {"initial_accumulator_value": -1.0}, "Adagrad: Invalid initial_accumulator_value value: -1.0"),
    (optim.Adagrad, {"eps": -1e-10}, "Adagrad: Invalid epsilon value: -1e-10"),
    (optim.Adadelta, {"rho": 1.5}, "Adadelta: Invalid rho value: 1.5"),
    (optim.Adadelta, {"lr": -1.0}, "Adadelta: Invalid learning rate: -1.0"),
    (optim.NAdam, {"momentum_decay": -1e-3}, "NAdam: Invalid momentum_decay value: -0.001"),
    (optim.NAdam, {"betas": (0.9, 1.0)}, r"NAdam: Invalid beta parameter at index 1: 1.0"),
    (optim.RAdam, {"weight_decay": -1}, "RAdam: Invalid weight_decay value: -1"),
    (optim.Adamax, {"eps": -1e-8}, "Adamax: Invalid epsilon value: -1e-08"),
]


@pytest.mark.parametrize("cls, kw, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_hyperparameters_raise(cls, kw, message):
    with pytest.raises(ValueError, match=message):
        cls([Parameter(np.ones(2))], **kw)


def test_load_state_dict_skips_none_buffers():
    # PyTorch's layout for plain SGD stores {"momentum_buffer": None}; it means "no buffer yet".
    a = Parameter(np.ones(2))
    opt = optim.SGD([a], lr=0.1)
    opt.load_state_dict({"state": {0: {"momentum_buffer": None}}, "param_groups": [{"lr": 0.2, "params": [0]}]})
    a.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(a.data, [0.8, 0.8])


# ------------------------------------------------------------------------------------------- L-BFGS
def _quartic(x, A, b):
    """f(x) = |A x - b|^2 + 0.1 sum x^4 and its gradient (a smooth, non-quadratic test function)."""
    r = A @ x - b
    return float((r**2).sum() + 0.1 * (x**4).sum()), 2 * A.T @ r + 0.4 * x**3


def ref_lbfgs(x, fg, lr=1.0, max_iter=20, history_size=100, tolerance_grad=1e-7, tolerance_change=1e-9):
    """L-BFGS with a fixed step (no line search), one step() call, written out plainly."""
    max_eval, evals = max_iter * 5 // 4, 1
    f, g = fg(x)
    if np.abs(g).max() <= tolerance_grad:
        return x
    dirs, stps, rhos = [], [], []
    d = t = g_prev = None
    for k in range(1, max_iter + 1):
        if k == 1:
            d, h = -g, 1.0
        else:
            y, s = g - g_prev, d * t
            if y @ s > 1e-10:
                dirs, stps = (dirs + [y])[-history_size:], (stps + [s])[-history_size:]
                rhos = (rhos + [1 / (y @ s)])[-history_size:]
                h = (y @ s) / (y @ y)
            q, alphas = -g, []
            for y_i, s_i, r_i in reversed(list(zip(dirs, stps, rhos))):
                a = r_i * (s_i @ q)
                q = q - a * y_i
                alphas.append(a)
            d = q * h
            for (y_i, s_i, r_i), a in zip(zip(dirs, stps, rhos), reversed(alphas)):
                d = d + (a - r_i * (y_i @ d)) * s_i
        g_prev, f_prev = g, f
        t = min(1.0, 1.0 / np.abs(g).sum()) * lr if k == 1 else lr
        if g @ d > -tolerance_change:
            break
        x = x + t * d
        if k == max_iter:
            break
        f, g = fg(x)
        evals += 1
        if evals >= max_eval or np.abs(g).max() <= tolerance_grad or np.abs(t * d).max() <= tolerance_change:
            break
        if abs(f - f_prev) < tolerance_change:
            break
    return x


def _lbfgs_problem(dtype=np.float64):
    rng = np.random.default_rng(3)
    A, b, x0 = rng.standard_normal((8, 5)), rng.standard_normal(8), rng.standard_normal(5)
    return A.astype(dtype), b.astype(dtype), x0.astype(dtype)


def _lbfgs_closure(params, A, b, counter):
    def closure():
        counter.append(1)
        x = np.concatenate([p.data.ravel() for p in params])
        f, g = _quartic(x, A, b)
        params[0].grad, params[1].grad = g[:2].reshape(2, 1).copy(), g[2:].copy()
        return f

    return closure


@pytest.mark.parametrize("kw", [{}, {"lr": 0.5, "max_iter": 7, "history_size": 2}, {"max_iter": 3}])
def test_lbfgs_matches_plain_reference(kw):
    A, b, x0 = _lbfgs_problem()
    params = [Parameter(x0[:2].reshape(2, 1).copy()), Parameter(x0[2:].copy())]  # flattened as one vector
    calls = []
    opt = optim.LBFGS(params, **kw)
    loss = opt.step(_lbfgs_closure(params, A, b, calls))
    assert loss == _quartic(x0, A, b)[0]  # the loss of the first evaluation
    expected = ref_lbfgs(x0, lambda x: _quartic(x, A, b), **kw)
    got = np.concatenate([p.data.ravel() for p in params])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert opt.state[params[0]]["func_evals"] == len(calls) <= kw.get("max_iter", 20) * 5 // 4 + 1


def test_lbfgs_strong_wolfe_converges_and_state_carries_over():
    A, b, x0 = _lbfgs_problem()
    params = [Parameter(x0[:2].reshape(2, 1).copy()), Parameter(x0[2:].copy())]
    opt = optim.LBFGS(params, line_search_fn="strong_wolfe", tolerance_grad=1e-10, tolerance_change=1e-14)
    closure = _lbfgs_closure(params, A, b, [])
    opt.step(closure)
    opt.step(closure)
    x = np.concatenate([p.data.ravel() for p in params])
    assert np.abs(_quartic(x, A, b)[1]).max() < 1e-6  # a stationary point
    st = opt.state[params[0]]
    assert st["n_iter"] >= 2 and len(st["old_dirs"]) == len(st["ro"]) >= 1
    sd = opt.state_dict()
    st["old_dirs"][0][:] = 0.0  # a snapshot: later changes do not reach it
    assert np.abs(sd["state"][0]["old_dirs"][0]).max() > 0


def test_lbfgs_float32_stays_float32():
    A, b, x0 = _lbfgs_problem(np.float32)
    params = [Parameter(x0[:2].reshape(2, 1).copy()), Parameter(x0[2:].copy())]
    opt = optim.LBFGS(params, line_search_fn="strong_wolfe")
    opt.step(_lbfgs_closure(params, A, b, []))
    assert all(p.data.dtype == np.float32 for p in params)
    assert opt.state[params[0]]["d"].dtype == np.float32


def test_lbfgs_refuses_groups_and_unknown_line_search():
    a, c = Parameter(np.ones(2)), Parameter(np.ones(1))
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [c]}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe', got 'armijo'"):
        optim.LBFGS([a], line_search_fn="armijo")
    with pytest.raises(ValueError, match="LBFGS: Invalid learning rate: -1"):
        optim.LBFGS([a], lr=-1)
    assert optim.LBFGS([a], max_iter=8).param_groups[0]["max_eval"] == 10


# ------------------------------------------------------------------------------------------- torch surface
def test_state_is_keyed_by_parameter_and_made_at_first_step():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    assert opt.state[a] == {}  # a defaultdict, as PyTorch's
    a.grad = np.ones(2)
    opt.step()
    assert opt.state[a]["step"] == 1 and set(opt.state[a]) == {"step", "exp_avg", "exp_avg_sq"}
    ada = optim.Adagrad([b], initial_accumulator_value=0.5)  # PyTorch makes Adagrad's sums at construction
    np.testing.assert_array_equal(ada.state[b]["sum"], [0.5, 0.5])
    assert ada.state_dict()["state"][0]["step"] == 0


def test_groups_carry_torch_keys():
    g = optim.Adam([Parameter(np.ones(2))]).param_groups[0]
    for key in ("maximize", "foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"):
        assert key in g
    assert optim.NAdam([Parameter(np.ones(2))]).defaults["lr"] == 2e-3
    assert optim.Adadelta([Parameter(np.ones(2))]).defaults["lr"] == 1.0
