"""Samplers: which dataset indices an epoch visits, in which order, and how they are grouped into batches.

As in PyTorch, the DataLoader is a BatchSampler over a Sampler:

    DataLoader(ds, batch_size=32, shuffle=True)
    # is DataLoader(ds, batch_sampler=BatchSampler(RandomSampler(ds), 32, drop_last=False))

A sampler yields ints; gradnote's samplers also give the whole epoch at once as an ndarray
(``index_array()``), so the loader cuts batches from one array instead of one Python int at a
time. Random samplers draw one seed per epoch from their ``generator`` (a
``numpy.random.Generator``; gradnote's own when None), so ``gn.manual_seed`` repeats every epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ..random import get_rng

__all__ = ["BatchSampler", "DistributedSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]


def _epoch_rng(generator) -> np.random.Generator:
    """A fresh generator for one epoch, seeded by one draw from ``generator`` (or gradnote's)."""
    return np.random.default_rng(get_rng(generator).integers(0, 2**63 - 1))


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


def _check_bool(value, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


class Sampler:
    """Base class: subclasses implement ``__iter__`` (yielding dataset indices) and usually ``__len__``.

    A subclass that can draw its whole epoch at once defines ``index_array() -> ndarray`` instead
    of ``__iter__`` (BatchSampler then cuts batches from that array).
    """

    def __init__(self, data_source=None):  # PyTorch accepts and ignores data_source here
        pass

    def __iter__(self) -> Iterator[int]:
        if not hasattr(self, "index_array"):
            raise NotImplementedError(f"{type(self).__name__} must implement __iter__")
        return iter(self.index_array().tolist())


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1.

    >>> list(SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __len__(self) -> int:
        return len(self.data_source)

    def index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    """A random order of the dataset's indices; with ``replacement=True``, ``num_samples`` independent draws.

    Without replacement, ``num_samples`` larger than the dataset concatenates fresh permutations
    (PyTorch's rule); ``num_samples`` defaults to ``len(data_source)``.

    >>> sorted(RandomSampler(range(5)))
    [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None, generator=None):
        self.data_source = data_source
        self.replacement = _check_bool(replacement, "replacement", "RandomSampler")
        self._num_samples = None if num_samples is None else _positive_int(num_samples, "num_samples",
                                                                            "RandomSampler")
        self.generator = generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __len__(self) -> int:
        return self.num_samples

    def index_array(self) -> np.ndarray:
        n, k = len(self.data_source), self.num_samples
        rng = _epoch_rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=k)
        if n == 0:
            return np.arange(0)
        return np.concatenate([rng.permutation(n) for _ in range(-(-k // n))])[:k]


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (without replacement).

    >>> sorted(SubsetRandomSampler([7, 3, 5]))
    [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator=None):
        self.indices = indices
        self.generator = generator

    def __len__(self) -> int:
        return len(self.indices)

    def index_array(self) -> np.ndarray:
        return np.asarray(self.indices, dtype=np.intp)[_epoch_rng(self.generator).permutation(len(self.indices))]


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights`` (with replacement by default).

    weights: (N,) non-negative, need not sum to 1. Without replacement every index comes at most
    once, so at most as many samples as there are non-zero weights.

    >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], num_samples=3))
    [1, 1, 1]
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator=None):
        self.num_samples = _positive_int(num_samples, "num_samples", "WeightedRandomSampler")
        self.replacement = _check_bool(replacement, "replacement", "WeightedRandomSampler")
        w = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-d sequence, got shape {w.shape}")
        if w.size == 0 or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() == 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {self.num_samples} samples without replacement "
                             f"from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.generator = generator

    def __len__(self) -> int:
        return self.num_samples

    def index_array(self) -> np.ndarray:
        p = self.weights / self.weights.sum()
        return _epoch_rng(self.generator).choice(len(p), size=self.num_samples, replace=self.replacement, p=p)


class BatchSampler(Sampler):
    """Group a sampler's indices into lists of ``batch_size`` (the last one shorter unless ``drop_last``).

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool):
        self.sampler = sampler
        self.batch_size = _positive_int(batch_size, "batch_size", "BatchSampler")
        self.drop_last = _check_bool(drop_last, "drop_last", "BatchSampler")

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.index_batches():
            yield batch.tolist()

    def index_batches(self) -> Iterator[np.ndarray]:
        """The same batches as int ndarrays; one vectorised draw when the sampler has ``index_array``."""
        bs = self.batch_size
        index_array = getattr(self.sampler, "index_array", None)
        if index_array is not None:
            order = index_array()
            stop = len(order) - len(order) % bs if self.drop_last else len(order)
            for i in range(0, stop, bs):
                yield order[i:i + bs]
            return
        batch = []
        for i in self.sampler:  # a plain iterable may be endless: never list it whole
            batch.append(i)
            if len(batch) == bs:
                yield np.asarray(batch, dtype=np.intp)
                batch = []
        if batch and not self.drop_last:
            yield np.asarray(batch, dtype=np.intp)


class DistributedSampler(Sampler):
    """The share of the dataset that process ``rank`` of ``num_replicas`` visits, PyTorch's layout exactly.

    Every rank draws the same permutation (seeded by ``seed + epoch``; call ``set_epoch(e)`` each
    epoch for a new order), pads it by repeating its start to a multiple of ``num_replicas``
    (or, with ``drop_last``, cuts the tail), and takes every ``num_replicas``-th index from
    ``rank``: ranks see disjoint shares of equal length ``ceil(N / num_replicas)``. Left out,
    ``num_replicas`` and ``rank`` come from the initialised ``gradnote.distributed`` process group.

    >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
    [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False):
        if num_replicas is None or rank is None:
            from .. import distributed

            if not distributed.is_initialized():
                raise RuntimeError("DistributedSampler: give num_replicas and rank, or call "
                                   "gradnote.distributed.init_process_group() first to take them from the job")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        self.num_replicas = _positive_int(num_replicas, "num_replicas", "DistributedSampler")
        if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < self.num_replicas:
            raise ValueError(f"DistributedSampler: rank must be an int in [0, {self.num_replicas - 1}], got {rank!r}")
        self.dataset = dataset
        self.rank = int(rank)
        self.shuffle = _check_bool(shuffle, "shuffle", "DistributedSampler")
        self.seed = int(seed)
        self.drop_last = _check_bool(drop_last, "drop_last", "DistributedSampler")
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use ``seed + epoch`` for the next shuffle (the same on every rank)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.num_samples

    def index_array(self) -> np.ndarray:
        n = len(self.dataset)
        order = np.random.default_rng(self.seed + self.epoch).permutation(n) if self.shuffle else np.arange(n)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.resize(order, self.total_size)  # repeats the order from its start: PyTorch's padding
        return order[self.rank:self.total_size:self.num_replicas]
