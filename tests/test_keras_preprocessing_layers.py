"""Keras's augmentation layers (training only, seeded) and Normalization / Resizing / CenterCrop, against
NumPy references written here."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers
rng = np.random.default_rng(0)


def _images(n=6, h=5, w=5, c=2):
    return rng.uniform(0, 255, size=(n, h, w, c)).astype(np.float32)


def test_augmentation_is_the_identity_in_inference():
    x = _images()
    for layer in (L.RandomFlip(), L.RandomRotation(0.2), L.RandomZoom(0.3), L.RandomTranslation(0.2, 0.2),
                  L.RandomContrast(0.5), L.RandomBrightness(0.3)):
        np.testing.assert_array_equal(layer.eval()(x).data, x)
        assert layer(x, training=False).shape == x.shape
        trained = layer.train()(x).data
        assert trained.shape == x.shape and trained.dtype == np.float32 and not np.array_equal(trained, x)


@pytest.mark.parametrize("mode,flips", [("horizontal", [lambda a: a[:, :, ::-1]]),
                                        ("vertical", [lambda a: a[:, ::-1]]),
                                        ("horizontal_and_vertical", [lambda a: a[:, :, ::-1], lambda a: a[:, ::-1],
                                                                     lambda a: a[:, ::-1, ::-1]])])
def test_random_flip(mode, flips):
    x = _images(40)
    out = L.RandomFlip(mode, seed=3)(x).data
    seen = set()
    for o, i in zip(out, x):
        options = [i] + [f(i[None])[0] for f in flips]
        match = [k for k, v in enumerate(options) if np.array_equal(o, v)]
        assert match
        seen.add(match[0])
    assert seen == set(range(len(flips) + 1))
    np.testing.assert_array_equal(L.RandomFlip(mode, seed=3)(x).data, out)  # seed= repeats
    gn.manual_seed(5)
    a = L.RandomFlip(mode)(x).data
    gn.manual_seed(5)
    np.testing.assert_array_equal(L.RandomFlip(mode)(x).data, a)  # so does gn.manual_seed


def test_rotation_zoom_translation_geometry():
    x = _images(2, 5, 5, 1)
    quarter = L.RandomRotation((0.25, 0.25), interpolation="nearest")(x).data  # exactly 90 degrees
    np.testing.assert_allclose(quarter, np.rot90(x, 1, axes=(1, 2)), atol=1e-3)
    # zoom z = 1: output pixel o reads input 2 (o - 2) + 2, so the content halves around the centre
    zoom = L.RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")(x).data
    np.testing.assert_allclose(zoom[:, 1:4, 1:4], x[:, ::2, ::2], atol=1e-3)
    assert np.all(zoom[:, 0] == 0) and np.all(zoom[:, :, 4] == 0)
    wide = L.RandomZoom((0.0, 0.0), width_factor=(1.0, 1.0), fill_mode="constant", interpolation="nearest")(x).data
    np.testing.assert_allclose(wide[:, :, 1:4], x[:, :, ::2], atol=1e-3)
    down = L.RandomTranslation((0.2, 0.2), (0.0, 0.0), fill_mode="constant")(x).data  # 0.2 * 5 = one row down
    np.testing.assert_allclose(down[:, 1:], x[:, :-1], atol=1e-3)
    assert np.all(down[:, 0] == 0)
    left = L.RandomTranslation((0.0, 0.0), (-0.4, -0.4), fill_mode="nearest")(x).data
    np.testing.assert_allclose(left[:, :, :3], x[:, :, 2:], atol=1e-3)
    np.testing.assert_allclose(left[:, :, 3:], np.repeat(x[:, :, 4:], 2, axis=2), atol=1e-3)
    with pytest.raises(ValueError, match="RandomRotation: fill_mode must be one of"):
        L.RandomRotation(0.1, fill_mode="mirror")


def test_random_crop_trains_random_and_infers_centred():
    x = _images(8, 6, 7, 2)
    out = L.RandomCrop(3, 4, seed=0)(x).data
    assert out.shape == (8, 3, 4, 2)
    offsets = set()
    for o, i in zip(out, x):
        hits = [(t, s) for t in range(4) for s in range(4) if np.array_equal(i[t:t + 3, s:s + 4], o)]
        assert hits
        offsets.add(hits[0])
    assert len(offsets) > 1
    np.testing.assert_array_equal(L.RandomCrop(3, 4).eval()(x).data, x[:, 1:4, 1:5])
    np.testing.assert_array_equal(L.CenterCrop(3, 4)(x).data, x[:, 1:4, 1:5])
    xf = x.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(L.CenterCrop(2, 2, data_format="channels_first")(xf).data, xf[:, :, 2:4, 2:4])
    with pytest.raises(ValueError, match="CenterCrop: crop"):
        L.CenterCrop(9, 2)(x)


def test_random_contrast_and_brightness_formulas():
    x = rng.uniform(100, 150, size=(10, 4, 4, 3)).astype(np.float32)
    out = L.RandomContrast((0.4, 0.2))(x).data
    mean = x.mean(axis=(1, 2), keepdims=True)
    c = (out - mean) / (x - mean)  # one factor per image, shared by its pixels and channels
    assert np.allclose(c, c[:, :1, :1, :1], rtol=1e-3) and c.min() >= 0.6 - 1e-4 and c.max() <= 1.2 + 1e-4
    out = L.RandomBrightness(0.1)(x).data
    delta = out - x
    assert np.allclose(delta, delta[:, :1, :1, :1], atol=1e-3) and np.abs(delta).max() <= 25.5 + 1e-3
    bright = L.RandomBrightness((1.0, 1.0), value_range=(0, 1))(x / 255).data
    np.testing.assert_array_equal(bright, np.ones_like(x))  # clipped to value_range
    for layer in (L.RandomContrast(0.3, seed=2), L.RandomBrightness((-0.2, 0.1)), L.RandomZoom(0.1, 0.2),
                  L.RandomTranslation(0.1, (0.0, 0.2)), L.RandomRotation(0.1), L.RandomCrop(2, 2), L.RandomFlip()):
        assert type(layer)(**layer.get_config()).get_config() == layer.get_config()


def test_augmentation_inside_a_model_fits_and_predicts_unchanged():
    gn.manual_seed(0)
    augment = keras.Sequential([L.RandomFlip("horizontal"), L.RandomRotation(0.1), L.RandomZoom(0.1)])
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), augment, L.Rescaling(1 / 255), L.Flatten(),
                              L.Dense(2, activation="softmax")])
    x = _images(16, 8, 8, 1)
    y = (x.mean(axis=(1, 2, 3)) > 127).astype(np.int64)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x), model.predict(x))


# ----- Normalization, Resizing ----------------------------------------------------------------------
def test_normalization_adapt_axis_invert_and_given_statistics():
    x = rng.normal(3, 2, size=(100, 4, 3))
    norm = L.Normalization()
    norm.adapt(x)
    assert norm.mean.shape == (1, 1, 3)
    out = norm(x).data
    np.testing.assert_allclose(out.reshape(-1, 3).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.reshape(-1, 3).std(0), 1, atol=1e-5)
    scalar = L.Normalization(axis=None)
    scalar.adapt(x)
    np.testing.assert_allclose(scalar(x).data, (x - x.mean()) / x.std(), rtol=1e-5, atol=1e-6)
    two = L.Normalization(axis=(1, 2))
    two.adapt([x[:50], x[50:]])  # batches, as a dataset yields them
    np.testing.assert_allclose(two.mean[0], x.mean(0), rtol=1e-5)
    given = L.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    np.testing.assert_allclose(given(np.array([[3.0, 2.0]])).data, [[1.0, 0.0]])  # zero variance: std floor 1e-7
    inverse = L.Normalization(mean=1.0, variance=4.0, invert=True)
    np.testing.assert_allclose(inverse(np.array([[1.0, -1.0]])).data, [[3.0, -1.0]])
    assert gn.gradcheck(lambda t: norm(t), [gn.tensor(x[:2], requires_grad=True)])
    again = L.Normalization(**norm.get_config(), dtype="float64")
    np.testing.assert_allclose(again(x).data, out, rtol=1e-6)
    with pytest.raises(RuntimeError, match="Normalization: call adapt"):
        L.Normalization()(x)


def test_normalization_in_a_saved_model(tmp_path):
    x = rng.normal(5, 3, size=(20, 3)).astype(np.float32)
    norm = L.Normalization()
    norm.adapt(x)
    model = keras.Sequential([keras.Input(shape=(3,)), norm, L.Dense(1)])
    expected = model.predict(x)
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras").predict(x), expected, rtol=1e-6)


def test_resizing_half_pixel_bilinear_and_nearest():
    row = np.array([1.0, 3.0, 5.0, 7.0])[None, None, :, None]  # (1, 1, 4, 1)
    up = L.Resizing(1, 8)(row).data[0, 0, :, 0]
    src = np.clip((np.arange(8) + 0.5) / 2 - 0.5, 0, 3)  # half-pixel centres, clamped at the borders
    np.testing.assert_allclose(up, np.interp(src, np.arange(4), row[0, 0, :, 0]))
    down = L.Resizing(1, 2, interpolation="nearest")(row).data[0, 0, :, 0]
    np.testing.assert_array_equal(down, [3.0, 7.0])  # input floor((o + 0.5) * 2)
    x = _images(2, 6, 4, 3)
    crop = L.Resizing(3, 3, crop_to_aspect_ratio=True, interpolation="nearest")(x).data
    np.testing.assert_allclose(crop, L.Resizing(3, 3, interpolation="nearest")(x[:, 1:5]).data)
    assert L.Resizing(8, 8)(keras.Input(shape=(None, None, 3))).shape == (None, 8, 8, 3)
    assert gn.gradcheck(lambda t: L.Resizing(3, 5)(t), [gn.tensor(x[:1].astype(np.float64), requires_grad=True)])
