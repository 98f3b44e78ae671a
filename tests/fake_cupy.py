"""A stand-in for CuPy, built on NumPy, so the device code paths run and are checked without a GPU.

It behaves like CuPy where correctness depends on it: its ``ndarray`` is not an ``np.ndarray`` (it wraps
one), NumPy functions and ufuncs called on it dispatch through ``__array_function__`` /
``__array_ufunc__`` and return fake device arrays, and a plain ``np.ndarray`` among the operands (0-d
included) raises TypeError, as does any implicit conversion to NumPy (``np.asarray(device_array)``).
Python and NumPy scalars are allowed, as in CuPy. ``install()`` returns (cupy, cupyx) stand-ins for
``gradnote.backend.install_cupy``.
"""

from __future__ import annotations

import types

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


def _refuse(x):
    if isinstance(x, np.ndarray):
        raise TypeError(f"Unsupported type {type(x)} (fake CuPy: a NumPy array mixed with a device array)")


def _unwrap(x):
    """Device arrays to their NumPy data, recursively through lists/tuples/dicts; host arrays refused."""
    if isinstance(x, ndarray):
        return x._a
    _refuse(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    if isinstance(x, slice):
        return slice(_unwrap(x.start), _unwrap(x.stop), _unwrap(x.step))
    return x


def _wrap(x, device_id=0):
    """NumPy results as device arrays (CuPy has no scalar type: a 0-d result is a 0-d array)."""
    if isinstance(x, np.ndarray):
        return ndarray(x, device_id)
    if isinstance(x, np.generic):
        return ndarray(np.asarray(x), device_id)
    if isinstance(x, tuple):
        return tuple(_wrap(v, device_id) for v in x)
    if isinstance(x, list):
        return [_wrap(v, device_id) for v in x]
    return x


class Device:
    def __init__(self, id=None):  # noqa: A002 - CuPy's name; no id: the current device
        self.id = _current[0] if id is None else int(id)

    def use(self):
        _current[0] = self.id

    def __enter__(self):
        self._prev = _current[0]
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._prev

    def synchronize(self):
        pass

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


_current = [0]
DEVICE_COUNT = [1]  # tests may set it to 2 to check cross-device errors


class ndarray(NDArrayOperatorsMixin):  # noqa: N801 - cupy.ndarray
    __slots__ = ("_a", "_dev")

    def __init__(self, a, device_id=None):
        assert isinstance(a, np.ndarray), type(a)
        self._a = a
        self._dev = _current[0] if device_id is None else device_id

    # --- the protocols CuPy implements -------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        self._same_device(inputs, kwargs.get("out", ()))
        out = kwargs.get("out")
        args = _unwrap(inputs)
        kw = _unwrap(kwargs)
        result = getattr(ufunc, method)(*args, **kw)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result, self._dev)

    def __array_function__(self, func, types_, args, kwargs):
        self._same_device(args, kwargs.values())
        result = func(*_unwrap(args), **_unwrap(kwargs))
        if func in (np.shape, np.ndim, np.size, np.result_type, np.may_share_memory, np.shares_memory):
            return result
        return _wrap(result, self._dev)

    def _same_device(self, *groups):
        for group in groups:
            for x in group if isinstance(group, (tuple, list)) else (group,):
                if isinstance(x, ndarray) and x._dev != self._dev:
                    raise ValueError(f"fake CuPy: array on device {x._dev} used with one on device {self._dev}")

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
                        "a NumPy array explicitly.")

    # --- CuPy's own API -----------------------------------------------------------------------------
    def get(self, stream=None, order="C", out=None):
        return self._a.copy()

    @property
    def device(self):
        return Device(self._dev)

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: self._a.flags)
    base = property(lambda self: None if self._a.base is None else self)
    T = property(lambda self: ndarray(self._a.T, self._dev))
    real = property(lambda self: ndarray(self._a.real, self._dev))
    imag = property(lambda self: ndarray(self._a.imag, self._dev))

    def item(self):
        return self._a.item()

    def tolist(self):
        return self._a.tolist()

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (ndarray(np.asarray(v), self._dev) for v in self._a)

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key)], self._dev)

    def __setitem__(self, key, value):
        self._same_device((value,))
        self._a[_unwrap(key)] = _unwrap(value)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __bool__(self):
        return bool(self._a)

    def __complex__(self):
        return complex(self._a)

    def __repr__(self):
        return "fake_cupy." + repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec)

    def __copy__(self):
        return ndarray(self._a.copy(), self._dev)

    def __deepcopy__(self, memo):
        return ndarray(self._a.copy(), self._dev)

    def __reduce__(self):
        raise TypeError("fake CuPy: a device array was pickled; convert it with .get() first")

    def view(self, dtype=None):
        if isinstance(dtype, type) and issubclass(dtype, np.ndarray):
            raise TypeError("fake CuPy: view() takes a dtype, not an ndarray subclass")
        return ndarray(self._a.view() if dtype is None else self._a.view(dtype), self._dev)

    def __getattr__(self, name):
        # every other array method (astype, reshape, sum, fill, ...), refusing host arrays as arguments
        if name.startswith("__") or name in ("_a", "_dev"):
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr, self._dev)

        def method(*args, **kwargs):
            return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)), self._dev)

        return method


