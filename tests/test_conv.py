"""conv2d: the fast im2col kernel against conv2d_simple, float64 gradients, Conv2d module, errors."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradnote as gn
import gradnote.functional as F
from gradnote import nn
from gradnote.functional.conv import conv2d_simple


def _t(a, grad=True):
    return gn.Tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _valid(size, k, s, p, d):
    return size + 2 * p >= d * (k - 1) + 1


# (stride, padding, dilation, kernel) x channel pairs; the input is non-square (5 x 6).
GRID = list(itertools.product([1, 2], [0, 1, 2], [1, 2], [1, 3, 5]))
CHANNELS = [(1, 2), (2, 3), (3, 1)]


@pytest.mark.parametrize("stride,padding,dilation,kernel", GRID)
def test_conv2d_grid_matches_reference_and_gradcheck(stride, padding, dilation, kernel):
    rng = np.random.default_rng(stride * 100 + padding * 10 + dilation + kernel)
    cin, cout = CHANNELS[(stride + padding + dilation + kernel) % 3]
    h, w = 5, 6
    x = _t(rng.standard_normal((2, cin, h, w)))
    wt = _t(rng.standard_normal((cout, cin, kernel, kernel)))
    b = _t(rng.standard_normal(cout))
    args = {"stride": stride, "padding": padding, "dilation": dilation}
    if not (_valid(h, kernel, stride, padding, dilation) and _valid(w, kernel, stride, padding, dilation)):
        with pytest.raises(ValueError, match="smaller than the dilated kernel"):
            F.conv2d(x, wt, b, **args)
        return
    out = F.conv2d(x, wt, b, **args)
    expected_hw = tuple(F.conv_output_size(n, kernel, stride, padding, dilation) for n in (h, w))
    assert out.shape == (2, cout, *expected_hw)
    np.testing.assert_allclose(out.data, conv2d_simple(x.data, wt.data, b.data, **args).data, atol=1e-12)
    assert gn.gradcheck(lambda x, wt, b: F.conv2d(x, wt, b, **args), [x, wt, b], raise_exception=True)


@pytest.mark.parametrize("groups,cin,cout", [(2, 4, 6), (3, 3, 3), (2, 2, 4)])
def test_conv2d_groups(groups, cin, cout):
    rng = np.random.default_rng(groups)
    x = _t(rng.standard_normal((2, cin, 5, 4)))
    wt = _t(rng.standard_normal((cout, cin // groups, 3, 3)))
    args = {"stride": (1, 2), "padding": 1, "groups": groups}
    out = F.conv2d(x, wt, **args)
    np.testing.assert_allclose(out.data, conv2d_simple(x.data, wt.data, **args).data, atol=1e-12)
    assert gn.gradcheck(lambda x, wt: F.conv2d(x, wt, **args), [x, wt], raise_exception=True)


@pytest.mark.parametrize("shape,args", [
    ((1, 2, 23, 23), {"padding": 1, "groups": 2}),
    ((2, 2, 40, 24), {"stride": (2, 1), "padding": 2, "dilation": 2}),
])
def test_large_images_take_the_per_image_gemm_path(shape, args):
    # >= 512 output positions per image (wrapped columns included) switches conv2d's backward layout
    rng = np.random.default_rng(7)
    x = _t(rng.standard_normal(shape))
    wt = _t(rng.standard_normal((4, shape[1] // args.get("groups", 1), 3, 3)))
    b = _t(rng.standard_normal(4))
    out = F.conv2d(x, wt, b, **args)
    np.testing.assert_allclose(out.data, conv2d_simple(x.data, wt.data, b.data, **args).data, atol=1e-12)
    assert gn.gradcheck(lambda x, wt, b: F.conv2d(x, wt, b, **args), [x, wt, b], raise_exception=True)
    x_const = _t(x.data, grad=False)  # weight gradient only, as in a first layer
    assert gn.gradcheck(lambda wt, b: F.conv2d(x_const, wt, b, **args), [wt, b], raise_exception=True)


def test_groups_equal_separate_convolutions():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 4, 6, 6))
    wt = rng.standard_normal((6, 2, 3, 3))
    out = F.conv2d(_t(x, False), _t(wt, False), groups=2).data
    first = conv2d_simple(x[:, :2], wt[:3]).data
    second = conv2d_simple(x[:, 2:], wt[3:]).data
    np.testing.assert_allclose(out, np.concatenate([first, second], axis=1), atol=1e-12)


def test_asymmetric_pairs_and_no_bias():
    rng = np.random.default_rng(2)
    x = _t(rng.standard_normal((2, 2, 7, 5)))
    wt = _t(rng.standard_normal((3, 2, 3, 2)))
    args = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}
    out = F.conv2d(x, wt, None, **args)
    assert out.shape == (2, 3, 4, 3)
    np.testing.assert_allclose(out.data, conv2d_simple(x.data, wt.data, **args).data, atol=1e-12)
    assert gn.gradcheck(lambda x, wt: F.conv2d(x, wt, **args), [x, wt], raise_exception=True)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), cin=st.integers(1, 3), cout=st.integers(1, 3), h=st.integers(3, 9),
       w=st.integers(3, 9), k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_fast_conv_equals_reference(n, cin, cout, h, w, k, s, p, d):
    rng = np.random.default_rng(h * w)
    x = rng.standard_normal((n, cin, h, w))
    wt = rng.standard_normal((cout, cin, k, k))
    if not (_valid(h, k, s, p, d) and _valid(w, k, s, p, d)):
        with pytest.raises(ValueError, match="smaller than the dilated kernel"):
            F.conv2d(_t(x, False), _t(wt, False), stride=s, padding=p, dilation=d)
        return
    out = F.conv2d(_t(x, False), _t(wt, False), stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(out.data, conv2d_simple(x, wt, stride=s, padding=p, dilation=d).data, atol=1e-12)


def test_gradient_only_where_needed_and_dtypes_kept():
    rng = np.random.default_rng(3)
    x = gn.tensor(rng.standard_normal((2, 1, 6, 6)).astype(np.float32))
    conv = nn.Conv2d(1, 2, 3)
    out = conv(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is None
    assert conv.weight.grad.dtype == np.float32 and conv.weight.grad.shape == (2, 1, 3, 3)
    # d(sum out)/d bias[o] = number of output positions
    np.testing.assert_allclose(conv.bias.grad, [2 * 16, 2 * 16])
    # d(sum out)/d w[o, 0, u, v] = sum of the input under that kernel tap
    expected = np.array([[x.data[:, 0, u:u + 4, v:v + 4].sum() for v in range(3)] for u in range(3)])
    np.testing.assert_allclose(conv.weight.grad[0, 0], expected, rtol=1e-5)
    np.testing.assert_allclose(conv.weight.grad[1, 0], expected, rtol=1e-5)


def test_sobel_on_a_step_edge_by_hand():
    img = np.zeros((1, 1, 5, 6))
    img[..., 3:] = 1.0  # dark left half, bright right half: a vertical edge between columns 2 and 3
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64).reshape(1, 1, 3, 3)
    out = F.conv2d(_t(img, False), _t(sobel_x, False)).data[0, 0]
    # output column j sees input columns j..j+2; it straddles the edge for j = 1, 2 (weights 1+2+1 = 4)
    np.testing.assert_allclose(out, np.tile([0, 4, 4, 0], (3, 1)))


@pytest.mark.parametrize("n,k,s,p,d,expected", [
    (39, 5, 2, 0, 1, 18),
    (28, 5, 1, 2, 1, 28),
    (28, 5, 1, 0, 1, 24),
    (32, 3, 2, 1, 1, 16),
    (7, 3, 1, 0, 2, 3),
    (10, 1, 1, 0, 1, 10),
    (5, 2, 2, 0, 1, 2),
    (224, 7, 2, 3, 1, 112),
])
def test_conv_output_size_by_hand(n, k, s, p, d, expected):
    assert F.conv_output_size(n, k, s, p, d) == expected


def test_conv2d_module_names_shapes_and_init():
    conv = nn.Conv2d(3, 8, 5, padding=2)
    params = dict(conv.named_parameters())
    assert list(params) == ["weight", "bias"]
    assert params["weight"].shape == (8, 3, 5, 5) and params["bias"].shape == (8,)
    assert params["weight"].dtype == np.float32
    bound = 1 / math.sqrt(3 * 5 * 5)  # kaiming_uniform_(a=sqrt(5)) and the bias both use 1/sqrt(fan_in)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    # U(-bound, bound) has std bound/sqrt(3); over 600 draws the sample std's relative error is ~2%
    assert conv.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.06)
    assert np.abs(conv.weight.data).max() > 0.95 * bound  # the full range is used, not a narrower one
    assert conv(gn.randn(2, 3, 9, 7)).shape == (2, 8, 9, 7)
    assert nn.Conv2d(4, 6, (3, 1), groups=2, bias=False).weight.shape == (6, 2, 3, 1)
    assert nn.Conv2d(4, 6, 3, bias=False).bias is None
    assert list(dict(nn.Conv2d(4, 6, 3, bias=False).named_parameters())) == ["weight"]


def test_conv2d_module_gradcheck_in_float64():
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    x = _t(np.random.default_rng(4).standard_normal((1, 2, 5, 4)))
    assert gn.gradcheck(lambda x, w, b: conv(x), [x, conv.weight, conv.bias], raise_exception=True)


def test_conv2d_errors_name_layer_and_shape():
    conv = nn.Conv2d(3, 8, 5)
    with pytest.raises(ValueError) as e:
        conv(gn.randn(2, 3, 3, 3))
    assert str(e.value) == ("Conv2d(3, 8, kernel_size=(5, 5)): input of shape (2, 3, 3, 3) is smaller "
                            "than the dilated kernel 5x5 after padding")
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8, kernel_size=\(5, 5\)\): expected input with 3 "
                                         r"channels, got input of shape \(2, 4, 8, 8\)"):
        conv(gn.randn(2, 4, 8, 8))
    with pytest.raises(ValueError, match=r"4-D input .* shape \(3, 8, 8\)"):
        conv(gn.randn(3, 8, 8))
    with pytest.raises(ValueError, match="dilated kernel 9x9"):
        nn.Conv2d(1, 1, 5, dilation=2)(gn.randn(1, 1, 8, 20))


@pytest.mark.parametrize("kwargs,match", [
    ({"kernel_size": 0}, "kernel_size must be positive, got 0"),
    ({"kernel_size": (3, -1)}, r"kernel_size must be positive, got \(3, -1\)"),
    ({"kernel_size": 3, "stride": 0}, "stride must be positive, got 0"),
    ({"kernel_size": 3, "padding": -1}, "padding must be non-negative, got -1"),
    ({"kernel_size": 3, "dilation": 0}, "dilation must be positive, got 0"),
    ({"kernel_size": 3, "stride": 1.5}, "stride must be an int or a pair of ints, got 1.5"),
    ({"kernel_size": 3, "groups": 3}, "divisible by groups"),
])
def test_conv2d_invalid_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Conv2d(4, 8, **kwargs)


def test_functional_conv2d_errors():
    x, w = gn.randn(1, 2, 6, 6), gn.randn(4, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\)"):
        F.conv2d(x, w, gn.randn(3))
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D weight"):
        F.conv2d(x, gn.randn(4, 2, 3))
    with pytest.raises(ValueError, match="conv2d: stride must be positive"):
        F.conv2d(x, w, stride=(1, 0))
    with pytest.raises(ValueError, match="not divisible by groups=3"):
        F.conv2d(gn.randn(1, 3, 6, 6), gn.randn(4, 1, 3, 3), groups=3)
