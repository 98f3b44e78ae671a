"""nn.Perceptron: Rosenblatt's step neuron and its learning rule, against a NumPy re-implementation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradnote as gn
from gradnote import nn

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


def _reference_fit(x, y, epochs, lr):
    """The perceptron rule written out plainly (float64, step(0) = 0)."""
    w, b = np.zeros(x.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        n = 0
        for xi, yi in zip(x, y):
            y_hat = 1.0 if xi @ w + b > 0 else 0.0
            if yi != y_hat:
                w += lr * (yi - y_hat) * xi
                b += lr * (yi - y_hat)
                n += 1
        errors.append(n)
    return w, b, errors


def test_shapes_names_and_zero_start():
    p = nn.Perceptron(3)
    assert {k: v.shape for k, v in p.named_parameters()} == {"weight": (1, 3), "bias": (1,)}
    assert p.num_parameters() == 4
    assert not p.weight.data.any() and not p.bias.data.any()
    assert p.get_config() == {"in_features": 3}


@pytest.mark.parametrize("name,y", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0])])
def test_converges_on_linearly_separable_gates(name, y):
    p = nn.Perceptron(2)
    errors = p.fit(X, np.array(y), epochs=20)
    assert len(errors) == 20
    assert errors[-1] == 0, f"{name}: {errors}"
    np.testing.assert_array_equal(p.predict(X), y)
    out = p(gn.tensor(X))
    assert out.shape == (4,) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, y)


def test_cannot_separate_xor():
    p = nn.Perceptron(2)
    errors = p.fit(X, np.array([0, 1, 1, 0]), epochs=50)
    assert min(errors) > 0
    assert (p.predict(X) == [0, 1, 1, 0]).mean() <= 0.75


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), lr=st.sampled_from([0.1, 0.5, 1.0]), epochs=st.integers(1, 6))
def test_fit_follows_the_rule(seed, lr, epochs):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(12, 3)).astype(np.float64)  # small integers keep float arithmetic exact-ish
    y = (x @ rng.standard_normal(3) + rng.standard_normal() > 0).astype(np.int64)
    p = nn.Perceptron(3).double()
    errors = p.fit(x, y, epochs=epochs, lr=lr)
    w, b, ref_errors = _reference_fit(x, y, epochs, lr)
    assert errors == ref_errors
    np.testing.assert_allclose(p.weight.data[0], w, atol=1e-12)
    np.testing.assert_allclose(p.bias.data[0], b, atol=1e-12)


def test_separable_data_reaches_zero_errors():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 4)).astype(np.float32)
    true_w = np.array([1.0, -2.0, 0.5, 1.5], dtype=np.float32)
    margin = x @ true_w
    keep = np.abs(margin) > 0.3  # a margin guarantees convergence in finitely many updates
    x, y = x[keep], (margin[keep] > 0).astype(np.float32)
    p = nn.Perceptron(4)
    errors = p.fit(x, y.reshape(-1, 1), epochs=100)
    assert errors[-1] == 0
    np.testing.assert_array_equal(p.predict(x), y)


def test_single_sample_forward_and_step_at_zero():
    p = nn.Perceptron(2)
    assert p(np.array([1.0, 1.0], dtype=np.float32)).shape == ()
    assert p(np.array([1.0, 1.0], dtype=np.float32)).item() == 0.0  # w.x + b = 0 -> step(0) = 0
    p.bias.data[:] = 0.5
    assert p.predict(np.zeros((1, 2), dtype=np.float32)).tolist() == [1]


def test_bad_input():
    with pytest.raises(ValueError, match="Perceptron: in_features must be a positive int, got 0"):
        nn.Perceptron(0)
    p = nn.Perceptron(2)
    with pytest.raises(ValueError, match=r"Perceptron.forward: expected input of shape \(N, 2\).*got \(4, 3\)"):
        p(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        p.fit(X, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        p.fit(X, np.array([0, 1]))
    with pytest.raises(ValueError, match="lr must be > 0, got -1"):
        p.fit(X, np.array([0, 1, 1, 1]), lr=-1)
    with pytest.raises(ValueError, match="epochs must be a non-negative int"):
        p.fit(X, np.array([0, 1, 1, 1]), epochs=2.5)
