"""Generated datasets, the built-in digits, IDX / MNIST loading with checks, download, splitting and scaling."""

import gzip
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

import gradnote as gn
from gradnote.data import datasets as D
from gradnote.data.idx import IDXError, read_idx, write_idx
from gradnote.data.preprocessing import MinMaxScaler, StandardScaler, train_test_split


# ----- generated ---------------------------------------------------------------------------------
def test_xor_truth_table_and_noise():
    x, y = D.xor()
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert x.dtype == np.float32 and y.dtype == np.int64
    xn, yn = D.xor(400, noise=0.1, seed=0)
    np.testing.assert_array_equal(yn, np.tile([0, 1, 1, 0], 100))
    dev = xn - np.tile(x, (100, 1))
    assert abs(dev.std() - 0.1) < 0.01
    np.testing.assert_array_equal(D.xor(8, noise=0.1, seed=5)[0], D.xor(8, noise=0.1, seed=5)[0])


def test_spiral_shape_radius_and_labels():
    x, y = D.spiral(200, classes=4, noise=0.3, seed=1)  # n counts all points, as moons(n) and circles(n)
    assert x.shape == (200, 2) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50] * 4)
    # noise perturbs only the angle: the radii of each arm are linspace(0, 1, n)
    for k in range(4):
        np.testing.assert_allclose(np.sort(np.linalg.norm(x[y == k], axis=1)), np.linspace(0, 1, 50), atol=1e-6)
    x0, _ = D.spiral(200, classes=4, noise=0.0, shuffle=False)
    t = np.arctan2(x0[1:50, 0], x0[1:50, 1])  # class 0 angle is 4 r
    np.testing.assert_allclose(np.unwrap(t), 4 * np.linspace(0, 1, 50)[1:], atol=1e-5)
    assert np.bincount(D.spiral(10, classes=3, seed=0)[1]).tolist() == [4, 3, 3]
    with pytest.raises(ValueError, match="spiral: n=2 points cannot fill classes=3"):
        D.spiral(2, classes=3)


def test_spiral_is_shuffled_so_a_tail_split_holds_every_class():
    # samples came sorted by class: fit(validation_split=0.2) validated on the last class only
    x, y = D.spiral(300, classes=3, seed=0)
    assert set(y[-60:].tolist()) == {0, 1, 2}
    assert min(np.bincount(y[-60:])) >= 10
    gn.manual_seed(4)
    a = D.spiral(30)
    gn.manual_seed(4)
    b = D.spiral(30)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[1], D.spiral(30, seed=5)[1])


def test_moons_and_circles_lie_on_their_curves():
    x, y = D.moons(101, seed=0)
    assert x.shape == (101, 2) and np.bincount(y).tolist() == [51, 50]
    a, b = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*a.T), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1, b[:, 1] - 0.5), 1, atol=1e-6)
    assert a[:, 1].min() >= -1e-6 and b[:, 1].max() <= 0.5 + 1e-6
    x, y = D.circles(100, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*x[y == 0].T), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(*x[y == 1].T), 0.3, atol=1e-6)
    xn, _ = D.circles(2000, noise=0.05, factor=0.5, shuffle=False, seed=0)
    clean, _ = D.circles(2000, factor=0.5, shuffle=False)
    assert abs((xn - clean).std() - 0.05) < 0.005
    with pytest.raises(ValueError, match="factor"):
        D.circles(10, factor=1.5)
    with pytest.raises(ValueError, match="noise"):
        D.moons(10, noise=-1)
    with pytest.raises(ValueError, match="spiral: classes must be an int >= 1, got 0"):
        D.spiral(10, classes=0)
    with pytest.raises(ValueError, match="xor: noise must be >= 0, got 'a'"):
        D.xor(8, noise="a")


def test_generated_data_follows_manual_seed_and_generators():
    gn.manual_seed(7)
    a = D.moons(30, noise=0.1)
    gn.manual_seed(7)
    b = D.moons(30, noise=0.1)
    np.testing.assert_array_equal(a[0], b[0])
    c = D.spiral(20, generator=np.random.default_rng(3))
    d = D.spiral(20, seed=3)
    np.testing.assert_array_equal(c[0], d[0])


# ----- built-in digits ---------------------------------------------------------------------------
def test_builtin_digits():
    x, y = D.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(10)) and np.bincount(y).min() > 170
    assert x.min() == 0 and x.max() == 16 and np.all(x == np.round(x))
    imgs, y2 = D.load_digits(images=True, normalize=True)
    assert imgs.shape == (1797, 1, 8, 8) and imgs.max() == 1.0
    np.testing.assert_array_equal(imgs.reshape(1797, 64) * 16, x)
    np.testing.assert_array_equal(y, y2)


