"""Tensor: an ndarray plus the autograd bookkeeping (its creator op and its gradient).

The class shows its whole surface: every operator and method is one call of an op defined, with
its backward, in arithmetic.py, pointwise.py, reductions.py, shape.py or indexing.py. NumPy's
spellings keep NumPy's meaning (``axis=``, ``keepdims=``, ``transpose(*axes)``); PyTorch's
spellings get PyTorch's (``dim=``, ``keepdim=``, ``transpose(d0, d1)``, ``x.max(1)`` returning
values and indices). In-place methods (``add_``, ``+=``, ``x[i] = v``) change the tensor itself.
"""

from __future__ import annotations

import numbers

from .. import backend
from .. import device as _device
from ..backend import xp
from ..random import get_rng
from .inplace_array import scalar_first


def _default_dtype_for(data):
    """The default float for Python floats, int64 for Python ints, bool for bools; arrays keep theirs."""
    if isinstance(data, (*backend.array_types, xp.generic)):
        return None
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, Tensor) for d in data):
        data = [d.data for d in data]
    arr = xp.asarray(data)
    if arr.dtype.kind == "f":
        return dtypes.get_default_dtype()
    if arr.dtype.kind in "iu":
        return backend.int64
    return None


def _legacy_sizes(data, requires_grad, dtype, more_sizes):
    """The shape of torch.Tensor(*sizes) (two or more ints) or torch.Tensor(torch.Size(...)), else None.
    One int keeps gradnote's meaning, the 0-d tensor (write gn.empty(n) for PyTorch's Tensor(n))."""
    def is_int(n):
        return isinstance(n, numbers.Integral) and not isinstance(n, (bool, xp.bool_))

    if isinstance(data, Size):
        return tuple(data)
    if is_int(data) and is_int(requires_grad):
        sizes = (data, requires_grad, *(() if dtype is None else (dtype,)), *more_sizes)
        if not all(is_int(n) and n >= 0 for n in sizes):
            raise TypeError(f"Tensor(*sizes): sizes must be non-negative ints, got {sizes!r}")
        return sizes
    if more_sizes:
        raise TypeError(f"Tensor(data, requires_grad=False, dtype=None): too many arguments {more_sizes!r}")
    return None


class Size(tuple):
    """A shape, as torch.Size: a tuple with numel().

    >>> Size((2, 3)).numel()
    6
    """

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"Size({list(self)})"


