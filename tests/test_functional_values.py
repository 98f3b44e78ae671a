"""Known values derived by hand for every activation and loss, and numerical stability at extreme inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gradnote as gn
import gradnote.functional as F

LN2, LN4 = math.log(2), math.log(4)


def t(values, requires_grad=False):
    return gn.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ----- activations ---------------------------------------------------------------------------------
def test_step_values_and_zero_gradient():
    x = t([-2.0, 0.0, 3.0], requires_grad=True)
    y = F.step(x)
    np.testing.assert_array_equal(y.data, [0, 0, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 0])


def test_sigmoid_tanh_relu_by_hand():
    x = t([0.0, math.log(3)], requires_grad=True)
    y = F.sigmoid(x)
    np.testing.assert_allclose(y.data, [0.5, 0.75])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.25, 0.75 * 0.25])  # sigma (1 - sigma)
    x = t([0.0, 1.0], requires_grad=True)
    y = F.tanh(x)
    np.testing.assert_allclose(y.data, [0.0, (math.e - 1 / math.e) / (math.e + 1 / math.e)])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 1 - y.data**2)
    x = t([-1.0, 0.0, 2.0], requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(F.relu(x).data, [0, 0, 2])
    np.testing.assert_array_equal(x.grad, [0, 0, 1])  # 0 at x = 0, as PyTorch


def test_leaky_relu_elu_gelu_by_hand():
    x = t([-2.0, 3.0], requires_grad=True)
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, [-0.2, 3.0])
    F.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 1.0])
    x = t([-math.log(2), 2.0], requires_grad=True)
    y = F.elu(x, alpha=2.0)
    np.testing.assert_allclose(y.data, [2.0 * (0.5 - 1), 2.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0 * 0.5, 1.0])  # alpha e^x
    np.testing.assert_allclose(F.elu(t([-1e4])).data, [-1.0])
    x = t([0.0, 10.0, -10.0], requires_grad=True)
    y = F.gelu(x)
    np.testing.assert_allclose(y.data, [0.0, 10.0, 0.0], atol=1e-20)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.5, 1.0, 0.0], atol=1e-20)  # Phi(0) = 1/2
    # exact GELU at 1: Phi(1) = (1 + erf(1/sqrt 2)) / 2 to float64 precision
    np.testing.assert_allclose(F.gelu(t([1.0])).data, [0.5 * (1 + math.erf(1 / math.sqrt(2)))], rtol=1e-15)
    np.testing.assert_allclose(F.gelu(t([0.0, 10.0]), approximate="tanh").data, [0.0, 10.0])


def test_softmax_by_hand():
    x = t([[0.0, math.log(3)], [5.0, 5.0]])
    np.testing.assert_allclose(F.softmax(x).data, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(F.log_softmax(x).data, [[math.log(0.25), math.log(0.75)], [-LN2, -LN2]])
    np.testing.assert_allclose(F.softmax(x, axis=0).data[:, 0], [1 / (1 + math.e**5), 1 - 1 / (1 + math.e**5)])


def test_softmax_logits_near_1e4_finite():
    x = t([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]], requires_grad=True)
    y = F.log_softmax(x)
    np.testing.assert_allclose(y.data, [[0.0, -1e4, -2e4], [-math.log(3)] * 3])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [[-2, 1, 1], [0, 0, 0]], atol=1e-12)  # d/dx_i sum_j log p_j = 1 - C p_i
    p = F.softmax(x)
    np.testing.assert_allclose(p.data, [[1, 0, 0], [1 / 3] * 3])
    np.testing.assert_array_equal(F.sigmoid(t([-1000.0, 1000.0])).data, [0.0, 1.0])  # e^-1000 underflows to 0


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 5), elements=st.floats(-1e4, 1e4)))
def test_softmax_rows_are_distributions(x):
    p = F.softmax(gn.tensor(x)).data
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    lp = F.log_softmax(gn.tensor(x)).data
    assert np.isfinite(lp).all() and (lp <= 0).all()


# ----- losses ---------------------------------------------------------------------------------------
def test_regression_losses_by_hand():
    a, b = t([1.0, 2.0, 5.0], requires_grad=True), t([3.0, 2.0, 4.5])
    loss = F.mse_loss(a, b)  # (4 + 0 + 0.25) / 3
    np.testing.assert_allclose(loss.item(), 4.25 / 3)
    loss.backward()
    np.testing.assert_allclose(a.grad, [2 * -2 / 3, 0, 2 * 0.5 / 3])
    np.testing.assert_allclose(F.mse_loss(a, b, reduction="sum").item(), 4.25)
    np.testing.assert_allclose(F.mse_loss(a, b, reduction="none").data, [4, 0, 0.25])
    np.testing.assert_allclose(F.l1_loss(a, b).item(), 2.5 / 3)
    np.testing.assert_allclose(F.l1_loss(a, b, reduction="none").data, [2, 0, 0.5])
    # Huber, delta 1: |d| = 2 -> 1 * (2 - 0.5) = 1.5; 0 -> 0; 0.5 -> 0.125
    np.testing.assert_allclose(F.huber_loss(a, b, reduction="none").data, [1.5, 0, 0.125])
    np.testing.assert_allclose(F.huber_loss(a, b, delta=3.0, reduction="none").data, [2.0, 0, 0.125])
    a.grad = None
    F.huber_loss(a, b, reduction="sum").backward()
    np.testing.assert_allclose(a.grad, [-1.0, 0.0, 0.5])  # d clipped to [-delta, delta]


def test_binary_cross_entropy_by_hand():
    p, y = t([0.5, 0.8, 0.0, 1.0], requires_grad=True), t([1.0, 0.0, 1.0, 1.0])
    losses = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(losses.data, [LN2, -math.log(0.2), 100.0, 0.0])  # log clamped at -100
    F.binary_cross_entropy(p[:2], y[:2], reduction="sum").backward()
    np.testing.assert_allclose(p.grad[:2], [-2.0, 1 / 0.2])  # (p - y) / (p (1 - p))
    w = t([2.0, 1.0, 0.0, 1.0])
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, weight=w, reduction="sum").item(), 2 * LN2 - math.log(0.2))


def test_bce_with_logits_by_hand_and_at_1000():
    x, y = t([0.0, 0.0, 1000.0, -1000.0, 1000.0, -1000.0], requires_grad=True), t([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    losses = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(losses.data, [LN2, LN2, 1000.0, 1000.0, 0.0, 0.0])
    losses.sum().backward()
    np.testing.assert_allclose(x.grad, [-0.5, 0.5, 1.0, -1.0, 0.0, 0.0])  # sigmoid(x) - y
    # pos_weight 3 multiplies the positive term: 3 log 2 for (x=0, y=1)
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(t([0.0, 0.0]), t([1.0, 0.0]), pos_weight=t([3.0]), reduction="none").data,
        [3 * LN2, LN2])
    xs = np.linspace(-30, 30, 13)
    ys = np.linspace(0, 1, 13)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(t(xs), t(ys), reduction="none").data,
                               np.logaddexp(0, -xs) + (1 - ys) * xs, rtol=1e-12)


def test_cross_entropy_by_hand():
    z = gn.zeros(2, 4, dtype=np.float64, requires_grad=True)
    loss = F.cross_entropy(z, np.array([1, 3]))
    np.testing.assert_allclose(loss.item(), LN4)
    loss.backward()
    expected = np.full((2, 4), 0.25)
    expected[0, 1] -= 1
    expected[1, 3] -= 1
    np.testing.assert_allclose(z.grad, expected / 2)  # (softmax - onehot) / N
    onehot = np.eye(4)[[1, 3]]
    np.testing.assert_allclose(F.cross_entropy(z, gn.tensor(onehot)).item(), LN4)
    # label smoothing 0.4 on uniform logits changes nothing: every class has log-probability -ln 4
    np.testing.assert_allclose(F.cross_entropy(z, np.array([1, 3]), label_smoothing=0.4).item(), LN4)
    # ignore_index: the ignored sample neither counts nor divides
    zz = t([[0.0, 0.0], [0.0, math.log(3)]])
    np.testing.assert_allclose(F.cross_entropy(zz, np.array([-100, 1])).item(), -math.log(0.75))
    np.testing.assert_allclose(F.nll_loss(t([[-1.0, -2.0], [-3.0, -4.0]]), np.array([1, 0])).item(), 2.5)


def test_cross_entropy_label_smoothing_with_weights_and_ignore_index():
    # PyTorch's rule: (1 - eps) * w[y] * (-log p_y) + eps / C * sum_c w_c * (-log p_c) per sample, ignored
    # samples give 0, and "mean" divides by the summed w[y] of the kept samples
    rng = np.random.default_rng(5)
    z, y = rng.standard_normal((6, 4)), np.array([0, 3, -100, 2, 1, 2])
    w, eps, keep = np.array([0.5, 1.0, 2.0, 1.5]), 0.3, y != -100
    lsm = z - z.max(1, keepdims=True) - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
    yk = np.where(keep, y, 0)
    for weight in (None, w):
        wc = np.ones(4) if weight is None else weight
        per = ((1 - eps) * -wc[yk] * lsm[np.arange(6), yk] + eps / 4 * -(wc * lsm).sum(1)) * keep
        for red, ref in (("none", per), ("sum", per.sum()), ("mean", per.sum() / (wc[yk] * keep).sum())):
            got = F.cross_entropy(t(z), y, weight=weight, label_smoothing=eps, reduction=red).data
            np.testing.assert_allclose(got, ref, rtol=1e-12, err_msg=f"{red}, weighted={weight is not None}")
    assert gn.gradcheck(lambda z: F.cross_entropy(z, y, weight=w, label_smoothing=eps), [t(z, requires_grad=True)],
                        raise_exception=True)


def test_cross_entropy_logits_near_1e4():
    z = t([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]], requires_grad=True)
    losses = F.cross_entropy(z, np.array([2, 1]), reduction="none")
    np.testing.assert_allclose(losses.data, [2e4, 0.0])
    losses.sum().backward()
    np.testing.assert_allclose(z.grad, [[1, 0, -1], [0, 0, 0]], atol=1e-12)
    z32 = gn.tensor([[1e4, -1e4]], requires_grad=True)
    loss = F.cross_entropy(z32, np.array([1]))
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2e4)


def test_cross_entropy_equals_nll_of_log_softmax():
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    for red in ("mean", "sum", "none"):
        np.testing.assert_allclose(F.cross_entropy(t(z), y, reduction=red).data,
                                   F.nll_loss(F.log_softmax(t(z), axis=1), y, reduction=red).data, rtol=1e-12)


def test_loss_reduction_none_shapes():
    z4, y4 = gn.randn(2, 3, 4, 5), gn.randint(0, 3, (2, 4, 5))
    assert F.cross_entropy(z4, y4, reduction="none").shape == (2, 4, 5)
    assert F.mse_loss(gn.zeros(2, 3), gn.zeros(2, 3), reduction="none").shape == (2, 3)
    assert F.mse_loss(gn.zeros(2, 3), gn.zeros(2, 3)).shape == ()


def test_softmax_and_log_softmax_accept_pytorchs_dim_alias():
    x = gn.tensor(np.arange(6.0).reshape(2, 3))
    assert np.array_equal(F.softmax(x, dim=0).data, F.softmax(x, axis=0).data)
    assert np.array_equal(F.log_softmax(x, dim=0).data, F.log_softmax(x, axis=0).data)
    assert np.allclose(F.softmax(x, dim=0).data.sum(axis=0), 1.0)
