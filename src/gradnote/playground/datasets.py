"""The playground's 2-D problems, all drawn inside the square [-LIMIT, LIMIT]^2, and the input features.

    x, y = make_dataset("spiral", n=400, noise=0.1, seed=0)   # x (400, 2) float32, y (400,) float32 in {0, 1}
    f = features(x, ["x1", "x2", "x1^2"])                      # (400, 3): the columns the network sees

Classification sets (xor, circles, spiral, moons, blobs) have labels 0/1; the regression set has a
target in [-1, 1]. The library's own generators (gradnote.data.datasets) make xor, circles, spiral
and moons; blobs and the regression bumps are the playground's own. ``noise`` is in units of the
square's half-width, so 0.1 means the same amount of scatter on every set.
"""

from __future__ import annotations

import numpy as np

from ..data import datasets

LIMIT = 3.0  # the domain of every picture: [-LIMIT, LIMIT] on both axes
CLASSIFICATION = ("xor", "circles", "spiral", "moons", "blobs")
REGRESSION = ("regression",)
DATASETS = CLASSIFICATION + REGRESSION
FEATURES = {
    "x1": lambda x1, x2: x1, "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1, "x2^2": lambda x1, x2: x2 * x2, "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1), "sin_x2": lambda x1, x2: np.sin(x2),
}


def _fit_square(x: np.ndarray) -> np.ndarray:
    """Centre the points and scale the larger half-range to 0.8 LIMIT (room for the noise)."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    half = max(float((hi - lo).max()) / 2, 1e-12)
    return (x - (lo + hi) / 2) * (0.8 * LIMIT / half)


def _bumps(x: np.ndarray) -> np.ndarray:
    """Two Gaussian bumps of opposite sign: a smooth surface with values in (-1, 1)."""
    def bump(cx, cy):
        return np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2.0)

    return bump(-1.2, -1.2) - bump(1.2, 1.2)


def make_dataset(name: str, n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of the named problem: x (n, 2) float32 in about [-LIMIT, LIMIT]^2, y (n,) float32.

    >>> x, y = make_dataset("moons", n=10, seed=0)
    >>> x.shape, y.dtype.name, sorted(set(y.tolist()))
    ((10, 2), 'float32', [0.0, 1.0])
    """
    if name not in DATASETS:
        raise ValueError(f"playground: unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    rng = np.random.default_rng(seed)
    if name == "xor":  # the truth table's four corners, each a cloud around its corner
        x, y = datasets.xor(n, noise=0.15, seed=seed)
        x = _fit_square(x)
    elif name == "circles":
        x, y = datasets.circles(n, factor=0.5, seed=seed)
        x = _fit_square(x)
    elif name == "spiral":
        x, y = datasets.spiral(n, classes=2, noise=0.0, seed=seed)
        x = _fit_square(x)
    elif name == "moons":
        x, y = datasets.moons(n, seed=seed)
        x = _fit_square(x)
    elif name == "blobs":
        y = (np.arange(n) % 2).astype(np.float64)
        x = rng.normal(0.0, 0.5, (n, 2)) + np.where(y[:, None] == 1, 1.2, -1.2)
    else:
        x = rng.uniform(-0.8 * LIMIT, 0.8 * LIMIT, (n, 2))
        y = _bumps(x)
    x = x + rng.normal(0.0, noise * LIMIT, x.shape) if noise else x
    order = rng.permutation(len(x))[:n]  # every set shuffled alike, so a train/test split holds both classes
    x, y = x[order], np.asarray(y)[order]
    return x.astype(np.float32), np.asarray(y, dtype=np.float32)


def features(x: np.ndarray, names) -> np.ndarray:
    """The network's input columns for points x (N, 2): one column per name in FEATURES, in the order given."""
    bad = [n for n in names if n not in FEATURES]
    if bad or not names:
        raise ValueError(f"playground: input features must be a non-empty selection of {', '.join(FEATURES)}, "
                         f"got {list(names)!r}")
    x1, x2 = x[:, 0], x[:, 1]
    return np.stack([FEATURES[n](x1, x2) for n in names], axis=1).astype(np.float32)


def split(x: np.ndarray, y: np.ndarray, train_fraction: float) -> tuple:
    """First ``train_fraction`` of the (already shuffled) points for training, the rest for testing."""
    k = min(max(int(round(len(x) * train_fraction)), 1), len(x) - 1)
    return x[:k], y[:k], x[k:], y[k:]


def grid(size: int) -> np.ndarray:
    """size x size points covering the square, row by row from the top (y = +LIMIT) down: (size^2, 2)."""
    ticks = np.linspace(-LIMIT, LIMIT, size, dtype=np.float32)
    xs, ys = np.meshgrid(ticks, ticks[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)
