"""Numerics where gradnote used to differ from PyTorch: NaN/inf inputs, kinks, ties, zero sizes, edge hyperparameters.

Every expected value is derived here from PyTorch's documented rule (written out in the test), not taken from torch.
"""

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote import nn

NAN, INF = math.nan, math.inf


def _params_with_grads(*grads, dtype=np.float32):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(len(g), dtype=dtype))
        p.grad = np.array(g, dtype=dtype)
        params.append(p)
    return params


# ----- clip_grad_norm_ / clip_grad_value_ ------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, INF, "inf"])
def test_clip_grad_norm_nan_gradient_makes_every_gradient_nan(norm_type):
    # the total is NaN, so the factor min(1, max_norm / (NaN + 1e-6)) is NaN and multiplies every gradient
    params = _params_with_grads([3.0, 4.0], [NAN]) if norm_type == 2.0 else _params_with_grads([NAN, 4.0], [1.0])
    total = nn.utils.clip_grad_norm_(params, 1.0, norm_type=norm_type)
    assert math.isnan(float(total))
    for p in params:
        assert np.isnan(p.grad).all()


def test_clip_grad_norm_infinite_total_zeroes_finite_gradients():
    a, b = _params_with_grads([3.0, INF], [1.0])
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert float(total) == INF
    np.testing.assert_array_equal(a.grad, [0.0, NAN])  # factor 1 / inf = 0; inf * 0 = NaN
    np.testing.assert_array_equal(b.grad, [0.0])


def test_clip_grad_norm_error_if_nonfinite_raises_on_nan_and_inf():
    for bad in (NAN, INF):
        (p,) = _params_with_grads([1.0, bad])
        with pytest.raises(RuntimeError, match="clip_grad_norm_: the total gradient norm of order 2.0 is .*non-finite"):
            nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        assert p.grad[0] == 1.0  # nothing scaled before raising


def test_clip_grad_norm_returns_a_0d_tensor_in_the_gradient_dtype():
    (p,) = _params_with_grads([3.0, 4.0], dtype=np.float64)
    (q,) = _params_with_grads([1.0])
    total = nn.utils.clip_grad_norm_([p, q], 1.0, foreach=None)
    assert isinstance(total, gn.Tensor) and total.shape == () and total.dtype == np.float64  # f32 and f64 mix
    assert float(total) == pytest.approx(math.sqrt(26.0)) and total.item() == float(total)
    coef = 1.0 / (math.sqrt(26.0) + 1e-6)
    np.testing.assert_allclose(p.grad, [3.0 * coef, 4.0 * coef], rtol=1e-12)
    assert q.grad.dtype == np.float32


def test_clip_grad_norm_order_zero_counts_nonzeros_as_torch_vector_norm():
    a, b = _params_with_grads([3.0, 0.0], [1.0])
    total = nn.utils.clip_grad_norm_([a, b], 1.0, norm_type=0)
    assert float(total) == 2.0  # per-gradient counts (1, 1), then the count of those: 2
    np.testing.assert_allclose(a.grad, [1.5, 0.0], rtol=1e-6)


def test_clip_grad_norm_inf_norm_of_an_empty_gradient_is_refused():
    a, b = _params_with_grads([3.0], [])
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the infinity norm of an empty gradient"):
        nn.utils.clip_grad_norm_([a, b], 1.0, norm_type=INF)
    assert float(nn.utils.clip_grad_norm_([a, b], 1.0)) == 3.0  # the 2-norm of nothing is 0


def test_clip_grad_value_keeps_nan_and_accepts_foreach():
    (p,) = _params_with_grads([3.0, NAN, -0.5])
    assert nn.utils.clip_grad_value_([p], 1.0, foreach=True) is None
    np.testing.assert_array_equal(p.grad, [1.0, NAN, -0.5])


# ----- dropout ---------------------------------------------------------------------------------------------
def test_dropout_p_one_is_accepted_and_zeros_everything_while_training():
    F = gn.functional
    x = gn.tensor([[1.0, -2.0, NAN], [3.0, 4.0, 5.0]], requires_grad=True)
    layer = nn.Dropout(p=1.0)
    y = layer(x)
    np.testing.assert_array_equal(y.data, [[0.0, 0.0, NAN], [0.0, 0.0, 0.0]])  # x * 0, so NaN stays NaN
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))
    assert layer.eval()(x) is x
    np.testing.assert_array_equal(F.dropout(gn.ones(5), 1).data, np.zeros(5, dtype=np.float32))


