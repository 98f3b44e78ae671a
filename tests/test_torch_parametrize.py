"""nn.utils.parametrize (register/remove/is_parametrized), nn.utils.parametrizations.weight_norm / spectral_norm
and the older hook-based nn.utils.weight_norm / spectral_norm: values against NumPy, gradients reaching the
originals (float64 gradcheck), torch's state-dict names, assignment through right_inverse, removal, errors."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import nn
from gradnote.nn.utils import parametrizations, parametrize

RNG = np.random.default_rng(0)


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT


class Scale(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return x * self.c

    def right_inverse(self, x):
        return x / self.c


def _linear(n_in=3, n_out=3, dtype=gn.float64):
    m = nn.Linear(n_in, n_out).to(dtype)
    m.weight.data[...] = RNG.standard_normal(m.weight.shape)
    return m


def test_parametrized_weight_is_recomputed_and_gradients_reach_the_original():
    m = _linear()
    original = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert sorted(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert m.parametrizations.weight.original is original  # the same Parameter, as torch
    a = original.data
    np.testing.assert_allclose(m.weight.data, np.triu(a) + np.triu(a, 1).T)
    original.data[0, 2] = 5.0  # a change of the original shows at the next access
    assert m.weight.data[2, 0] == 5.0
    assert {id(p) for p in m.parameters()} == {id(original), id(m.bias)}
    x = gn.tensor(RNG.standard_normal((4, 3)))
    m(x).sum().backward()
    g = np.ones((4, 3)).T @ x.data  # d(sum)/dW for y = x W^T + b, then through the symmetric map
    np.testing.assert_allclose(original.grad, np.triu(g) + np.tril(g, -1).T)
    assert gn.gradcheck(lambda w: Symmetric()(w), [gn.tensor(a.copy(), requires_grad=True)])


def test_assignment_goes_through_right_inverse_and_chains_apply_in_order():
    m = _linear()
    parametrize.register_parametrization(m, "weight", Scale(2.0))
    w = RNG.standard_normal((3, 3))
    m.weight = gn.tensor(w)
    np.testing.assert_allclose(m.parametrizations.weight.original.data, w / 2)
    np.testing.assert_allclose(m.weight.data, w)
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert len(m.parametrizations.weight) == 2
    np.testing.assert_allclose(m.weight.data, np.triu(w) + np.triu(w, 1).T)
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    m = _linear()
    before = m.weight.data.copy()
    parametrize.register_parametrization(m, "weight", Scale(3.0))
    value = m.weight.data.copy()
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=leave)
    assert type(m) is nn.Linear and not parametrize.is_parametrized(m)
    assert sorted(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.data, value if leave else before / 3.0)


def test_parametrize_errors():
    m = _linear()
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'kernel'"):
        parametrize.register_parametrization(m, "kernel", Symmetric())
    with pytest.raises(TypeError, match="parametrization must be an nn.Module"):
        parametrize.register_parametrization(m, "weight", lambda x: x)
    with pytest.raises(ValueError, match="does not have a parametrization on 'weight'"):
        parametrize.remove_parametrizations(m, "weight")
    parametrizations.weight_norm(m)
    with pytest.raises(ValueError, match="cannot leave unparametrized"):
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    with pytest.raises(ValueError, match="assigned value of shape"):
        m.weight = gn.zeros(2, 2)


# ------------------------------------------------------------------------------------------- weight norm
def _np_norm_except(v, dim):
    if dim is None:
        return np.sqrt((v**2).sum())
    axes = tuple(a for a in range(v.ndim) if a != dim)
    return np.sqrt((v**2).sum(axis=axes, keepdims=True))


@pytest.mark.parametrize("dim", [0, 1, None])
@pytest.mark.parametrize("old", [False, True])
def test_weight_norm(dim, old):
    m = nn.Conv2d(2, 3, 2).to(gn.float64)
    w = m.weight.data.copy()
    (nn.utils.weight_norm if old else parametrizations.weight_norm)(m, dim=dim)
    if old:
        g, v = m.weight_g, m.weight_v
        assert sorted(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    else:
        g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
        assert sorted(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                          "parametrizations.weight.original1"]
    np.testing.assert_allclose(g.data, _np_norm_except(w, dim))
    np.testing.assert_allclose(v.data, w)
    g.data[...] = RNG.uniform(0.5, 2, g.shape)
    x = gn.tensor(RNG.standard_normal((2, 2, 3, 3)))
    y = m(x)
    np.testing.assert_allclose(m.weight.data, g.data * w / _np_norm_except(w, dim), rtol=1e-12)
    y.sum().backward()
    assert g.grad is not None and v.grad is not None

    def through(gg, vv):
        return parametrizations.weight_norm_value(gg, vv, -1 if dim is None else dim)

    assert gn.gradcheck(through, [gn.tensor(g.data.copy(), requires_grad=True),
                                  gn.tensor(v.data.copy(), requires_grad=True)])
    if old:
        nn.utils.remove_weight_norm(m)
        assert sorted(m.state_dict()) == ["bias", "weight"]
        np.testing.assert_allclose(m.weight.data, g.data * w / _np_norm_except(w, dim), rtol=1e-12)


# ------------------------------------------------------------------------------------------- spectral norm
@pytest.mark.parametrize("old", [False, True])
def test_spectral_norm_divides_by_the_top_singular_value(old):
    m = _linear(5, 4)
    w = m.weight.data.copy()
    (nn.utils.spectral_norm if old else parametrizations.spectral_norm)(m, n_power_iterations=3)
    keys = ["bias", "weight_orig", "weight_u", "weight_v"] if old else [
        "bias", "parametrizations.weight.0._u", "parametrizations.weight.0._v", "parametrizations.weight.original"]
    assert sorted(m.state_dict()) == keys
    x = gn.tensor(RNG.standard_normal((2, 5)))
    for _ in range(20):
        m(x)
    np.testing.assert_allclose(m.weight.data, w / np.linalg.svd(w)[1][0], rtol=1e-8)
    u = (m.weight_u if old else m.parametrizations.weight[0]._u).copy()
    m.eval()
    m(x)
    np.testing.assert_array_equal(m.weight_u if old else m.parametrizations.weight[0]._u, u)  # eval: no iteration
    m(x).sum().backward()
    orig = m.weight_orig if old else m.parametrizations.weight.original
    assert orig.grad is not None and orig.grad.shape == (4, 5)
    if old:
        nn.utils.remove_spectral_norm(m)
        assert sorted(m.state_dict()) == ["bias", "weight"]


def test_spectral_value_gradcheck_and_one_dimensional_weights():
    w = RNG.standard_normal((3, 2, 2))
    u, v = RNG.standard_normal(3), RNG.standard_normal(4)
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    got = parametrizations.spectral_value(gn.tensor(w), u, v, 0)
    np.testing.assert_allclose(got.data, w / (u @ w.reshape(3, 4) @ v))
    assert gn.gradcheck(lambda t: parametrizations.spectral_value(t, u, v, 0), [gn.tensor(w, requires_grad=True)])
    assert gn.gradcheck(lambda t: parametrizations.spectral_value(t, v[:2], u[:2] / np.linalg.norm(u[:2]), 1),
                        [gn.tensor(RNG.standard_normal((2, 2)), requires_grad=True)])
    m = nn.LayerNorm(4).to(gn.float64)
    m.weight.data[...] = [3.0, 4.0, 0.0, 0.0]
    parametrizations.spectral_norm(m)
    np.testing.assert_allclose(m.weight.data, [0.6, 0.8, 0.0, 0.0])


def test_spectral_norm_of_transposed_convolutions_uses_dim_1():
    m = nn.ConvTranspose2d(2, 3, 2)
    parametrizations.spectral_norm(m)
    assert m.parametrizations.weight[0]._u.shape == (3,) and m.parametrizations.weight[0]._v.shape == (2 * 2 * 2,)


def test_norm_errors():
    with pytest.raises(ValueError, match="n_power_iterations must be positive, got 0"):
        parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        parametrizations.weight_norm(nn.Linear(2, 2), dim=2)
    m = nn.utils.weight_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="cannot register two weight_norm hooks"):
        nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(m)
    with pytest.raises(ValueError, match="has no parameter 'kernel'"):
        nn.utils.spectral_norm(nn.Linear(2, 2), name="kernel")


def test_conv2d_reads_a_parametrized_weight_once_per_forward():
    """spectral_norm runs one power iteration per weight read; torch's Conv2d reads it once per forward."""
    calls = []

    class Counting(nn.Module):
        def forward(self, w):
            calls.append(1)
            return w

    conv = nn.Conv2d(2, 3, 3)
    nn.utils.parametrize.register_parametrization(conv, "weight", Counting())
    conv(gn.randn(1, 2, 5, 5))
    assert len(calls) == 1
