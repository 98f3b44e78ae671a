"""Datasets: small generated problems, the built-in 8x8 digits, and MNIST / Fashion-MNIST from IDX files.

Every loader returns NumPy arrays ``(x, y)`` with x float32 and y int64 class labels, except the
IDX loaders, which keep MNIST's uint8 pixels unless ``normalize=True``.

    x, y = xor()                          # the XOR truth table: x (4, 2), y (4,) = [0, 1, 1, 0]
    x, y = spiral(300, classes=3)         # CS231n spiral: 300 points (100 per class), x (300, 2)
    x, y = load_digits()                  # built in, offline: x (1797, 64) in 0..16, y (1797,)
    (x_tr, y_tr), (x_te, y_te) = load_mnist("path/to/mnist", normalize=True)

Random datasets draw from ``seed`` if given, else ``generator``, else gradnote's generator
(so ``gn.manual_seed`` fixes them).
"""

from __future__ import annotations

import gzip
import io
from importlib import resources
from pathlib import Path

import numpy as np

from ..random import get_rng
from .download import default_cache_dir, download, read_sha256sums, verify
from .idx import IDXError, read_idx, write_idx
from .preprocessing import MinMaxScaler, StandardScaler, train_test_split

__all__ = [
    "MinMaxScaler",
    "StandardScaler",
    "circles",
    "download",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "moons",
    "read_idx",
    "spiral",
    "train_test_split",
    "write_idx",
    "xor",
]


def _rng(seed, generator) -> np.random.Generator:
    return np.random.default_rng(seed) if seed is not None else get_rng(generator)


def _check_n(name: str, n, minimum: int = 1, arg: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name}: {arg} must be an int >= {minimum}, got {n!r}")
    return int(n)


def _check_noise(name: str, noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) or not noise >= 0:
        raise ValueError(f"{name}: noise must be >= 0, got {noise!r}")
    return float(noise)


def _out(x, y):
    return x.astype(np.float32), y.astype(np.int64)


