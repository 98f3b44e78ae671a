"""Devices, spelled as PyTorch spells them: the CPU (NumPy) and CUDA GPUs (CuPy, when installed).

``device("cuda")`` is always a valid name; computing there needs CuPy (``pip install gradnote[cuda]``)
and a GPU, and asking for it without them raises a one-line message that says so.
``gn.cuda.is_available()`` tells which, so the usual
``device = "cuda" if gn.cuda.is_available() else "cpu"`` picks what this machine has.
"""

from __future__ import annotations

from . import backend

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta")


class device:  # noqa: N801 - torch.device
    """A device name: ``device("cpu")``, ``device("cuda", 0)``, ``device("cuda:1")``.

    >>> device("cuda:1").type, device("cuda:1").index, str(device("cpu"))
    ('cuda', 1, 'cpu')
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', got {type!r}")
        name, _, num = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"device: expected one of {', '.join(_TYPES)} (optionally ':index'), got {type!r}")
        if num:
            if not num.isdigit() or index is not None:
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(num)
        self.type, self.index = name, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check(dev) -> device:
    """`dev` as a device this installation can compute on, with its index ("cuda" is the current GPU,
    cuda:0 unless set_device changed it), or a clear error."""
    if dev is None:
        return CPU
    if isinstance(dev, int) and not isinstance(dev, bool):
        dev = device("cuda", dev)
    dev = dev if isinstance(dev, device) else device(dev)
    if dev.type == "cpu":
        return CPU
    if dev.type != "cuda":
        raise RuntimeError(f"device {str(dev)!r} is not available: gradnote computes on the CPU (NumPy) or on "
                           "CUDA GPUs (CuPy); use device='cpu' or pick it with "
                           "'cuda' if gn.cuda.is_available() else 'cpu'")
    try:
        cp = backend.cupy()
    except ImportError:
        raise RuntimeError(f"device {str(dev)!r} is not available: {backend.CUDA_EXTRA}; pick the device with "
                           "'cuda' if gn.cuda.is_available() else 'cpu'") from None
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception:  # CuPy installed, but no driver or no GPU (CUDARuntimeError)
        count = 0
    index = cp.cuda.Device().id if dev.index is None else dev.index
    if index >= count:
        raise RuntimeError(f"device {str(dev)!r} is not available: CuPy sees {count} CUDA device(s)")
    return device("cuda", index)


def is_device_like(x) -> bool:
    if isinstance(x, (device, int)) and not isinstance(x, bool):
        return True
    return isinstance(x, str) and x.partition(":")[0] in _TYPES


def to_arguments(op: str, args, kwargs) -> tuple:
    """(dtype or None, device or None) from PyTorch's .to() arguments: to(dtype), to(device), to(device, dtype),
    to(tensor) (its dtype and device), with dtype=/device=/non_blocking=/copy= keywords; a device given
    must be usable here, and None means "stay where it is"."""
    dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"{op}: unexpected arguments {sorted(kwargs)}")
    for a in args:
        if hasattr(a, "dtype") and hasattr(a, "data") and not isinstance(a, type):  # a tensor: its dtype, device
            dtype, dev = a.dtype, a.device
        elif is_device_like(a):
            dev = a
        else:
            dtype = a
    return dtype, None if dev is None else check(dev)