def _axes(op: str, ndim: int, axis, keepdims, dim, keepdim):
    """Normalised axes and keep flag from NumPy's (axis, keepdims) or PyTorch's (dim=, keepdim=) spelling."""
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: give axis (NumPy) or dim (PyTorch), not both")
    return axes.norm_axis(op, axis if dim is None else dim, ndim), bool(keepdims if keepdim is None else keepdim)


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff.

    Tensor(data, requires_grad=False, dtype=None). Python floats become float32,
    Python ints int64; NumPy arrays keep their dtype (float64 stays float64).
    ``.data`` is the backing ndarray (writable in place), ``.grad`` an ndarray or None; on a CUDA device
    (``.to("cuda")``) both are CuPy arrays.

    >>> x = Tensor([2.0], requires_grad=True); (x ** 3).sum().backward(); x.grad
    array([12.], dtype=float32)
    """

    __slots__ = ("__weakref__", "_ctx", "_rg", "_vc", "data", "grad", "name")
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operators
    __array_priority__ = 1000

    def __init__(self, data=(), requires_grad: bool = False, dtype=None, *more_sizes):
        sizes = _legacy_sizes(data, requires_grad, dtype, more_sizes)
        if sizes is not None:  # torch.Tensor(2, 3): PyTorch's old constructor of a float tensor of that shape
            data, requires_grad, dtype = xp.zeros(sizes, dtype=dtypes.get_default_dtype()), False, None
        if isinstance(data, Tensor):
            data = data.data
        elif isinstance(data, (list, tuple)) and data and any(isinstance(d, Tensor) for d in data):
            data = [d.data if isinstance(d, Tensor) else d for d in data]
        if dtype is None:
            dtype = _default_dtype_for(data)
        else:
            dtype = backend.to_dtype(dtype)
        self.data = (xp.array(data, dtype=dtype, copy=True) if backend.is_host(data) else
                     backend.module_of(data).array(data, dtype=dtype, copy=True))
        self.grad = None
        self._ctx = None
        self._vc = [0]
        self.name = None
        self._rg = False
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, data, requires_grad: bool = False):
        """Internal fast constructor: no copy, no checks."""
        t = object.__new__(cls)
        t.data = data if isinstance(data, backend.array_types) else xp.asarray(data)
        t.grad = None
        t._rg = requires_grad
        t._ctx = None
        t._vc = [0]
        t.name = None
        return t

    # ----- autograd state -------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients; this tensor is "
                f"{self.data.dtype} (integer tensors hold indices and labels)"
            )
        if not value and self._ctx is not None:
            raise RuntimeError("requires_grad: cannot turn off on a non-leaf tensor; use .detach()")
        self._rg = bool(value)

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def _version(self) -> int:
        return self._vc[0]

    def backward(self, grad=None, retain_graph=None, create_graph: bool = False, inputs=None, *, gradient=None):
        """Backpropagate from this tensor; ``grad`` (PyTorch: ``gradient``; Tensor or ndarray) is required
        unless the tensor has one element."""
        gradient = grad if gradient is None else gradient
        if create_graph:
            raise NotImplementedError("backward: create_graph=True (higher-order gradients) is not supported")
        if self.data.dtype.kind != "f":
            raise TypeError(f"backward: gradients are only defined for floating-point tensors, got {self.dtype}")
        if not self._rg:
            raise RuntimeError("backward: this tensor does not require grad and has no grad_fn")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: output has shape {self.shape}; gradients can only be created implicitly "
                    "for a single-element output: pass grad= an array of that shape (e.g. ones)"
                )
            gradient = xp.ones_like(self.data)
        else:
            gradient = gradient.data if isinstance(gradient, Tensor) else gradient
            if not backend.is_host(self.data):
                gradient = backend.same_device("backward", [self.data, backend.like(gradient, self.data)
                                                            if not isinstance(gradient, xp.ndarray) else gradient])[1]
            gradient = (xp.asarray(gradient, dtype=self.data.dtype) if backend.is_host(gradient) else
                        gradient.astype(self.data.dtype, copy=False))
            if gradient.shape != self.data.shape:
                raise ValueError(f"backward: grad has shape {gradient.shape} but the output has shape {self.shape}")
        if inputs is not None:
            raise NotImplementedError("backward: inputs= is not supported; use gn.autograd.grad(outputs, inputs)")
        function.run_backward([self], [gradient], bool(retain_graph))

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` at the next backward."""
        if self._ctx is not None:
            self._ctx._retain = self

    def detach(self) -> Tensor:
        """A tensor sharing this one's data (and version counter), cut from the graph."""
        t = Tensor._wrap(self.data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        self._ctx, self._rg = None, False
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self (as PyTorch)."""
        self.requires_grad = requires_grad
        return self


    def register_hook(self, hook):
        """Call hook(grad) when this tensor's gradient is computed; a returned tensor replaces it. Returns a
        handle whose remove() takes the hook away."""
        return hooks.register_hook(self, hook)

    # ----- array-like attributes -------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        """cpu, or cuda:N when the data is a CuPy array on GPU N."""
        return _device.CPU if not backend.cupy_loaded() else backend.device_of(self.data)

    @property
    def is_cuda(self) -> bool:
        return not backend.is_host(self.data)

    @property
    def T(self) -> Tensor:
        return self.permute()

    @property
    def mT(self) -> Tensor:
        return shape_ops.swapdims(self, -2, -1)

    @property
    def mH(self) -> Tensor:
        return shape_ops.swapdims(self, -2, -1)  # the conjugate transpose: real tensors have no conjugate

    @property
    def H(self) -> Tensor:
        if self.ndim not in (0, 2):
            raise ValueError(f"H: expects a 0-D or 2-D tensor, got shape {self.shape}; use mH for batches")
        return self.permute() if self.ndim == 2 else self

    @property
    def real(self) -> Tensor:
        return self  # gradnote's tensors are real-valued, as PyTorch's real() of a real tensor

    @property
    def imag(self) -> Tensor:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes (gradnote is real-valued)")

    def stride(self, dim=None):
        """Elements (not bytes) to step in each dim, as PyTorch; one dim's with `dim`."""
        strides = tuple(st // self.data.itemsize for st in self.data.strides)
        return strides if dim is None else strides[axes.one_dim("stride", dim, self.ndim)]

    def storage_offset(self) -> int:
        """Elements between the start of the underlying buffer and this tensor's first element."""
        base = self.data.base
        if base is None or not backend.is_host(self.data) or not isinstance(base, xp.ndarray):
            return 0
        return (self.data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self.data.itemsize

    def size(self, dim=None):
        """The shape as a Size, or one axis's length (PyTorch)."""
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[axes.one_dim("size", dim, self.data.ndim)] if self.data.ndim else 1

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    nelement = numel

    def element_size(self) -> int:
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self.data.flags.c_contiguous)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def numpy(self, force: bool = False):
        """The backing ndarray (shares memory; the graph is not involved). A CUDA tensor raises, as in
        PyTorch: its data is on the GPU, and ``.cpu().numpy()`` copies it to the host."""
        if not backend.is_host(self.data):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                            "copy the tensor to host memory first.")
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(f"only one-element integer tensors can be used as an index, got {self.dtype} {self.shape}")
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any()/.all()")
        return bool(self.data)

    def __format__(self, spec: str) -> str:
        if self.data.size == 1 and spec:
            return format(self.item(), spec)
        return format(repr(self) if not spec else self.data, spec)

    __hash__ = object.__hash__  # identity, as PyTorch (== is elementwise, so it cannot define hashing)

    def __repr__(self) -> str:
        body = xp.array2string(backend.asnumpy(self.data), separator=", ", prefix="tensor(",
                               **printing.array2string_options())
        extra = "" if backend.is_host(self.data) else f", device='{self.device}'"
        if self.data.dtype != backend.float32 and self.data.dtype != backend.int64 and self.data.dtype != backend.bool_:
            extra += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{type(self._ctx).__name__}>"
        elif self._rg:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ----- dtype and device conversions --------------------------------------
    def astype(self, dtype) -> Tensor:
        """A converted copy; differentiable between float dtypes, cut from the graph otherwise."""
        dtype = backend.to_dtype(dtype)
        return arithmetic.cast(self, dtype) if dtype != self.data.dtype else arithmetic.Cast.apply(self, dtype=dtype)

    def to(self, *args, **kwargs) -> Tensor:
        """to(dtype), to(device), to(device, dtype), to(other): itself when nothing changes (as PyTorch)."""
        copy = kwargs.get("copy", False)
        dtype, dev = _device.to_arguments("to", args, kwargs)
        out = self if dtype is None or backend.to_dtype(dtype) == self.data.dtype else self.astype(dtype)
        if dev is not None and dev != out.device:
            out = arithmetic.ToDevice.apply(out, device=dev)
        return out.clone() if copy and out is self else out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        return self.to(_device.check("cuda" if device is None else device))

    def type(self, dtype=None):
        """Without an argument, PyTorch's type name ("torch.FloatTensor"); with a dtype, a type name or a legacy
        constructor (x.type(torch.DoubleTensor)), a converted tensor."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name) + "Tensor"
        if callable(dtype) and getattr(dtype, "__name__", "").endswith("Tensor"):
            dtype = dtype.__name__
        if isinstance(dtype, str) and dtype.endswith("Tensor") and dtype.rsplit(".", 1)[-1] != "Tensor":
            names = {v: k for k, v in _TYPE_NAMES.items()}
            dtype = names[dtype.rsplit(".", 1)[-1][:-len("Tensor")]]
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(backend.float32)

    def double(self) -> Tensor:
        return self.to(backend.float64)

    def half(self) -> Tensor:
        return self.to(xp.float16)

    def long(self) -> Tensor:
        return self.to(backend.int64)

    def int(self) -> Tensor:
        return self.to(xp.int32)

    def bool(self) -> Tensor:
        return self.to(backend.bool_)

    def byte(self) -> Tensor:
        return self.to(xp.uint8)

    def clone(self, memory_format=None) -> Tensor:
        return arithmetic.Cast.apply(self, dtype=self.data.dtype) if self._rg else Tensor._wrap(self.data.copy())

    def contiguous(self, memory_format=None) -> Tensor:
        return self

    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        t = Tensor(data, dtype=self.dtype if dtype is None else dtype)
        return t.to(self.device if device is None else device).requires_grad_(requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        return self.new_full(shape_ops.as_shape("new_zeros", size), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        return self.new_full(shape_ops.as_shape("new_ones", size), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        return self.new_full(shape_ops.as_shape("new_empty", size), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        data = xp.full(shape_ops.as_shape("new_full", (size,)), fill_value, dtype=self.dtype if dtype is None else dtype)
        dev = self.device if device is None else _device.check(device)
        return Tensor._wrap(backend.to_device(data, dev)).requires_grad_(requires_grad)


    def new(self, *args, **kwargs) -> Tensor:
        """PyTorch's legacy x.new(*sizes) (zeros of x's dtype) or x.new(data) (data in x's dtype)."""
        if not args or all(isinstance(a, numbers.Integral) for a in args) or isinstance(args[0], Size):
            return self.new_zeros(*(args or (0,)), **kwargs)
        return self.new_tensor(args[0], **kwargs)

    # ----- arithmetic operators -------------------------------------------------
    def __add__(self, other):
        return arithmetic.Add.apply(*arithmetic.operands(self, other))

    def __radd__(self, other):
        return arithmetic.Add.apply(*arithmetic.operands(other, self))

    def __sub__(self, other):
        return arithmetic.sub(self, other)

    def __rsub__(self, other):
        return arithmetic.sub(other, self)

    def __mul__(self, other):
        return arithmetic.Mul.apply(*arithmetic.operands(self, other))

    def __rmul__(self, other):
        return arithmetic.Mul.apply(*arithmetic.operands(other, self))

    def __truediv__(self, other):
        return arithmetic.Div.apply(*arithmetic.operands(self, other, true_divide=True))

    def __rtruediv__(self, other):
        return arithmetic.Div.apply(*arithmetic.operands(other, self, true_divide=True))

    def __floordiv__(self, other):
        return arithmetic.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return arithmetic.floor_divide(other, self)

    def __mod__(self, other):
        return arithmetic.remainder(self, other)

    def __rmod__(self, other):
        return arithmetic.remainder(other, self)

    def __pow__(self, other):
        return arithmetic.pow(self, other)

    def __rpow__(self, other):
        return arithmetic.pow(arithmetic.lift(other, arithmetic.result_type(other, self)), self)

    def __matmul__(self, other):
        return arithmetic.matmul(self, other)

    def __rmatmul__(self, other):
        return arithmetic.matmul(other, self)

    def __neg__(self):
        return arithmetic.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return pointwise.abs(self)

    def __invert__(self):
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~: bitwise not needs a bool or integer tensor, got {self.dtype}")
        return Tensor._wrap(~self.data)

    def __and__(self, other):
        return arithmetic.logical(xp.bitwise_and, self, other)

    __rand__ = __and__

    def __or__(self, other):
        return arithmetic.logical(xp.bitwise_or, self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return arithmetic.logical(xp.bitwise_xor, self, other)

    __rxor__ = __xor__

    # in place: `p -= lr * p.grad` updates p itself (under no_grad for a parameter)
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # ----- comparisons (bool tensors, no gradient) -------------------------------
    def __eq__(self, other):
        return arithmetic.compare(xp.equal, self, other)

    def __ne__(self, other):
        return arithmetic.compare(xp.not_equal, self, other)

    def __lt__(self, other):
        return arithmetic.compare(xp.less, self, other)

    def __le__(self, other):
        return arithmetic.compare(xp.less_equal, self, other)

    def __gt__(self, other):
        return arithmetic.compare(xp.greater, self, other)

    def __ge__(self, other):
        return arithmetic.compare(xp.greater_equal, self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other) -> bool:
        return self.shape == other.shape and bool(xp.array_equal(self.data, other.data))

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        return bool(xp.allclose(self.data, getattr(other, "data", other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self) -> Tensor:
        return Tensor._wrap(xp.isnan(self.data))

    def isinf(self) -> Tensor:
        return Tensor._wrap(xp.isinf(self.data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(xp.isfinite(self.data))

    def logical_not(self) -> Tensor:
        return Tensor._wrap(xp.logical_not(self.data))

    def logical_and(self, other) -> Tensor:
        return Tensor._wrap(xp.logical_and(self.data, getattr(other, "data", other)))

    def logical_or(self, other) -> Tensor:
        return Tensor._wrap(xp.logical_or(self.data, getattr(other, "data", other)))

    # ----- arithmetic methods -----------------------------------------------------
    def add(self, other, alpha=1):
        if scalar_first("add", other, alpha):
            other, alpha = alpha, other
        return arithmetic.add(self, other, alpha)

    def sub(self, other, alpha=1):
        if scalar_first("sub", other, alpha):
            other, alpha = alpha, other
        return arithmetic.sub(self, other, alpha)

    def mul(self, other):
        return arithmetic.mul(self, other)

    def div(self, other, rounding_mode=None):
        return arithmetic.div(self, other, rounding_mode)

    multiply, divide, subtract = mul, div, sub

    def pow(self, exponent):
        return arithmetic.pow(self, exponent)

    def matmul(self, other):
        return arithmetic.matmul(self, other)

    def mm(self, other):
        return arithmetic.mm(self, other)

    def bmm(self, other):
        return arithmetic.bmm(self, other)

    def dot(self, other):
        if self.ndim != 1 or getattr(other, "ndim", 0) != 1:
            raise ValueError(f"dot: expected two 1-D tensors, got shapes {self.shape} and {getattr(other, 'shape', ())}")
        return arithmetic.matmul(self, other)

    def neg(self):
        return arithmetic.Neg.apply(self)

    def reciprocal(self):
        return 1.0 / pointwise.as_float(self, "reciprocal")

    def rsqrt(self):
        return 1.0 / self.sqrt()

    def square(self):
        return self * self

    def maximum(self, other):
        return arithmetic.maximum(self, other)

    def minimum(self, other):
        return arithmetic.minimum(self, other)

    def addcmul(self, tensor1, tensor2, value=1):
        return self + value * tensor1 * tensor2

    def addcdiv(self, tensor1, tensor2, value=1):
        return self + value * tensor1 / tensor2

    def lerp(self, end, weight):
        return self + weight * (end - self)


    def fmod(self, other):
        return elementwise.fmod(self, other)

    def remainder(self, other):
        return arithmetic.remainder(self, other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return products.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return products.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return products.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return products.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def cross(self, other, dim=None):
        return linalg.torch_cross(self, other, dim)

    def kron(self, other):
        return rearrange.kron(self, other)

    # ----- elementwise maths ------------------------------------------------------
    def exp(self):
        return pointwise.exp(self)

    def expm1(self):
        return pointwise.expm1(self)

    def log(self):
        return pointwise.log(self)

    def log1p(self):
        return pointwise.log1p(self)

    def log2(self):
        return pointwise.log(self) / float(xp.log(2.0))

    def log10(self):
        return pointwise.log(self) / float(xp.log(10.0))

    def sqrt(self):
        return pointwise.sqrt(self)

    def abs(self):
        return pointwise.abs(self)

    def sin(self):
        return pointwise.sin(self)

    def cos(self):
        return pointwise.cos(self)

    def tanh(self):
        return pointwise.tanh(self)

    def sigmoid(self):
        return pointwise.sigmoid(self)

    def relu(self):
        return pointwise.relu(self)

    def softmax(self, dim=None, dtype=None):
        return pointwise.softmax(self, dim=dim, dtype=dtype)

    def log_softmax(self, dim=None, dtype=None):
        return pointwise.log_softmax(self, dim=dim, dtype=dtype)

    def clamp(self, min=None, max=None):  # noqa: A002 - torch's names
        return pointwise.clamp(self, min, max)

    def clip(self, lo=None, hi=None, *, min=None, max=None):  # noqa: A002
        """NumPy's clip(lo, hi) and torch's clip(min=, max=): limit values to the bounds."""
        lo, hi = lo if min is None else min, hi if max is None else max
        if lo is None and hi is None:
            raise ValueError("clip: at least one of lo and hi must be given")
        return pointwise.clamp(self, lo, hi, op="clip")

    def clamp_min(self, min):  # noqa: A002
        return pointwise.clamp(self, min, None)

    def clamp_max(self, max):  # noqa: A002
        return pointwise.clamp(self, None, max)

    def sign(self):
        return pointwise.sign(self)

    def floor(self):
        return pointwise.floor(self)

    def ceil(self):
        return pointwise.ceil(self)

    def round(self, decimals: int = 0):
        return pointwise.round(self) if decimals == 0 else Tensor._wrap(xp.round(self.data, decimals))

    def trunc(self):
        return pointwise.trunc(self)


    def sgn(self):
        return pointwise.sign(self)  # the sign; for complex numbers PyTorch's x / |x|, here the same as sign

    def frac(self):
        return elementwise.frac(self)

    def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None):
        return elementwise.nan_to_num(self, nan, posinf, neginf)

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
        return elementwise.isclose(self, other, rtol, atol, equal_nan)

    def erf(self):
        return special.erf(self)

    def erfc(self):
        return special.erfc(self)

    def erfinv(self):
        return special.erfinv(self)

    def lgamma(self):
        return special.gammaln(self)

    def digamma(self):
        return special.digamma(self)

    def i0(self):
        return special.i0(self)

    def sinc(self):
        return special.sinc(self)

    def logit(self, eps=None):
        return special.logit(self, eps)

    def xlogy(self, other):
        return special.xlogy(self, other)

    # ----- reductions ---------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None, dtype=None):
        """Sum over `axis` or `dim` (None: all); keepdims/keepdim keep reduced axes as size 1."""
        ax, keep = _axes("sum", self.ndim, axis, keepdims, dim, keepdim)
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "bu" or x.data.dtype in (xp.int8, xp.int16, xp.int32):
            x = x.to(backend.int64)  # PyTorch sums bool and small integers in int64
        return reductions.Sum.apply(x, axis=ax, keepdims=keep)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None, dtype=None):
        """Mean over `axis` or `dim` (None: all); bool and integer tensors average in float32."""
        ax, keep = _axes("mean", self.ndim, axis, keepdims, dim, keepdim)
        x = self.to(dtype) if dtype is not None else arithmetic.cast(self, dtypes.float_result(self.data.dtype))
        return reductions.Mean.apply(x, axis=ax, keepdims=keep)

    def var(self, axis=None, keepdims: bool = False, ddof=0, *, dim=None, keepdim=None, unbiased=None,
            correction=None):
        """Variance. NumPy's spelling (axis, keepdims, ddof) divides by n - ddof, ddof=0 by default;
        PyTorch's (dim=, keepdim=, unbiased=, correction=) by n - 1 unless correction says otherwise."""
        if isinstance(axis, bool):  # torch's legacy x.var(unbiased)
            axis, unbiased = None, axis
        ax, keep = _axes("var", self.ndim, axis, keepdims, dim, keepdim)
        if dim is not None or keepdim is not None or unbiased is not None or correction is not None:
            ddof = correction if correction is not None else int(unbiased is not False)
        return reductions.var(self, ax, keep, ddof)

    def std(self, axis=None, keepdims: bool = False, ddof=0, *, dim=None, keepdim=None, unbiased=None,
            correction=None):
        """Standard deviation: the square root of var() with the same arguments."""
        return self.var(axis, keepdims, ddof, dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction).sqrt()

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim: bool | None = None):
        """The largest values over `axis` (NumPy: values only). With PyTorch's dim= or keepdim= (``x.max(1,
        keepdim=True)[1]`` is torch's indices) the pair (values, indices), gradient to the first maximum. A tensor
        argument gives the elementwise maximum (torch.max(a, b))."""
        return self._extreme("max", axis, keepdims, dim, keepdim)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim: bool | None = None):
        """As max(), for the smallest values."""
        return self._extreme("min", axis, keepdims, dim, keepdim)

    def _extreme(self, mode: str, axis, keepdims, dim, keepdim):
        if isinstance(axis, Tensor):
            return arithmetic.maximum(self, axis) if mode == "max" else arithmetic.minimum(self, axis)
        if dim is not None:
            return reductions.max_along(self, dim, bool(keepdim), mode)
        if keepdim is not None and isinstance(axis, numbers.Integral):
            # torch's keepdim= spelling gives torch's meaning: the (values, indices) pair, indexable as torch's
            return reductions.max_along(self, axis, keepdim, mode)
        ax, keep = _axes(mode, self.ndim, axis, keepdims, None, keepdim or None)
        out = reductions.Extreme.apply(self, axis=ax, keepdims=keep, mode=mode)
        if isinstance(axis, numbers.Integral) and self.ndim:
            return ValuesWithIndices.of(out, reductions.arg_extreme(self, axis, keep, mode))
        return out

    def amax(self, dim=None, keepdim: bool = False):
        return reductions.Extreme.apply(self, axis=axes.norm_axis("amax", dim, self.ndim), keepdims=keepdim,
                                        mode="max")

    def amin(self, dim=None, keepdim: bool = False):
        return reductions.Extreme.apply(self, axis=axes.norm_axis("amin", dim, self.ndim), keepdims=keepdim,
                                        mode="min")

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return reductions.arg_extreme(self, dim if axis is None else axis, keepdim or bool(keepdims), "max")

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return reductions.arg_extreme(self, dim if axis is None else axis, keepdim or bool(keepdims), "min")

    def prod(self, dim=None, keepdim: bool = False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        ax = None if dim is None else axes.one_dim("prod", dim, self.ndim)
        return reductions.Prod.apply(x, axis=ax if self.ndim else None, keepdims=keepdim)

    def cumsum(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.ndim == 0:
            return x * 1
        return reductions.CumSum.apply(x, axis=axes.one_dim("cumsum", dim, self.ndim))

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
        """The p-norm over `dim` (None: all elements); "fro" is the 2-norm, inf the max |x|."""
        if p == "fro" or p is None:
            p = 2.0
        if not isinstance(p, numbers.Real):
            raise ValueError(f"norm: p must be a number, inf or 'fro', got {p!r}")
        x = pointwise.as_float(self, "norm") if dtype is None else self.to(dtype)
        return reductions.Norm.apply(x, p=float(p), axis=axes.norm_axis("norm", dim, self.ndim), keepdims=keepdim)

    def logsumexp(self, dim, keepdim: bool = False):
        x = pointwise.as_float(self, "logsumexp")
        return reductions.LogSumExp.apply(x, axis=axes.norm_axis("logsumexp", dim, self.ndim), keepdims=keepdim)

    def all(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        ax, keep = _axes("all", self.ndim, axis, keepdims, dim, keepdim)
        return Tensor._wrap(backend.asarray(xp.all(self.data, axis=ax, keepdims=keep)))

    def any(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        ax, keep = _axes("any", self.ndim, axis, keepdims, dim, keepdim)
        return Tensor._wrap(backend.asarray(xp.any(self.data, axis=ax, keepdims=keep)))

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return reductions.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return reductions.sort(self, dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        return reductions.topk(self, k, dim, largest, sorted)


    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        return sorting.kthvalue(self, k, dim, keepdim)

    def median(self, dim=None, keepdim: bool = False):
        return sorting.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim: bool = False):
        return sorting.nanmedian(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False):
        return sorting.mode(self, dim, keepdim)

    def cummax(self, dim: int):
        return sorting.cumextreme(self, dim, "max")

    def cummin(self, dim: int):
        return sorting.cumextreme(self, dim, "min")

    def aminmax(self, *, dim=None, keepdim: bool = False):
        return sorting.aminmax(self, dim, keepdim)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim=None):  # noqa: A002
        return sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights=None, minlength: int = 0):
        return sorting.bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0):  # noqa: A002
        return sorting.histc(self, bins, min, max)

    def trace(self):
        return rearrange.trace(self)

    # ----- shape --------------------------------------------------------------------
    def reshape(self, *shape):
        return shape_ops.reshape(self, *shape)

    def view(self, *shape):
        return shape_ops.reshape(self, *shape)

    def view_as(self, other):
        return shape_ops.reshape(self, other.shape)

    def reshape_as(self, other):
        return shape_ops.reshape(self, other.shape)

    def permute(self, *dims):
        return shape_ops.permute(self, *dims)

    def transpose(self, *axes):
        """transpose(d0, d1) swaps two axes on any rank (PyTorch); other arities permute (NumPy; none: reverse)."""
        if len(axes) == 2 and all(isinstance(a, numbers.Integral) for a in axes):
            return shape_ops.swapdims(self, *axes)
        return shape_ops.permute(self, *axes, op="transpose")

    def swapaxes(self, axis0: int, axis1: int):
        return shape_ops.swapdims(self, axis0, axis1)

    swapdims = swapaxes

    def t(self):
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor with <= 2 dimensions, got shape {self.shape}; use transpose(d0, d1)")
        return shape_ops.permute(self) if self.ndim == 2 else self

    def squeeze(self, dim=None):
        return shape_ops.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return shape_ops.unsqueeze(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return shape_ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes):
        return shape_ops.unflatten(self, dim, sizes)

    def expand(self, *sizes):
        return shape_ops.expand(self, *sizes)

    def expand_as(self, other):
        return shape_ops.expand(self, other.shape)

    def repeat(self, *repeats):
        return shape_ops.repeat(self, *repeats)

    def flip(self, dims):
        return shape_ops.flip(self, dims)

    def split(self, split_size, dim: int = 0):
        return shape_ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return shape_ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0):
        return shape_ops.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int):
        return indexing.narrow(self, dim, start, length)

    def select(self, dim: int, index: int):
        return indexing.select(self, dim, index)

    def tril(self, diagonal: int = 0):
        return indexing.where(backend.like(xp.tri(*self.shape[-2:], k=diagonal, dtype=bool), self.data), self, 0)

    def triu(self, diagonal: int = 0):
        return indexing.where(backend.like(~xp.tri(*self.shape[-2:], k=diagonal - 1, dtype=bool), self.data), self, 0)


    def roll(self, shifts, dims=None):
        return rearrange.roll(self, shifts, dims)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        return rearrange.diagonal(self, offset, dim1, dim2)

    def movedim(self, source, destination):
        return rearrange.movedim(self, source, destination)

    moveaxis = movedim

    def unfold(self, dimension: int, size: int, step: int):
        return rearrange.unfold(self, dimension, size, step)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return rearrange.repeat_interleave(self, repeats, dim)

    def rot90(self, k: int = 1, dims=(0, 1)):
        return rearrange.rot90(self, k, dims)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        return rearrange.diff(self, n, dim, prepend, append)

    # ----- indexing -------------------------------------------------------------------
    def __getitem__(self, index):
        return indexing.getitem(self, index)

    def __setitem__(self, index, value):
        if self._needs_graph_update(value, op="setitem: in-place assignment"):
            self._rebase(indexing.index_put(self._history(), index, value))
        else:
            index, _ = indexing.clean_index(index, self.data)
            value = value.data if isinstance(value, Tensor) else value
            self.data[index] = value if backend.is_host(self.data) else backend.like(value, self.data)
            self._vc[0] += 1

    def gather(self, dim: int, index):
        return indexing.gather(self, dim, index)

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        return indexing.scatter(self, dim, index, src, value, reduce)

    def scatter_add(self, dim: int, index, src):
        return indexing.scatter(self, dim, index, src, reduce="add")

    def index_select(self, dim: int, index):
        return indexing.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return indexing.masked_fill(self, mask, value)

    def nonzero(self, as_tuple: bool = False):
        idx = xp.stack(xp.nonzero(self.data), axis=-1).astype(xp.int64) if self.ndim else xp.zeros_like(
            self.data, xp.int64, shape=(int(bool(self.data)), 0))
        return tuple(Tensor._wrap(c) for c in idx.T) if as_tuple else Tensor._wrap(idx)


    def masked_select(self, mask):
        return rearrange.masked_select(self, mask)

    def where(self, condition, other):
        return indexing.where(condition, self, other)

    def index_add(self, dim: int, index, source, *, alpha=1):
        return index_update.index_add(self, dim, index, source, alpha)

    def index_copy(self, dim: int, index, source):
        return index_update.index_copy(self, dim, index, source)

    def index_fill(self, dim: int, index, value):
        return index_update.index_fill(self, dim, index, value)

    def masked_scatter(self, mask, source):
        return index_update.masked_scatter(self, mask, source)

    # ----- in place ---------------------------------------------------------------
    def _needs_graph_update(self, *others, op: str = "in-place operation") -> bool:
        if not function.is_grad_enabled() or not (self._rg or any(isinstance(o, Tensor) and o._rg for o in others)):
            return False
        if self._ctx is None and self._rg:
            raise RuntimeError(
                f"{op} on a leaf tensor of shape {self.shape} that requires grad would corrupt its graph; "
                "wrap the update in `with gn.no_grad():` (as an optimiser step does), or assign to .data")
        return True

    def _history(self) -> Tensor:
        """This tensor's current value as a separate node, so the in-place result can be recorded after it."""
        old = Tensor._wrap(self.data, self._rg)
        old._ctx = self._ctx
        return old

    def _rebase(self, out: Tensor) -> Tensor:
        """Make this tensor the recorded result `out` (the in-place op on a tensor in a graph)."""
        if out.shape != self.shape:
            raise RuntimeError(f"in-place operation: the result's shape {out.shape} differs from the tensor's {self.shape}")
        out = arithmetic.cast(out, self.data.dtype)
        self.data, self._ctx, self._rg, self._vc = out.data, out._ctx, out._rg, out._vc
        return self

    def _inplace(self, op, *others):
        """self = op(self, *others) in place: recorded in the graph, or written into self.data."""
        if self._needs_graph_update(*others):
            return self._rebase(op(self._history(), *others))
        with function.no_grad():
            out = op(self, *others)
        if out.data.dtype != self.data.dtype and dtypes._category(out.data.dtype) > dtypes._category(self.data.dtype):
            raise RuntimeError(f"in-place operation: result type {out.dtype} can't be cast to the tensor's {self.dtype}")
        try:
            self.data[...] = out.data
        except ValueError:
            raise RuntimeError(f"in-place operation: a result of shape {out.shape} does not fit the tensor's "
                               f"{self.shape}") from None
        self._vc[0] += 1
        return self

    def add_(self, other, alpha=1):
        if scalar_first("add_", other, alpha):
            other, alpha = alpha, other
        return self._inplace(lambda t, o: arithmetic.add(t, o, alpha), other)

    def sub_(self, other, alpha=1):
        if scalar_first("sub_", other, alpha):
            other, alpha = alpha, other
        return self._inplace(lambda t, o: arithmetic.sub(t, o, alpha), other)

    def mul_(self, other):
        return self._inplace(arithmetic.mul, other)

    def div_(self, other, rounding_mode=None):
        return self._inplace(lambda t, o: arithmetic.div(t, o, rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace(arithmetic.pow, exponent)

    def neg_(self):
        return self._inplace(arithmetic.Neg.apply)

    def exp_(self):
        return self._inplace(pointwise.exp)

    def sqrt_(self):
        return self._inplace(pointwise.sqrt)

    def abs_(self):
        return self._inplace(pointwise.abs)

    def relu_(self):
        return self._inplace(pointwise.relu)

    def sigmoid_(self):
        return self._inplace(pointwise.sigmoid)

    def tanh_(self):
        return self._inplace(pointwise.tanh)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return self._inplace(lambda t: pointwise.clamp(t, min, max))

    clip_ = clamp_

    def addcmul_(self, tensor1, tensor2, value=1):
        if scalar_first("addcmul_", tensor1, value):
            tensor1, tensor2, value = tensor2, value, tensor1
        return self._inplace(lambda t, a, b: t + value * a * b, tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        if scalar_first("addcdiv_", tensor1, value):
            tensor1, tensor2, value = tensor2, value, tensor1
        return self._inplace(lambda t, a, b: t + value * a / b, tensor1, tensor2)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda t: indexing.masked_fill(t, mask, value))

    def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None):
        return self._inplace(lambda t, s: indexing.scatter(t, dim, index, s, value, reduce), src)

    def copy_(self, src, non_blocking: bool = False):
        """Copy src's values (broadcast, converted to this dtype) into this tensor; the gradient flows to src."""
        src = arithmetic.lift(src)
        return self._inplace(lambda t, s: shape_ops.expand(arithmetic.cast(s, t.data.dtype), t.shape) * 1, src)

    def fill_(self, value):
        return self._inplace(lambda t: Tensor._wrap(xp.full_like(t.data, getattr(value, "data", value))))

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator=None):
        """Fill with samples from U(a, b), drawn from gradnote's generator (see gn.manual_seed)."""
        draw = get_rng(generator).uniform(a, b, self.shape).astype(self.dtype)
        return self._inplace(lambda t: Tensor._wrap(backend.like(draw, t.data)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator=None):
        """Fill with samples from N(mean, std^2), drawn from gradnote's generator."""
        draw = (get_rng(generator).standard_normal(self.shape) * std + mean).astype(self.dtype)
        return self._inplace(lambda t: Tensor._wrap(backend.like(draw, t.data)))

    def bernoulli_(self, p: float = 0.5, generator=None):
        draw = (get_rng(generator).random(self.shape) < p).astype(self.dtype)
        return self._inplace(lambda t: Tensor._wrap(backend.like(draw, t.data)))

    def exponential_(self, lambd: float = 1.0, *, generator=None):
        return self._fill(sampling.drawn(self.shape, self.dtype, "exponential", generator, lambd=lambd))

    def geometric_(self, p: float, *, generator=None):
        return self._fill(sampling.drawn(self.shape, self.dtype, "geometric", generator, p=p))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None):
        return self._fill(sampling.drawn(self.shape, self.dtype, "cauchy", generator, median=median, sigma=sigma))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None):
        return self._fill(sampling.drawn(self.shape, self.dtype, "log_normal", generator, mean=mean, std=std))

    def random_(self, from_: int = 0, to=None, *, generator=None):
        return self._fill(sampling.random_integers(self.shape, self.dtype, from_, to, generator))

    def _fill(self, draw):
        return self._inplace(lambda t: Tensor._wrap(backend.like(draw, t.data)))

    def index_add_(self, dim: int, index, source, *, alpha=1):
        return self._inplace(lambda t, s: index_update.index_add(t, dim, index, s, alpha), arithmetic.lift(source))

    def index_copy_(self, dim: int, index, source):
        return self._inplace(lambda t, s: index_update.index_copy(t, dim, index, s), arithmetic.lift(source))

    def index_fill_(self, dim: int, index, value):
        return self._inplace(lambda t: index_update.index_fill(t, dim, index, value))

    def masked_scatter_(self, mask, source):
        return self._inplace(lambda t, s: index_update.masked_scatter(t, mask, s), arithmetic.lift(source))

    def nan_to_num_(self, nan: float = 0.0, posinf=None, neginf=None):
        return self._inplace(lambda t: elementwise.nan_to_num(t, nan, posinf, neginf))

    def apply_(self, callable):  # noqa: A002 - torch's name
        """Replace each element x by callable(x), a Python call per element (CPU only, no gradient; as PyTorch)."""
        return self._inplace(lambda t: Tensor._wrap(elementwise.python_map(callable, t.data)))

    def map_(self, tensor, callable):  # noqa: A002
        """self[i] = callable(self[i], tensor[i]) with tensor broadcast to this shape (CPU only, no gradient)."""
        return self._inplace(lambda t: Tensor._wrap(elementwise.python_map(callable, t.data, tensor)))



class ValuesWithIndices(Tensor):
    """What ``x.max(axis)`` / ``x.min(axis)`` return: the values (a Tensor, NumPy's meaning) that also carry
    PyTorch's ``.values`` and ``.indices`` and unpack as ``values, indices``, so both habits work:
    ``x.max(1) + 1`` (NumPy) and ``_, predicted = outputs.max(1)`` or ``q.max(1).indices`` (PyTorch).
    Indexing stays NumPy's: ``x.max(1)[1]`` is the second value (write ``.indices`` for the indices).

    >>> v, i = gn.tensor([[1.0, 5.0], [4.0, 2.0]]).max(1)
    >>> v.tolist(), i.tolist()
    ([5.0, 4.0], [1, 0])
    """

    __slots__ = ("indices",)

    @classmethod
    def of(cls, values: Tensor, indices: Tensor) -> ValuesWithIndices:
        t = object.__new__(cls)
        t.data, t.grad, t._rg, t._ctx, t._vc, t.name = values.data, None, values._rg, values._ctx, values._vc, None
        t.indices = indices
        return t

    @property
    def values(self) -> Tensor:
        return self

    def __iter__(self):
        return iter((self, self.indices))


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}

# The one documented late import: the op modules import Tensor, and Tensor's methods call them.
from . import (  # noqa: E402
    arithmetic,
    axes,
    dtypes,
    elementwise,
    function,
    hooks,
    index_update,
    indexing,
    linalg,
    pointwise,
    printing,
    products,
    rearrange,
    reductions,
    sampling,
    sorting,
    special,
)
from . import shape as shape_ops  # noqa: E402