def test_importing_data_stays_light():
    code = ("import sys, gradnote, gradnote.data, gradnote.data.augment; "
            "assert 'scipy.ndimage' not in sys.modules, 'scipy.ndimage imported'; "
            "assert 'urllib.request' not in sys.modules, 'urllib.request imported'")
    src = os.path.join(os.path.dirname(__file__), "..", "src")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# ----- IDX ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 4) % 100).astype(dtype).reshape(2, 3, 4)
    path = write_idx(tmp_path / f"a{suffix}", a)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    np.testing.assert_array_equal(a, b)


def _idx_bytes(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


@pytest.mark.parametrize("content, match", [
    (b"\x00\x00", "too short"),
    (b"\x12\x34\x08\x01" + b"\x00" * 8, "not an IDX file"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "not an IDX file"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header declares 3 dimensions"),
    (_idx_bytes(np.zeros((4, 5), np.uint8))[:-3], r"truncated: header says shape \(4, 5\) \(20 bytes .* only 17"),
    (_idx_bytes(np.zeros((4, 5), np.uint8)) + b"xx", "2 unexpected bytes"),
    # mtime=0: the gzip header must not depend on the clock, or pytest-xdist workers collect different ids
    (gzip.compress(_idx_bytes(np.zeros((30, 30), np.uint8)), mtime=0)[:-10], "corrupt or truncated gzip"),
], ids=["too-short", "bad-magic", "bad-type-code", "missing-dims", "truncated", "extra-bytes", "truncated-gzip"])
def test_idx_errors_name_the_file_and_problem(tmp_path, content, match):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(IDXError, match=match) as e:
        read_idx(path)
    assert "broken-idx1-ubyte" in str(e.value)


def test_idx_magic_check(tmp_path):
    path = write_idx(tmp_path / "labels", np.zeros(3, np.uint8))
    assert read_idx(path, expect_magic=2049).shape == (3,)
    with pytest.raises(IDXError, match="2049 does not match the expected 2051"):
        read_idx(path, expect_magic=2051)


# ----- MNIST-style folders -----------------------------------------------------------------------
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def _fake_mnist(folder, n_train=6, n_test=4, gz=(True, False, True, True)):
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_train).astype(np.uint8),
              rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_test).astype(np.uint8)]
    folder.mkdir(parents=True, exist_ok=True)
    for name, a, z in zip(FILES, arrays, gz):
        write_idx(folder / (name + (".gz" if z else "")), a)
    return arrays


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_mnist_from_folder(tmp_path):
    xtr, ytr, xte, yte = _fake_mnist(tmp_path)
    (a, b), (c, d) = D.load_mnist(tmp_path)
    assert a.dtype == np.uint8 and a.shape == (6, 28, 28) and b.dtype == np.int64
    np.testing.assert_array_equal(a, xtr)
    np.testing.assert_array_equal(b, ytr)
    np.testing.assert_array_equal(c, xte)
    np.testing.assert_array_equal(d, yte)
    (a, _), (c, _) = D.load_fashion_mnist(tmp_path, normalize=True, flatten=True)
    assert a.dtype == np.float32 and a.shape == (6, 784) and c.shape == (4, 784)
    np.testing.assert_allclose(a, xtr.reshape(6, -1) / 255.0, rtol=1e-6)
    assert 0.0 <= a.min() and a.max() <= 1.0


def test_load_mnist_checksums(tmp_path):
    _fake_mnist(tmp_path)
    names = [n + ".gz" for n in FILES[:1]] + [FILES[1]] + [n + ".gz" for n in FILES[2:]]
    sums = "".join(f"{_sha(tmp_path / n)}  {n}\n" for n in names)
    (tmp_path / "SHA256SUMS").write_text(sums)
    D.load_mnist(tmp_path)  # all match
    (tmp_path / "SHA256SUMS").write_text(sums.replace(_sha(tmp_path / FILES[1]), "0" * 64))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte: sha256 checksum mismatch"):
        D.load_mnist(tmp_path)
    (tmp_path / "SHA256SUMS").unlink()
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: sha256 checksum mismatch"):
        D.load_mnist(tmp_path, sha256={"t10k-images-idx3-ubyte.gz": "ab" * 32})


def test_load_mnist_bad_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        D.load_mnist(tmp_path / "missing")
    _fake_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        D.load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3, np.uint8))  # 4 images, 3 labels
    with pytest.raises(IDXError, match=r"test images have shape \(4, 28, 28\) and labels \(3,\)"):
        D.load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros((4, 1), np.uint8))  # magic 2050, not 2049
    with pytest.raises(IDXError, match="t10k-labels-idx1-ubyte: magic number 2050"):
        D.load_mnist(tmp_path)
    raw = (tmp_path / "train-labels-idx1-ubyte").read_bytes()
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(raw[:-2])
    with pytest.raises(IDXError, match="train-labels-idx1-ubyte: truncated"):
        D.load_mnist(tmp_path)


