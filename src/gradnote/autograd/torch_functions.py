"""PyTorch's free functions (``torch.sin(x)``, ``torch.max(x, 1)``, ``torch.cat``...): each is the Tensor
method of the same name called on its first argument, so there is one implementation per op.

    import gradnote as torch
    values, indices = torch.max(logits, 1)
"""

from __future__ import annotations

from ..backend import xp
from . import arithmetic
from .arithmetic import einsum, lift, maximum, minimum
from .indexing import where
from .shape import concat, stack
from .tensor import Size, Tensor

_METHODS = (
    "abs", "add", "addcdiv", "addcmul", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "argsort",
    "bmm", "ceil", "chunk", "clamp", "clamp_max", "clamp_min", "clip", "clone", "cos", "cumsum", "div", "dot", "eq",
    "equal", "exp", "expm1", "flatten", "flip", "floor", "gather", "ge", "gt", "index_select", "isfinite", "isinf",
    "isnan", "le", "lerp", "log", "log10", "log1p", "log2", "log_softmax", "logical_and", "logical_not", "logical_or",
    "logsumexp", "lt", "masked_fill", "mean", "mm", "mul", "narrow", "ne", "neg", "nonzero", "norm",
    "permute", "pow", "prod", "reciprocal", "relu", "reshape", "round", "rsqrt", "scatter", "scatter_add",
    "select", "sigmoid", "sign", "sin", "softmax", "sort", "split", "sqrt", "square", "squeeze", "std", "sub", "sum",
    "t", "tanh", "topk", "tril", "triu", "trunc", "unbind", "unflatten", "unsqueeze", "var",
    # selection, rearranging, fused products, special functions (autograd/sorting.py, rearrange.py, ...)
    "addbmm", "addmm", "addmv", "aminmax", "baddbmm", "bincount", "cummax", "cummin", "diagonal", "diff", "digamma",
    "erf", "erfc", "erfinv", "fmod", "frac", "histc", "i0", "index_add", "index_copy", "index_fill", "isclose",
    "kron", "kthvalue", "lgamma", "logit", "masked_scatter", "masked_select", "median", "mode", "movedim", "moveaxis",
    "nan_to_num", "nanmedian", "remainder", "repeat_interleave", "roll", "rot90", "sgn", "sinc", "trace", "unique",
    "xlogy",
)


def _into(out, result: Tensor, name: str) -> Tensor:
    """torch's out=: the result written into an existing tensor of its shape (cast to out's dtype)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}: out must be a Tensor, got {type(out).__name__}")
    if result.requires_grad or out.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation "
                           "(as in PyTorch); use the returned tensor, or call it under no_grad()")
    if out.shape != result.shape:
        raise ValueError(f"{name}: out has shape {tuple(out.shape)}, but the result has shape {tuple(result.shape)}")
    return out.copy_(result)


def _from_method(name: str):
    def fn(input, *args, out=None, **kwargs):  # noqa: A002 - PyTorch's argument name
        result = getattr(lift(input), name)(*args, **kwargs)
        return result if out is None else _into(out, result, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as ``input.{name}(...)``."
    return fn


globals().update({name: _from_method(name) for name in _METHODS})
multiply, divide, subtract, negative, absolute = (globals()[n] for n in ("mul", "div", "sub", "neg", "abs"))


def matmul(input, other, *, out=None) -> Tensor:  # noqa: A002
    """torch.matmul(input, other, out=None): the product of gradnote.autograd.arithmetic.matmul."""
    result = arithmetic.matmul(input, other)
    return result if out is None else _into(out, result, "matmul")


def max(input, dim=None, keepdim: bool = False):  # noqa: A001,A002 - torch's names
    """torch.max: the largest value; with a dim (positional too) the pair (values, indices); with a tensor the
    elementwise maximum."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return lift(input).max() if dim is None else lift(input).max(dim=dim, keepdim=keepdim)


def min(input, dim=None, keepdim: bool = False):  # noqa: A001,A002
    """torch.min: as torch.max, for the smallest values."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return lift(input).min() if dim is None else lift(input).min(dim=dim, keepdim=keepdim)


def transpose(input, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """torch.transpose: swap two axes on any rank."""
    return lift(input).swapdims(dim0, dim1)


swapaxes = swapdims = transpose


def cat(tensors, dim: int = 0, *, axis=None) -> Tensor:
    """torch.cat: join along an existing axis (the same op as gn.concat)."""
    return concat(tensors, dim if axis is None else axis)


concatenate = cat


def matrix_power(x: Tensor, n: int) -> Tensor:
    out = x
    for _ in range(n - 1):
        out = matmul(out, x)
    return out


def outer(a: Tensor, b: Tensor) -> Tensor:
    """a[:, None] * b[None, :] for two 1-D tensors."""
    return lift(a).reshape(-1, 1) * lift(b).reshape(1, -1)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(t: Tensor) -> bool:
    return t.is_floating_point()


def numel(t: Tensor) -> int:
    return t.numel()


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids (no gradient); PyTorch's default indexing is "ij"."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    grids = xp.meshgrid(*[lift(t).data for t in tensors], indexing=indexing)
    return tuple(Tensor._wrap(g.copy()) for g in grids)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor to a diagonal matrix, or a matrix's diagonal (no gradient)."""
    return Tensor._wrap(xp.diag(lift(x).data, diagonal).copy())


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M) -> (..., P, R)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p, dim=-1)


__all__ = ["Size", "absolute", "cat", "max", "min", "cdist", "concatenate", "diag", "divide", "einsum", "is_floating_point",
           "is_tensor", "matmul", "matrix_power", "maximum", "meshgrid", "minimum", "multiply", "negative", "numel",
           "outer", "stack", "subtract", "swapaxes", "swapdims", "transpose", "where", *_METHODS]
