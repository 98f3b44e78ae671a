"""DataLoader: cut a dataset into batches of gradnote Tensors, one epoch per ``for`` loop.

The notes' three kinds of gradient descent are one loader with three batch sizes:

    DataLoader(ds, batch_size=len(ds))              # batch gradient descent: 1 step per epoch
    DataLoader(ds, batch_size=1, shuffle=True)      # stochastic gradient descent (SGD)
    DataLoader(ds, batch_size=32, shuffle=True)     # mini-batch gradient descent

``len(loader)`` is the number of batches (iterations) per epoch: ceil(N / batch_size), or
floor with ``drop_last=True``. The signature and the rules are PyTorch's: the order comes from a
sampler (``shuffle=True`` is a ``RandomSampler``, a permutation without replacement drawn anew
each epoch from gradnote's generator, so ``gn.manual_seed`` makes every epoch's order repeat),
batches from a ``BatchSampler``, and ``num_workers > 0`` reads them in worker processes
(``gradnote.data.workers``) with the same result.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import weakref
from collections.abc import Callable

import numpy as np

from ..random import Generator, get_rng
from .collate import BatchFetcher, default_collate, to_tensors  # noqa: F401  (default_collate: its old import path)
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .workers import WorkerPool


def _apply_transform(transform, batch):
    # Augmentations act on the inputs: the first field of a tuple batch, the whole batch otherwise.
    if isinstance(batch, tuple):
        return (transform(batch[0]),) + batch[1:]
    if isinstance(batch, list):
        return [transform(batch[0])] + batch[1:]
    return transform(batch)


def _count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"DataLoader: {name} must be {kind}, got {value!r}")
    return int(value)


class DataLoader:
    """Iterate over ``dataset`` in batches of gradnote Tensors.

    DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
    collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
    multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
    transform=None, prefetch=0)

    PyTorch's arguments with PyTorch's meaning and errors (``sampler`` excludes ``shuffle``;
    ``batch_sampler`` excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``;
    ``batch_size=None`` yields single samples). ``pin_memory`` is accepted and does nothing on the CPU.
    ``generator`` is a ``numpy.random.Generator`` to draw the shuffle and the workers' base seed from
    instead of gradnote's. Batches hold Tensors: floats keep their dtype, integers become int64.

    - A dataset with ``__getitems__(indices)`` (TensorDataset, MemmapDataset, NpyShardDataset)
      is gathered with one fancy-index per array per batch; other datasets item by item.
    - ``collate_fn(list_of_samples)`` replaces the default stacking; it always receives
      samples one by one (the vectorised gather is used only with the default collation).
    - ``num_workers=k`` reads batches in k processes (see ``gradnote.data.workers`` for the order,
      seeding and shutdown); ``prefetch_factor`` (default 2) batches per worker are read ahead.
    - gradnote's extras: ``transform(x) -> x`` runs on each batch's inputs (ndarray of shape
      (B, ...), the first field of a tuple batch, or the whole batch if samples are single arrays or
      dicts) in the main process before the arrays become Tensors: the augmentations in
      ``data.augment`` fit here and draw from gradnote's generator in order, whatever ``num_workers``.
      ``prefetch=k`` reads up to k batches ahead in a background thread (``num_workers=0`` only).

    >>> [b.tolist() for b in DataLoader(np.arange(5), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | None = None, batch_sampler=None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable | None = None, multiprocessing_context=None,
                 generator: Generator | np.random.Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True,
                 transform: Callable | None = None, prefetch: int = 0):
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and (not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (or be an IterableDataset), "
                            f"got {type(dataset).__name__}")
        for name, fn in (("transform", transform), ("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable, got {fn!r}")
        if generator is not None and not isinstance(generator, (np.random.Generator, Generator)):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
                            f"a gn.Generator or None, got {generator!r}")
        self.num_workers = _count(num_workers, "num_workers", 0)
        self.prefetch = _count(prefetch, "prefetch", 0)
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout must be a number of seconds >= 0, got {timeout!r}")
        if self.num_workers == 0:
            for name, value, unset in (("prefetch_factor", prefetch_factor, None),
                                       ("persistent_workers", persistent_workers, False),
                                       ("multiprocessing_context", multiprocessing_context, None)):
                if value is not unset:
                    raise ValueError(f"DataLoader: {name}={value!r} needs num_workers > 0 (worker processes), "
                                     "got num_workers=0")
        elif self.prefetch:
            raise ValueError(f"DataLoader: prefetch={prefetch} is the read-ahead thread of num_workers=0; "
                             f"with num_workers={num_workers} use prefetch_factor")
        if isinstance(multiprocessing_context, str) and \
                multiprocessing_context not in multiprocessing.get_all_start_methods():
            raise ValueError(f"DataLoader: multiprocessing_context must be one of "
                             f"{multiprocessing.get_all_start_methods()}, got {multiprocessing_context!r}")
        self.prefetch_factor = None if self.num_workers == 0 else \
            _count(2 if prefetch_factor is None else prefetch_factor, "prefetch_factor", 1)

        if iterable:
            for name, value in (("shuffle", shuffle or None), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value is not None:
                    raise ValueError(f"DataLoader: an IterableDataset gives its own order, so {name} must not be "
                                     f"given, got {name}={value!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler is mutually exclusive with shuffle (the sampler decides the order)")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler is mutually exclusive with batch_size, shuffle, "
                                 "sampler and drop_last (it makes the batches itself)")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None turns batching off, so drop_last must be False")
        else:
            batch_size = _count(batch_size, "batch_size", 1)
        if sampler is None and not iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))

        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self.pin_memory = bool(pin_memory)
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order  # batches always come in order, which in_order=False also allows
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = bool(persistent_workers)
        self.transform = transform
        self._fetcher = BatchFetcher(dataset, collate_fn, batch_size, self.drop_last,
                                     batched=batch_size is not None or batch_sampler is not None)
        self._pool: WorkerPool | None = None

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError for a stream without a length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)

    def _index_batches(self):
        """This epoch's index batches as int arrays (drawing the shuffle when first advanced)."""
        if isinstance(self.batch_sampler, BatchSampler):
            return self.batch_sampler.index_batches()
        if self.batch_sampler is not None:
            return (np.asarray(b, dtype=np.intp) for b in self.batch_sampler)
        return (np.asarray([i], dtype=np.intp) for i in self.sampler)

    def batch_indices(self) -> list[np.ndarray]:
        """This epoch's index batches; draws the shuffle from the generator (one draw per epoch)."""
        return list(self._index_batches())

    def _batches_in_process(self, index_batches):
        if index_batches is None:
            stream = iter(self.dataset)
            while True:
                try:
                    batch = self._fetcher.next_batch(stream)
                except StopIteration:
                    return
                yield batch
        else:
            for idx in index_batches:
                yield self._fetcher.fetch(idx)

    def _batches_in_workers(self, base_seed: int, index_batches):
        pool = self._pool
        if pool is None or not pool.alive:
            pool = WorkerPool(self._fetcher, isinstance(self.dataset, IterableDataset), self.num_workers,
                              base_seed, self.worker_init_fn, self.multiprocessing_context, self.timeout)
            if self.persistent_workers:
                self._pool = pool
                weakref.finalize(self, pool.shutdown)  # the workers stop with their loader
        try:
            yield from pool.batches(index_batches, self.prefetch_factor)
        finally:
            if not self.persistent_workers:
                pool.shutdown()

    def _finish(self, batch):
        if self.transform is not None:
            batch = _apply_transform(self.transform, batch)
        return to_tensors(batch)

    def __iter__(self):
        # drawn every epoch whatever num_workers, so the main process's random stream does not depend on it
        base_seed = int(get_rng(self.generator).integers(0, 2**63 - 1))
        index_batches = None if isinstance(self.dataset, IterableDataset) else self._index_batches()
        if self.num_workers:
            batches = self._batches_in_workers(base_seed, index_batches)
        elif self.prefetch:
            # the shuffle is drawn here, not in the thread, so it keeps its place in gradnote's random stream
            index_batches = None if index_batches is None else list(index_batches)
            batches = _prefetched(self._batches_in_process(index_batches), self.prefetch)
        else:
            batches = self._batches_in_process(index_batches)
        try:
            for batch in batches:
                yield self._finish(batch)
        finally:
            batches.close()  # stops the workers (or the prefetch thread) now, also after a `break`

    def __repr__(self) -> str:
        n = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"
        return (f"DataLoader(len(dataset)={n}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, num_workers={self.num_workers})")


_DONE = object()


def _prefetched(batches, depth: int):
    """Yield the items of the iterator ``batches``, computed up to ``depth`` ahead in a daemon thread."""
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
                if not put(("ok", b)):
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
