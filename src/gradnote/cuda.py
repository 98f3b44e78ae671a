"""``gn.cuda`` as PyTorch spells it, over CuPy (``pip install gradnote[cuda]``).

CuPy is imported on the first call here, never at ``import gradnote``. Without CuPy or without a GPU,
``is_available()`` is False and ``device_count()`` 0; the calls that need a device then raise a one-line
message, while the seeding and synchronisation calls device-generic scripts make stay harmless.

>>> isinstance(is_available(), bool)
True
"""

from __future__ import annotations

from . import backend
from . import device as _device
from .amp import cuda_amp as amp  # noqa: F401 - torch.cuda.amp (autocast, GradScaler)


def _cupy_or_none():
    try:
        return backend.cupy()
    except ImportError:
        return None


def device_count() -> int:
    """The number of CUDA devices CuPy sees (0 without CuPy or a driver)."""
    cp = _cupy_or_none()
    if cp is None:
        return 0
    try:
        return int(cp.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy installed but no driver / no device: CUDARuntimeError
        return 0


def is_available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    return device_count() > 0


def _require(op: str):
    if not is_available():
        reason = backend.CUDA_EXTRA if _cupy_or_none() is None else "CuPy sees no CUDA device"
        raise RuntimeError(f"gn.cuda.{op}: {reason}; check gn.cuda.is_available() first")
    return backend.cupy()


def _index(op: str, device) -> int:
    if device is None:
        return current_device()
    index = device if isinstance(device, int) else _device.check(device).index
    if not 0 <= index < device_count():
        raise RuntimeError(f"gn.cuda.{op}: no CUDA device {index} (there are {device_count()})")
    return index


def current_device() -> int:
    """The index of the GPU that "cuda" means now."""
    return int(_require("current_device").cuda.Device().id)


def set_device(device) -> None:
    """Make `device` (an index, "cuda:N" or a gn.device) the GPU that "cuda" means."""
    cp = _require("set_device")
    cp.cuda.Device(_index("set_device", device)).use()


def get_device_name(device=None) -> str:
    cp = _require("get_device_name")
    name = cp.cuda.runtime.getDeviceProperties(_index("get_device_name", device))["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device=None) -> None:
    """Wait for the GPU's queued kernels (time a step with it); nothing to wait for without CuPy."""
    cp = _cupy_or_none() if backend.cupy_loaded() else None
    if cp is not None and is_available():
        with cp.cuda.Device(_index("synchronize", device)):
            cp.cuda.Stream.null.synchronize()


def empty_cache() -> None:
    """Return the blocks CuPy's memory pool holds but no array uses to the driver."""
    if backend.cupy_loaded():
        backend.cupy().get_default_memory_pool().free_all_blocks()


def manual_seed(seed: int) -> None:
    """Seeds nothing: device tensors draw from gradnote's one generator on the host (gn.manual_seed), so a
    seed gives the same numbers on the CPU and the GPU."""


manual_seed_all = manual_seed


def is_initialized() -> bool:
    return backend.cupy_loaded()
