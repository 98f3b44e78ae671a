"""Facts about dtypes (torch.finfo, torch.iinfo) and the PyTorch dtypes gradnote cannot hold.

gradnote's dtypes are NumPy's. NumPy has no bfloat16, and gradnote's ops and gradients are real-valued, so
``gn.bfloat16`` and the complex dtypes exist as names (``dtype = torch.bfloat16 if ... else torch.float32``
runs, and ``x.dtype == gn.bfloat16`` is False) but making a tensor of one raises an error that says so.
"""

from __future__ import annotations

from .backend import to_dtype, xp


class UnsupportedDtype:
    """A PyTorch dtype name with no gradnote counterpart; converting it to a NumPy dtype raises."""

    def __init__(self, name: str, instead: str):
        self.name, self._instead = name, instead

    @property
    def dtype(self):  # NumPy reads .dtype when asked to convert an object to a dtype
        raise NotImplementedError(f"torch.{self.name} is not supported by gradnote: {self._instead}")

    is_floating_point = property(lambda self: self.name.startswith(("bfloat", "float")))
    is_complex = property(lambda self: self.name.startswith("complex"))

    def __repr__(self) -> str:
        return f"torch.{self.name}"


bfloat16 = UnsupportedDtype("bfloat16", "NumPy has no bfloat16; use gn.float32 (or gn.float16)")
_COMPLEX = "gradnote's tensors and gradients are real-valued; keep real and imaginary parts in two real tensors"
complex64 = cfloat = UnsupportedDtype("complex64", _COMPLEX)
complex128 = cdouble = UnsupportedDtype("complex128", _COMPLEX)


def _default_float():
    from .autograd.dtypes import get_default_dtype
    return get_default_dtype()


class finfo:  # noqa: N801 - torch's name
    """torch.finfo(dtype): the limits of a float dtype (the default float if none is given).

    >>> finfo(gn.float32).eps == float(np.finfo(np.float32).eps), finfo().dtype
    (True, 'float32')
    """

    def __init__(self, type=None):  # noqa: A002 - torch's argument name
        dtype = to_dtype(_default_float() if type is None else type)
        if dtype.kind != "f":
            raise TypeError(f"finfo: expected a floating dtype, got {dtype} (use gn.iinfo for integers)")
        info = xp.finfo(dtype)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801
    """torch.iinfo(dtype): the limits of an integer (or bool) dtype.

    >>> iinfo(gn.int64).max == 2**63 - 1, iinfo(gn.uint8).bits
    (True, 8)
    """

    def __init__(self, type):  # noqa: A002
        dtype = to_dtype(type)
        if dtype.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {dtype} (use gn.finfo for floats)")
        info = xp.iinfo(xp.uint8 if dtype.kind == "b" else dtype)
        self.bits, self.dtype = (8 if dtype.kind == "b" else info.bits), dtype.name
        self.max, self.min = (1, 0) if dtype.kind == "b" else (int(info.max), int(info.min))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
