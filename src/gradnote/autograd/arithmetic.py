"""Binary arithmetic with broadcasting, each forward beside its backward: + - * / ** @, max/min.

Operands are promoted with PyTorch's rules first (see dtypes.py); the engine then sums
broadcast gradients back to each input's shape.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..backend import xp
from .dtypes import float_result, result_type
from .function import Function
from .tensor import Tensor


class Cast(Function):
    saves = False

    def forward(self, a, dtype):
        self.src = a.dtype
        return a.astype(dtype)

    def backward(self, g):
        return g.astype(self.src)


class ToDevice(Function):
    """tensor.to(device): a copy on `device` (a gradnote.device); the gradient goes back where it came from."""

    saves = False

    def forward(self, a, device):
        self.src = backend.device_of(a)
        return backend.to_device(a, device)

    def backward(self, g):
        return backend.to_device(g, self.src)


def cast(t: Tensor, dtype) -> Tensor:
    """`t` in `dtype`: itself when it already is; differentiable between float dtypes."""
    if t.data.dtype == dtype:
        return t
    if dtype.kind != "f" or t.data.dtype.kind != "f":
        return Tensor._wrap(t.data.astype(dtype))
    return Cast.apply(t, dtype=dtype)


def lift(x, dtype=None) -> Tensor:
    """A Tensor for x (a Tensor passes through); numbers and arrays become constants in `dtype` if given."""
    if isinstance(x, Tensor):
        return x
    if dtype is not None:
        return Tensor._wrap(backend.asarray(x, dtype=dtype))
    if isinstance(x, backend.array_types):
        return Tensor._wrap(x)
    return Tensor(x)


def operands(a, b, true_divide: bool = False) -> tuple[Tensor, Tensor]:
    """a and b as tensors of one dtype, PyTorch's promotion (true division of integers: the default float)."""
    if (isinstance(a, Tensor) and isinstance(b, numbers.Number) and not isinstance(b, bool)
            and a.data.dtype.kind == "f"):  # the common case, float tensor and a Python number
        return a, Tensor._wrap(backend.asarray(b, dtype=a.data.dtype))
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.data.dtype == b.data.dtype and (
            not true_divide or a.data.dtype.kind == "f"):
        return a, b
    dtype = result_type(a, b)
    if true_divide:
        dtype = float_result(dtype)
    return cast(lift(a), dtype) if isinstance(a, Tensor) else lift(a, dtype), \
        cast(lift(b), dtype) if isinstance(b, Tensor) else lift(b, dtype)


def _bad_broadcast(op: str, a, b):
    raise ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


class Add(Function):
    saves = False

    def forward(self, a, b):
        try:
            return a + b
        except ValueError:
            _bad_broadcast("add", a, b)

    def backward(self, g):
        return g, g


