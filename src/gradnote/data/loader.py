"""DataLoader: cut a dataset into batches of gradnote Tensors, one epoch per ``for`` loop.

The notes' three kinds of gradient descent are one loader with three batch sizes:

    DataLoader(ds, batch_size=len(ds))              # batch gradient descent: 1 step per epoch
    DataLoader(ds, batch_size=1, shuffle=True)      # stochastic gradient descent (SGD)
    DataLoader(ds, batch_size=32, shuffle=True)     # mini-batch gradient descent

``len(loader)`` is the number of batches (iterations) per epoch: ceil(N / batch_size), or
floor with ``drop_last=True``. Shuffling draws a permutation (without replacement) from a
fresh generator seeded from gradnote's generator at the start of each epoch, so
``gn.manual_seed`` makes every epoch's order repeat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping

import numpy as np

from ..autograd import Tensor
from ..random import get_rng
from .dataset import Dataset


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


def _apply_transform(transform, batch):
    # Augmentations act on the inputs: the first field of a tuple batch, the whole batch otherwise.
    if isinstance(batch, tuple):
        return (transform(batch[0]),) + batch[1:]
    if isinstance(batch, list):
        return [transform(batch[0])] + batch[1:]
    return transform(batch)


class DataLoader:
    """Iterate over ``dataset`` in batches of gradnote Tensors.

    DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, transform=None,
    collate_fn=None, generator=None, prefetch=0)

    - A dataset with ``__getitems__(indices)`` (TensorDataset, MemmapDataset, NpyShardDataset)
      is gathered with one fancy-index per array per batch; other datasets item by item.
    - ``transform(x) -> x`` runs on each batch's inputs (ndarray of shape (B, ...), the first
      field of a tuple batch, or the whole batch if samples are single arrays or dicts),
      before the arrays become Tensors: the image augmentations in ``data.augment`` fit here.
    - ``collate_fn(list_of_samples)`` replaces the default stacking; it always receives
      samples one by one (the vectorised gather is used only with the default collation).
    - ``generator``: a ``numpy.random.Generator`` to draw the shuffling from instead of gradnote's.
    - ``prefetch=k`` reads up to k batches ahead in a background thread (for slow, on-disk
      datasets); ``transform`` still runs in the caller's thread so its random draws keep
      their order and ``gn.manual_seed`` still makes runs repeat.
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 transform: Callable | None = None, collate_fn: Callable | None = None,
                 generator: np.random.Generator | None = None, prefetch: int = 0):
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if isinstance(prefetch, bool) or not isinstance(prefetch, (int, np.integer)) or prefetch < 0:
            raise ValueError(f"DataLoader: prefetch must be an int >= 0, got {prefetch!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {transform!r}")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator "
                            f"(e.g. np.random.default_rng(0)) or None, got {generator!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.collate_fn = collate_fn
        self.generator = generator
        self.prefetch = int(prefetch)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def batch_indices(self) -> list[np.ndarray]:
        """This epoch's index batches; draws the shuffle from the generator (one draw per epoch)."""
        n = len(self.dataset)
        if self.shuffle:
            seed = get_rng(self.generator).integers(0, 2**63 - 1)
            order = np.random.default_rng(seed).permutation(n)
        else:
            order = np.arange(n)
        stop = len(self) * self.batch_size
        return [order[i:i + self.batch_size] for i in range(0, min(stop, n), self.batch_size)]

    def _fetch(self, idx: np.ndarray):
        """Read one batch as ndarrays (no Tensors yet)."""
        if self.collate_fn is not None:
            return self.collate_fn([self.dataset[int(i)] for i in idx])
        gather = getattr(self.dataset, "__getitems__", None)
        if gather is not None:
            return gather(idx)
        return stack_samples([self.dataset[int(i)] for i in idx])

    def _finish(self, batch):
        if self.transform is not None:
            batch = _apply_transform(self.transform, batch)
        return to_tensors(batch)

    def __iter__(self):
        batches = self.batch_indices()
        if self.prefetch:
            yield from (self._finish(b) for b in _prefetched(self._fetch, batches, self.prefetch))
        else:
            for idx in batches:
                yield self._finish(self._fetch(idx))

    def __repr__(self) -> str:
        return (f"DataLoader(len(dataset)={len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})")


_DONE = object()


def _prefetched(fetch, batches, depth: int):
    """Yield ``fetch(b)`` for each b, computed up to ``depth`` batches ahead in a daemon thread."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for b in batches:
                if not put(("ok", fetch(b))):
                    return
        except BaseException as e:  # noqa: BLE001  (handed to the consumer, which re-raises it)
            put(("error", e))
            return
        put(("ok", _DONE))

    thread = threading.Thread(target=work, name="gradnote-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "error":
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()  # a consumer that breaks early releases the worker
        thread.join(timeout=5)
