"""``gn.accelerator`` as PyTorch 2.6+ spells it: the CUDA GPU when CuPy sees one, else none."""

from __future__ import annotations

from . import cuda
from . import device as _device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """device('cuda:N') for the current GPU, or None without one."""
    return _device.device("cuda", cuda.current_device()) if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()
