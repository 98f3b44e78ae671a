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
