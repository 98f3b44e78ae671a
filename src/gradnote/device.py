"""Devices, spelled as PyTorch spells them, so device-generic code runs today.

gradnote computes on the CPU (NumPy). ``device("cuda")`` is a valid name, but moving a tensor
there raises until a GPU backend is installed, with a message that says so; ``gn.cuda.is_available()``
is False, so the usual ``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.
"""

from __future__ import annotations

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
    """`dev` as a device this installation can compute on (only the CPU), or a clear error."""
    if dev is None:
        return CPU
    if isinstance(dev, int):
        dev = device("cuda", dev)
    dev = dev if isinstance(dev, device) else device(dev)
    if dev.type != "cpu":
        raise RuntimeError(f"device {str(dev)!r} is not available: gradnote computes on the CPU (NumPy) here, "
                           "and gn.cuda.is_available() is False; use device='cpu' or pick it with "
                           "'cuda' if gn.cuda.is_available() else 'cpu'")
    return dev


def is_device_like(x) -> bool:
    if isinstance(x, (device, int)) and not isinstance(x, bool):
        return True
    return isinstance(x, str) and x.partition(":")[0] in _TYPES


def to_arguments(op: str, args, kwargs) -> tuple:
    """(dtype or None, device) from PyTorch's .to() arguments: to(dtype), to(device), to(device, dtype),
    to(tensor) (its dtype), with dtype=/device=/non_blocking=/copy= keywords; the device must be usable here."""
    dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"{op}: unexpected arguments {sorted(kwargs)}")
    for a in args:
        if hasattr(a, "dtype") and hasattr(a, "data") and not isinstance(a, type):  # a tensor: take its dtype
            dtype = a.dtype
        elif is_device_like(a):
            dev = a
        else:
            dtype = a
    return dtype, check(dev)
