"""Optional compiled (numba) CPU kernels for the places where NumPy's one-pass-per-operation costs most.

A NumPy expression such as Adam's update walks memory a dozen times, once per ufunc, and exact GELU
calls scipy's scalar erf; a compiled loop does the whole formula per element in one pass. Each kernel
lives beside the NumPy code it replaces, which stays the reference and the fallback: the compiled path
is an optimisation, never a feature, so a missing numba (``pip install "gradnote[fast]"`` adds it),
``GRADNOTE_NUMBA=0`` in the environment, ``kernels.enabled = False`` or ``with kernels.disabled():``
all give the NumPy path silently.

Nothing here imports numba at ``import gradnote``: a kernel family (``gelu``, ``optim``, ``recurrent``;
``exp`` holds the vectorising exp they share) is a submodule loaded by ``load(family)`` on its first
call. Measured: numba's import ~0.3 s; compiling every kernel for both dtypes once ~6 s CPU, then
~0.8 s per process in all from numba's on-disk cache (``cache=True``: next to the module, or in the
user's cache directory where the package is read-only).

Threading: the kernels are serial ``@njit(nogil=True)`` loops. Big arrays are cut into contiguous
ranges run on gradnote.cpu's own pool (``parallel_for``): the kernels release the GIL, so the pool's
threads run at once, the thread count is ``gn.set_num_threads``'s, and kernels called from inside
the pool's threads (the optimisers' ranges, the recurrent layers' batch chunks) simply run serially.
numba's ``parallel=True`` was measured against this and not used (GELU on (16, 64, 512) float32,
2 threads, wall time, load ~1.5 from other jobs: the pool 2.1-2.2 ms, ``prange`` median 8.0 ms, best
2.3 ms): its thread pool is a second one competing for the same cores, and its default workqueue
layer aborts the process when called from two threads at once (the optimisers' and the recurrent
layers' kernels run inside gradnote's pool threads).
The results never depend on the cut: every kernel works element by element (the recurrent ones row by row).

    >>> from gradnote import kernels
    >>> with kernels.disabled():
    ...     kernels.load("gelu", np.zeros(3, np.float32)) is None
    True
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os

import numpy as np

__all__ = ["available", "disabled", "enabled", "load", "qualifies"]

enabled: bool = os.environ.get("GRADNOTE_NUMBA", "1").strip().lower() not in ("0", "false", "no", "off")
"""False: every kernel takes its NumPy path (``GRADNOTE_NUMBA=0`` sets it at import)."""

_families: dict = {}  # family name -> its loaded module, or None where numba could not be imported


def qualifies(a, dtypes=(np.float32, np.float64)) -> bool:
    """True for the arrays a compiled kernel takes: host NumPy arrays (not CuPy's), C-contiguous, of a
    dtype in `dtypes`. The one place that decides, so another array type can be admitted or refused here.

    >>> qualifies(np.zeros((2, 3), np.float32)), qualifies(np.zeros((2, 3)).T), qualifies(np.zeros(3, int))
    (True, False, False)
    """
    return isinstance(a, np.ndarray) and a.flags.c_contiguous and a.dtype in dtypes


def load(family: str, *arrays, dtypes=(np.float32, np.float64)):
    """The compiled kernel module `family` (``gradnote.kernels.<family>``) when the compiled path is on,
    numba imports, and `arrays` all qualify (`qualifies(a, dtypes)`) and share one dtype; otherwise None.

    >>> load("gelu", np.zeros(3, np.float32), dtypes=(np.float64,)) is None
    True
    """
    if not enabled or not all(qualifies(a, dtypes) for a in arrays):
        return None
    if arrays and any(a.dtype != arrays[0].dtype for a in arrays):
        return None
    if family not in _families:
        try:
            _families[family] = importlib.import_module(f"{__name__}.{family}")
        except ImportError:  # numba not installed (or broken): the NumPy path it is
            _families[family] = None
    return _families[family]


def available() -> bool:
    """True when numba can be imported (the compiled kernels can run at all), without importing it.

    >>> isinstance(available(), bool)
    True
    """
    return importlib.util.find_spec("numba") is not None


@contextlib.contextmanager
def disabled():
    """Run the block on the NumPy paths (tests hold the two paths against each other with it).

    >>> from gradnote import kernels
    >>> with kernels.disabled():
    ...     kernels.enabled
    False
    """
    global enabled
    before, enabled = enabled, False
    try:
        yield
    finally:
        enabled = before
