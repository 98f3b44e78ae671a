"""Tensor factories, with PyTorch's arguments. Shapes are separate ints or one tuple: zeros(2, 3) == zeros((2, 3)).

Every factory takes ``dtype=``, ``device=`` ("cpu", or "cuda" with CuPy; see gradnote.device) and
``requires_grad=``; random ones take ``generator=`` (a numpy Generator) and otherwise draw from
gradnote's generator, so ``gn.manual_seed(n)`` repeats them.

Values are made on the host and then moved to the device. For random factories this is a choice:
gradnote keeps one generator (gradnote.random), so ``gn.manual_seed(n)`` gives the same numbers on the
CPU and on the GPU, and a script changes device without changing its results (CuPy's own generator
would draw other numbers). The price is one host-to-device copy per draw.
"""

from __future__ import annotations

import numbers

from .. import backend
from .. import device as _device
from ..backend import xp
from ..random import get_rng
from .dtypes import get_default_dtype
from .tensor import Tensor


def _shape(op: str, args) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if not all(isinstance(n, numbers.Integral) for n in args):
        raise TypeError(f"{op}: shape must be ints or one tuple of ints, got {args!r}")
    shape = tuple(int(n) for n in args)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: negative dimension in shape {shape}")
    return shape


def _dtype(dtype, default=None):
    return backend.to_dtype(get_default_dtype() if default is None and dtype is None else
                            default if dtype is None else dtype)


def _float_dtype(op: str, dtype):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: samples need a floating dtype, got {dtype}")
    return dtype


def set_default_device(device) -> None:
    """torch.set_default_device: factories make CPU tensors unless given device=, so only the CPU (or None)
    is accepted (a GPU default is refused even when one is available: write device= or .to(device)).

    >>> set_default_device("cpu"); get_default_device()
    device(type='cpu')
    """
    if _device.check(device).type != "cpu":
        raise RuntimeError(f"set_default_device: only the CPU can be the default device here, got {device!r}; "
                           "pass device= to the factories or move tensors with .to(device)")


def get_default_device():
    """The device factories use when given none: always the CPU here."""
    return _device.check(None)


def _made(data, requires_grad: bool, device, out=None) -> Tensor:
    """The host array `data` as a Tensor on `device` (see the module docstring: made on the host, then moved)."""
    dev = _device.check(device if out is None or device is not None else out.device)
    data = backend.to_device(data, None if dev.type == "cpu" else dev)
    if out is not None:  # PyTorch's out=: the values go into that tensor, resized as torch does
        if out.requires_grad:
            raise RuntimeError("out=: the output tensor requires grad; factories cannot write into it")
        out.data = data.astype(out.dtype, copy=False) if out.data.shape != data.shape else out.data
        out.data[...] = data
        out._vc[0] += 1
        return out
    return Tensor._wrap(data).requires_grad_(requires_grad)


