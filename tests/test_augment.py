"""data.augment: image transforms on NCHW/NHWC batches and EDA text operations, checked by their effects."""

import numpy as np
import pytest

import gradnote as gn
from gradnote.data import DataLoader, TensorDataset
from gradnote.data import augment as A


def _batch(n=3, c=3, h=6, w=6, dtype=np.float32):
    return np.random.default_rng(0).uniform(0, 1, (n, c, h, w)).astype(dtype)


# ----- rotation and scale ------------------------------------------------------------------------
def test_rotation_by_90_degrees_is_rot90():
    x = _batch()
    out = A.RandomRotation((90, 90))(x)
    np.testing.assert_allclose(out, np.rot90(x, axes=(2, 3)), atol=1e-6)
    nhwc = x.transpose(0, 2, 3, 1)
    out = A.RandomRotation((-90, -90), channels_last=True)(nhwc)
    np.testing.assert_allclose(out, np.rot90(nhwc, k=-1, axes=(1, 2)), atol=1e-6)
    img = (x[0] * 255).astype(np.uint8)  # a single (C, H, W) image
    out = A.RandomRotation((180, 180), order=0)(img)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.rot90(img, 2, axes=(1, 2)))


def test_rotation_matches_scipy_and_draws_angles_in_range():
    from scipy import ndimage

    x = _batch(n=1, c=1, h=9, w=9)
    out = A.RandomRotation((30, 30))(x)
    np.testing.assert_allclose(out[0, 0], ndimage.rotate(x[0, 0], 30, reshape=False, order=1), atol=1e-5)
    np.testing.assert_allclose(A.RandomRotation(0)(x), x, atol=1e-6)
    # a single lit pixel at distance 3 from the centre moves along its circle by at most 20 degrees
    dot = np.zeros((200, 1, 9, 9), np.float32)
    dot[:, 0, 4, 7] = 1.0
    out = A.RandomRotation(20, order=0)(dot)
    r, c = np.unravel_index(out.reshape(200, -1).argmax(1), (9, 9))
    angle = np.degrees(np.arctan2(4 - r, c - 4))
    assert np.all(np.abs(angle) <= 20 + 12) and np.ptp(angle) > 10  # nearest-pixel slack, and not constant


def test_scale_zooms_about_the_centre():
    h = w = 9
    ramp = np.broadcast_to(np.arange(h, dtype=np.float64)[:, None], (h, w))  # value = row index
    x = np.broadcast_to(ramp, (2, 1, h, w)).copy()
    out = A.RandomScale((2.0, 2.0))(x)
    np.testing.assert_allclose(out[0, 0], (ramp - 4) / 2 + 4)  # bilinear is exact on a linear ramp
    shrunk = A.RandomScale((0.5, 0.5))(np.ones((1, 1, h, w)))
    assert shrunk[0, 0, 4, 4] == 1 and shrunk[0, 0, 0, 0] == 0  # the border is filled
    np.testing.assert_allclose(A.RandomScale((1, 1))(x), x)
    with pytest.raises(ValueError, match="RandomScale"):
        A.RandomScale((0.0, 1.0))


# ----- crop and flip -----------------------------------------------------------------------------
def test_random_crop_shapes_and_windows():
    x = _batch(n=20, c=2, h=6, w=7)
    out = A.RandomCrop((4, 5))(x)
    assert out.shape == (20, 2, 4, 5)
    for img, crop in zip(x, out):  # every crop is some window of its own image
        assert any(np.array_equal(img[:, i:i + 4, j:j + 5], crop) for i in range(3) for j in range(3))
    tops = {next(i for i in range(3) for j in range(3) if np.array_equal(img[:, i:i + 4, j:j + 5], crop))
            for img, crop in zip(x, out)}
    assert len(tops) > 1  # positions differ between images
    np.testing.assert_array_equal(A.RandomCrop((6, 7))(x), x)
    padded = A.RandomCrop(6, padding=2)(np.ones((50, 1, 6, 6), np.float32))
    assert padded.shape == (50, 1, 6, 6) and padded.min() == 0 and padded.max() == 1
    nhwc = A.RandomCrop(3, channels_last=True)(x.transpose(0, 2, 3, 1))
    assert nhwc.shape == (20, 3, 3, 2)
    with pytest.raises(ValueError, match=r"crop size \(9, 9\) is larger than the padded image \(8, 9\)"):
        A.RandomCrop(9, padding=1)(x)


