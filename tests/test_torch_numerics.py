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
