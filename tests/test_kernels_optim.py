"""Each optimiser's fast update (in place, scratch buffers, ranges of parameters on threads) against its
`*_simple` rule written literally on arrays, over random shapes, dtypes and hyperparameters; the
threaded ranges against one whole-parameter pass, bit for bit; and the compiled (numba) updates of
gradnote.kernels.optim against the NumPy path, bit for bit (the same operations in the same order)."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import optim
from gradnote.nn import Parameter
from gradnote.optim import optimizer as optimizer_module
from gradnote.optim.adadelta import adadelta_simple
from gradnote.optim.adagrad import adagrad_simple
from gradnote.optim.adam import adam_simple
from gradnote.optim.adamax import adamax_simple
from gradnote.optim.asgd import asgd_simple
from gradnote.optim.nadam import nadam_simple
from gradnote.optim.radam import radam_simple
from gradnote.optim.rmsprop import rmsprop_simple
from gradnote.optim.rprop import rprop_simple
from gradnote.optim.sgd import sgd_simple


def _maybe(rng, value, p=0.5):
    return value if rng.random() < p else 0.0


def _sgd(rng):
    kw = {"lr": rng.uniform(0.01, 0.5), "momentum": _maybe(rng, rng.uniform(0.1, 0.99)),
          "weight_decay": _maybe(rng, rng.uniform(0, 0.1)), "maximize": bool(rng.random() < 0.3)}
    if kw["momentum"] and rng.random() < 0.5:
        kw["nesterov"] = True
    else:
        kw["dampening"] = _maybe(rng, rng.uniform(0, 0.5))
    return kw


def _betas(rng):
    return (float(rng.uniform(0.0, 0.99)), float(rng.uniform(0.5, 0.9999)))


def _adam(rng):
    return {"lr": rng.uniform(1e-3, 0.1), "betas": _betas(rng), "eps": float(rng.choice([1e-8, 1e-3])),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.2)), "amsgrad": bool(rng.random() < 0.5),
            "maximize": bool(rng.random() < 0.3), "decoupled_weight_decay": bool(rng.random() < 0.5)}


def _rmsprop(rng):
    return {"lr": rng.uniform(1e-3, 0.05), "alpha": rng.uniform(0.5, 0.999), "eps": float(rng.choice([1e-8, 1e-3])),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.1)), "momentum": _maybe(rng, rng.uniform(0.1, 0.9)),
            "centered": bool(rng.random() < 0.5), "maximize": bool(rng.random() < 0.3)}


def _adagrad(rng):
    return {"lr": rng.uniform(1e-3, 0.2), "lr_decay": _maybe(rng, rng.uniform(0, 0.2)),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.1)),
            "initial_accumulator_value": _maybe(rng, rng.uniform(0, 0.5)), "eps": float(rng.choice([1e-10, 1e-4])),
            "maximize": bool(rng.random() < 0.3)}


def _adadelta(rng):
    return {"lr": rng.uniform(0.1, 1.0), "rho": rng.uniform(0.5, 0.99), "eps": float(rng.choice([1e-6, 1e-3])),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.1)), "maximize": bool(rng.random() < 0.3)}


def _adamax(rng):
    return {"lr": rng.uniform(1e-3, 0.1), "betas": _betas(rng), "eps": float(rng.choice([1e-8, 1e-3])),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.1)), "maximize": bool(rng.random() < 0.3)}


def _nadam(rng):
    return {"lr": rng.uniform(1e-3, 0.1), "betas": _betas(rng), "eps": float(rng.choice([1e-8, 1e-3])),
            "weight_decay": _maybe(rng, rng.uniform(0, 0.2)), "momentum_decay": rng.uniform(1e-3, 0.1),
            "decoupled_weight_decay": bool(rng.random() < 0.5), "maximize": bool(rng.random() < 0.3)}


def _radam(rng):
    return {"lr": rng.uniform(1e-3, 0.1), "betas": (float(rng.uniform(0.0, 0.99)), float(rng.uniform(0.3, 0.999))),
            "eps": float(rng.choice([1e-8, 1e-3])), "weight_decay": _maybe(rng, rng.uniform(0, 0.2)),
            "decoupled_weight_decay": bool(rng.random() < 0.5), "maximize": bool(rng.random() < 0.3)}


def _rprop(rng):
    return {"lr": rng.uniform(1e-3, 0.2), "etas": (rng.uniform(0.1, 0.9), rng.uniform(1.05, 2.0)),
            "step_sizes": (rng.uniform(0, 1e-3), rng.uniform(0.05, 1.0)), "maximize": bool(rng.random() < 0.3)}


def _asgd(rng):
    return {"lr": rng.uniform(1e-3, 0.2), "lambd": rng.uniform(0, 0.5), "alpha": rng.uniform(0.3, 1.0),
            "t0": float(rng.integers(0, 4)), "weight_decay": rng.uniform(0, 0.1) * (rng.random() < 0.5),
            "maximize": bool(rng.random() < 0.3)}


# how close the fast update must stay to its simple rule, per dtype: most rules reorder float operations
# (scratch buffers, fused steps); Rprop and ASGD do the same operations in the same order
CLOSE = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 2e-6}}
SAME_ORDER = {np.float64: {"rtol": 1e-12, "atol": 1e-14}, np.float32: {"rtol": 1e-6, "atol": 1e-7}}

RULES = {  # name -> (optimiser class, its simple rule, a sampler of hyperparameters both accept, tolerance)
    "SGD": (optim.SGD, sgd_simple, _sgd, CLOSE),
    "Adam": (optim.Adam, adam_simple, _adam, CLOSE),
    "RMSprop": (optim.RMSprop, rmsprop_simple, _rmsprop, CLOSE),
    "Adagrad": (optim.Adagrad, adagrad_simple, _adagrad, CLOSE),
    "Adadelta": (optim.Adadelta, adadelta_simple, _adadelta, CLOSE),
    "Adamax": (optim.Adamax, adamax_simple, _adamax, CLOSE),
    "NAdam": (optim.NAdam, nadam_simple, _nadam, CLOSE),
    "RAdam": (optim.RAdam, radam_simple, _radam, CLOSE),
    "Rprop": (optim.Rprop, rprop_simple, _rprop, SAME_ORDER),
    "ASGD": (optim.ASGD, asgd_simple, _asgd, SAME_ORDER),
}
STEPS = 5


def _shapes(rng):
    return [tuple(int(d) for d in rng.integers(1, 7, rng.integers(0, 4))) for _ in range(rng.integers(1, 5))]


def _problem(rng, shapes, dtype):
    inits = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]
    return inits, grads


def _fast(cls, kw, inits, grads, make_data=None):
    params = [Parameter(gn.tensor(x.copy())) for x in inits]
    if make_data is not None:
        for p in params:
            p.data = make_data(p.data)
    opt = cls(params, **kw)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = g.copy()
        opt.step()
    return [p.data for p in params], opt


@pytest.fixture
def threaded_ranges(monkeypatch):
    """Make every group, however small, run as ranges on two threads."""
    before = gn.cpu.get_num_threads()
    gn.cpu.set_num_threads(2)
    monkeypatch.setattr(optimizer_module, "PARALLEL_MIN", 3)
    yield
    gn.cpu.set_num_threads(before)


@pytest.mark.parametrize("name", list(RULES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threads", [False, True])
def test_fast_update_equals_simple_rule(name, dtype, seed, threads, request):
    if threads:
        request.getfixturevalue("threaded_ranges")
    cls, simple, sample, tolerance = RULES[name]
    rng = np.random.default_rng(seed)
    kw = sample(rng)
    inits, grads = _problem(rng, _shapes(rng), dtype)
    grads[2][0][...] = grads[1][0]  # the same gradient twice (Rprop grows its step on an unchanged sign)
    got, opt = _fast(cls, kw, inits, grads)
    tol = tolerance[dtype]
    for i, theta in enumerate(inits):
        state = {}
        for gs in grads:
            theta = simple(theta, gs[i], state, **kw)
        assert got[i].dtype == dtype
        np.testing.assert_allclose(got[i], theta, **tol, err_msg=f"{name} {kw} param {i}")
        fast_state = opt.state[opt.param_groups[0]["params"][i]]
        assert sorted(fast_state) == sorted(state), name
        for key, value in state.items():
            np.testing.assert_allclose(fast_state[key], value, **tol, err_msg=f"{name} state {key}")


@pytest.mark.parametrize("name", list(RULES))
@pytest.mark.parametrize("seed", range(3))
def test_ranges_on_threads_equal_whole_parameters_bit_for_bit(name, seed, monkeypatch):
    cls, _, sample, _ = RULES[name]
    rng = np.random.default_rng(100 + seed)
    kw = sample(rng)
    shapes = [(7, 5), (13,), (), (4, 3, 2), (1,)]
    inits, grads = _problem(rng, shapes, np.float32)
    before = gn.cpu.get_num_threads()
    try:
        gn.cpu.set_num_threads(1)
        want, _ = _fast(cls, kw, inits, grads)
        gn.cpu.set_num_threads(2)
        monkeypatch.setattr(optimizer_module, "PARALLEL_MIN", 4)  # ranges cut through parameters
        got, opt = _fast(cls, kw, inits, grads)
    finally:
        gn.cpu.set_num_threads(before)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_ranges_keep_parameter_arrays_and_update_non_contiguous_ones(threaded_ranges):
    rng = np.random.default_rng(7)
    inits, grads = _problem(rng, [(6, 4), (5, 3)], np.float64)
    params = [Parameter(gn.tensor(x.copy())) for x in inits]
    params[1].data = np.asfortranarray(params[1].data)  # a flat view of it would be a copy
    arrays = [p.data for p in params]
    view = params[0].data[1]
    opt = optim.Adam(params, lr=0.1)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = g.copy()
        opt.step()
    assert all(p.data is a for p, a in zip(params, arrays))
    np.testing.assert_array_equal(view, params[0].data[1])
    for i, theta in enumerate(inits):
        state = {}
        for gs in grads:
            theta = adam_simple(theta, gs[i], state, lr=0.1)
        np.testing.assert_allclose(params[i].data, theta, rtol=1e-10, atol=1e-12)


# ----- the compiled (numba) updates: bit for bit the NumPy path ------------------------------------------------
COMPILED = ["SGD", "Adam"]  # the rules with a kernel in gradnote.kernels.optim


def _with_specials(rng, grads):
    """Some gradient entries set to inf, -inf, NaN, 0 and huge/tiny values (NaN must land where NumPy puts it)."""
    out = []
    for gs in grads:
        step = []
        for g in gs:
            g = g.copy()
            flat = g.reshape(-1)
            if flat.size and rng.random() < 0.5:
                flat[rng.integers(0, flat.size)] = rng.choice([np.inf, -np.inf, np.nan, 0.0, 1e30, 1e-30])
            step.append(g)
        out.append(step)
    return out


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NaN and inf gradients (np.errstate does not reach the pool)
@pytest.mark.parametrize("name", COMPILED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threads", [False, True])
def test_compiled_update_equals_numpy_path_bit_for_bit(name, dtype, seed, threads, request):
    from gradnote import kernels

    if threads:
        request.getfixturevalue("threaded_ranges")
    cls, _, sample, _ = RULES[name]
    rng = np.random.default_rng(200 + seed)
    kw = sample(rng)
    inits, grads = _problem(rng, _shapes(rng) + [(40,)], dtype)
    if seed % 2:
        grads = _with_specials(rng, grads)
    got, opt = _fast(cls, kw, inits, grads)
    with kernels.disabled():
        want, ref = _fast(cls, kw, inits, grads)
    for a, b, p, q in zip(got, want, opt.param_groups[0]["params"], ref.param_groups[0]["params"]):
        np.testing.assert_array_equal(a, b, err_msg=f"{name} {kw}")
        for key, value in ref.state[q].items():
            np.testing.assert_array_equal(opt.state[p][key], value, err_msg=f"{name} state {key}")


@pytest.mark.parametrize("name", COMPILED)
def test_compiled_update_runs_and_steps_aside_for_numpy_scalars(name, monkeypatch):
    from gradnote.kernels import optim as compiled

    cls, simple, sample, _ = RULES[name]
    kw = sample(np.random.default_rng(1))
    calls = []
    kernel = getattr(compiled, name.lower())
    monkeypatch.setattr(compiled, name.lower(), lambda *a: calls.append(1) or kernel(*a))
    rng = np.random.default_rng(2)
    inits, grads = _problem(rng, [(3, 4)], np.float32)
    _fast(cls, kw, inits, grads)
    assert len(calls) == STEPS
    calls.clear()
    kw = {**kw, "lr": np.float64(kw["lr"])}  # NumPy computes with a NumPy scalar in float64: the NumPy path does it
    got, _ = _fast(cls, kw, inits, grads)
    assert not calls
    theta, state = inits[0], {}
    for gs in grads:
        theta = simple(theta, gs[0], state, **kw)
    np.testing.assert_allclose(got[0], theta, rtol=2e-5, atol=2e-6)