class Sub(Function):
    saves = False

    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            _bad_broadcast("sub", a, b)

    def backward(self, g):
        return g, (-g if self.needs[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            return a * b
        except ValueError:
            _bad_broadcast("mul", a, b)

    def backward(self, g):
        return (g * self.b if self.needs[0] else None, g * self.a if self.needs[1] else None)


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            with xp.errstate(divide="ignore", invalid="ignore"):
                return a / b
        except ValueError:
            _bad_broadcast("div", a, b)

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore"):
            ga = g / self.b
            return (ga if self.needs[0] else None, -ga * self.a / self.b if self.needs[1] else None)


class Pow(Function):
    """a ** b with both tensors; d/db = a**b * log(a), taken as 0 where a == 0 (as PyTorch)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
                self.out = a**b
        except ValueError:
            _bad_broadcast("pow", a, b)
        return self.out

    def backward(self, g):
        a, b = self.a, self.b
        ga = gb = None
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.needs[0]:
                # exponent 0: d/da a**0 = 0 even at a == 0, where b * a**(b-1) is 0 * inf (as PyTorch)
                ga = xp.where(b == 0, 0, g * b * a ** (b - 1))
            if self.needs[1]:
                gb = g * self.out * xp.where(a == 0, 0.0, xp.log(xp.where(a == 0, 1.0, a)))
        return ga, gb


class PowScalar(Function):
    """a ** p for a Python number p: d/da = p * a**(p-1)."""

    def forward(self, a, p):
        self.a, self.p = a, p
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return a**p

    def backward(self, g):
        a, p = self.a, self.p
        if p == 2:
            return g * (2 * a)
        if p == 0:
            return xp.zeros_like(g)  # not 0 * a**-1, which is nan at a == 0
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g * (p * a ** (p - 1))


def pow(a, b) -> Tensor:  # noqa: A001 - torch.pow
    """a ** b elementwise with PyTorch's dtypes (int ** 0.5 is float32; int ** negative int is refused).

    >>> pow(gn.tensor([1.0, 2.0]), 2).tolist()
    [1.0, 4.0]
    """
    if isinstance(a, Tensor) and isinstance(b, numbers.Number):
        dtype = result_type(a, b)
        if dtype.kind == "b":  # bool ** bool stays bool, as PyTorch (NumPy gives int8)
            return Tensor._wrap(backend.asarray(a.data ** b).astype(dtype))
        if dtype.kind in "biu" and b < 0:
            raise RuntimeError("pow: integers to negative integer powers are not allowed "
                               f"(tensor of {a.dtype} ** {b}); use a float tensor")
        a = cast(a, dtype)
        return PowScalar.apply(a, p=a.data.dtype.type(b) if dtype.kind == "f" else int(b))
    a, b = operands(a, b)
    if a.data.dtype.kind == "b":
        raise RuntimeError("pow: not implemented for two bool tensors (as in PyTorch); convert one with .int()")
    if a.data.dtype.kind in "iu" and (b.data < 0).any():
        raise RuntimeError("pow: integers to negative integer powers are not allowed; use a float tensor")
    return Pow.apply(a, b)


class Neg(Function):
    saves = False

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Maximum(Function):
    """Elementwise max (or min); ties split the gradient half and half and a NaN passes it whole, as PyTorch."""

    def forward(self, a, b, mode="max"):
        self.a, self.b, self.mode = a, b, mode
        try:
            return xp.maximum(a, b) if mode == "max" else xp.minimum(a, b)
        except ValueError:
            _bad_broadcast("maximum" if mode == "max" else "minimum", a, b)

    def backward(self, g):
        a, b = self.a, self.b
        lose_a = (a < b) if self.mode == "max" else (a > b)
        lose_b = (a > b) if self.mode == "max" else (a < b)
        half = xp.where(a == b, 0.5, 1.0).astype(g.dtype, copy=False)
        return (g * half * ~lose_a if self.needs[0] else None, g * half * ~lose_b if self.needs[1] else None)


def maximum(a, b) -> Tensor:
    """Elementwise maximum with broadcasting; ties share the gradient equally.

    >>> maximum(gn.tensor([1.0, 5.0]), 3.0).tolist()
    [3.0, 5.0]
    """
    return Maximum.apply(*operands(a, b), mode="max")


def minimum(a, b) -> Tensor:
    """Elementwise minimum with broadcasting; ties share the gradient equally.

    >>> minimum(gn.tensor([1.0, 5.0]), 3.0).tolist()
    [1.0, 3.0]
    """
    return Maximum.apply(*operands(a, b), mode="min")


class MatMul(Function):
    """a @ b with NumPy's rules: 1-D operands are vectors, leading axes broadcast."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: both operands need at least 1 dimension")
        k_b = b.shape[-2] if b.ndim >= 2 else b.shape[0]
        if a.shape[-1] != k_b:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: inner dimensions {a.shape[-1]} and {k_b} differ")
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: batch dimensions cannot be broadcast") from None

    def backward(self, g):
        a, b = self.a, self.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            ga, gb = g * b, g * a
        elif a.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
            ga = (b @ g[..., None])[..., 0] if self.needs[0] else None
            gb = a[:, None] * g[..., None, :] if self.needs[1] else None
        elif b.ndim == 1:  # (..., m, k) @ (k,) -> (..., m)
            ga = g[..., None] * b if self.needs[0] else None
            gb = (xp.swapaxes(a, -1, -2) @ g[..., None])[..., 0] if self.needs[1] else None
        else:
            ga = g @ xp.swapaxes(b, -1, -2) if self.needs[0] else None
            gb = xp.swapaxes(a, -1, -2) @ g if self.needs[1] else None
        return ga, gb


def matmul(input, other) -> Tensor:
    """input @ other (NumPy's and PyTorch's rules: vectors, batched matrices broadcast; torch's keyword names).

    >>> matmul(input=gn.ones(2, 3), other=gn.ones(3, 4)).shape
    (2, 4)
    """
    return MatMul.apply(*operands(input, other))


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (torch.mm).

    >>> mm(gn.ones(2, 3), gn.ones(3, 4)).shape
    (2, 4)
    """
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: expected two 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product: (B, n, m) @ (B, m, p) -> (B, n, p) (torch.bmm, no broadcasting).

    >>> bmm(gn.ones(5, 2, 3), gn.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: expected (B, n, m) and (B, m, p) tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def _refuse_bool(op: str, a, b, what: str) -> None:
    if any(getattr(getattr(x, "data", x), "dtype", None) == xp.bool_ or isinstance(x, bool) for x in (a, b)):
        raise RuntimeError(f"{op}: {what} is not supported for bool tensors (as in PyTorch); convert with .int() or "
                           "use logical_xor / ~ for booleans")


def floor_divide(a, b) -> Tensor:
    """a // b rounded toward minus infinity (no gradient), PyTorch's dtypes."""
    a, b = operands(a, b)
    _refuse_bool("floor_divide", a, b, "floor division")
    if b.data.dtype.kind in "iu" and (b.data == 0).any():
        raise ZeroDivisionError("floor_divide: integer division by zero")
    with xp.errstate(divide="ignore", invalid="ignore"):
        return Tensor._wrap(xp.floor_divide(a.data, b.data))


def remainder(a, b) -> Tensor:
    """a % b with the sign of b, as Python and PyTorch (no gradient)."""
    a, b = operands(a, b)
    _refuse_bool("remainder", a, b, "the remainder")
    if b.data.dtype.kind in "iu" and (b.data == 0).any():
        raise ZeroDivisionError("remainder: integer division by zero")
    with xp.errstate(divide="ignore", invalid="ignore"):
        return Tensor._wrap(xp.remainder(a.data, b.data))


def add(a, b, alpha=1) -> Tensor:
    """a + alpha * b (torch.add)."""
    return Add.apply(*operands(a, b if alpha == 1 else b * alpha))


def sub(a, b, alpha=1) -> Tensor:
    """a - alpha * b (torch.sub); bool operands are refused as in PyTorch (use ~ or logical_xor)."""
    _refuse_bool("sub", a, b, "subtraction, the `-` operator,")
    return Sub.apply(*operands(a, b if alpha == 1 else b * alpha))


def mul(a, b) -> Tensor:
    """a * b elementwise with broadcasting (torch.mul)."""
    return Mul.apply(*operands(a, b))


def div(a, b, rounding_mode=None) -> Tensor:
    """a / b; rounding_mode "trunc" or "floor" rounds (no gradient), as torch.div."""
    if rounding_mode is None:
        return Div.apply(*operands(a, b, true_divide=True))
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        a, b = operands(a, b)
        if a.data.dtype.kind == "f":
            return Tensor._wrap(xp.trunc(a.data / b.data))
        return Tensor._wrap((xp.sign(a.data) * xp.sign(b.data) * (xp.abs(a.data) // xp.abs(b.data))).astype(a.dtype))
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")


def compare(ufunc, a, b) -> Tensor:
    """A comparison (==, <, ...) as a bool tensor, no gradient, broadcasting."""
    bd = b.data if isinstance(b, Tensor) else b
    try:
        return Tensor._wrap(backend.asarray(ufunc(a.data, bd)))
    except ValueError:
        _bad_broadcast(ufunc.__name__, a.data, backend.asarray(bd))


def logical(ufunc, a, b) -> Tensor:
    """&, |, ^ on bool or integer tensors (no gradient)."""
    bd = b.data if isinstance(b, Tensor) else b
    if a.data.dtype.kind == "f" or (isinstance(bd, backend.array_types) and bd.dtype.kind == "f"):
        raise TypeError(f"{ufunc.__name__}: needs bool or integer tensors, got {a.dtype}")
    return Tensor._wrap(backend.asarray(ufunc(a.data, bd)))


__all__ = ["add", "bmm", "div", "einsum", "floor_divide", "matmul", "maximum", "minimum", "mm", "mul", "pow", "remainder",
           "sub"]


class Einsum(Function):
    """np.einsum with its backward: the gradient of an operand is the einsum of the output gradient with the
    other operands, producing that operand's subscripts (letters it alone sums over are broadcast back)."""

    def forward(self, *arrays, inputs, output):
        self.arrays, self.inputs, self.output = arrays, inputs, output
        return backend.asarray(xp.einsum(",".join(inputs) + "->" + output, *arrays))

    def backward(self, g):
        grads = []
        for i, (sub, a) in enumerate(zip(self.inputs, self.arrays)):
            if not self.needs[i]:
                grads.append(None)
                continue
            others = [(s, x) for j, (s, x) in enumerate(zip(self.inputs, self.arrays)) if j != i]
            present = set(self.output).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in sub if c in present)
            eq = ",".join([self.output] + [s for s, _ in others]) + "->" + kept
            part = xp.einsum(eq, g, *[x for _, x in others])
            shape = [a.shape[k] if c in present else 1 for k, c in enumerate(sub)]
            grads.append(xp.broadcast_to(part.reshape(shape), a.shape).copy())
        return tuple(grads)


def einsum(equation: str, *operands_) -> Tensor:
    """Einstein summation, differentiable: einsum("bij,bjk->bik", a, b) is a batched matmul.

    >>> einsum("ij,jk->ik", gn.ones(2, 3), gn.ones(3, 4)).shape
    (2, 4)
    """
    if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)):
        operands_ = tuple(operands_[0])
    ts = [lift(t) for t in operands_]
    dtype = result_type(*ts)
    ts = [cast(t, dtype) for t in ts]
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    inputs = lhs.split(",")
    if "." in eq:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported; name every axis")
    if len(inputs) != len(ts):
        raise ValueError(f"einsum: {equation!r} names {len(inputs)} operands, got {len(ts)}")
    for sub, t in zip(inputs, ts):
        if len(sub) != t.ndim:
            raise ValueError(f"einsum: subscripts {sub!r} do not match an operand of shape {t.shape}")
        if len(set(sub)) != len(sub) and t.requires_grad:
            raise NotImplementedError(f"einsum: repeated subscripts in {sub!r} (a diagonal) have no gradient here")
    if not arrow:
        letters = "".join(inputs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return Einsum.apply(*ts, inputs=tuple(inputs), output=out)
