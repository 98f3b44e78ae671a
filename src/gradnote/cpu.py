"""How gradnote uses the CPU's cores: a small thread pool for batch-parallel kernels and the BLAS thread count.

Two kinds of parallelism compete for a few cores. OpenBLAS splits one matrix product across its own
threads, and those threads keep spinning for a while after each call; a kernel that splits its batch
into chunks (one per thread, each doing its own copies, GEMMs and slice adds) wants every core for
itself. Measured on a 2-core machine, a pool over batch chunks was 15-20% slower than no pool while
OpenBLAS kept two threads per call, and faster once each chunk's GEMM ran on one BLAS thread. Hence
the rule: inside `parallel_for` BLAS runs on one thread per chunk, and `blas_threads(n)` limits it
for any other block of code (small GEMMs that lose more to waking threads than they gain).

`set_num_threads(n)` / `get_num_threads()` are PyTorch's spelling: the number of threads gradnote's
kernels use, and the BLAS thread count outside them. Nothing here runs at `import gradnote`: the pool
starts on the first parallel call and threadpoolctl loads on the first BLAS change.

    >>> get_num_threads() >= 1
    True
"""

from __future__ import annotations

import contextlib
import numbers
import os
import threading

from . import backend

__all__ = ["blas_threads", "get_num_threads", "parallel_for", "set_num_threads"]


def _default_threads() -> int:
    """OMP_NUM_THREADS when set (as PyTorch reads it), else the CPUs this process may run on."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    if value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_state = threading.local()  # .inside: this thread is running a chunk of a parallel_for
_lock = threading.Lock()
_num_threads = _default_threads()
_pool = None  # concurrent.futures.ThreadPoolExecutor with _num_threads - 1 workers (the caller runs a chunk too)
_blas = None  # the loaded BLAS libraries' threadpoolctl controllers, found once


def get_num_threads() -> int:
    """The number of threads gradnote's parallel kernels use (default: OMP_NUM_THREADS, else the CPUs this
    process may run on).

    >>> isinstance(get_num_threads(), int)
    True
    """
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use `n` threads in gradnote's parallel kernels and in BLAS calls outside them, as torch.set_num_threads.

    >>> before = get_num_threads(); set_num_threads(1); get_num_threads()
    1
    >>> set_num_threads(before)
    """
    global _num_threads, _pool
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int, got {n!r}")
    with _lock:
        _num_threads, old = int(n), _pool
        _pool = None  # the next parallel call starts a pool of the new size
    if old is not None:
        old.shutdown(wait=False)
    for lib in _blas_libraries():
        lib.set_num_threads(int(n))
    _blas_counts[:] = [int(n)] * len(_blas_counts)


_blas_counts: list = []  # each BLAS library's thread count outside blas_threads blocks, read once


def _blas_libraries() -> list:
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
        _blas_counts[:] = [lib.num_threads for lib in _blas]
    return _blas


@contextlib.contextmanager
def blas_threads(n: int):
    """Limit the BLAS libraries to at most `n` threads inside the block, then restore their counts.

    The counts restored are those read when gradnote first touched BLAS, or set by set_num_threads
    since (reading them on every call costs a library-symbol lookup each time).

    >>> with blas_threads(1):
    ...     _ = np.ones((64, 64)) @ np.ones((64, 64))
    """
    libs = _blas_libraries()
    before = list(_blas_counts)
    for lib, count in zip(libs, before):
        if count > n:
            lib.set_num_threads(n)
    try:
        yield
    finally:
        for lib, count in zip(libs, before):
            if count > n:
                lib.set_num_threads(count)


def _get_pool():
    global _pool
    with _lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max_workers=_num_threads - 1, thread_name_prefix="gradnote")
        return _pool


def _forget_pool() -> None:  # a forked child (a DataLoader worker) has none of the parent's threads
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _run_chunk(fn, start: int, stop: int):
    _state.inside = True
    try:
        return fn(start, stop)
    finally:
        _state.inside = False


def parallel_for(fn, n: int, min_chunk: int = 1, like=None) -> list:
    """Call fn(start, stop) over contiguous chunks of range(n), one per thread, and return their results in order.

    Chunks hold at least `min_chunk` items, so small work stays on the calling thread (no pool, no
    BLAS change). When `like` (the kernel's input array) is a CuPy array the work is one call fn(0, n):
    the GPU runs each kernel whole, and host threads would only queue the same kernels in pieces.
    While chunks run, BLAS uses one thread each. `fn` must write disjoint parts of any
    shared output; NumPy releases the GIL in copies, ufuncs and matmul, which is where the time goes.
    A parallel_for called from inside a chunk runs serially.

    >>> parallel_for(lambda a, b: list(range(a, b)), 5)[0][0]
    0
    """
    chunks = min(_num_threads, max(1, n // max(1, min_chunk)))
    if chunks <= 1 or getattr(_state, "inside", False) or (like is not None and not backend.is_host(like)):
        return [fn(0, n)]
    bounds = [n * i // chunks for i in range(chunks + 1)]
    with blas_threads(1):
        pool = _get_pool()
        futures = [pool.submit(_run_chunk, fn, bounds[i], bounds[i + 1]) for i in range(1, chunks)]
        try:
            first = _run_chunk(fn, bounds[0], bounds[1])
        finally:
            rest = [f.result() for f in futures]  # wait for every chunk even if ours failed
    return [first, *rest]
