"""Conv2DTranspose, DepthwiseConv2D and SeparableConv2D against NumPy references written here."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers


def _tf_pads(n, k, s, d=1):
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def _conv_ref(x, w, s, pads, groups=1):
    """x (N, H, W, C), w (F, C / groups, kh, kw): TensorFlow's conv with explicit pads, no bias."""
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    F_, Cg, kh, kw = w.shape
    oh, ow = (xp.shape[1] - kh) // s[0] + 1, (xp.shape[2] - kw) // s[1] + 1
    out = np.zeros((x.shape[0], oh, ow, F_))
    per = F_ // groups
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * s[0]:i * s[0] + kh, j * s[1]:j * s[1] + kw]
            for g in range(groups):
                out[:, i, j, g * per:(g + 1) * per] = np.einsum(
                    "nhwc,fchw->nf", patch[..., g * Cg:(g + 1) * Cg], w[g * per:(g + 1) * per])
    return out


def _built(layer, x):
    gn.manual_seed(0)
    layer(gn.tensor(x.astype(np.float32)))
    return layer.to(gn.float64)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("k,s", [((3, 3), (2, 2)), ((4, 2), (2, 1)), ((2, 2), (3, 3)), ((3, 1), (1, 2))])
def test_conv2d_transpose_is_the_adjoint_of_the_keras_conv(padding, k, s):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 5, 3))
    layer = _built(L.Conv2DTranspose(2, k, strides=s, padding=padding, use_bias=False), x)
    out = layer(gn.tensor(x)).data
    H = [4 * s[0] + (max(k[0] - s[0], 0) if padding == "valid" else 0),
         5 * s[1] + (max(k[1] - s[1], 0) if padding == "valid" else 0)]
    assert out.shape == (2, *H, 2)
    y = rng.normal(size=out.shape)
    pads = (_tf_pads(H[0], k[0], s[0]), _tf_pads(H[1], k[1], s[1])) if padding == "same" else ((0, 0), (0, 0))
    conv_y = _conv_ref(y, layer.weight.data, s, pads)  # the convolution this layer transposes: y -> x's shape
    assert conv_y.shape == x.shape
    np.testing.assert_allclose((out * y).sum(), (conv_y * x).sum(), rtol=1e-10)
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x[:1], requires_grad=True)])


def test_conv2d_transpose_bias_activation_output_padding_and_config():
    x = np.random.default_rng(1).normal(size=(1, 3, 3, 2))
    layer = _built(L.Conv2DTranspose(4, 3, strides=2, output_padding=1, activation="relu"), x)
    out = layer(gn.tensor(x))
    assert out.shape == (1, 8, 8, 4) and out.data.min() >= 0  # (3 - 1) * 2 + 3 + 1
    cfg = layer.get_config()
    assert cfg["output_padding"] == [1, 1] and cfg["input_shape"] == [1, 1, 2]
    again = L.Conv2DTranspose(**cfg)
    assert again.weight.shape == layer.weight.shape == (2, 4, 3, 3)
    sym = L.Conv2DTranspose(8, 3, strides=2, padding="same")(keras.Input(shape=(7, None, 3)))
    assert sym.shape == (None, 14, None, 8)
    with pytest.raises(ValueError, match="Conv2DTranspose: output_padding must be ints in"):
        L.Conv2DTranspose(4, 3, strides=2, output_padding=2)


@pytest.mark.parametrize("padding,s,m", [("same", (1, 1), 1), ("valid", (2, 1), 2), ("same", (2, 2), 3)])
def test_depthwise_conv2d_filters_each_channel_on_its_own(padding, s, m):
    x = np.random.default_rng(2).normal(size=(2, 6, 5, 3))
    layer = _built(L.DepthwiseConv2D(3, strides=s, padding=padding, depth_multiplier=m), x)
    assert layer.weight.shape == (3 * m, 1, 3, 3)
    pads = (_tf_pads(6, 3, s[0]), _tf_pads(5, 3, s[1])) if padding == "same" else ((0, 0), (0, 0))
    ref = _conv_ref(x, layer.weight.data, s, pads, groups=3) + layer.bias.data
    np.testing.assert_allclose(layer(x).data, ref, rtol=1e-10)
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x[:1], requires_grad=True)])
    assert L.DepthwiseConv2D(**layer.get_config()).weight.shape == layer.weight.shape


def test_depthwise_initializer_uses_keras_fans():
    gn.manual_seed(0)
    layer = L.DepthwiseConv2D(3, depth_multiplier=2, input_shape=(8, 8, 64))
    limit = np.sqrt(6 / (9 * 64 + 9 * 2))  # glorot_uniform on Keras's (3, 3, 64, 2) kernel
    w = layer.weight.data
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.9 * limit


def test_separable_conv2d_is_depthwise_then_pointwise():
    x = np.random.default_rng(3).normal(size=(2, 5, 5, 3))
    layer = _built(L.SeparableConv2D(4, 3, padding="same", depth_multiplier=2), x)
    dw = _conv_ref(x, layer.depthwise.weight.data, (1, 1), ((1, 1), (1, 1)), groups=3)
    ref = np.einsum("nhwc,fc->nhwf", dw, layer.pointwise.weight.data[:, :, 0, 0]) + layer.pointwise.bias.data
    np.testing.assert_allclose(layer(x).data, ref, rtol=1e-10)
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x[:1], requires_grad=True)])
    again = L.SeparableConv2D(**layer.get_config())
    assert again.get_config()["depth_multiplier"] == 2 and again.depthwise.weight.shape == (6, 1, 3, 3)
    model = keras.Sequential([keras.Input(shape=(5, 5, 3)), L.SeparableConv2D(4, 3), L.GlobalAveragePooling2D()])
    assert model(gn.tensor(x.astype(np.float32))).shape == (2, 4)
