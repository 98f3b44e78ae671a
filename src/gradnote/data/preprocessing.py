"""Splitting and scaling: hold out a test set, then scale with statistics of the training set only.

    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
    scaler = StandardScaler().fit(x_tr)          # mean and std of the training data
    x_tr, x_te = scaler.transform(x_tr), scaler.transform(x_te)

Fitting on the whole data would leak the test set's statistics into training.
"""

from __future__ import annotations

import numpy as np

from ..random import get_rng
from .dataset import as_array


def _rng(seed, generator):
    return np.random.default_rng(seed) if seed is not None else get_rng(generator)


def train_test_split(*arrays, test_size: float = 0.2, shuffle: bool = True, stratify=None,
                     seed: int | None = None, generator: np.random.Generator | None = None) -> list[np.ndarray]:
    """Split equally long arrays into train and test parts: ``[a_train, a_test, b_train, b_test, ...]``.

    ``test_size``: a fraction in (0, 1) (the test part has ceil(N * test_size) rows) or a row count.
    ``stratify``: labels (N,); each class then keeps its share in both parts (largest-remainder rounding).
    Randomness comes from ``seed``, else ``generator``, else gradnote's generator.
    """
    if not arrays:
        raise ValueError("train_test_split: give at least one array")
    arrays = [as_array(a) for a in arrays]
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"train_test_split: arrays must have the same first dimension, got lengths {lengths}")
    n = lengths[0]
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"train_test_split: test_size as a fraction must be in (0, 1), got {test_size}")
        n_test = int(np.ceil(n * test_size))
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        raise TypeError(f"train_test_split: test_size must be a float or an int, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size} leaves {n_test} of {n} rows for testing; "
                         "both parts need at least one row")
    rng = _rng(seed, generator)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        labels = as_array(stratify)
        if len(labels) != n:
            raise ValueError(f"train_test_split: stratify has {len(labels)} labels for {n} rows")
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        quota = counts * n_test / n
        take = np.floor(quota).astype(np.int64)
        extra = np.argsort(-(quota - take), kind="stable")[: n_test - take.sum()]
        take[extra] += 1
        test_parts, train_parts = [], []
        for c in range(len(classes)):
            members = rng.permutation(np.flatnonzero(inverse == c))
            test_parts.append(members[: take[c]])
            train_parts.append(members[take[c]:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train_idx, test_idx = order[: n - n_test], order[n - n_test:]
    out = []
    for a in arrays:
        out += [a[train_idx], a[test_idx]]
    return out


class _Scaler:
    """Shared fit/transform plumbing: statistics per feature (over axis 0)."""

    _fitted_attr = ""

    def _check(self, x, fitting: bool = False) -> np.ndarray:
        x = as_array(x)
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"{type(self).__name__}: expected an array of shape (N, ...) with N >= 1, got {x.shape}")
        if x.dtype.kind != "f":
            x = x.astype(np.float32)
        if not fitting:
            if getattr(self, self._fitted_attr, None) is None:
                raise RuntimeError(f"{type(self).__name__}: call fit() on training data before transforming")
            if x.shape[1:] != self.n_features_shape:
                raise ValueError(f"{type(self).__name__}: fitted on features of shape {self.n_features_shape}, "
                                 f"got data of shape {x.shape}")
        return x

    def fit_transform(self, x) -> np.ndarray:
        return self.fit(x).transform(x)


class StandardScaler(_Scaler):
    """z = (x - mean) / std, with mean and (population) std per feature from ``fit`` (std 0 is treated as 1)."""

    _fitted_attr = "mean_"

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean, self.with_std = with_mean, with_std
        self.mean_ = self.scale_ = None

    def fit(self, x) -> StandardScaler:
        x = self._check(x, fitting=True)
        self.n_features_shape = x.shape[1:]
        stats = x.astype(np.float64)
        self.mean_ = stats.mean(axis=0) if self.with_mean else np.zeros(x.shape[1:])
        std = stats.std(axis=0) if self.with_std else np.ones(x.shape[1:])
        self.scale_ = np.where(std == 0, 1.0, std)
        return self

    def transform(self, x) -> np.ndarray:
        x = self._check(x)
        return ((x - self.mean_) / self.scale_).astype(x.dtype)

    def inverse_transform(self, z) -> np.ndarray:
        z = self._check(z)
        return (z * self.scale_ + self.mean_).astype(z.dtype)


class MinMaxScaler(_Scaler):
    """x' = lo + (x - min) * (hi - lo) / (max - min) per feature, min and max from ``fit`` (range 0 -> 1)."""

    _fitted_attr = "min_"

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range must have min < max, got {feature_range}")
        self.feature_range = (float(lo), float(hi))
        self.min_ = self.range_ = None

    def fit(self, x) -> MinMaxScaler:
        x = self._check(x, fitting=True)
        self.n_features_shape = x.shape[1:]
        lo, hi = x.astype(np.float64).min(axis=0), x.astype(np.float64).max(axis=0)
        self.min_ = lo
        self.range_ = np.where(hi - lo == 0, 1.0, hi - lo)
        return self

    def transform(self, x) -> np.ndarray:
        x = self._check(x)
        lo, hi = self.feature_range
        return (lo + (x - self.min_) / self.range_ * (hi - lo)).astype(x.dtype)

    def inverse_transform(self, z) -> np.ndarray:
        z = self._check(z)
        lo, hi = self.feature_range
        return ((z - lo) / (hi - lo) * self.range_ + self.min_).astype(z.dtype)
