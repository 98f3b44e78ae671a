"""Keras's padding="same" (TensorFlow's: asymmetric for even kernels and strides > 1) and "causal" in the
convolution and pooling layers, against NumPy references written here."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers


def _tf_pads(n, k, s, d=1):
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def _pool_ref(x, k, s, kind):
    """x (N, H, W, C); each window keeps only its real elements (TensorFlow's same pooling)."""
    N, H, W, C = x.shape
    (t, _), (lft, _) = _tf_pads(H, k[0], s[0]), _tf_pads(W, k[1], s[1])
    oh, ow = -(-H // s[0]), -(-W // s[1])
    out = np.zeros((N, oh, ow, C), x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * s[0] - t, j * s[1] - lft
            win = x[:, max(r0, 0):r0 + k[0], max(c0, 0):c0 + k[1]]
            out[:, i, j] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


def _conv_ref(x, w, b, s, pads, d=(1, 1)):
    """x (N, H, W, C), w (F, C, kh, kw) (PyTorch's layout), pads ((top, bottom), (left, right))."""
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    F_, C, kh, kw = w.shape
    oh = (xp.shape[1] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (xp.shape[2] - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((x.shape[0], oh, ow, F_))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * s[0]:i * s[0] + d[0] * (kh - 1) + 1:d[0], j * s[1]:j * s[1] + d[1] * (kw - 1) + 1:d[1]]
            out[:, i, j] = np.einsum("nhwc,fchw->nf", patch, w)
    return out + b


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("size,k,s", [(7, (2, 2), (2, 2)), (5, (3, 2), (2, 1)), (6, (3, 3), (1, 1)), (4, (1, 1), (3, 3))])
def test_same_pooling_2d_matches_tensorflow(kind, size, k, s):
    x = np.random.default_rng(0).normal(size=(2, size, size + 1, 3))
    layer = (L.MaxPooling2D if kind == "max" else L.AveragePooling2D)(k, strides=s, padding="same")
    got = layer(gn.tensor(x)).data
    np.testing.assert_allclose(got, _pool_ref(x, k, s, kind), rtol=1e-12)
    assert got.shape[1:3] == (-(-size // s[0]), -(-(size + 1) // s[1]))
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x[:1], requires_grad=True)])


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_same_pooling_1d(kind):
    x = np.random.default_rng(1).normal(size=(2, 7, 3))
    layer = (L.MaxPooling1D if kind == "max" else L.AveragePooling1D)(2, padding="same")
    got = layer(x).data  # an eager NumPy array is taken as a Tensor
    ref = _pool_ref(x[:, :, None], (2, 1), (2, 1), kind)[:, :, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert layer.get_config()["padding"] == "same"
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x, requires_grad=True)])


def test_same_pooling_channels_first():
    x = np.random.default_rng(2).normal(size=(1, 3, 5, 5))
    got = L.MaxPooling2D(2, padding="same", data_format="channels_first")(gn.tensor(x)).data
    ref = _pool_ref(x.transpose(0, 2, 3, 1), (2, 2), (2, 2), "max").transpose(0, 3, 1, 2)
    np.testing.assert_allclose(got, ref)


@pytest.mark.parametrize("k,s,d", [((3, 3), (2, 2), (1, 1)), ((2, 4), (1, 1), (1, 1)), ((3, 2), (2, 3), (1, 1)),
                                   ((3, 3), (1, 1), (2, 2))])
def test_conv2d_same_any_kernel_and_stride(k, s, d):
    gn.manual_seed(0)
    x = np.random.default_rng(3).normal(size=(2, 7, 6, 3))
    conv = L.Conv2D(4, k, strides=s, padding="same", dilation_rate=d)
    conv(gn.tensor(x.astype(np.float32)))
    conv.to(gn.float64)
    got = conv(gn.tensor(x)).data
    pads = (_tf_pads(7, k[0], s[0], d[0]), _tf_pads(6, k[1], s[1], d[1]))
    np.testing.assert_allclose(got, _conv_ref(x, conv.weight.data, conv.bias.data, s, pads, d), rtol=1e-10)
    assert got.shape[1:3] == (-(-7 // s[0]), -(-6 // s[1]))
    assert gn.gradcheck(lambda t: conv(t), [gn.tensor(x[:1], requires_grad=True)])


def test_conv1d_causal_and_strided_same():
    gn.manual_seed(0)
    x = np.random.default_rng(4).normal(size=(2, 10, 3))
    conv = L.Conv1D(4, 3, padding="causal", dilation_rate=2)
    conv.build(3, gn.float64)
    got = conv(x).data
    w = conv.weight.data[..., None]  # (F, C, k, 1)
    ref = _conv_ref(x[:, :, None], w, conv.bias.data, (1, 1), ((4, 0), (0, 0)), (2, 1))[:, :, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-10)
    x2 = gn.tensor(x, requires_grad=True)
    conv(x2)[:, 3].sum().backward()
    assert np.all(x2.grad.data[:, 4:] == 0) and np.any(x2.grad.data[:, :4] != 0)  # step 3 sees steps <= 3 only
    same = L.Conv1D(4, 4, strides=2, padding="same")
    same.build(3, gn.float64)
    ref = _conv_ref(x[:, :, None], same.weight.data[..., None], same.bias.data, (2, 1),
                    (_tf_pads(10, 4, 2), (0, 0)))[:, :, 0]
    np.testing.assert_allclose(same(x).data, ref, rtol=1e-10)
    assert gn.gradcheck(lambda t: same(t), [gn.tensor(x[:1], requires_grad=True)])
    assert L.Conv1D(2, 3, padding="causal").get_config()["padding"] == "causal"
    with pytest.raises(ValueError, match="Conv1D: padding must be one of"):
        L.Conv1D(2, 3, padding="full")


def test_symbolic_same_shapes_and_config_round_trip():
    inputs = keras.Input(shape=(None, 9, 3))
    y = L.MaxPooling2D(2, padding="same")(L.Conv2D(5, 3, strides=2, padding="same")(inputs))
    assert y.shape == (None, None, 3, 5)
    pool = L.AveragePooling2D(3, strides=2, padding="same")
    again = L.AveragePooling2D(**pool.get_config())
    assert again.get_config() == pool.get_config()
    with pytest.raises(ValueError, match="MaxPooling2D: padding must be one of"):
        L.MaxPooling2D(2, padding="full")


def test_global_max_pooling_takes_arrays():
    x = np.random.default_rng(5).normal(size=(2, 4, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(L.GlobalMaxPooling2D()(x).data, x.max(axis=(1, 2)))
    np.testing.assert_array_equal(L.GlobalMaxPooling1D()(x[:, 0]).data, x[:, 0].max(axis=1))
