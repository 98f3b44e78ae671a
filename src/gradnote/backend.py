"""The array namespace every op calls, and where an array lives (host NumPy or a CuPy GPU array).

``xp`` is NumPy. Ops written as ``xp.exp(x)`` also run on CuPy arrays: CuPy implements NumPy's
``__array_ufunc__`` / ``__array_function__`` protocols, so ``numpy.exp(cupy_array)`` runs CuPy's kernel
and returns a CuPy array. What does not dispatch is creating an array from nothing (``xp.zeros(shape)``
is always a host array): code that makes an array to combine with its inputs writes
``xp.zeros_like(x, shape=...)`` or ``module_of(x).zeros(...)``. scipy.special and scatter-add have
their own CuPy spellings, chosen here (``expit``, ``erf``, ``scatter_add``).

CuPy is optional (``pip install gradnote[cuda]``) and imported on first use, never at ``import gradnote``.
Until then, and without it, every array is a NumPy array and nothing here costs anything.
"""

from __future__ import annotations

import numpy as xp

float32 = xp.float32
float64 = xp.float64
int64 = xp.int64
bool_ = xp.bool_

ndarray = xp.ndarray

# CuPy and cupyx once loaded: None until first asked for, False when not installed. install_cupy() is
# the one way to set them; the test suite uses it to install a stand-in (tests/fake_cupy.py).
_cupy = None
_cupyx = None
array_types: tuple = (xp.ndarray,)  # the array classes a Tensor may hold (CuPy's joins once loaded)

CUDA_EXTRA = "CUDA needs CuPy: pip install 'gradnote[cuda]' (the cupy-cuda12x package)"


def install_cupy(cupy, cupyx) -> None:
    """Use `cupy` / `cupyx` (modules, or stand-ins with their API) for device arrays; None, None forgets
    them (the next use imports the real CuPy again)."""
    global _cupy, _cupyx, array_types
    _cupy, _cupyx = cupy, cupyx
    array_types = (xp.ndarray, cupy.ndarray) if cupy else (xp.ndarray,)


def cupy():
    """The CuPy module, imported on first call; ImportError naming the extra when it is not installed."""
    if _cupy is None:
        try:
            import cupy as cp
            import cupyx
            import cupyx.scipy.special  # noqa: F401 - erf / expit on the device
        except ImportError:
            install_cupy(False, False)
        else:
            install_cupy(cp, cupyx)
    if not _cupy:
        raise ImportError(CUDA_EXTRA)
    return _cupy


def cupy_loaded() -> bool:
    """True once device arrays can exist (CuPy loaded); False means every array is a NumPy array."""
    return bool(_cupy)


def is_host(array) -> bool:
    """True for NumPy arrays and scalars (anything not a CuPy array): the check compiled CPU kernels
    (numba, threads, BLAS limits) use to leave device arrays to the xp path."""
    return not (_cupy and isinstance(array, _cupy.ndarray))


def module_of(*arrays):
    """numpy, or cupy when one of `arrays` is a CuPy array (as cupy.get_array_module).

    >>> module_of(np.zeros(2)).__name__
    'numpy'
    """
    if _cupy:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return xp


def asarray(x, dtype=None):
    """x as an array where it lives: a CuPy array stays on its device (np.asarray would refuse it), anything
    else is np.asarray(x, dtype). Use it where an op turns a result or an argument into an array."""
    if _cupy and isinstance(x, _cupy.ndarray):
        return x if dtype is None else x.astype(dtype, copy=False)
    return xp.asarray(x, dtype=dtype)


def asnumpy(array):
    """`array` as a host NumPy array (a copy from the device; host arrays and numbers as np.asarray)."""
    if _cupy and isinstance(array, _cupy.ndarray):
        return array.get()
    return xp.asarray(array)


def device_of(array):
    """The gradnote.device of an array: cpu, or cuda:N for a CuPy array on GPU N."""
    from .device import CPU, device  # a sibling at the bottom of the stack (it imports this module)

    if _cupy and isinstance(array, _cupy.ndarray):
        return device("cuda", int(array.device.id))
    return CPU


def to_device(array, dev):
    """`array` on device `dev` (a gradnote.device; None: where it is), copied only when it moves."""
    if dev is None:
        return array
    if dev.type == "cpu":
        return asnumpy(array) if not is_host(array) else array
    cp = cupy()
    index = 0 if dev.index is None else dev.index
    if isinstance(array, cp.ndarray) and int(array.device.id) == index:
        return array
    with cp.cuda.Device(index):
        return cp.asarray(array)


def like(array, ref):
    """`array` (made on the host, e.g. a random draw) on the device of the array `ref`."""
    if is_host(ref):
        return array
    with _cupy.cuda.Device(int(ref.device.id)):
        return _cupy.asarray(array)


def same_device(op: str, arrays) -> list:
    """`arrays` checked to live on one device, as PyTorch checks an op's inputs. Host 0-d arrays (numbers
    lifted to arrays) may join device arrays and are moved there, as PyTorch allows CPU scalars with CUDA
    tensors; any other mix raises, naming the op and both devices. None entries are skipped."""
    first = None
    for a in arrays:
        if a is not None and not is_host(a):
            first = a
            break
    if first is None:
        return arrays
    where = device_of(first)
    out = list(arrays)
    for i, a in enumerate(arrays):
        if a is None:
            continue
        if is_host(a):
            if getattr(a, "ndim", 0) != 0:
                raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at least two "
                                   f"devices, {where} and cpu (input {i}, shape {a.shape}); move it with .to('{where}')")
            out[i] = like(a, first)
        elif a.device.id != first.device.id:
            raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at least two "
                               f"devices, {where} and {device_of(a)} (input {i}); move it with .to('{where}')")
    return out


def is_float(dtype) -> bool:
    return xp.dtype(dtype).kind == "f"


def to_dtype(dtype):
    """Accept a NumPy dtype, a type or a string ("float32") and return a NumPy dtype."""
    try:
        return xp.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"unknown dtype {dtype!r}") from e


def unbroadcast(grad, shape: tuple):
    """Sum `grad` down to `shape`, undoing NumPy broadcasting (leading axes and size-1 axes)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def scatter_add(out, index, values) -> None:
    """out[index] += values, adding repeated indices (np.add.at; cupyx.scatter_add on the device)."""
    if is_host(out):
        xp.add.at(out, index, values)
    else:
        _cupyx.scatter_add(out, index, values)


# scipy.special is imported on first use: importing it costs about a second, too much for `import gradnote`.
def expit(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), exact in both tails (no overflow at x = -1000)."""
    if not is_host(x):
        return _cupyx.scipy.special.expit(x)
    from scipy.special import expit as _expit

    return _expit(x)


def erf(x):
    """Gauss error function, to float64 precision (exact GELU)."""
    if not is_host(x):
        return _cupyx.scipy.special.erf(x)
    from scipy.special import erf as _erf

    return _erf(x)
