"""PyTorch's type promotion: which dtype an op on mixed operands computes in.

Operands fall into three classes: tensors with dimensions, 0-d tensors and Python numbers.
Within a class dtypes promote as usual (int8 + int16 -> int16); across classes a lower
class only matters when it is of a higher *category* (bool < integer < float), so
``float32 tensor * 0-d float64 tensor`` stays float32 and ``int64 tensor * 2.5`` becomes
float32 (the default float), where NumPy would give float64 in both cases.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import xp

_default = {"float": xp.dtype(backend.float32)}


def get_default_dtype():
    return _default["float"]


def set_default_dtype(dtype) -> None:
    """Python floats and float factories use `dtype` (float32 or float64) from now on."""
    dtype = backend.to_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes can be the default, got {dtype}")
    _default["float"] = dtype


def _category(dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[xp.dtype(dtype).kind]


def promote_types(a, b):
    """torch.promote_types: integers meeting floats take the float dtype (NumPy would widen)."""
    a, b = xp.dtype(a), xp.dtype(b)
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return xp.promote_types(a, b)


def _scalar_dtype(x):
    if isinstance(x, (bool, xp.bool_)):
        return xp.dtype(backend.bool_)
    if isinstance(x, numbers.Integral):
        return xp.dtype(backend.int64)
    if isinstance(x, complex):
        return xp.dtype(xp.complex64)
    return _default["float"]


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _category(higher) >= 2:
        return higher
    if _category(higher) == 0 or _category(lower) >= 2 or (_category(lower) > _category(higher)):
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype PyTorch computes `operands` (tensors, arrays, Python numbers) in.

    >>> result_type(gn.ones(2), gn.tensor(1.0, dtype="float64")), result_type(gn.arange(3), 2.5)
    (dtype('float32'), dtype('float32'))
    """
    dims = zero = wrapped = None
    for x in operands:
        data = getattr(x, "data", x)
        if isinstance(data, backend.array_types):
            if data.ndim:
                dims = data.dtype if dims is None else promote_types(dims, data.dtype)
            else:
                zero = data.dtype if zero is None else promote_types(zero, data.dtype)
        elif isinstance(data, xp.generic):
            wrapped = _scalar_dtype(data.item()) if wrapped is None else promote_types(wrapped, _scalar_dtype(data.item()))
        elif isinstance(data, numbers.Number):
            wrapped = _scalar_dtype(data) if wrapped is None else promote_types(wrapped, _scalar_dtype(data))
        else:
            d = xp.asarray(data).dtype
            d = _default["float"] if d.kind == "f" else d
            dims = d if dims is None else promote_types(dims, d)
    return _combine(dims, _combine(zero, wrapped))


def float_result(dtype):
    """The dtype of a float-only op (exp, sqrt, sigmoid, true division) on `dtype`: the default
    float for bool and integer inputs, as PyTorch (NumPy gives float64 for int64, float16 for bool)."""
    return dtype if dtype.kind == "f" else _default["float"]
