"""torch.func, as far as first-order autograd reaches: ``grad`` (the gradient of a scalar function, by one
backward pass), ``vjp``, ``jacrev`` and ``vmap`` (the function called once per batch element and the results
stacked: correct for any function, though not fast). Nested transforms that need second derivatives
(``grad(grad(f))``, ``hessian``) raise, since gradnote cannot record a graph of a gradient.

>>> gn.func.grad(lambda x: (x ** 2).sum())(gn.tensor([1.0, 3.0])).tolist()
[2.0, 6.0]
>>> gn.vmap(lambda row: row.sum())(gn.ones(4, 3)).tolist()
[3.0, 3.0, 3.0, 3.0]
"""

from __future__ import annotations

import functools
import numbers

from .autograd import Tensor, enable_grad, stack
from .autograd import functional as _functional
from .autograd import grad as _grad

_depth = [0]


def grad(func, argnums=0, has_aux: bool = False):
    """A function returning d func / d args[argnums] (func must return a one-element tensor, or
    (output, aux) with has_aux); a tuple of argnums gives a tuple of gradients."""
    return _grad_impl(func, argnums, has_aux, with_value=False)


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """As grad, returning (gradient, value)."""
    return _grad_impl(func, argnums, has_aux, with_value=True)


def _grad_impl(func, argnums, has_aux, with_value):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _depth[0]:
            raise NotImplementedError("func.grad: nested transforms (grad of grad) need second derivatives, "
                                      "which gradnote does not support")
        nums = (argnums,) if isinstance(argnums, numbers.Integral) else tuple(argnums)
        args = list(args)
        for i in nums:
            if not isinstance(args[i], Tensor):
                raise TypeError(f"func.grad: argument {i} must be a Tensor, got {type(args[i]).__name__}")
            args[i] = args[i].detach().requires_grad_(True)
        _depth[0] += 1
        try:
            with enable_grad():
                result = func(*args, **kwargs)
        finally:
            _depth[0] -= 1
        out, aux = result if has_aux else (result, None)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"func.grad: func must return a one-element tensor, got "
                               f"{getattr(out, 'shape', type(out).__name__)}")
        gs = _grad(out, [args[i] for i in nums], allow_unused=True, materialize_grads=True)
        g = gs[0] if isinstance(argnums, numbers.Integral) else tuple(gs)
        if with_value:
            return (g, (out.detach(), aux)) if has_aux else (g, out.detach())
        return (g, aux) if has_aux else g

    return wrapper


def vjp(func, *primals):
    """(func(*primals), vjp_fn): vjp_fn(v) gives the tuple of vector-Jacobian products, one per primal."""
    def vjp_fn(v):
        g = _functional.vjp(func, primals[0] if len(primals) == 1 else primals, v)[1]
        return (g,) if len(primals) == 1 else g

    return func(*primals), vjp_fn


def jacrev(func, argnums: int = 0):
    """A function returning the Jacobian of func with respect to argument `argnums`."""
    def wrapper(*args):
        def only(x):
            return func(*args[:argnums], x, *args[argnums + 1:])
        return _functional.jacobian(only, args[argnums])

    return wrapper


jacfwd = jacrev


def hessian(func, argnums: int = 0):
    raise NotImplementedError("func.hessian: needs second derivatives, which gradnote does not support")


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """func mapped over dim `in_dims` of its inputs (an int for all, or one int/None per argument): func is
    called once per index and the outputs are stacked along `out_dims`."""
    @functools.wraps(func)
    def wrapper(*args):
        dims = (in_dims,) * len(args) if isinstance(in_dims, numbers.Integral) or in_dims is None else tuple(in_dims)
        if len(dims) != len(args):
            raise ValueError(f"vmap: in_dims has {len(dims)} entries for {len(args)} arguments")
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None}
        if len(sizes) != 1:
            raise ValueError(f"vmap: the mapped dims must all have one size, got {sorted(sizes)}")
        n = sizes.pop()
        results = [func(*[a if d is None else a.select(d, i) for a, d in zip(args, dims)]) for i in range(n)]
        if isinstance(results[0], Tensor):
            return stack(results, out_dims)
        outs = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(results[0])
        return tuple(stack([r[k] for r in results], d) for k, d in enumerate(outs))

    return wrapper


def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *, tie_weights=True, strict=False):
    raise NotImplementedError("func.functional_call: calling a module with swapped-in parameters is not "
                              "supported; load_state_dict() the values into a copy of the module instead")