def test_horizontal_flip():
    x = _batch(n=200)
    np.testing.assert_array_equal(A.RandomHorizontalFlip(p=1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(A.RandomHorizontalFlip(p=0.0)(x), x)
    nhwc = x.transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(A.RandomHorizontalFlip(1.0, channels_last=True)(nhwc), nhwc[:, :, ::-1])
    out = A.RandomHorizontalFlip(0.5)(x)
    flipped = np.array([np.array_equal(o, i[..., ::-1]) for o, i in zip(out, x)])
    kept = np.array([np.array_equal(o, i) for o, i in zip(out, x)])
    assert np.all(flipped ^ kept) and 70 < flipped.sum() < 130
    with pytest.raises(ValueError, match="p must be in"):
        A.RandomHorizontalFlip(1.5)


# ----- colour and noise --------------------------------------------------------------------------
def test_brightness_multiplies_by_the_factor():
    x = _batch()
    np.testing.assert_allclose(A.ColorJitter(brightness=(1.5, 1.5))(x), 1.5 * x, rtol=1e-6)
    out = A.ColorJitter(brightness=0.5)(_batch(n=50))
    ratio = out / _batch(n=50)
    per_image = ratio.reshape(50, -1)
    np.testing.assert_allclose(per_image, np.broadcast_to(per_image[:, :1], per_image.shape), rtol=1e-5)
    assert per_image.min() >= 0.5 - 1e-6 and per_image.max() <= 1.5 + 1e-6 and np.ptp(per_image[:, 0]) > 0.3


def test_contrast_and_saturation():
    x = _batch(n=4)
    gray_w = np.array([0.299, 0.587, 0.114], np.float32)
    out = A.ColorJitter(contrast=(2.0, 2.0))(x)
    mean = np.einsum("c,nchw->nhw", gray_w, x).mean(axis=(1, 2))[:, None, None, None]
    np.testing.assert_allclose(out, mean + 2 * (x - mean), rtol=1e-5, atol=1e-6)
    gray = A.ColorJitter(saturation=(0.0, 0.0))(x)
    np.testing.assert_allclose(gray, np.broadcast_to(np.einsum("c,nchw->nhw", gray_w, x)[:, None], x.shape),
                               atol=1e-6)
    one_channel = _batch(c=1)
    np.testing.assert_allclose(A.ColorJitter(saturation=0.9)(one_channel), one_channel)
    clipped = A.ColorJitter(brightness=(3.0, 3.0), value_range=(0.0, 1.0))(x)
    assert clipped.max() == 1.0
    u8 = np.full((1, 3, 2, 2), 200, np.uint8)
    assert A.ColorJitter(brightness=(2.0, 2.0))(u8).max() == 255
    with pytest.raises(ValueError, match="brightness"):
        A.ColorJitter(brightness=-0.5)


def test_gaussian_noise_std_and_mean():
    x = np.zeros((8, 3, 32, 32), np.float32)
    out = A.GaussianNoise(0.2)(x)
    assert out.dtype == np.float32
    assert abs(out.std() - 0.2) < 0.01 and abs(out.mean()) < 0.01
    out64 = A.GaussianNoise(0.5, mean=1.0)(np.zeros((4, 1000)))
    assert out64.dtype == np.float64 and abs(out64.mean() - 1.0) < 0.05
    vectors = A.GaussianNoise(0.1)(np.zeros(5000))  # any shape works for noise
    assert abs(vectors.std() - 0.1) < 0.01
    assert A.GaussianNoise(0.3, clip=(0, 1))(x).min() == 0


# ----- common behaviour --------------------------------------------------------------------------
def _pipeline(**kw):
    return A.Compose([A.RandomCrop(5, padding=1, **kw), A.RandomRotation(15, **kw), A.RandomScale((0.9, 1.1), **kw),
                      A.RandomHorizontalFlip(**kw), A.ColorJitter(0.3, 0.3, 0.3, **kw), A.GaussianNoise(0.05, **kw)])


def test_deterministic_under_manual_seed_and_explicit_generator():
    x = _batch()
    gn.manual_seed(11)
    a = _pipeline()(x)
    gn.manual_seed(11)
    b = _pipeline()(x)
    c = _pipeline()(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)
    d = _pipeline(generator=np.random.default_rng(5))(x)
    gn.manual_seed(0)
    e = _pipeline(generator=np.random.default_rng(5))(x)
    np.testing.assert_array_equal(d, e)
    assert a.shape == (3, 3, 5, 5)


def test_tensors_in_tensors_out_and_inputs_untouched():
    x = _batch()
    before = x.copy()
    t = _pipeline()(gn.tensor(x))
    assert isinstance(t, gn.Tensor) and t.shape == (3, 3, 5, 5) and t.dtype == np.float32
    np.testing.assert_array_equal(x, before)


def test_as_dataloader_transform():
    x = _batch(n=10)
    y = np.arange(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, transform=A.RandomHorizontalFlip(p=1.0))
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.data, x[:4, ..., ::-1])
    np.testing.assert_array_equal(yb.data, y[:4])


def test_bad_shapes():
    with pytest.raises(ValueError, match=r"RandomRotation: expected a batch \(N, C, H, W\).*\(2, 2, 2, 2, 2\)"):
        A.RandomRotation(10)(np.zeros((2, 2, 2, 2, 2)))
    with pytest.raises(TypeError, match="Compose"):
        A.Compose([A.GaussianNoise(0.1), "flip"])


# ----- text --------------------------------------------------------------------------------------
THESAURUS = {"good": ["fine", "nice"], "movie": ["film"], "very": ["really"]}
SENTENCE = ["this", "is", "a", "very", "good", "movie"]


def test_synonym_replacement():
    out = A.SynonymReplacement(THESAURUS, n=1)(SENTENCE)
    changed = [i for i, (a, b) in enumerate(zip(SENTENCE, out)) if a != b]
    assert len(out) == len(SENTENCE) and len(changed) == 1
    i = changed[0]
    assert out[i] in THESAURUS[SENTENCE[i]]
    out = A.SynonymReplacement(THESAURUS, n=10)(SENTENCE)  # more than there are candidates: all of them
    assert out[:3] == SENTENCE[:3] and out[3] == "really" and out[4] in ("fine", "nice") and out[5] == "film"
    out = A.SynonymReplacement(THESAURUS, p=0.5)(SENTENCE)  # n = int(0.5 * 6) = 3
    assert sum(a != b for a, b in zip(SENTENCE, out)) == 3
    assert A.SynonymReplacement(THESAURUS, n=3, stopwords=["very", "good"])(SENTENCE)[3:5] == ["very", "good"]
    assert A.SynonymReplacement(THESAURUS)(["no", "synonyms", "here"]) == ["no", "synonyms", "here"]
    assert SENTENCE == ["this", "is", "a", "very", "good", "movie"]  # input not modified
    with pytest.raises(TypeError, match="thesaurus"):
        A.SynonymReplacement({"good": "fine"})


def test_random_insertion():
    out = A.RandomInsertion(THESAURUS, n=2)(SENTENCE)
    assert len(out) == len(SENTENCE) + 2
    rest = list(out)
    it = iter(rest)
    assert all(tok in it for tok in SENTENCE)  # the original sentence is a subsequence
    extra = list(out)
    for tok in SENTENCE:
        extra.remove(tok)
    synonyms = {s for v in THESAURUS.values() for s in v}
    assert len(extra) == 2 and set(extra) <= synonyms
    assert A.RandomInsertion(THESAURUS, n=3)(["nothing", "matches"]) == ["nothing", "matches"]


def test_random_swap():
    out = A.RandomSwap(n=1)(SENTENCE)
    assert sorted(out) == sorted(SENTENCE)
    assert sum(a != b for a, b in zip(SENTENCE, out)) == 2
    out = A.RandomSwap(n=5)(SENTENCE)
    assert sorted(out) == sorted(SENTENCE)
    assert A.RandomSwap(3)(["alone"]) == ["alone"]


def test_random_deletion():
    assert A.RandomDeletion(0.0)(SENTENCE) == SENTENCE
    one = A.RandomDeletion(1.0)(SENTENCE)
    assert len(one) == 1 and one[0] in SENTENCE
    long = [f"w{i}" for i in range(2000)]
    kept = A.RandomDeletion(0.3)(long)
    assert 0.65 < len(kept) / 2000 < 0.75
    it = iter(long)
    assert all(tok in it for tok in kept)  # order preserved
    with pytest.raises(ValueError, match="p must be in"):
        A.RandomDeletion(2.0)


def test_text_ops_seeded_and_batched():
    ops = [A.SynonymReplacement(THESAURUS, n=2), A.RandomInsertion(THESAURUS, 2), A.RandomSwap(2),
           A.RandomDeletion(0.3)]
    gn.manual_seed(21)
    a = [op(SENTENCE) for op in ops]
    gn.manual_seed(21)
    b = [op(SENTENCE) for op in ops]
    assert a == b
    batch = A.RandomSwap(1, generator=np.random.default_rng(0))([SENTENCE, ["x", "y"]])
    assert len(batch) == 2 and batch[1] == ["y", "x"]
    with pytest.raises(TypeError, match="split it first"):
        A.RandomSwap()("a whole string")
