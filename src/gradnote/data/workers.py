"""Worker processes for ``DataLoader(num_workers=k)``: read batches in parallel, hand them back in order.

The main process sends index batches round-robin to k workers (at most ``prefetch_factor * k``
outstanding) and yields the results in the order it sent them, so the batches equal those of
``num_workers=0``. Each worker is a separate process holding a copy of the dataset; it reads a
batch with the same ``BatchFetcher`` the main process uses and sends back NumPy arrays (pickled
over a pipe between our own processes; Tensors are made in the main process).

Seeding, as PyTorch: every time a pool starts, the loader draws ``base_seed`` from its generator;
worker ``i`` calls ``gn.manual_seed(base_seed + i)`` (and seeds Python's and NumPy's global generators) before
``worker_init_fn(i)``, so random augmentation inside ``__getitem__`` differs between workers and
repeats under ``gn.manual_seed``. An exception in a worker is raised again in the main process
with the worker's id and traceback; workers stop when the epoch ends or its iterator is dropped
(``persistent_workers=True`` keeps them for the next epoch).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import random
import traceback
import weakref
from dataclasses import dataclass

import numpy as np

from ..random import manual_seed
from .collate import BatchFetcher, to_arrays

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_S = 1.0  # how often a waiting process checks that the other side is still alive


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` tells code running in a worker: its id, the pool size, its seed, its dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker, its ``WorkerInfo``; in the main process, None.

    An IterableDataset uses it to give each worker its own share of the stream.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


@dataclass
class _Failure:
    """An exception raised in a worker, as text (the exception object itself may not pickle)."""

    worker_id: int
    exc_type: type
    trace: str

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} in DataLoader worker process {self.worker_id}.\n" \
              f"Original {self.trace}"
        try:
            exc = self.exc_type(msg)
        except Exception:  # noqa: BLE001  (an exception class that needs other arguments)
            exc = RuntimeError(msg)
        raise exc from None


class _EndOfStream:
    """Sent instead of a batch when an iterable dataset's worker has no more samples."""


def _worker_loop(fetcher: BatchFetcher, iterable: bool, index_queue, result_queue, worker_id: int,
                 num_workers: int, seed: int, worker_init_fn, parent_pid: int):
    global _worker_info
    manual_seed(seed)
    random.seed(seed)
    # gradnote never draws from NumPy's global generator, but datasets written for PyTorch do; seeded as
    # PyTorch seeds it, forked workers do not all repeat the parent's augmentations
    np.random.seed(seed % 2**32)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, fetcher.dataset)
    init_error = None
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as e:  # noqa: BLE001  (reported with the first batch asked for)
        init_error = _Failure(worker_id, type(e), traceback.format_exc())
    stream, stream_epoch = None, None
    while True:
        try:
            task = index_queue.get(timeout=_POLL_S)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died: nobody will ask again
                return
            continue
        if task is None:
            result_queue.cancel_join_thread()  # do not block exit on results nobody reads any more
            return
        epoch, idx, indices = task
        if init_error is not None:
            result_queue.put((epoch, idx, init_error))
            continue
        try:
            if iterable:
                if stream_epoch != epoch:  # a new epoch restarts this worker's copy of the stream
                    stream, stream_epoch = iter(fetcher.dataset), epoch
                try:
                    batch = fetcher.next_batch(stream)
                except StopIteration:
                    result_queue.put((epoch, idx, _EndOfStream()))
                    continue
            else:
                batch = fetcher.fetch(indices)
            result_queue.put((epoch, idx, to_arrays(batch)))
        except Exception as e:  # noqa: BLE001  (sent to the main process, which raises it)
            result_queue.put((epoch, idx, _Failure(worker_id, type(e), traceback.format_exc())))


class WorkerPool:
    """``num_workers`` processes reading batches for one loader; ``batches(...)`` runs one epoch on them."""

    def __init__(self, fetcher: BatchFetcher, iterable: bool, num_workers: int, base_seed: int,
                 worker_init_fn=None, context=None, timeout: float = 0):
        ctx = context if context is not None and not isinstance(context, str) else \
            multiprocessing.get_context(context)
        self.iterable, self.timeout = iterable, timeout
        self.result_queue = ctx.Queue()
        self.index_queues = [ctx.Queue() for _ in range(num_workers)]
        self.workers = [ctx.Process(target=_worker_loop, daemon=True, name=f"gradnote-loader-worker-{i}",
                                    args=(fetcher, iterable, q, self.result_queue, i, num_workers, base_seed + i,
                                          worker_init_fn, os.getpid()))
                        for i, q in enumerate(self.index_queues)]
        for w in self.workers:
            w.start()
        self._epochs = itertools.count()
        self._finalizer = weakref.finalize(self, _shutdown, self.workers, self.index_queues, self.result_queue)

    def shutdown(self) -> None:
        self._finalizer()

    @property
    def alive(self) -> bool:
        return self._finalizer.alive

    def _get(self):
        step = min(_POLL_S, self.timeout) if self.timeout else _POLL_S
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=step)
            except queue.Empty:
                waited += step
                dead = [w for w in self.workers if not w.is_alive()]
                if dead:
                    pids = ", ".join(f"{w.pid} (exit code {w.exitcode})" for w in dead)
                    raise RuntimeError(f"DataLoader worker process(es) {pids} exited unexpectedly") from None
                if self.timeout and waited >= self.timeout:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a batch "
                                       "from its workers") from None

    def batches(self, index_batches, prefetch_factor: int):
        """Yield the batch for each of ``index_batches`` in order (iterable datasets: until every worker stops)."""
        epoch = next(self._epochs)
        n = len(self.workers)
        active = [True] * n
        turn = itertools.cycle(range(n))
        sent = received = 0
        owner: dict = {}
        ready: dict = {}

        def send() -> bool:
            nonlocal sent
            if not any(active):
                return False
            if self.iterable:
                indices = None
            else:
                indices = next(index_batches, None)
                if indices is None:
                    return False
            w = next(i for i in turn if active[i])
            self.index_queues[w].put((epoch, sent, indices))
            owner[sent] = w
            sent += 1
            return True

        for _ in range(prefetch_factor * n):
            if not send():
                break
        while received < sent:
            while received not in ready:
                e, idx, result = self._get()
                if e == epoch:  # results of an abandoned earlier epoch (persistent workers) are dropped
                    ready[idx] = result
            result = ready.pop(received)
            worker = owner.pop(received)
            received += 1
            if isinstance(result, _Failure):
                result.reraise()
            if isinstance(result, _EndOfStream):
                active[worker] = False
                continue
            send()
            yield result


def _shutdown(workers, index_queues, result_queue) -> None:
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    for w in workers:
        w.join(timeout=5)
        if w.is_alive():
            w.terminate()
            w.join(timeout=1)
    for q in [*index_queues, result_queue]:
        q.cancel_join_thread()
        q.close()
