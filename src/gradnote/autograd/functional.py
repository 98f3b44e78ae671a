"""torch.autograd.functional: Jacobians and vector-Jacobian products of a Python function, built from
first-order backward passes (``autograd.grad``) on fresh leaf copies of the inputs.

gradnote's backward computes on arrays and cannot record a graph of the gradient itself, so everything
that needs second derivatives (``hessian``, ``hvp``, ``vhp``, ``create_graph=True``) raises and says so.

    J = gn.autograd.functional.jacobian(lambda x: x ** 2, gn.tensor([1.0, 2.0]))   # [[2, 0], [0, 4]]
"""

from __future__ import annotations

from ..backend import xp
from .function import enable_grad, grad
from .tensor import Tensor

_SECOND_ORDER = ("{op}: needs second derivatives (create_graph=True), which gradnote does not support: its "
                 "backward computes on arrays; use finite differences of autograd.functional.jacobian instead")


def _leaves(op: str, inputs):
    single = isinstance(inputs, Tensor)
    items = (inputs,) if single else tuple(inputs)
    if not all(isinstance(t, Tensor) for t in items):
        raise TypeError(f"{op}: inputs must be a Tensor or a tuple of Tensors")
    return single, tuple(t.detach().to(t.dtype if t.is_floating_point() else "float32").requires_grad_(True)
                         for t in items)


def _refuse_create_graph(op: str, create_graph: bool) -> None:
    if create_graph:
        raise NotImplementedError(_SECOND_ORDER.format(op=op))


def _grads(outputs, leaves, seed) -> tuple:
    """d(sum(outputs * seed))/d(leaves), zeros for leaves the outputs do not depend on."""
    if not outputs.requires_grad:
        return tuple(Tensor._wrap(xp.zeros_like(t.data)) for t in leaves)
    return grad(outputs, leaves, seed, retain_graph=True, allow_unused=True, materialize_grads=True)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the outputs and the vector-Jacobian product (v may be omitted for a 1-element output).

    >>> out, g = gn.autograd.functional.vjp(lambda x: (x ** 2).sum(), gn.tensor([1.0, 3.0]))
    >>> g.tolist()
    [2.0, 6.0]
    """
    _refuse_create_graph("vjp", create_graph)
    single, leaves = _leaves("vjp", inputs)
    with enable_grad():
        out = func(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"vjp: func must return one Tensor, got {type(out).__name__}")
    if v is None and out.numel() != 1:
        raise RuntimeError(f"vjp: v is needed for an output of shape {out.shape}")
    seed = Tensor._wrap(xp.ones_like(out.data)) if v is None else v
    g = _grads(out, leaves, seed)
    return out.detach(), g[0] if single else g


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs, one backward per output element: for one input and one output a tensor of
    shape out.shape + in.shape; tuples of inputs (or outputs) give tuples, as PyTorch.

    >>> gn.autograd.functional.jacobian(lambda x: x ** 2, gn.tensor([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    _refuse_create_graph("jacobian", create_graph)
    single_in, leaves = _leaves("jacobian", inputs)
    with enable_grad():
        outs = func(*leaves)
    single_out = isinstance(outs, Tensor)
    outs = (outs,) if single_out else tuple(outs)
    table = []
    for out in outs:
        rows = []
        flat_seed = xp.zeros(out.numel(), dtype=out.dtype)
        for k in range(out.numel()):
            flat_seed[:] = 0
            flat_seed[k] = 1
            rows.append(_grads(out, leaves, Tensor._wrap(flat_seed.reshape(out.shape).copy())))
        per_input = []
        for i, t in enumerate(leaves):
            parts = [r[i].data for r in rows]
            stacked = xp.stack(parts) if parts else xp.zeros((0,) + t.shape, dtype=t.dtype)
            per_input.append(Tensor._wrap(stacked.reshape(out.shape + t.shape)))
        table.append(per_input[0] if single_in else tuple(per_input))
    return table[0] if single_out else tuple(table)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v), the Jacobian-vector product, from the full Jacobian (one backward per output
    element: fine for small outputs)."""
    _refuse_create_graph("jvp", create_graph)
    single, leaves = _leaves("jvp", inputs)
    vs = (v,) if isinstance(v, Tensor) else tuple(v) if v is not None else None
    if vs is None:
        if any(t.numel() != 1 for t in leaves):
            raise RuntimeError("jvp: v is needed unless every input has one element")
        vs = tuple(Tensor._wrap(xp.ones_like(t.data)) for t in leaves)
    with enable_grad():
        out = func(*leaves)
    jac = jacobian(func, leaves[0] if single else leaves)
    jac = (jac,) if single else jac
    total = None
    for j, t, vi in zip(jac, leaves, vs):
        flat = j.data.reshape(out.numel(), t.numel()) @ getattr(vi, "data", vi).reshape(-1)
        total = flat if total is None else total + flat
    return out.detach(), Tensor._wrap(total.reshape(out.shape))


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    raise NotImplementedError(_SECOND_ORDER.format(op="hessian"))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    raise NotImplementedError(_SECOND_ORDER.format(op="hvp"))


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    raise NotImplementedError(_SECOND_ORDER.format(op="vhp"))