# --- the module-level API ------------------------------------------------------------------------------
def asarray(a, dtype=None, order=None):
    if isinstance(a, ndarray):
        if a._dev != _current[0]:
            return ndarray(np.array(a._a, dtype=dtype), _current[0])  # a copy to the current device
        return a if dtype is None or a.dtype == dtype else ndarray(a._a.astype(dtype))
    return ndarray(np.array(a, dtype=dtype, order=order or "K"))  # host data is copied to the device


def array(a, dtype=None, copy=True, order="K", ndmin=0):
    if isinstance(a, ndarray):
        return ndarray(np.array(a._a, dtype=dtype, copy=True, order=order, ndmin=ndmin))
    return ndarray(np.array(a, dtype=dtype, order=order, ndmin=ndmin))


def ascontiguousarray(a, dtype=None):
    return ndarray(np.ascontiguousarray(_unwrap(a), dtype=dtype), a._dev)


def asnumpy(a, stream=None, order="C", out=None):
    return a.get() if isinstance(a, ndarray) else np.asarray(a)


def get_array_module(*args):
    return _this if any(isinstance(a, ndarray) for a in args) else np


def _creator(name):
    fn = getattr(np, name)

    def make(*args, **kwargs):
        for a in (*args, *kwargs.values()):
            _refuse(a)
        return ndarray(fn(*args, **kwargs))

    make.__name__ = name
    return make


for _name in ("zeros", "ones", "empty", "full", "arange", "eye", "tri", "linspace", "identity"):
    globals()[_name] = _creator(_name)

for _name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_", "dtype",
              "result_type", "promote_types", "finfo", "iinfo", "newaxis", "pi", "inf", "nan", "e"):
    globals()[_name] = getattr(np, _name)


def __getattr__(name):
    # cupy.exp, cupy.matmul, ...: NumPy's function, which dispatches back to the device arrays
    fn = getattr(np, name)
    if callable(fn) and not isinstance(fn, type):
        return fn
    raise AttributeError(name)


class _Stream:
    def synchronize(self):
        _counters["synchronize"] += 1


class _MemoryPool:
    def free_all_blocks(self):
        _counters["free_all_blocks"] += 1

    def used_bytes(self):
        return 0


_counters = {"synchronize": 0, "free_all_blocks": 0}
_pool = _MemoryPool()


def get_default_memory_pool():
    return _pool


class _Runtime:
    @staticmethod
    def getDeviceCount():  # noqa: N802 - CuPy's name
        return DEVICE_COUNT[0]

    @staticmethod
    def getDeviceProperties(i):
        return {"name": b"Fake CUDA device", "totalGlobalMem": 1 << 30}


cuda = types.SimpleNamespace(runtime=_Runtime(), Device=Device, Stream=types.SimpleNamespace(null=_Stream()))


# --- cupyx ---------------------------------------------------------------------------------------------
def _scatter_add(a, slices, value):
    if not isinstance(a, ndarray):
        raise TypeError("cupyx.scatter_add: expects a device array")
    np.add.at(a._a, _unwrap(slices), _unwrap(value))


def _special(name):
    def fn(x):
        import scipy.special

        if not isinstance(x, ndarray):
            raise TypeError(f"cupyx.scipy.special.{name}: expects a device array")
        return ndarray(np.asarray(getattr(scipy.special, name)(x._a)), x._dev)

    return fn


cupyx = types.SimpleNamespace(scatter_add=_scatter_add,
                              scipy=types.SimpleNamespace(special=types.SimpleNamespace(erf=_special("erf"),
                                                                                        expit=_special("expit"))))

import sys  # noqa: E402

_this = sys.modules[__name__]


def install():
    """(cupy, cupyx) stand-ins for gradnote.backend.install_cupy."""
    return _this, cupyx
