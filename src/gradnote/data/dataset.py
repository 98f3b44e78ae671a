"""Datasets: anything with a length and an item per index, or a stream of samples.

A ``Dataset`` (map-style) answers ``len(ds)`` and ``ds[i]`` (one sample, e.g. a tuple ``(x_i, y_i)``);
an ``IterableDataset`` only ``iter(ds)``, for streams that cannot be indexed.
Datasets that can gather many samples at once expose ``ds.__getitems__(indices)`` returning
the whole batch (e.g. ``(x[indices], y[indices])``); the DataLoader then makes one
fancy-index per array instead of one Python call per sample.

    ds = TensorDataset(x, y)          # x: (N, ...), y: (N,)
    ds[3]                             # (x[3], y[3])
    ds.__getitems__([0, 5, 2])        # (x[[0, 5, 2]], y[[0, 5, 2]])
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence

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
    """Abstract map-style dataset: subclasses implement ``__len__`` and ``__getitem__(i)``.

    ``a + b`` is ``ConcatDataset([a, b])``, as in PyTorch.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Abstract stream of samples: subclasses implement ``__iter__`` (``__len__`` is optional).

    The DataLoader batches consecutive samples; shuffling and samplers do not apply. With
    ``num_workers > 0`` every worker iterates its own copy, so split the stream with
    ``get_worker_info()`` (worker ``id`` of ``num_workers``) or each sample comes once per worker.

    >>> class Count(gn.data.IterableDataset):
    ...     def __iter__(self): return iter(range(5))
    >>> [b.tolist() for b in gn.data.DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it has no items by index")

    def __add__(self, other):
        raise TypeError(f"{type(self).__name__} is an IterableDataset; only map-style datasets can be concatenated")


class TensorDataset(Dataset):
    """Samples are the rows of equally long arrays: ``ds[i] == (a[i], b[i], ...)``.

    ``TensorDataset(x, y)`` with x: (N, ...), y: (N, ...). Arrays (or Tensors) are kept
    without copying, so np.memmap arrays stay on disk. A sample is always a tuple, also with
    one array (``for (xb,) in loader``), as in PyTorch.

    >>> TensorDataset(np.arange(6).reshape(3, 2), np.array([0, 1, 0]))[1]
    (array([2, 3]), np.int64(1))
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
        return tuple(a[index] for a in self.arrays)

    def __getitems__(self, indices):
        """The batch at ``indices``: one fancy-index per array (copies, so memmaps are read here)."""
        indices = np.asarray(indices, dtype=np.intp)
        return tuple(np.asarray(a[indices]) for a in self.arrays)


class ConcatDataset(Dataset):
    """The samples of several map-style datasets one after another: ``len`` is the sum of their lengths."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets must not be empty")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset) or not hasattr(d, "__len__"):
                raise TypeError(f"ConcatDataset: dataset {i} ({type(d).__name__}) is not a map-style dataset "
                                "with a length")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} out of range for length {n}")
        index = index % n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


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
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths.

    ``lengths``: ints summing to ``len(dataset)``, or fractions summing to 1 (each split gets
    floor(f * N) samples and the remainder goes one by one to the first splits, as PyTorch).
    ``generator``: a ``gn.Generator`` (or ``numpy.random.Generator``) for the permutation instead of gradnote's.

    >>> [len(s) for s in random_split(range(10), [0.3, 0.7])]
    [3, 7]
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is {frac}, not between 0 and 1")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"random_split: split {i} has length 0 (an empty dataset)", stacklevel=2)
    else:
        counts = [int(x) for x in lengths]
        if any(c != x or c < 0 for c, x in zip(counts, lengths)):
            raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, "
                             f"got {list(lengths)}")
    if sum(counts) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the dataset length {n}")
    perm = get_rng(generator).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, perm[a:b]) for a, b in itertools.pairwise(bounds)]
