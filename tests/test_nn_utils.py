"""nn.utils gradient clipping and nn.l1_penalty / nn.l2_penalty, against NumPy references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradnote as gn
from gradnote import nn


def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g))
        p.grad = g.copy()
        params.append(p)
    return params


def _ref_total_norm(grads, p):
    flat = np.concatenate([g.astype(np.float64).ravel() for g in grads])
    if math.isinf(p):
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), max_norm=st.floats(0.01, 20.0),
       norm_type=st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_clip_grad_norm_matches_numpy(seed, max_norm, norm_type):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (4,), (2, 2, 2)]]
    params = _params_with_grads(grads)
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ref = _ref_total_norm(grads, norm_type)
    assert isinstance(total, gn.Tensor) and total.shape == () and total.dtype == np.float32  # as torch's
    assert float(total) == pytest.approx(ref, rel=1e-5)
    coef = min(1.0, max_norm / (ref + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad, g * coef, rtol=1e-5, atol=1e-7)
        assert p.grad.dtype == np.float32
    after = _ref_total_norm([p.grad for p in params], norm_type)
    assert after <= max_norm * (1 + 1e-5)


def test_clip_grad_norm_leaves_small_grads_alone_and_skips_none():
    g = np.array([0.3, -0.4], dtype=np.float32)  # norm 0.5
    (p,) = _params_with_grads([g])
    q = nn.Parameter(np.ones(3, dtype=np.float32))  # grad None: skipped, stays None
    total = nn.utils.clip_grad_norm_([p, q], max_norm=1.0)
    assert float(total) == pytest.approx(0.5, rel=1e-6)
    np.testing.assert_array_equal(p.grad, g)
    assert q.grad is None


def test_clip_grad_norm_accepts_single_tensor_and_generator():
    model = nn.Module()
    model.w = nn.Parameter(np.zeros(2, dtype=np.float32))
    model.w.grad = np.array([3.0, 4.0], dtype=np.float32)
    assert float(nn.utils.clip_grad_norm_(model.parameters(), 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(model.w.grad, [0.6, 0.8], rtol=1e-5)
    assert float(nn.utils.clip_grad_norm_(model.w, 10.0)) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_of_no_grads_is_zero():
    total = nn.utils.clip_grad_norm_([nn.Parameter(np.ones(2, dtype=np.float32))], 1.0)
    assert total.item() == 0.0 and total.dtype == np.float32 and total.shape == ()


def test_clip_grad_norm_float64_stays_float64():
    (p,) = _params_with_grads([np.array([30.0, 40.0])])
    nn.utils.clip_grad_norm_([p], 5.0)
    assert p.grad.dtype == np.float64
    np.testing.assert_allclose(p.grad, [3.0, 4.0], rtol=1e-6)


def test_clip_grad_norm_nonfinite():
    (p,) = _params_with_grads([np.array([np.inf, 1.0], dtype=np.float32)])
    with pytest.raises(RuntimeError, match="clip_grad_norm_.*inf, non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "1", None])
def test_clip_grad_norm_rejects_bad_max_norm(bad):
    (p,) = _params_with_grads([np.ones(2, dtype=np.float32)])
    with pytest.raises(ValueError, match="clip_grad_norm_: max_norm"):
        nn.utils.clip_grad_norm_([p], bad)


def test_clip_grad_norm_rejects_bad_norm_type_and_non_tensors():
    (p,) = _params_with_grads([np.ones(2, dtype=np.float32)])
    with pytest.raises(ValueError, match="norm_type"):
        nn.utils.clip_grad_norm_([p], 1.0, norm_type="two")
    with pytest.raises(TypeError, match="clip_grad_norm_"):
        nn.utils.clip_grad_norm_([np.ones(2)], 1.0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), clip=st.floats(0.0, 3.0))
def test_clip_grad_value_matches_numpy(seed, clip):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s).astype(np.float32) * 2 for s in [(5,), (2, 3)]]
    params = _params_with_grads(grads)
    assert nn.utils.clip_grad_value_(params, clip) is None
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad, np.clip(g, -np.float32(clip), np.float32(clip)))


def test_clip_grad_value_rejects_negative():
    (p,) = _params_with_grads([np.ones(2, dtype=np.float32)])
    with pytest.raises(ValueError, match=r"clip_grad_value_: clip_value must be >= 0, got -0.5"):
        nn.utils.clip_grad_value_([p], -0.5)


def test_utils_exports():
    assert set(nn.utils.__all__) == {"clip_grad_norm_", "clip_grad_value_"}


# ----- penalties --------------------------------------------------------------
def test_penalties_match_numpy_and_gradients():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(5).astype(np.float32)]
    params = [nn.Parameter(a) for a in arrays]
    l1, l2 = nn.l1_penalty(params), nn.l2_penalty(params)
    assert l1.shape == () and l2.shape == () and l1.dtype == np.float32
    assert l1.item() == pytest.approx(sum(np.abs(a).sum() for a in arrays), rel=1e-5)
    assert l2.item() == pytest.approx(sum((a.astype(np.float64) ** 2).sum() for a in arrays), rel=1e-5)
    (0.5 * l1 + 3.0 * l2).backward()
    for p, a in zip(params, arrays):
        np.testing.assert_allclose(p.grad, 0.5 * np.sign(a) + 6.0 * a, rtol=1e-5)


def test_penalties_gradcheck():
    rng = np.random.default_rng(1)
    a = gn.tensor(rng.standard_normal((3, 2)), requires_grad=True)  # float64
    b = gn.tensor(rng.uniform(0.1, 1.0, 4) * rng.choice([-1, 1], 4), requires_grad=True)  # away from 0 for |w|
    assert gn.gradcheck(lambda a, b: nn.l2_penalty([a, b]), [a, b], raise_exception=True)
    assert gn.gradcheck(lambda a, b: nn.l1_penalty([a, b]), [a, b], raise_exception=True)
    assert nn.l2_penalty([a, b]).dtype == np.float64


def test_penalty_on_model_parameters_and_frozen_params():
    model = nn.Module()
    model.w = nn.Parameter(np.array([1.0, -2.0], dtype=np.float32))
    model.v = nn.Parameter(np.array([3.0], dtype=np.float32), requires_grad=False)
    loss = nn.l2_penalty(model.parameters())
    assert loss.item() == pytest.approx(14.0)
    loss.backward()
    np.testing.assert_allclose(model.w.grad, [2.0, -4.0])
    assert model.v.grad is None
    assert nn.l1_penalty(model.w).item() == pytest.approx(3.0)


def test_l1_subgradient_at_zero_is_zero():
    w = nn.Parameter(np.array([0.0, 2.0, -1.0], dtype=np.float32))
    nn.l1_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad, [0.0, 1.0, -1.0])


def test_penalties_bad_input():
    with pytest.raises(ValueError, match="l2_penalty: got no parameters"):
        nn.l2_penalty([])
    with pytest.raises(TypeError, match="l1_penalty: expected tensors"):
        nn.l1_penalty([np.ones(3)])


def test_clip_grad_norm_accepts_the_string_inf_as_pytorch_does():
    # regression: norm_type="inf" (documented by PyTorch for the max norm) was refused as not a number
    p = gn.tensor(np.zeros(3), requires_grad=True)
    p.grad = np.array([3.0, -4.0, 1.0])
    total = nn.utils.clip_grad_norm_([p], 2.0, norm_type="inf")
    assert float(total) == 4.0
    np.testing.assert_allclose(p.grad, np.array([3.0, -4.0, 1.0]) * 2.0 / (4.0 + 1e-6))