def test_dropout_signature_and_default_training_as_torch():
    F = gn.functional
    x = gn.ones(1000)
    y = F.dropout(x, 0.5)  # training defaults to True in F.dropout
    kept = y.data != 0
    assert 0 < kept.sum() < 1000 and np.all(y.data[kept] == 2.0)
    assert F.dropout(x, 0.5, False, False) is x  # (x, p, training, inplace)
    for bad in (-0.1, 1.5, NAN):
        with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\]"):
            F.dropout(x, bad)
        with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\]"):
            nn.Dropout(bad)


# ----- activation gradients at the kink and at NaN -------------------------------------------------------
def _grad(fn, values, dtype=np.float64):
    x = gn.tensor(np.array(values, dtype=dtype), requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y.data, x.grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_elu_gradient_is_alpha_exp_x_for_x_le_0_and_one_at_nan(alpha, dtype):
    # PyTorch: d/dx = alpha e^x where x <= 0 (alpha at 0), else 1 -- so 1 at NaN, 0 at -inf
    v = [-1.0, 0.0, 1.0, NAN, INF, -INF]
    y, g = _grad(lambda x: gn.functional.elu(x, alpha), v, dtype)
    np.testing.assert_allclose(y, [alpha * math.expm1(-1.0), 0.0, 1.0, NAN, INF, -alpha], rtol=1e-6)
    np.testing.assert_allclose(g, [alpha * math.exp(-1.0), alpha, 1.0, 1.0, 1.0, 0.0], rtol=1e-6)
    assert g.dtype == dtype


def test_leaky_relu_gradient_is_the_slope_at_0_and_nan():
    _, g = _grad(lambda x: gn.functional.leaky_relu(x, 0.1), [-1.0, 0.0, 1.0, NAN, INF, -INF])
    np.testing.assert_allclose(g, [0.1, 0.1, 1.0, 0.1, 1.0, 0.1])


# ----- max_pool2d: ties, NaN, all -inf windows ------------------------------------------------------------
def _pool_grad(values, **kw):
    x = gn.tensor(np.array(values, dtype=np.float32)[None, None], requires_grad=True)
    y = gn.functional.max_pool2d(x, **kw)
    y.sum().backward()
    return y.data.ravel(), x.grad[0, 0]


def test_max_pool2d_nan_is_the_max_and_the_last_nan_of_the_window_gets_the_gradient():
    # PyTorch scans the window row by row and takes `val > max or isnan(val)`: every NaN replaces the arg-max
    y, g = _pool_grad([[NAN, 3.0], [NAN, 2.0]], kernel_size=2)
    assert np.isnan(y).all()
    np.testing.assert_array_equal(g, [[0, 0], [1, 0]])
    _, g = _pool_grad([[1.0, NAN], [3.0, NAN]], kernel_size=2)
    np.testing.assert_array_equal(g, [[0, 0], [0, 1]])
    _, g = _pool_grad([[1.0, 2.0, NAN], [2.0, NAN, 2.0], [2.0, 2.0, 2.0]], kernel_size=2, stride=1)
    np.testing.assert_array_equal(g, [[0, 0, 0], [0, 4, 0], [0, 0, 0]])  # (1, 1) is every window's last NaN


def test_max_pool2d_ties_go_to_the_first_maximum():
    _, g = _pool_grad([[2.0] * 3] * 3, kernel_size=2, stride=1)
    np.testing.assert_array_equal(g, [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_max_pool2d_all_minus_inf_window_sends_the_gradient_to_its_first_real_element():
    _, g = _pool_grad([[-INF] * 3] * 3, kernel_size=3, stride=1, padding=1)
    # window (i, j) starts at real element (max(i-1, 0), max(j-1, 0)), never at the -inf padding
    np.testing.assert_array_equal(g, [[4, 2, 0], [2, 1, 0], [0, 0, 0]])
    _, g = _pool_grad([[-INF] * 2] * 2, kernel_size=2, padding=1)
    np.testing.assert_array_equal(g, [[1, 1], [1, 1]])


# ----- zero fans: nn.Linear(0, n) and nn.init -------------------------------------------------------------
@pytest.mark.parametrize("fn", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_on_a_zero_element_tensor_warns_and_leaves_it(fn):
    w = gn.zeros(3, 0)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert getattr(nn.init, fn)(w, a=0.1, mode="fan_out", nonlinearity="relu", generator=None) is w
    assert w.shape == (3, 0)


def test_linear_with_zero_in_features_gives_the_bias():
    with pytest.warns(UserWarning, match="no-op"):
        layer = nn.Linear(0, 4)
    np.testing.assert_array_equal(layer.bias.data, np.zeros(4))  # bound 1/sqrt(fan_in) is 0 when fan_in is 0
    layer.bias.data[...] = [1.0, 2.0, 3.0, 4.0]
    x = gn.zeros(2, 0, requires_grad=True)
    y = layer(x)
    np.testing.assert_array_equal(y.data, [[1.0, 2.0, 3.0, 4.0]] * 2)
    y.sum().backward()
    np.testing.assert_array_equal(layer.bias.grad, [2.0] * 4)
    assert x.grad.shape == (2, 0) and layer.weight.grad.shape == (4, 0)
    with pytest.warns(UserWarning, match="no-op"):
        assert nn.Linear(3, 0)(gn.ones(2, 3)).shape == (2, 0)


def test_init_functions_return_the_tensor_and_work_on_parameters_under_no_grad():
    p = nn.Parameter(np.zeros((4, 6), dtype=np.float32))
    rng = np.random.default_rng(0)
    with gn.no_grad():
        for fn, kw in [("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {"gain": 2.0}),
                       ("kaiming_uniform_", {"a": 0.2}), ("kaiming_normal_", {"mode": "FAN_OUT"}),
                       ("uniform_", {"a": -1, "b": 1}), ("normal_", {"mean": 1, "std": 2}),
                       ("trunc_normal_", {"std": 0.5}), ("orthogonal_", {"gain": 3.0}), ("eye_", {}),
                       ("constant_", {"val": 0.5}), ("zeros_", {}), ("ones_", {}), ("sparse_", {"sparsity": 0.5})]:
            if "generator" in getattr(nn.init, fn).__code__.co_varnames:
                kw = {**kw, "generator": rng}
            assert getattr(nn.init, fn)(p, **kw) is p
            assert p.data.dtype == np.float32
    assert p.requires_grad


def test_deprecated_init_names_warn_and_call_the_underscore_versions():
    # super_resolution's old `init.orthogonal(self.conv1.weight, gain)`: PyTorch keeps these with a FutureWarning
    with pytest.warns(FutureWarning, match="nn.init.orthogonal is now deprecated in favor of nn.init.orthogonal_"):
        w = nn.init.orthogonal(gn.zeros(3, 5, dtype=np.float64), nn.init.calculate_gain("relu"))
    np.testing.assert_allclose(w.data @ w.data.T, 2.0 * np.eye(3), atol=1e-12)
    with pytest.warns(FutureWarning):
        assert nn.init.constant(gn.zeros(2), 0.5).tolist() == [0.5, 0.5]


def test_init_values_follow_torch_formulas():
    w = nn.init.orthogonal_(gn.zeros(3, 5, dtype=np.float64), gain=2.0)
    np.testing.assert_allclose(w.data @ w.data.T, 4.0 * np.eye(3), atol=1e-12)
    w = nn.init.orthogonal_(gn.zeros(6, 2, dtype=np.float64))
    np.testing.assert_allclose(w.data.T @ w.data, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(nn.init.eye_(gn.ones(2, 3)).data, [[1, 0, 0], [0, 1, 0]])
    d = nn.init.dirac_(gn.ones(4, 2, 3), groups=2).data
    expected = np.zeros((4, 2, 3))
    for g in range(2):
        for c in range(2):
            expected[2 * g + c, c, 1] = 1
    np.testing.assert_array_equal(d, expected)
    t = nn.init.trunc_normal_(gn.zeros(2000), mean=1.0, std=2.0, a=0.0, b=1.5).data
    assert t.min() >= 0.0 and t.max() <= 1.5 and t.std() > 0.2
    s = nn.init.sparse_(gn.zeros(10, 3), sparsity=0.25).data
    assert ((s == 0).sum(axis=0) == 3).all()  # ceil(0.25 * 10) zeros per column
    for name, gain in [("conv_transpose2d", 1.0), ("leaky_relu", math.sqrt(2 / (1 + 0.01**2))), ("selu", 0.75)]:
        assert nn.init.calculate_gain(name) == pytest.approx(gain)
    with pytest.raises(ValueError, match="negative_slope True"):
        nn.init.calculate_gain("leaky_relu", True)
    assert nn.init._calculate_fan_in_and_fan_out(gn.zeros(4, 3, 2)) == (6, 8)


# ----- class losses: ignore_index, -inf rows, empty means, smoothing, weights, probability targets ----------
def _np_log_softmax(x):
    s = x - x.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _np_cross_entropy(x, t, w, ignore, eps, reduction):
    """PyTorch's rule on (M, C) rows: (1 - eps) nll + eps / C smooth, both 0 on ignored rows, mean over sum w[t]."""
    z = _np_log_softmax(x)
    m, c = z.shape
    w = np.ones(c) if w is None else w
    keep = t != ignore
    safe = np.where(keep, t, 0)
    wt = np.where(keep, w[safe], 0.0)
    nll = np.where(keep, -wt * z[np.arange(m), safe], 0.0)
    smooth = np.where(keep, -(z * w).sum(axis=1), 0.0)
    if reduction == "none":
        return (1 - eps) * nll + eps / c * smooth
    if reduction == "sum":
        return (1 - eps) * nll.sum() + eps / c * smooth.sum()
    return ((1 - eps) * nll.sum() + eps / c * smooth.sum()) / wt.sum()


def test_cross_entropy_ignored_row_of_minus_inf_logits_keeps_the_loss_finite():
    F = gn.functional
    x = gn.tensor([[0.0, 1.0, 2.0], [-INF, -INF, -INF]], requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, -100]))
    z = _np_log_softmax(np.array([[0.0, 1.0, 2.0]]))[0]
    assert loss.item() == pytest.approx(-z[1])  # the ignored row adds exactly 0 (it was NaN: 0 * -inf)
    loss.backward()
    p = np.exp(z)
    np.testing.assert_allclose(x.grad[0], p - [0, 1, 0], rtol=1e-6)
    assert np.isnan(x.grad[1]).all()  # log_softmax's backward 0 - exp(NaN) * 0, as PyTorch
    y = gn.tensor([[-1.0, -2.0], [-INF, -INF]], requires_grad=True)
    nll = F.nll_loss(y, np.array([0, -100]))
    assert nll.item() == 1.0
    nll.backward()
    np.testing.assert_array_equal(y.grad, [[-1.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_all_targets_ignored_gives_nan_mean_but_a_zero_gradient(fn, smoothing):
    F = gn.functional
    x = gn.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    t = np.full(3, -100)
    kw = {"label_smoothing": smoothing} if fn == "cross_entropy" else {}
    loss = getattr(F, fn)(x, t, **kw)
    assert math.isnan(loss.item())  # 0 / 0
    loss.backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))  # was NaN
    assert getattr(F, fn)(x, t, reduction="sum", **kw).item() == 0.0


def test_zero_total_class_weight_mean_is_nan_with_nan_gradients_on_the_kept_rows():
    F = gn.functional
    x = gn.tensor(np.zeros((3, 2)), requires_grad=True)
    loss = F.nll_loss(x, np.array([0, 0, -100]), weight=np.array([0.0, 1.0]))
    assert math.isnan(loss.item())
    loss.backward()
    # -w[t] g / total = -0 / 0 at the targets of kept rows; other entries and the ignored row stay 0
    np.testing.assert_array_equal(x.grad, [[NAN, 0.0], [NAN, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_smoothing_weight_ignore_index_on_spatial_inputs_matches_the_rule(reduction, dtype):
    F = gn.functional
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((2, 4, 3, 2)) * 3).astype(dtype)  # (N, C, d1, d2)
    t = rng.integers(0, 4, (2, 3, 2))
    t[0, 0, 0] = t[1, 2, 1] = 2  # ignore_index is a real class here
    w = rng.uniform(0.5, 2.0, 4).astype(dtype)
    rows = np.moveaxis(x, 1, -1).reshape(-1, 4)
    ref = _np_cross_entropy(rows.astype(np.float64), t.reshape(-1), w.astype(np.float64), 2, 0.3, reduction)
    got = F.cross_entropy(gn.tensor(x), t, weight=w, ignore_index=2, reduction=reduction, label_smoothing=0.3)
    assert got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.data, ref.reshape(got.shape) if reduction == "none" else ref, rtol=tol)
    if dtype == np.float64:
        assert gn.gradcheck(lambda z: F.cross_entropy(z, t, weight=w, ignore_index=2, reduction=reduction,
                                                      label_smoothing=0.3),
                            [gn.tensor(x, requires_grad=True)])


def test_cross_entropy_probability_targets_with_weight_and_smoothing():
    F = gn.functional
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((3, 4, 2)), np.ascontiguousarray(rng.dirichlet(np.ones(4), (3, 2)).transpose(0, 2, 1))
    w = rng.uniform(0.5, 2.0, 4)
    z = np.moveaxis(_np_log_softmax(np.moveaxis(x, 1, -1).reshape(-1, 4)).reshape(3, 2, 4), -1, 1)
    tt = t * 0.9 + 0.1 / 4
    per = -(z * tt * w[None, :, None]).sum(axis=1)
    got = F.cross_entropy(gn.tensor(x), gn.tensor(t), weight=w, label_smoothing=0.1)
    assert got.item() == pytest.approx(per.sum() / 6)  # mean over the N * d1 positions, not over sum(w)
    xt, tg = gn.tensor(x, requires_grad=True), gn.tensor(t, requires_grad=True)
    assert gn.gradcheck(lambda a, b: F.cross_entropy(a, b, weight=w, label_smoothing=0.1, reduction="sum"), [xt, tg])
    assert math.isnan(F.cross_entropy(gn.zeros(0, 3), gn.zeros(0, 3)).item())  # empty mean


def test_class_losses_take_pytorch_positional_order_and_legacy_flags():
    F = gn.functional
    x = gn.tensor([[0.0, 1.0], [2.0, 0.0]])
    t = np.array([1, 0])
    per = F.cross_entropy(x, t, reduction="none").data
    # cross_entropy(input, target, weight, size_average, ignore_index, reduce, reduction, label_smoothing)
    assert F.cross_entropy(x, t, None, None, 1).item() == pytest.approx(per[1])
    with pytest.warns(UserWarning, match="size_average and reduce are deprecated"):
        assert F.cross_entropy(x, t, size_average=False).item() == pytest.approx(per.sum())
    with pytest.warns(UserWarning, match="deprecated"):
        np.testing.assert_allclose(F.nll_loss(x, t, reduce=False).data, [-1.0, -2.0])
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.CrossEntropyLoss(None, False).reduction == "sum"
    loss = nn.CrossEntropyLoss(None, None, 1)
    assert loss.ignore_index == 1 and loss(x, t).item() == pytest.approx(per[1])
    assert nn.NLLLoss(None, None, 0, None, "none")(x, t).shape == (2,)
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.MSELoss(reduce=False).reduction == "none"
    assert nn.BCEWithLogitsLoss(None, None, None, "sum", np.array([2.0])).reduction == "sum"


# ----- pointwise losses -----------------------------------------------------------------------------------
def test_bce_clamps_log_at_minus_100_and_its_gradients_follow_pytorch():
    F = gn.functional
    p = gn.tensor([0.0, 1.0, 1.0], requires_grad=True)
    t = gn.tensor([1.0, 0.0, 0.3], requires_grad=True)
    loss = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 70.0], rtol=1e-6)  # -(0.3 * 0 + 0.7 * -100)
    loss.sum().backward()
    eps = float(np.float32(1e-12))  # PyTorch's floor on (1 - p) p, a float32 constant
    np.testing.assert_allclose(p.grad, [-1.0 / eps, 1.0 / eps, 0.7 / eps], rtol=1e-6)
    np.testing.assert_array_equal(t.grad, [INF, -INF, -INF])  # -logit(p) = log(1 - p) - log(p), unclamped


def test_bce_with_logits_pos_weight_target_gradient_at_minus_inf_is_finite_form():
    F = gn.functional
    x = gn.tensor([-INF, 0.0], requires_grad=True)
    t = gn.tensor([0.5, 1.0], requires_grad=True)
    F.binary_cross_entropy_with_logits(x, t, pos_weight=np.array([0.5]), reduction="sum").backward()
    # d/dt = pos_weight softplus(-x) - softplus(x): +inf at x = -inf (was inf - inf = NaN), -0.5 log 2 at 0
    np.testing.assert_allclose(t.grad, [INF, -0.5 * math.log(2)])


def test_mse_and_l1_broadcast_a_different_target_with_a_warning():
    F = gn.functional
    x = gn.tensor([[1.0], [2.0], [3.0]], requires_grad=True)  # (3, 1) against (3,): a (3, 3) loss
    t = gn.tensor([0.0, 1.0, 2.0])
    with pytest.warns(UserWarning, match="mse_loss: using a target size"):
        loss = F.mse_loss(x, t)
    d = x.data - t.data
    assert loss.item() == pytest.approx((d**2).mean())
    loss.backward()
    np.testing.assert_allclose(x.grad, (2 * d / 9).sum(axis=1, keepdims=True))
    with pytest.warns(UserWarning, match="l1_loss"):
        assert F.l1_loss(x, t, reduction="none").shape == (3, 3)
    with pytest.raises(ValueError, match="binary_cross_entropy: input shape"):
        F.binary_cross_entropy(gn.ones(3, 1) * 0.5, gn.ones(3))


def test_weighted_mse_l1_huber_means_as_pytorch():
    F = gn.functional
    x, t, w = np.array([1.0, 2.0, 4.0]), np.zeros(3), np.array([1.0, 0.5, 0.25])
    X, T = gn.tensor(x), gn.tensor(t)
    assert F.mse_loss(X, T, weight=w).item() == pytest.approx((w * x**2).sum() / w.sum())
    assert F.l1_loss(X, T, weight=w).item() == pytest.approx((w * x).sum() / w.sum())
    huber = np.array([0.5, 1.5, 3.5])
    assert F.huber_loss(X, T, weight=w).item() == pytest.approx((w * huber).mean())
    with pytest.raises(ValueError, match=r"mse_loss: weight must have the input's shape \(3,\)"):
        F.mse_loss(X, T, weight=np.ones(2))


def test_l1_gradient_is_0_at_nan_and_huber_smooth_l1_at_the_threshold():
    F = gn.functional
    _, g = _grad(lambda x: F.l1_loss(x, gn.zeros(5), reduction="sum"), [NAN, 0.0, INF, -INF, -2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, -1.0, -1.0])  # was NaN at NaN
    _, g = _grad(lambda x: F.huber_loss(x, gn.zeros(4), reduction="sum", delta=2.0), [2.0, -2.0, NAN, 1.0])
    np.testing.assert_array_equal(g, [2.0, -2.0, NAN, 1.0])
    y, g = _grad(lambda x: F.smooth_l1_loss(x, gn.zeros(3), reduction="none", beta=0.5), [0.5, -0.5, 0.25])
    np.testing.assert_allclose(y, [0.25, 0.25, 0.0625])
    np.testing.assert_allclose(g, [1.0, -1.0, 0.5])
    y, g = _grad(lambda x: F.smooth_l1_loss(x, gn.zeros(2), reduction="none", beta=0.0), [0.5, -2.0])
    np.testing.assert_array_equal(y, [0.5, 2.0])  # beta = 0 is l1, per element (was reduced to the mean)


def test_hardtanh_and_relu6_gradient_is_0_at_the_corners_and_1_at_nan():
    F = gn.functional
    _, g = _grad(F.hardtanh, [-2.0, -1.0, 0.0, 1.0, 2.0, NAN])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 0.0, 0.0, 1.0])  # PyTorch: 0 where x <= min or x >= max
    _, g = _grad(F.relu6, [-1.0, 0.0, 3.0, 6.0, NAN])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 0.0, 1.0])