def tensor(data, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """Same as Tensor(...): copies `data`; Python floats become float32.

    >>> tensor([1, 2.5]).dtype, tensor([[1, 2]]).shape
    (dtype('float32'), (1, 2))
    """
    dev = _device.check(device)
    if dev.type == "cpu" and not (isinstance(data, Tensor) and data.is_cuda):
        return Tensor(data, requires_grad=requires_grad, dtype=dtype)
    return Tensor(backend.to_device(data.data if isinstance(data, Tensor) else
                                    Tensor(data, dtype=dtype).data, dev), requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """A tensor over `data` without a copy where it can (a Tensor or an ndarray of that dtype).

    >>> a = np.zeros(3, dtype=np.float32); as_tensor(a).data is a
    True
    """
    dev = None if device is None else _device.check(device)
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=dev)
    if isinstance(data, backend.array_types) and (dtype is None or backend.to_dtype(dtype) == data.dtype):
        return Tensor._wrap(backend.to_device(data, dev))
    return Tensor(data, dtype=dtype).to(device=dev)


def from_numpy(array) -> Tensor:
    """A tensor sharing memory with `array` (no copy, dtype kept).

    >>> a = np.zeros(3, dtype=np.float64); t = from_numpy(a); t.data is a
    True
    """
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def zeros(*shape, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None) -> Tensor:
    """A tensor of zeros, float32 unless `dtype`; shape as ints or one tuple.

    >>> zeros(2, 3).shape == zeros((2, 3)).shape == (2, 3)
    True
    """
    return _made(xp.zeros(_shape("zeros", shape), dtype=_dtype(dtype)), requires_grad, device, out)


def ones(*shape, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None) -> Tensor:
    """A tensor of ones, float32 unless `dtype`; shape as ints or one tuple.

    >>> ones(3).tolist()
    [1.0, 1.0, 1.0]
    """
    return _made(xp.ones(_shape("ones", shape), dtype=_dtype(dtype)), requires_grad, device, out)


def empty(*shape, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
          memory_format=None) -> Tensor:
    """An uninitialised tensor in PyTorch; zeros here, so nothing depends on leftover memory."""
    return _made(xp.zeros(_shape("empty", shape), dtype=_dtype(dtype)), requires_grad, device, out)


def full(shape, value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `shape` (int or tuple) filled with `value`: bool for a bool, int64 for an int, else float32.

    >>> full((2, 2), 7).tolist(), full(2, True).dtype
    ([[7, 7], [7, 7]], dtype('bool'))
    """
    shape = _shape("full", (shape,) if isinstance(shape, numbers.Integral) else tuple(shape))
    value = value.item() if isinstance(value, Tensor) else value
    if dtype is None:
        if isinstance(value, (bool, xp.bool_)):
            dtype = backend.bool_
        elif isinstance(value, numbers.Integral):
            dtype = backend.int64
    return _made(xp.full(shape, value, dtype=_dtype(dtype)), requires_grad, device)


def _like(t, dtype):
    t = t if isinstance(t, Tensor) else Tensor(t)
    return t.shape, _dtype(dtype, t.dtype)


def _like_device(t, device):
    """torch's *_like: on `t`'s device unless `device` is given."""
    return device if device is not None or not isinstance(t, Tensor) else t.device


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """Zeros with the shape and (unless `dtype`) the dtype of `t`.

    >>> zeros_like(ones(2, 3, dtype="float64")).dtype
    dtype('float64')
    """
    shape, dtype = _like(t, dtype)
    return _made(xp.zeros(shape, dtype=dtype), requires_grad, _like_device(t, device))


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """Ones with the shape and (unless `dtype`) the dtype of `t`.

    >>> ones_like(zeros(2, 3)).shape
    (2, 3)
    """
    shape, dtype = _like(t, dtype)
    return _made(xp.ones(shape, dtype=dtype), requires_grad, _like_device(t, device))


empty_like = zeros_like


def full_like(t: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(t, dtype)
    return _made(xp.full(shape, fill_value, dtype=dtype), requires_grad, _like_device(t, device))


def rand_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    shape, dtype = _like(t, dtype)
    return rand(shape, dtype=dtype, device=_like_device(t, device), requires_grad=requires_grad, generator=generator)


def randn_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    shape, dtype = _like(t, dtype)
    return randn(shape, dtype=dtype, device=_like_device(t, device), requires_grad=requires_grad, generator=generator)


def randint_like(t: Tensor, low: int = 0, high: int | None = None, dtype=None, device=None, generator=None) -> Tensor:
    shape, dtype = _like(t, dtype)
    low, high = (0, low) if high is None else (low, high)
    return randint(low, high, shape, dtype=dtype, device=_like_device(t, device), generator=generator)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The (n, m) identity matrix (m defaults to n), float32 unless `dtype`.

    >>> eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return _made(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False, *, stop=None) -> Tensor:
    """Like numpy.arange and torch.arange; int64 for integer arguments, float32 when any is a float.

    >>> arange(3).tolist(), arange(0, 1, 0.5).tolist()
    ([0, 1, 2], [0.0, 0.5])
    """
    end = stop if end is None else end
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in vals)
        dtype = backend.int64 if ints else get_default_dtype()
    if vals[2] == 0:
        raise ValueError("arange: step must be nonzero")
    return _made(xp.arange(*vals, dtype=_dtype(dtype)), requires_grad, device)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end inclusive (float32 unless `dtype`).

    >>> linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return _made(xp.linspace(float(start), float(end), int(steps)).astype(_dtype(dtype)), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps).

    >>> logspace(0, 2, 3).tolist()
    [1.0, 10.0, 100.0]
    """
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"logspace: steps must be a non-negative int, got {steps!r}")
    data = xp.logspace(float(start), float(end), int(steps), base=base).astype(_dtype(dtype))
    return _made(data, requires_grad, device)


def randn(*shape, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples from gradnote's generator (see gn.manual_seed).

    Shape as ints or one tuple; float32 unless `dtype` (a float dtype).

    >>> randn(32, 784).shape
    (32, 784)
    """
    data = get_rng(generator).standard_normal(_shape("randn", shape), dtype=_float_dtype("randn", dtype))
    return _made(data, requires_grad, device)


def rand(*shape, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform samples in [0, 1) from gradnote's generator.

    Shape as ints or one tuple; float32 unless `dtype` (a float dtype).

    >>> u = rand(100).numpy(); bool((u >= 0).all() and (u < 1).all())
    True
    """
    data = get_rng(generator).random(_shape("rand", shape), dtype=_float_dtype("rand", dtype))
    return _made(data, requires_grad, device)


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) as int64: randint(high, size) or randint(low, high, size), as PyTorch.

    `size`: int or tuple.

    >>> randint(0, 10, (2, 3)).dtype, randint(5, (4,)).shape
    (dtype('int64'), (4,))
    """
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        args = (0, *args)
    if len(args) != 3:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high, size = args
    shape = _shape("randint", (size,) if isinstance(size, numbers.Integral) else tuple(size))
    if low >= high:
        raise ValueError(f"randint: low must be < high, got low={low}, high={high}")
    data = get_rng(generator).integers(low, high, shape, dtype=backend.int64)
    return _made(data if dtype is None else data.astype(dtype), requires_grad, device)


def randperm(n: int, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64).

    >>> sorted(randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    data = get_rng(generator).permutation(int(n)).astype(backend.int64 if dtype is None else dtype)
    return _made(data, requires_grad, device)


def normal(mean, std, size=None, generator=None, dtype=None, device=None) -> Tensor:
    """Samples of N(mean, std^2): elementwise for tensor mean/std, or of `size` for numbers."""
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    shape = xp.broadcast_shapes(xp.shape(m), xp.shape(s)) if size is None else _shape("normal", (size,) if isinstance(
        size, numbers.Integral) else tuple(size))
    dt = _dtype(dtype, getattr(m, "dtype", None) if isinstance(m, backend.array_types) else None)
    return _made((get_rng(generator).standard_normal(shape) * s + m).astype(dt), False, device)


def multinomial(probs, num_samples: int, replacement: bool = False, generator=None) -> Tensor:
    """Indices drawn with probability proportional to `probs` (1-D or one row per draw), int64; drawn on the
    host from gradnote's generator (the same draws on every device) and returned on probs' device."""
    ref = probs.data if isinstance(probs, Tensor) else probs
    p = backend.asnumpy(ref).astype(xp.float64)
    if p.ndim not in (1, 2) or (p < 0).any() or not xp.isfinite(p).all():
        raise ValueError(f"multinomial: probs must be a 1-D or 2-D tensor of non-negative finite weights, got shape "
                         f"{p.shape}")
    rows = p.reshape(-1, p.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from {rows.shape[1]}")
    rng = get_rng(generator)
    out = xp.stack([rng.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor._wrap(backend.like(out.reshape(p.shape[:-1] + (num_samples,)).astype(backend.int64), ref))


def bernoulli(p, generator=None) -> Tensor:
    """1 with probability p (elementwise), else 0, in p's dtype (drawn on the host, on p's device)."""
    pd = p.data if isinstance(p, Tensor) else xp.asarray(p)
    return Tensor._wrap((backend.like(get_rng(generator).random(pd.shape), pd) < pd).astype(pd.dtype))


def _legacy_constructor(name: str, dtype):
    def make(*args, device=None) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            return tensor(args[0], dtype=dtype, device=device)  # torch.LongTensor([1, 2]): from data
        return _made(xp.zeros(_shape(name, args), dtype=dtype), False, device)  # torch.FloatTensor(3, 4): a shape

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"PyTorch's legacy constructor: ``{name}(data)`` copies data, ``{name}(*sizes)`` makes that shape "
                    f"(zeros here, never uninitialised memory); dtype {xp.dtype(dtype).name}.")
    return make


# torch.FloatTensor(3), torch.LongTensor(seq_len * batch).zero_(): old programs' spellings of tensor/zeros
FloatTensor = _legacy_constructor("FloatTensor", backend.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", backend.float64)
HalfTensor = _legacy_constructor("HalfTensor", xp.float16)
LongTensor = _legacy_constructor("LongTensor", backend.int64)
IntTensor = _legacy_constructor("IntTensor", xp.int32)
ByteTensor = _legacy_constructor("ByteTensor", xp.uint8)
BoolTensor = _legacy_constructor("BoolTensor", backend.bool_)


__all__ = ["BoolTensor", "ByteTensor", "DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor", "LongTensor",
           "arange", "as_tensor", "bernoulli", "empty", "empty_like", "eye", "from_numpy", "full", "full_like",
           "get_default_device",
           "linspace", "logspace", "multinomial", "normal", "ones", "ones_like", "rand", "rand_like", "randint",
           "randint_like", "randn", "randn_like", "randperm", "set_default_device", "tensor", "zeros",
           "zeros_like"]
