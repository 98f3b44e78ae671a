"""Keras's activation, merge, reshaping, noise and core layers against NumPy references written here."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers
rng = np.random.default_rng(0)


def _x(*shape):
    return rng.normal(size=shape)


# ----- activation layers ----------------------------------------------------------------------------
@pytest.mark.parametrize("layer,ref", [
    (lambda: L.ReLU(), lambda x: np.maximum(x, 0)),
    (lambda: L.ReLU(max_value=0.5, negative_slope=0.1, threshold=-0.2),
     lambda x: np.where(x >= 0.5, 0.5, np.where(x >= -0.2, x, 0.1 * (x + 0.2)))),
    (lambda: L.LeakyReLU(), lambda x: np.where(x >= 0, x, 0.3 * x)),
    (lambda: L.LeakyReLU(alpha=0.2), lambda x: np.where(x >= 0, x, 0.2 * x)),
    (lambda: L.ELU(alpha=0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1))),
    (lambda: L.Softmax(axis=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
], ids=["relu", "relu_options", "leaky", "leaky_alpha", "elu", "softmax_axis"])
def test_activation_layers(layer, ref):
    x = _x(3, 4, 2)
    lay = layer()
    np.testing.assert_allclose(lay(x).data, ref(x), rtol=1e-12)
    assert gn.gradcheck(lambda t: lay(t), [gn.tensor(x + 0.013, requires_grad=True)])
    assert type(lay)(**lay.get_config()).get_config() == lay.get_config()


def test_softmax_mask_and_prelu():
    x = _x(2, 3)
    mask = np.array([[True, False, True], [True, True, True]])
    got = L.Softmax()(gn.tensor(x), mask=mask).data
    e = np.exp(x) * mask
    np.testing.assert_allclose(got, e / e.sum(1, keepdims=True), atol=1e-12)
    prelu = L.PReLU(alpha_initializer="ones", shared_axes=[1, 2])
    y = _x(2, 4, 5, 3)
    prelu(gn.tensor(y.astype(np.float32)))
    assert prelu.alpha.shape == (1, 1, 3)
    prelu.to(gn.float64)
    prelu.alpha.data[...] = [0.1, 0.2, 0.3]
    np.testing.assert_allclose(prelu(y).data, np.where(y > 0, y, y * np.array([0.1, 0.2, 0.3])))
    assert gn.gradcheck(lambda t, a: (L.PReLU.forward(prelu, t)), [gn.tensor(y[:1] + 0.01, requires_grad=True),
                                                                     prelu.alpha])
    assert L.PReLU()(gn.randn(2, 3, 4)).shape == (2, 3, 4) and L.PReLU(input_shape=(3,)).alpha.shape == (3,)
    with pytest.raises(ValueError, match="LeakyReLU: negative_slope must be a number >= 0"):
        L.LeakyReLU(negative_slope=-1)


# ----- merging --------------------------------------------------------------------------------------
def test_merge_layers_and_functional_forms():
    a, b, c = _x(2, 3), _x(2, 3), _x(2, 3)
    for fn, cls, ref in [(L.add, L.Add, a + b + c), (L.multiply, L.Multiply, a * b * c),
                         (L.average, L.Average, (a + b + c) / 3), (L.maximum, L.Maximum, np.maximum(np.maximum(a, b), c)),
                         (L.minimum, L.Minimum, np.minimum(np.minimum(a, b), c))]:
        np.testing.assert_allclose(fn([a, b, c]).data, ref, rtol=1e-12)
        np.testing.assert_allclose(cls()([gn.tensor(a), gn.tensor(b), gn.tensor(c)]).data, ref, rtol=1e-12)
    np.testing.assert_allclose(L.subtract([a, b]).data, a - b)
    assert L.concatenate([a, _x(2, 5)]).shape == (2, 8) and L.concatenate([a, b], axis=0).shape == (4, 3)
    assert gn.gradcheck(lambda s, t: L.maximum([s, t]), [gn.tensor(a, requires_grad=True),
                                                         gn.tensor(b, requires_grad=True)])
    i1, i2 = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    model = keras.Model([i1, i2], L.Dense(1)(L.concatenate([i1, L.maximum([i1, i2])])))
    assert model(gn.tensor(a.astype(np.float32)), gn.tensor(b.astype(np.float32))).shape == (2, 1)


def test_dot_layer():
    u, v = _x(2, 4), _x(2, 4)
    np.testing.assert_allclose(L.Dot(axes=1)([u, v]).data, (u * v).sum(1, keepdims=True))
    cos = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(L.dot([u, v], axes=-1, normalize=True).data[:, 0], cos)
    q, k = _x(2, 3, 4), _x(2, 5, 4)
    np.testing.assert_allclose(L.Dot(axes=2)([q, k]).data, np.einsum("ntd,nsd->nts", q, k))
    np.testing.assert_allclose(L.Dot(axes=(1, 1))([q, _x(2, 3, 6)]).shape, (2, 4, 6))
    np.testing.assert_allclose(L.Dot(axes=(2, 1))([q, u]).data, np.einsum("ntd,nd->nt", q, u))
    assert gn.gradcheck(lambda s, t: L.Dot(axes=2, normalize=True)([s, t]), [gn.tensor(q, requires_grad=True),
                                                                             gn.tensor(k, requires_grad=True)])
    assert L.Dot(**L.Dot(axes=(1, 2)).get_config()).get_config() == {"axes": [1, 2], "normalize": False}
    with pytest.raises(ValueError, match="Dot: axes"):
        L.Dot(axes=1)([q, k])


# ----- reshaping ------------------------------------------------------------------------------------
def test_permute_and_repeat_vector():
    x = _x(2, 3, 4)
    np.testing.assert_array_equal(L.Permute((2, 1))(x).data, x.transpose(0, 2, 1))
    np.testing.assert_array_equal(L.RepeatVector(3)(x[:, 0]).data, np.repeat(x[:, None, 0], 3, axis=1))
    assert gn.gradcheck(lambda t: L.RepeatVector(3)(t), [gn.tensor(x[:, 0], requires_grad=True)])
    with pytest.raises(ValueError, match="Permute: dims must be a permutation"):
        L.Permute((0, 1))


def test_upsampling_padding_cropping():
    x = _x(2, 3, 4, 2)
    np.testing.assert_array_equal(L.UpSampling2D((2, 3))(x).data, x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(L.UpSampling1D(2)(x[:, 0]).data, x[:, 0].repeat(2, axis=1))
    # bilinear with half-pixel centres: output pixel o reads input (o + 0.5) / 2 - 0.5, clamped at the border
    row = np.array([[[[1.0], [3.0]]]])  # (1, 1, 2, 1)
    np.testing.assert_allclose(L.UpSampling2D((1, 2), interpolation="bilinear")(row).data[0, 0, :, 0],
                               [1.0, 1.5, 2.5, 3.0])
    np.testing.assert_array_equal(L.ZeroPadding2D(((1, 0), (0, 2)))(x).data,
                                  np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))))
    np.testing.assert_array_equal(L.ZeroPadding1D((2, 1))(x[:, 0]).data, np.pad(x[:, 0], ((0, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(L.Cropping2D(((1, 0), (1, 2)))(x).data, x[:, 1:, 1:2])
    np.testing.assert_array_equal(L.Cropping1D(1)(x[:, 0]).data, x[:, 0, 1:3])
    xf = x.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(L.ZeroPadding2D(1, data_format="channels_first")(xf).data,
                                  np.pad(xf, ((0, 0), (0, 0), (1, 1), (1, 1))))
    assert gn.gradcheck(lambda t: L.UpSampling2D(2, interpolation="bilinear")(t), [gn.tensor(x[:1], requires_grad=True)])
    for layer in (L.ZeroPadding2D(((1, 0), (0, 2))), L.Cropping2D(((1, 0), (1, 2))), L.UpSampling2D(2),
                  L.ZeroPadding1D(3), L.Cropping1D((1, 2))):
        assert type(layer)(**layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="Cropping2D: cropping"):
        L.Cropping2D(2)(x)
    assert L.Cropping2D(1)(keras.Input(shape=(8, None, 3))).shape == (None, 6, None, 3)


# ----- noise ----------------------------------------------------------------------------------------
def test_noise_layers_train_only_and_seeded():
    x = np.ones((2000, 5), np.float32)
    for layer in (L.GaussianNoise(0.5), L.GaussianDropout(0.3), L.AlphaDropout(0.2)):
        layer.eval()
        np.testing.assert_array_equal(layer(x).data, x)
        layer.train()
        assert not np.array_equal(layer(x).data, x)
    gn.manual_seed(3)
    a = L.GaussianNoise(0.5)(x).data
    gn.manual_seed(3)
    np.testing.assert_array_equal(L.GaussianNoise(0.5)(x).data, a)
    assert abs(a.std() - 0.5) < 0.02
    np.testing.assert_array_equal(L.GaussianNoise(0.5, seed=1)(x).data, L.GaussianNoise(0.5, seed=1)(x).data)
    g = L.GaussianDropout(0.5)(x).data
    assert abs(g.mean() - 1) < 0.05 and abs(g.std() - 1) < 0.05  # N(1, rate / (1 - rate))
    z = np.random.default_rng(1).normal(size=(20000, 5)).astype(np.float32)  # SELU's fixed point: mean 0, var 1
    d = L.AlphaDropout(0.3)(z).data
    assert abs(d.mean()) < 0.03 and abs(d.std() - 1) < 0.03
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    scale = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(d, scale * alpha_p - scale * alpha_p * 0.3, atol=1e-6)
    assert abs(dropped.mean() - 0.3) < 0.02
    np.testing.assert_allclose(d[~dropped], scale * z[~dropped] - scale * alpha_p * 0.3, rtol=1e-5)
    with pytest.raises(ValueError, match="GaussianNoise: stddev"):
        L.GaussianNoise(-1)


# ----- core -----------------------------------------------------------------------------------------
def test_masking_feeds_the_recurrent_layers():
    x = _x(2, 5, 3).astype(np.float32)
    x[0, 3:] = 0.0
    masked = L.Masking()(x)
    assert gn.keras.graph.mask_of(masked).tolist() == [[True] * 3 + [False] * 2, [True] * 5]
    gn.manual_seed(0)
    lstm = L.LSTM(4)
    out = lstm(masked)
    np.testing.assert_allclose(out.data[0], lstm(gn.tensor(x[:1, :3])).data[0], rtol=1e-5)
    inputs = keras.Input(shape=(5, 3))
    model = keras.Model(inputs, L.GlobalAveragePooling1D()(L.Masking()(inputs)))
    np.testing.assert_allclose(model(gn.tensor(x)).data[0], x[0, :3].mean(0), rtol=1e-6)


def test_identity_lambda_unit_normalization():
    x = _x(2, 3)
    np.testing.assert_array_equal(L.Identity()(x).data, x)
    np.testing.assert_allclose(L.Lambda(lambda t, k: t * k, arguments={"k": 3.0})(x).data, 3 * x)
    np.testing.assert_allclose(L.UnitNormalization()(x).data, x / np.linalg.norm(x, axis=1, keepdims=True))
    assert gn.gradcheck(lambda t: L.UnitNormalization(axis=0)(t), [gn.tensor(x, requires_grad=True)])
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, L.Lambda(lambda t: t[:, :2] * 2)(inputs))
    assert model(gn.tensor(x)).shape == (2, 2)


def test_dense_bias_initializer():
    lazy, sized = L.Dense(2, bias_initializer="ones"), L.Dense(2, bias_initializer="ones", input_dim=3)
    lazy(np.zeros((1, 3), np.float32))
    np.testing.assert_array_equal(lazy.bias.data, [1.0, 1.0])
    np.testing.assert_array_equal(sized.bias.data, [1.0, 1.0])
    assert L.Dense(**lazy.get_config()).bias.data.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="Dense: unknown bias_initializer"):
        L.Dense(2, bias_initializer="nope")
