"""Collation: from samples to one batch of arrays, and from arrays to Tensors.

The loader reads a batch in two steps, so that worker processes send back plain NumPy arrays:

    batch = BatchFetcher(dataset, ...).fetch(indices)   # ndarrays (main process or a worker)
    batch = to_tensors(batch)                           # Tensors (always in the main process)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ..autograd import Tensor


def _to_tensor(a):
    """Floats keep their dtype (float32/float64), integers become int64, bools stay bool."""
    if isinstance(a, Tensor):
        return a
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        a = a.astype(np.int64, copy=False)
    elif a.dtype.kind not in "fb":
        return a  # strings and objects are left as arrays
    return Tensor._wrap(np.ascontiguousarray(a))


def to_tensors(batch):
    """Wrap every array in a batch structure (tuple, list, dict, array) as a Tensor."""
    if isinstance(batch, Mapping):
        return {k: to_tensors(v) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_tensors(v) for v in batch)
    return _to_tensor(batch)


def stack_samples(samples: list):
    """Stack a list of samples into one batch of ndarrays, keeping the sample structure.

    Samples that are tuples give a tuple of stacked arrays, dicts a dict, arrays or numbers
    one array with a new leading batch axis (Python floats as float32, even mixed with ints; Python
    ints as int64; NumPy scalars keep their dtype).
    Strings are kept as a list.
    """
    first = samples[0]
    if isinstance(first, Mapping):
        return {k: stack_samples([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        sizes = {len(s) for s in samples}
        if len(sizes) > 1:
            raise ValueError(f"DataLoader: samples have different numbers of fields {sorted(sizes)}")
        return type(first)(stack_samples(list(field)) for field in zip(*samples))
    if isinstance(first, str):
        return list(samples)
    if type(first) in (int, float) and all(type(s) in (int, float) for s in samples):
        # Python numbers: floats (also ints mixed with floats) become float32, as gn.tensor(1.0) does;
        # NumPy scalars (np.float64 is a float subclass) keep their dtype, as TensorDataset's rows do
        return np.asarray(samples, dtype=np.float32 if float in {type(s) for s in samples} else np.int64)
    arrays = [s.data if isinstance(s, Tensor) else s for s in samples]
    try:
        return np.stack([np.asarray(a) for a in arrays])
    except ValueError as e:
        shapes = sorted({np.shape(a) for a in arrays})
        raise ValueError(f"DataLoader: cannot stack samples of different shapes {shapes}; "
                         "pad them or pass a collate_fn") from e


def default_collate(samples: list):
    """Stack samples into a batch and wrap the arrays as Tensors (int -> int64, floats kept)."""
    return to_tensors(stack_samples(samples))


def to_arrays(batch):
    """Replace every Tensor in a batch structure by its ndarray (what a worker process sends back)."""
    if isinstance(batch, Mapping):
        return {k: to_arrays(v) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_arrays(v) for v in batch)
    return batch.data if isinstance(batch, Tensor) else batch


class BatchFetcher:
    """Reads batches of arrays from a dataset: the same code in the main process and in each worker.

    Map-style datasets: ``fetch(indices)`` reads those samples, with one ``__getitems__`` call when
    the dataset has one and no ``collate_fn`` is given, else item by item through ``collate_fn``
    (stacking by default). Iterable datasets: ``next_batch(iterator)`` takes the next
    ``batch_size`` samples (``StopIteration`` when none are left, or a short one with ``drop_last``).
    ``batched=False`` (``batch_size=None`` and no batch sampler) turns batching off: each sample is
    its own batch (``collate_fn`` per sample).
    """

    def __init__(self, dataset, collate_fn: Callable | None, batch_size: int | None, drop_last: bool,
                 batched: bool = True):
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.batched = batched

    def _collate(self, samples: list):
        if not self.batched:
            return samples[0] if self.collate_fn is None else self.collate_fn(samples[0])
        return stack_samples(samples) if self.collate_fn is None else self.collate_fn(samples)

    def fetch(self, indices: np.ndarray):
        gather = getattr(self.dataset, "__getitems__", None)
        if gather is not None and self.collate_fn is None and self.batched:
            return gather(indices)
        return self._collate([self.dataset[int(i)] for i in indices])

    def next_batch(self, iterator):
        samples = []
        for sample in iterator:
            samples.append(sample)
            if len(samples) == (self.batch_size if self.batched else 1):
                break
        if not samples or (self.batched and self.drop_last and len(samples) < self.batch_size):
            raise StopIteration
        return self._collate(samples)
