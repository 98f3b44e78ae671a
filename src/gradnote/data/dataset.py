"""Datasets: anything with a length and an item per index.

A ``Dataset`` answers ``len(ds)`` and ``ds[i]`` (one sample, e.g. a tuple ``(x_i, y_i)``).
Datasets that can gather many samples at once expose ``ds.__getitems__(indices)`` returning
the whole batch (e.g. ``(x[indices], y[indices])``); the DataLoader then makes one
fancy-index per array instead of one Python call per sample.

    ds = TensorDataset(x, y)          # x: (N, ...), y: (N,)
    ds[3]                             # (x[3], y[3])
    ds.__getitems__([0, 5, 2])        # (x[[0, 5, 2]], y[[0, 5, 2]])
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ..autograd import Tensor
from ..random import get_rng


def as_array(a):
    """The ndarray behind a gradnote Tensor, or ``a`` itself for arrays (np.memmap stays a memmap)."""
    if isinstance(a, np.ndarray):
        return a
    if isinstance(a, Tensor):
        return a.data
    return np.asarray(a)


class Dataset:
    """Abstract dataset: subclasses implement ``__len__`` and ``__getitem__(i)``."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")


class TensorDataset(Dataset):
    """Samples are the rows of equally long arrays: ``ds[i] == (a[i], b[i], ...)``.

    ``TensorDataset(x, y)`` with x: (N, ...), y: (N, ...). Arrays (or Tensors) are kept
    without copying, so np.memmap arrays stay on disk. With one array, a sample is that
    array's row (not a 1-tuple).
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        arrays = tuple(as_array(a) for a in arrays)
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: array {i} is a scalar; every array needs a first (sample) dimension")
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: all arrays must have the same first dimension, got lengths {lengths}")
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        if len(self.arrays) == 1:
            return self.arrays[0][index]
        return tuple(a[index] for a in self.arrays)

    def __getitems__(self, indices):
        """The batch at ``indices``: one fancy-index per array (copies, so memmaps are read here)."""
        indices = np.asarray(indices, dtype=np.intp)
        if len(self.arrays) == 1:
            return np.asarray(self.arrays[0][indices])
        return tuple(np.asarray(a[indices]) for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.intp)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices out of range for a dataset of length {n}")

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def __getattr__(self, name):
        # Forward the vectorised gather only when the wrapped dataset has one.
        if name == "__getitems__" and hasattr(self.dataset, "__getitems__"):
            return lambda indices: self.dataset.__getitems__(self.indices[np.asarray(indices, dtype=np.intp)])
        raise AttributeError(name)


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        counts = [int(x) for x in lengths]
    if sum(counts) != n or any(c < 0 for c in counts):
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the dataset length {n}")
    perm = get_rng(generator).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, perm[a:b]) for a, b in itertools.pairwise(bounds)]
