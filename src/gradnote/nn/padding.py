"""Padding layers (torch.nn's ReflectionPad2d, ReplicationPad2d, ZeroPad2d, ConstantPad2d, ... ), each one call of F.pad.

padding: an int (the same on every side) or a tuple (left, right[, top, bottom[, front, back]]), last axis first,
as F.pad takes it.
"""

from __future__ import annotations

import numbers

from .. import functional as F
from .module import Module

__all__ = []


class _Pad(Module):
    _mode = "constant"
    _dims = 2

    def __init__(self, padding, value: float = 0.0):
        super().__init__()
        name = type(self).__name__
        if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
            padding = (int(padding),) * (2 * self._dims)
        padding = tuple(padding)
        if len(padding) != 2 * self._dims or not all(isinstance(p, numbers.Integral) for p in padding):
            raise ValueError(f"{name}: padding must be an int or {2 * self._dims} ints, got {padding!r}")
        self.padding, self.value = tuple(int(p) for p in padding), float(value)

    def forward(self, x):
        if x.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"{type(self).__name__}: expected a {self._dims + 1}-D or {self._dims + 2}-D input, "
                             f"got shape {x.shape}")
        value = self.value if self._mode == "constant" else None
        return F.pad(x, self.padding, mode=self._mode, value=value)

    def extra_repr(self) -> str:
        return f"{self.padding}" + (f", value={self.value}" if self._mode == "constant" and self.value else "")


def _define(mode: str, dims: int, name: str, doc: str) -> type:
    size, grown = ", ".join(["3"] * dims), ", ".join(["5"] * dims)
    doc += f"\n\n    >>> {name}(1)(gn.zeros(1, 1, {size})).shape\n    (1, 1, {grown})\n    "
    cls = type(name, (_Pad,), {"_mode": mode, "_dims": dims, "__doc__": doc, "__module__": __name__})
    if mode != "constant":  # only the constant pads take a fill value
        cls.__init__ = lambda self, padding: _Pad.__init__(self, padding)
    globals()[name] = cls
    __all__.append(name)
    return cls


for _dims in (1, 2, 3):
    _d = f"{_dims}d"
    _define("reflect", _dims, f"ReflectionPad{_d}", f"Mirror the input at its edges (F.pad mode='reflect'), {_d}.")
    _define("replicate", _dims, f"ReplicationPad{_d}", f"Repeat the edge values (F.pad mode='replicate'), {_d}.")
    _define("circular", _dims, f"CircularPad{_d}", f"Wrap around (F.pad mode='circular'), {_d}.")
    _define("constant", _dims, f"ConstantPad{_d}", f"Pad with a constant value (F.pad mode='constant'), {_d}.")
    _define("constant", _dims, f"ZeroPad{_d}", f"Pad with zeros (F.pad mode='constant'), {_d}.")
