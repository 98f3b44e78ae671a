"""Tensor: an ndarray plus the autograd bookkeeping (its creator op and its gradient)."""

from __future__ import annotations

from .. import backend
from ..backend import xp


def _default_dtype_for(data):
    """float32 for Python floats, int64 for Python ints, bool for bools; arrays keep theirs."""
    if isinstance(data, (xp.ndarray, xp.generic)):
        return None
    arr = xp.asarray(data)
    if arr.dtype.kind == "f":
        return backend.float32
    if arr.dtype.kind in "iu":
        return backend.int64
    return None


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff.

    Tensor(data, requires_grad=False, dtype=None). Python floats become float32,
    Python ints int64; NumPy arrays keep their dtype (float64 stays float64).
    ``.data`` is the backing ndarray (writable in place), ``.grad`` an ndarray or None.

    >>> x = Tensor([2.0], requires_grad=True); (x ** 3).sum().backward(); x.grad
    array([12.], dtype=float32)
    """

    __slots__ = ("__weakref__", "_ctx", "_rg", "data", "grad", "name")
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operators

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is None:
            dtype = _default_dtype_for(data)
        else:
            dtype = backend.to_dtype(dtype)
        self.data = xp.array(data, dtype=dtype, copy=True)
        self.grad = None
        self._ctx = None
        self.name = None
        self._rg = False
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, data, requires_grad: bool = False):
        """Internal fast constructor: no copy, no checks."""
        t = object.__new__(cls)
        t.data = data if isinstance(data, xp.ndarray) else xp.asarray(data)
        t.grad = None
        t._rg = requires_grad
        t._ctx = None
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

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Backpropagate from this tensor; ``grad`` (Tensor or ndarray) is required unless it is scalar."""
        if self.data.dtype.kind != "f":
            raise TypeError(f"backward: gradients are only defined for floating-point tensors, got {self.dtype}")
        if not self._rg:
            raise RuntimeError("backward: this tensor does not require grad and has no grad_fn")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: output has shape {self.shape}; gradients can only be created implicitly "
                    "for a single-element output: pass grad= an array of that shape (e.g. ones)"
                )
            grad = xp.ones(self.data.shape, dtype=self.data.dtype)
        else:
            grad = xp.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(f"backward: grad has shape {grad.shape} but the output has shape {self.shape}")
        function.backward(self, grad, retain_graph)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph."""
        return Tensor._wrap(self.data)

    def zero_grad(self) -> None:
        self.grad = None

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
    def T(self) -> Tensor:
        return self.transpose()

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def numpy(self):
        """The backing ndarray (shares memory; the graph is not involved)."""
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any()/.all()")
        return bool(self.data)

    __hash__ = object.__hash__  # identity, as PyTorch (== is elementwise, so it cannot define hashing)

    def __repr__(self) -> str:
        body = xp.array2string(self.data, separator=", ", precision=4, prefix="tensor(")
        extra = ""
        if self.data.dtype != backend.float32 and self.data.dtype != backend.int64:
            extra += f", dtype={self.data.dtype}"
        if self._rg:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ----- conversions ------------------------------------------------------
    def astype(self, dtype) -> Tensor:
        """A converted copy; differentiable between float dtypes, cut from the graph otherwise."""
        from . import ops

        dtype = backend.to_dtype(dtype)
        if dtype.kind != "f":
            return Tensor._wrap(self.data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        return self.astype(backend.float32)

    def double(self) -> Tensor:
        return self.astype(backend.float64)

    def long(self) -> Tensor:
        return self.astype(backend.int64)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self (as PyTorch)."""
        self.requires_grad = requires_grad
        return self


# At the bottom: function.py imports Tensor, and Tensor.backward needs function.backward.
from . import function  # noqa: E402