# ----- generated ---------------------------------------------------------------------------------
def xor(n: int = 4, noise: float = 0.0, seed: int | None = None, generator=None) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem a single perceptron cannot solve: y = x1 XOR x2.

    Rows cycle through the truth table (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, so the default
    n=4 is exactly the table; Gaussian ``noise`` (std) is added to x. x: (n, 2), y: (n,).
    """
    n = _check_n("xor", n)
    noise = _check_noise("xor", noise)
    table = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    k = np.arange(n) % 4
    x, y = table[k], np.array([0, 1, 1, 0])[k]
    if noise:
        x = x + _rng(seed, generator).normal(0.0, noise, x.shape)
    return _out(x, y)


def spiral(n: int = 300, classes: int = 3, noise: float = 0.2, shuffle: bool = True, seed: int | None = None,
           generator=None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms (the CS231n toy problem): ``n`` points in all, as moons and circles count.

    The first ``n % classes`` classes get one point more than the others. Class k with m points has
    radius r = linspace(0, 1, m) and angle t = 4 (k + r) + noise * N(0, 1) (radians); x = (r sin t, r cos t).
    The samples are shuffled (from the same seed/generator), so a split such as fit's validation_split
    holds every class. x: (n, 2), y: (n,) with labels 0..classes-1.
    Changed in 0.1: n used to count points per class, and the samples came sorted by class.
    """
    n = _check_n("spiral", n)
    classes = _check_n("spiral", classes, arg="classes")
    if classes > n:
        raise ValueError(f"spiral: n={n} points cannot fill classes={classes} arms")
    noise = _check_noise("spiral", noise)
    rng = _rng(seed, generator)
    sizes = [n // classes + (k < n % classes) for k in range(classes)]
    r = np.concatenate([np.linspace(0.0, 1.0, m) for m in sizes])
    y = np.repeat(np.arange(classes), sizes)
    t = 4.0 * (y + r) + noise * rng.standard_normal(n)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    if shuffle:
        order = rng.permutation(n)
        x, y = x[order], y[order]
    return _out(x, y)


def _two_classes(x, n0: int, n1: int, noise: float, shuffle: bool, rng):
    """Label the first n0 points 0 and the rest 1, add Gaussian noise, optionally shuffle."""
    y = np.repeat([0, 1], [n0, n1])
    if noise:
        x = x + rng.normal(0.0, noise, x.shape)
    if shuffle:
        order = rng.permutation(n0 + n1)
        x, y = x[order], y[order]
    return _out(x, y)


def moons(n: int = 100, noise: float = 0.0, shuffle: bool = True, seed: int | None = None,
          generator=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 is (cos t, sin t), class 1 is (1 - cos t, 0.5 - sin t), t in [0, pi].

    ``n`` points in all (ceil(n/2) in class 0), plus Gaussian ``noise``. x: (n, 2), y: (n,).
    """
    n = _check_n("moons", n, 2)
    noise = _check_noise("moons", noise)
    rng = _rng(seed, generator)
    n0 = n - n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n // 2)
    x = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    return _two_classes(x, n0, n // 2, noise, shuffle, rng)


def circles(n: int = 100, noise: float = 0.0, factor: float = 0.8, shuffle: bool = True,
            seed: int | None = None, generator=None) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1), points evenly spaced.

    ``n`` points in all (ceil(n/2) on the outer circle), plus Gaussian ``noise``. x: (n, 2), y: (n,).
    """
    n = _check_n("circles", n, 2)
    noise = _check_noise("circles", noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be in (0, 1), got {factor!r}")
    rng = _rng(seed, generator)
    n0 = n - n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n // 2, endpoint=False)
    x = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1)])
    return _two_classes(x, n0, n // 2, noise, shuffle, rng)


# ----- built in ----------------------------------------------------------------------------------
def load_digits(images: bool = False, normalize: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The UCI 8x8 handwritten digits shipped inside gradnote (1,797 images, CC BY 4.0; see builtin/SOURCE.md).

    Returns x float32 of shape (1797, 64), or (1797, 1, 8, 8) NCHW with ``images=True``, pixel
    values 0..16 (divided by 16 into [0, 1] with ``normalize=True``), and y int64 (1797,) in 0..9.
    """
    raw = resources.files("gradnote.data").joinpath("builtin", "digits.csv.gz").read_bytes()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.float32)
    x, y = table[:, :64], table[:, 64].astype(np.int64)
    if normalize:
        x = x / np.float32(16.0)
    if images:
        x = x.reshape(-1, 1, 8, 8)
    return np.ascontiguousarray(x), y


# ----- MNIST-style IDX ---------------------------------------------------------------------------
_IDX_FILES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
              "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}

MNIST_SOURCE = {
    "name": "mnist",
    "url": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "sha256": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "md5": {},
}
FASHION_MNIST_SOURCE = {
    "name": "fashion-mnist",
    "url": "https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "sha256": {},
    # Zalando publishes MD5 digests only.
    "md5": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _find(folder: Path, stem: str, who: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{who}: neither {stem}.gz nor {stem} in {str(folder)!r}")


def _load_idx_dataset(who: str, source: dict, path, sha256, cache_dir, normalize: bool, flatten: bool):
    if path is None:
        folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir() / source["name"]
        for stem in _IDX_FILES.values():
            name = stem + ".gz"
            if (folder / stem).is_file():
                continue
            download(source["url"] + name, sha256=source["sha256"].get(name), cache_dir=folder,
                     md5=source["md5"].get(name))
    else:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"{who}: {str(folder)!r} is not a folder holding the IDX files")
    digests = dict(read_sha256sums(folder / "SHA256SUMS")) if (folder / "SHA256SUMS").is_file() else {}
    digests.update(sha256 or {})
    arrays = {}
    for key, stem in _IDX_FILES.items():
        file = _find(folder, stem, who)
        verify(file, sha256=digests.get(file.name))
        arrays[key] = read_idx(file, expect_magic=2051 if key.startswith("x") else 2049)
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or len(x) != len(y):
            raise IDXError(f"{who}: {split} images have shape {x.shape} and labels {y.shape}; "
                           "expected (N, H, W) images and N labels")
    out = []
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"].astype(np.int64)
        if normalize:
            x = x.astype(np.float32) / np.float32(255.0)
        if flatten:
            x = x.reshape(len(x), -1)
        out.append((x, y))
    return tuple(out)


def load_mnist(path=None, normalize: bool = False, flatten: bool = False, sha256: dict[str, str] | None = None,
               cache_dir=None):
    """MNIST handwritten digits: ((x_train, y_train), (x_test, y_test)).

    ``path``: a folder holding ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
    ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``; ``None`` downloads them into
    ``cache_dir`` (default ``~/.cache/gradnote/mnist``), checking the SHA-256 of each file.
    x: uint8 (N, 28, 28) in 0..255, or float32 in [0, 1] with ``normalize=True``;
    ``flatten=True`` gives (N, 784). y: int64 (N,) in 0..9. N = 60000 (train), 10000 (test).
    Files are checked against ``sha256`` ({file name: hex}) and a ``SHA256SUMS`` file in the
    folder if there is one; headers are validated (magic number, sizes, length).
    """
    return _load_idx_dataset("load_mnist", MNIST_SOURCE, path, sha256, cache_dir, normalize, flatten)


def load_fashion_mnist(path=None, normalize: bool = False, flatten: bool = False,
                       sha256: dict[str, str] | None = None, cache_dir=None):
    """Fashion-MNIST (Zalando, MIT licence): same files, shapes and options as ``load_mnist``.

    Labels name clothes: see ``FASHION_MNIST_CLASSES``. Downloads are checked against the MD5
    digests Zalando publishes.
    """
    return _load_idx_dataset("load_fashion_mnist", FASHION_MNIST_SOURCE, path, sha256, cache_dir, normalize,
                             flatten)
