"""PyTorch's factory keywords on layer constructors: `device=` and `dtype=` for the new parameters."""

from __future__ import annotations


def place(module, device=None, dtype=None):
    """Cast a freshly initialised module to `dtype` and move it to `device` (both optional), as torch's
    factory_kwargs do. The CPU is where arrays live already, so device="cpu" costs nothing."""
    if dtype is not None:
        module.to(dtype)
    if device is not None and str(device) != "cpu":
        module.to(device)
    return module
