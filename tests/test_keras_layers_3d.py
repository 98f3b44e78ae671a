"""Keras's Conv3D, 3-D pooling and EinsumDense against NumPy references written here (NDHWC, TensorFlow's
"same" padding: asymmetric for even kernels and strides > 1)."""

import itertools

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers


def _pads(n, k, s, same):
    if not same:
        return 0, 0
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _windows(shape, k, s, same):
    """Per spatial axis: the list of (start, stop) of each output window over the real input."""
    axes = []
    for n, kk, ss in zip(shape, k, s):
        before, after = _pads(n, kk, ss, same)
        out = (n + before + after - kk) // ss + 1
        axes.append([(max(o * ss - before, 0), min(o * ss - before + kk, n), o * ss - before) for o in range(out)])
    return axes


def _conv3d_ref(x, w, b, s, same):
    """x (N, D, H, W, C), w (F, C, kd, kh, kw) -> (N, D', H', W', F), zeros outside the input."""
    k = w.shape[2:]
    axes = _windows(x.shape[1:4], k, s, same)
    out = np.zeros((x.shape[0], *(len(a) for a in axes), w.shape[0]))
    for idx in itertools.product(*(range(len(a)) for a in axes)):
        acc = np.zeros((x.shape[0], w.shape[0]))
        for off in itertools.product(*(range(kk) for kk in k)):
            pos = [axes[i][idx[i]][2] + off[i] for i in range(3)]
            if all(0 <= p < n for p, n in zip(pos, x.shape[1:4])):
                acc += x[:, pos[0], pos[1], pos[2], :] @ w[:, :, off[0], off[1], off[2]].T
        out[(slice(None), *idx)] = acc + b
    return out


def _pool3d_ref(x, k, s, same, kind):
    """x (N, D, H, W, C); each window over its real elements only (TensorFlow's same pooling)."""
    axes = _windows(x.shape[1:4], k, s, same)
    out = np.zeros((x.shape[0], *(len(a) for a in axes), x.shape[4]))
    for idx in itertools.product(*(range(len(a)) for a in axes)):
        (a0, a1, _), (b0, b1, _), (c0, c1, _) = (axes[i][idx[i]] for i in range(3))
        box = x[:, a0:a1, b0:b1, c0:c1, :]
        out[(slice(None), *idx)] = box.max(axis=(1, 2, 3)) if kind == "max" else box.mean(axis=(1, 2, 3))
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k,s", [(3, 1), (2, 2), ((2, 3, 1), (1, 2, 3))])
def test_conv3d_matches_numpy(padding, k, s):
    gn.manual_seed(0)
    x = np.random.default_rng(1).standard_normal((2, 5, 6, 7, 3)).astype(np.float32)
    conv = L.Conv3D(4, k, strides=s, padding=padding)
    y = conv(gn.tensor(x))
    bias = np.random.default_rng(2).standard_normal(4).astype(np.float32)
    conv.bias.data[...] = bias
    y = conv(gn.tensor(x))
    ks = (k,) * 3 if isinstance(k, int) else k
    ss = (s,) * 3 if isinstance(s, int) else s
    ref = _conv3d_ref(x.astype(np.float64), conv.weight.data.astype(np.float64), bias, ss, padding == "same")
    assert y.dtype == np.float32 and y.shape == ref.shape
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-4, atol=1e-4)
    assert conv.weight.shape == (4, 3, *ks)


def test_conv3d_channels_first_and_init():
    gn.manual_seed(0)
    x = np.random.default_rng(3).standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
    conv = L.Conv3D(3, 2, padding="same", data_format="channels_first")
    y = conv(gn.tensor(x)).numpy()
    ref = _conv3d_ref(x.transpose(0, 2, 3, 4, 1), conv.weight.data, np.zeros(3), (1, 1, 1), True)
    np.testing.assert_allclose(y, ref.transpose(0, 4, 1, 2, 3), rtol=1e-4, atol=1e-5)
    assert np.all(conv.bias.data == 0)
    limit = np.sqrt(6 / (2 * 8 + 3 * 8))  # glorot_uniform: fans C*kd*kh*kw and F*kd*kh*kw
    assert np.abs(conv.weight.data).max() <= limit and np.abs(conv.weight.data).max() > limit / 2