# ----- download ----------------------------------------------------------------------------------
def test_download_file_url_checksum_and_cache(tmp_path):
    src = tmp_path / "remote" / "blob.bin"
    src.parent.mkdir()
    src.write_bytes(b"gradnote" * 1000)
    digest = _sha(src)
    cache = tmp_path / "cache"
    path = D.download(src.as_uri(), sha256=digest, cache_dir=cache)
    assert path == cache / "blob.bin" and path.read_bytes() == src.read_bytes()
    src.unlink()  # a verified cached copy is reused without fetching
    assert D.download(src.as_uri(), sha256=digest, cache_dir=cache) == path
    with pytest.raises(OSError, match="could not fetch"):
        D.download(src.as_uri(), sha256="0" * 64, cache_dir=cache)  # stale cache -> refetch -> gone


def test_download_wrong_checksum_leaves_nothing(tmp_path):
    src = tmp_path / "blob.bin"
    src.write_bytes(b"payload")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="sha256 checksum mismatch"):
        D.download(src.as_uri(), sha256="0" * 64, cache_dir=cache)
    assert list(cache.iterdir()) == []  # neither the file nor a temporary part
    with pytest.raises(ValueError, match="md5 checksum mismatch"):
        D.download(src.as_uri(), md5="0" * 32, cache_dir=cache)
    ok = D.download(src.as_uri(), md5=hashlib.md5(b"payload").hexdigest(), cache_dir=cache, filename="p.bin")
    assert ok.name == "p.bin" and ok.read_bytes() == b"payload"


def test_load_mnist_downloads_when_no_path(tmp_path, monkeypatch):
    remote = tmp_path / "remote"
    _fake_mnist(remote, gz=(True, True, True, True))
    sums = {n + ".gz": _sha(remote / (n + ".gz")) for n in FILES}
    monkeypatch.setitem(D.MNIST_SOURCE, "url", remote.as_uri() + "/")
    monkeypatch.setitem(D.MNIST_SOURCE, "sha256", sums)
    (a, _), (_, d) = D.load_mnist(cache_dir=tmp_path / "cache")
    assert a.shape == (6, 28, 28) and d.shape == (4,)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(sums)
    monkeypatch.setitem(D.MNIST_SOURCE, "sha256", dict(sums, **{"t10k-labels-idx1-ubyte.gz": "1" * 64}))
    with pytest.raises(ValueError, match="checksum mismatch"):
        D.load_mnist(cache_dir=tmp_path / "cache2")


# ----- train_test_split and scaling --------------------------------------------------------------
def test_train_test_split_partitions_consistently():
    x = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, seed=0)
    assert len(x_te) == 5 and len(x_tr) == 20
    np.testing.assert_array_equal(x_tr[:, 0] // 2, y_tr)  # rows stay paired
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(25))
    a = train_test_split(y, test_size=3, shuffle=False)
    np.testing.assert_array_equal(a[1], [22, 23, 24])
    np.testing.assert_array_equal(train_test_split(y, seed=4)[1], train_test_split(y, seed=4)[1])
    with pytest.raises(ValueError, match=r"\[25, 24\]"):
        train_test_split(x, y[:-1])
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(y, test_size=1.5)


def test_stratified_split_keeps_class_shares():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    y_tr, y_te = train_test_split(y, test_size=0.2, stratify=y, seed=1)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]


def test_standard_scaler_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 3.0, (200, 3)).astype(np.float32)
    test = rng.normal(0.0, 1.0, (50, 3)).astype(np.float32)
    s = StandardScaler().fit(train)
    z = s.transform(train)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-5)
    np.testing.assert_allclose(s.transform(test), (test - train.mean(0)) / train.std(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test, atol=1e-5)
    const = np.ones((4, 2))
    assert np.isfinite(StandardScaler().fit_transform(const)).all()
    with pytest.raises(RuntimeError, match="call fit"):
        StandardScaler().transform(train)
    with pytest.raises(ValueError, match=r"fitted on features of shape \(3,\)"):
        s.transform(np.ones((2, 4)))


def test_minmax_scaler():
    train = np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]])
    s = MinMaxScaler().fit(train)
    np.testing.assert_allclose(s.transform(train), [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_allclose(s.transform(np.array([[20.0, 0.0]])), [[2.0, -0.5]])  # test data may leave [0, 1]
    s2 = MinMaxScaler((-1, 1))
    np.testing.assert_allclose(s2.fit_transform(train)[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(s2.inverse_transform(s2.transform(train)), train)
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler((1, 0))
