"""Pooling (max, average, global) and Flatten: a loop reference, float64 gradients, tie routing, errors."""

import itertools

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
from gradnote import nn


def pool_reference(x, k, s, p, mode):
    """One window at a time; max pads with -inf, avg with zeros counted in the mean."""
    n, c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * s:i * s + k, j * s:j * s + k]
            out[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return out


POOLS = {"max": F.max_pool2d, "avg": F.avg_pool2d}
# kernel, stride (None = kernel: non-overlapping), padding; stride < kernel overlaps
GRID = [(k, s, p) for k, s, p in itertools.product([1, 2, 3], [None, 1, 2, 3], [0, 1]) if p <= k // 2]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k,s,p", GRID)
def test_pool_matches_reference_and_gradcheck(mode, k, s, p):
    rng = np.random.default_rng(k * 10 + (s or 0) + p)
    x = gn.Tensor(rng.standard_normal((2, 3, 7, 6)), requires_grad=True)
    out = POOLS[mode](x, k, s, p)
    np.testing.assert_allclose(out.data, pool_reference(x.data, k, s or k, p, mode), atol=1e-12)
    assert gn.gradcheck(lambda x: POOLS[mode](x, k, s, p), [x], raise_exception=True)


def test_max_pool_ties_go_to_the_first_maximum_in_window_order():
    x = gn.Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1  # the top-left element of each 2x2 window
    np.testing.assert_array_equal(x.grad[0, 0], expected)

    x = gn.Tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()  # overlapping: four windows, top-left of each wins
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])

    x = gn.Tensor(np.array([[[[0.0, 5.0], [5.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[3.0]]]]))
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 3], [0, 0]])  # row-major order: (0, 1) before (1, 0)


def test_max_pool_overlapping_windows_accumulate():
    x = gn.Tensor(np.array([[[[0.0, 1.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad[0, 0, 1, 1] == 4 and x.grad.sum() == 4  # the 9 is the max of all four windows


def test_max_pool_padding_never_wins():
    x = gn.Tensor(-np.arange(1.0, 17.0).reshape(1, 1, 4, 4), requires_grad=True)  # all negative
    out = F.max_pool2d(x, 3, stride=2, padding=1)
    np.testing.assert_array_equal(out.data[0, 0], [[-1, -2], [-5, -6]])
    out.sum().backward()
    expected = np.zeros((4, 4))
    expected[:2, :2] = 1  # -1, -2, -5, -6 are the window maxima, not the zero padding
    np.testing.assert_array_equal(x.grad[0, 0], expected)


def test_avg_pool_counts_padding_by_hand():
    out = F.avg_pool2d(gn.ones(1, 1, 4, 4), 2, padding=1).data[0, 0]
    np.testing.assert_allclose(out, [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_avg_pool_gradient_by_hand():
    x = gn.Tensor(np.zeros((1, 1, 3, 3)), requires_grad=True)
    F.avg_pool2d(x, 2, stride=1).sum().backward()
    # each input receives 1/4 per window it belongs to
    np.testing.assert_allclose(x.grad[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


def test_float32_stays_float32():
    x = gn.Tensor(np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    for fn in (F.max_pool2d, F.avg_pool2d):
        out = fn(x, 2)
        assert out.dtype == np.float32
        x.grad = None
        out.sum().backward()
        assert x.grad.dtype == np.float32


def test_pool_modules():
    x = gn.Tensor(np.random.default_rng(1).standard_normal((2, 3, 9, 8)), requires_grad=True)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, x.data[:, :, :8].reshape(2, 3, 4, 2, 4, 2).max(axis=(3, 5)))
    out = nn.MaxPool2d(3, stride=2, padding=1)(x)
    assert out.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(out.data, F.max_pool2d(x, 3, stride=2, padding=1).data)
    avg = nn.AvgPool2d((3, 2))(x)
    assert avg.shape == (2, 3, 3, 4)
    np.testing.assert_allclose(avg.data, x.data.reshape(2, 3, 3, 3, 4, 2).mean(axis=(3, 5)), rtol=1e-12)
    assert list(nn.MaxPool2d(2).parameters()) == []
    g = nn.GlobalAvgPool2d()(x)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g.data, x.data.mean(axis=(2, 3)))
    g.sum().backward()
    np.testing.assert_allclose(x.grad, np.full(x.shape, 1 / 72))


def test_flatten():
    x = gn.Tensor(np.arange(120.0).reshape(2, 3, 4, 5), requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    out = nn.Flatten()(x)
    np.testing.assert_array_equal(out.data, x.data.reshape(2, 60))
    (out * gn.Tensor(np.arange(120.0).reshape(2, 60))).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(120.0).reshape(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=3, end_dim=1\)"):
        nn.Flatten(3, 1)(x)


@pytest.mark.parametrize("fn", [F.max_pool2d, F.avg_pool2d])
def test_pool_errors(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}: expected a 4-D input .* \(3, 8, 8\)"):
        fn(gn.randn(3, 8, 8), 2)
    with pytest.raises(ValueError, match=f"{name}: kernel_size must be positive, got 0"):
        fn(gn.randn(1, 1, 8, 8), 0)
    with pytest.raises(ValueError, match=f"{name}: stride must be positive, got 0"):
        fn(gn.randn(1, 1, 8, 8), 2, 0)
    with pytest.raises(ValueError, match=f"{name}: padding must be non-negative, got -1"):
        fn(gn.randn(1, 1, 8, 8), 2, 2, -1)
    with pytest.raises(ValueError, match=f"{name}: padding must be at most half the kernel size"):
        fn(gn.randn(1, 1, 8, 8), 2, 2, 2)
    with pytest.raises(ValueError, match=rf"{name}: input of shape \(1, 1, 2, 8\) is smaller than the kernel 3x3"):
        fn(gn.randn(1, 1, 2, 8), 3)


def test_pool_module_errors():
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size must be positive, got 0"):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError, match="AvgPool2d: padding must be at most half the kernel size"):
        nn.AvgPool2d(2, padding=2)
    with pytest.raises(ValueError, match="global_avg_pool2d: expected a 4-D input"):
        nn.GlobalAvgPool2d()(gn.randn(2, 3))