def test_conv3d_gradcheck_float64():
    gn.manual_seed(0)
    conv = L.Conv3D(2, (2, 1, 2), strides=(1, 2, 1), padding="same", dtype="float64")
    x = gn.tensor(np.random.default_rng(4).standard_normal((1, 3, 3, 2, 2)), requires_grad=True)
    assert gn.gradcheck(lambda t, w, b: gn.nn.functional.conv3d(t, w, b), [
        gn.tensor(np.random.default_rng(5).standard_normal((1, 2, 3, 3, 2)), requires_grad=True),
        gn.tensor(np.random.default_rng(6).standard_normal((2, 2, 2, 1, 2)), requires_grad=True),
        gn.tensor(np.zeros(2), requires_grad=True)])
    assert gn.gradcheck(lambda t: conv(t), [x])


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k,s", [(2, None), (3, 2), ((2, 1, 3), (1, 2, 2))])
def test_pooling3d_matches_numpy(kind, padding, k, s):
    x = np.random.default_rng(7).standard_normal((2, 5, 4, 7, 3)).astype(np.float32)
    layer = (L.MaxPooling3D if kind == "max" else L.AveragePooling3D)(k, s, padding)
    ks = (k,) * 3 if isinstance(k, int) else k
    ss = ks if s is None else ((s,) * 3 if isinstance(s, int) else s)
    y = layer(gn.tensor(x))
    np.testing.assert_allclose(y.numpy(), _pool3d_ref(x, ks, ss, padding == "same", kind), rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32


def test_pooling3d_gradcheck_and_channels_first():
    x = np.random.default_rng(8).standard_normal((1, 3, 3, 4, 2))
    for cls in (L.MaxPooling3D, L.AveragePooling3D):
        layer = cls(2, 1, "same")
        assert gn.gradcheck(layer, [gn.tensor(x, requires_grad=True)])
        first = cls(2, padding="same", data_format="channels_first")(gn.tensor(x.transpose(0, 4, 1, 2, 3)))
        np.testing.assert_allclose(first.numpy().transpose(0, 2, 3, 4, 1),
                                   cls(2, padding="same")(gn.tensor(x)).numpy(), rtol=1e-12)


def test_global_pooling3d():
    x = np.random.default_rng(9).standard_normal((2, 3, 4, 5, 6)).astype(np.float32)
    np.testing.assert_allclose(L.GlobalAveragePooling3D()(gn.tensor(x)).numpy(), x.mean(axis=(1, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(L.GlobalMaxPooling3D()(gn.tensor(x)).numpy(), x.max(axis=(1, 2, 3)))
    kept = L.GlobalMaxPooling3D(keepdims=True)(gn.tensor(x))
    assert kept.shape == (2, 1, 1, 1, 6)
    np.testing.assert_allclose(L.GlobalAveragePooling3D(data_format="channels_first")(gn.tensor(x)).numpy(),
                               x.mean(axis=(2, 3, 4)), rtol=1e-5)
    assert gn.gradcheck(lambda t: L.GlobalAveragePooling3D()(t) * L.GlobalMaxPooling3D()(t),
                        [gn.tensor(x[:1, :2, :2, :2, :2].astype(np.float64), requires_grad=True)])


def test_einsum_dense_matches_numpy():
    gn.manual_seed(0)
    x = np.random.default_rng(10).standard_normal((2, 3, 5)).astype(np.float32)
    layer = L.EinsumDense("abc,cde->abde", (None, 4, 6), bias_axes="de", activation="relu")
    y = layer(gn.tensor(x))
    assert layer.kernel.shape == (5, 4, 6) and layer.bias.shape == (4, 6)
    layer.bias.data[...] = np.random.default_rng(11).standard_normal((4, 6))
    ref = np.maximum(np.einsum("abc,cde->abde", x, layer.kernel.data) + layer.bias.data, 0)
    np.testing.assert_allclose(layer(gn.tensor(x)).numpy(), ref, rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32

    right = L.EinsumDense("ab...,bc->ac...", 7, bias_axes="c")
    z = np.random.default_rng(12).standard_normal((2, 3, 4, 5)).astype(np.float32)
    right(gn.tensor(z))
    assert right.kernel.shape == (3, 7) and right.bias.shape == (7, 1, 1)
    right.bias.data[...] = np.arange(7, dtype=np.float32).reshape(7, 1, 1)
    ref = np.einsum("abde,bc->acde", z, right.kernel.data) + np.arange(7).reshape(7, 1, 1)
    np.testing.assert_allclose(right(gn.tensor(z)).numpy(), ref, rtol=1e-5, atol=1e-5)

    plain = L.EinsumDense("...b,bc->...c", 4)
    w = plain(gn.tensor(z)).numpy()
    assert plain.bias is None
    np.testing.assert_allclose(w, np.einsum("adeb,bc->adec", z, plain.kernel.data), rtol=1e-5, atol=1e-5)


def test_einsum_dense_gradcheck_float64():
    gn.manual_seed(0)
    layer = L.EinsumDense("abc,cd->abd", (None, 3), bias_axes="bd", dtype="float64")
    x = gn.tensor(np.random.default_rng(13).standard_normal((2, 2, 4)), requires_grad=True)
    layer(x)
    assert layer.bias.shape == (2, 3)
    assert gn.gradcheck(lambda t: layer(t), [x])
    assert gn.gradcheck(lambda k, b: gn.einsum("abc,cd->abd", x.detach(), k) + b,
                        [gn.tensor(layer.kernel.data.copy(), requires_grad=True),
                         gn.tensor(layer.bias.data.copy(), requires_grad=True)])


def test_symbolic_shapes():
    assert L.Conv3D(8, 3, padding="same", strides=2)(keras.Input(shape=(9, 10, 11, 2))).shape == (None, 5, 5, 6, 8)
    assert L.Conv3D(8, 3)(keras.Input(shape=(9, 10, 11, 2))).shape == (None, 7, 8, 9, 8)
    assert L.MaxPooling3D(2)(keras.Input(shape=(4, 6, 8, 3))).shape == (None, 2, 3, 4, 3)
    assert L.AveragePooling3D(2, padding="same")(keras.Input(shape=(5, 5, 5, 3))).shape == (None, 3, 3, 3, 3)
    assert L.GlobalMaxPooling3D()(keras.Input(shape=(4, 6, 8, 3))).shape == (None, 3)
    assert L.EinsumDense("ab,bc->ac", 64, bias_axes="c")(keras.Input(shape=(32,))).shape == (None, 64)
    assert L.EinsumDense("abc,cd->abd", (None, 64))(keras.Input(shape=(None, 128))).shape == (None, None, 64)
    assert L.EinsumDense("...b,bc->...c", 64)(keras.Input(shape=(32, 128))).shape == (None, 32, 64)
    inp = keras.Input(shape=(4, 4, 4, 1))
    out = L.Dense(2)(L.GlobalAveragePooling3D()(L.MaxPooling3D()(L.Conv3D(3, 3, padding="same")(inp))))
    model = keras.Model(inp, out)
    assert model(gn.randn(2, 4, 4, 4, 1)).shape == (2, 2)


@pytest.mark.parametrize("layer", [
    lambda: L.Conv3D(4, (1, 2, 3), strides=(1, 1, 2), padding="same", activation="relu", use_bias=False),
    lambda: L.MaxPooling3D((1, 2, 2), padding="same"),
    lambda: L.AveragePooling3D(3, 2, data_format="channels_first"),
    lambda: L.GlobalAveragePooling3D(keepdims=True),
    lambda: L.GlobalMaxPooling3D(),
    lambda: L.EinsumDense("abc,cde->abde", (None, 4, 6), bias_axes="e", activation="tanh"),
    lambda: L.EinsumDense("ab,bc->ac", 5),
])
def test_get_config_round_trips(layer):
    a = layer()
    b = type(a).from_config(a.get_config())
    assert b.get_config() == a.get_config()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="Conv3D: padding must be one of"):
        L.Conv3D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="Conv3D: kernel_size must be"):
        L.Conv3D(2, (3, 3))
    with pytest.raises(ValueError, match="Conv3D: expected input"):
        L.Conv3D(2, 3)(gn.randn(1, 4, 4, 2))
    with pytest.raises(ValueError, match="MaxPooling3D: padding must be one of"):
        L.MaxPooling3D(2, padding="full")
    with pytest.raises(ValueError, match="EinsumDense: equation must look like"):
        L.EinsumDense("ab->b", 3)
    with pytest.raises(ValueError, match="EinsumDense: output_shape"):
        L.EinsumDense("ab,bc->ac", (3, 4))
    with pytest.raises(ValueError, match="EinsumDense: bias_axes"):
        L.EinsumDense("ab,bc->ac", 3, bias_axes="x")
    with pytest.raises(ValueError, match="EinsumDense: 'abc,cd->abd' needs an input of rank 3"):
        L.EinsumDense("abc,cd->abd", (None, 3))(gn.randn(2, 4))
