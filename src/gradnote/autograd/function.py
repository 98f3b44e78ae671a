"""The autograd engine: Function (one op's forward beside its backward) and backward().

A Function subclass implements

    forward(self, *arrays, **options) -> array     # saves on `self` what backward needs
    backward(self, grad) -> tuple of arrays/None   # one gradient per tensor input

``Function.apply(*tensors, **options)`` runs forward on the tensors' arrays and, when
gradients are enabled and some input requires one, records the Function as the
output's creator. ``self.needs[i]`` tells backward whether input i wants a gradient,
so unneeded products (e.g. the gradient of a network's input) are never computed.
Gradients returned by backward may keep broadcast shape; the engine sums them back
to each input's shape.
"""

from __future__ import annotations

import functools

from ..backend import unbroadcast, xp


class _Mode:
    grad_enabled = True
    anomaly = False


def is_grad_enabled() -> bool:
    return _Mode.grad_enabled


class no_grad:
    """Context manager (and decorator) under which no op records a graph."""

    def __enter__(self):
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = False

    def __exit__(self, *exc):
        _Mode.grad_enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Re-enables graph recording inside a ``no_grad`` block."""

    def __enter__(self):
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = True


def set_anomaly_detection(enabled: bool) -> None:
    """When on, the first op whose forward or backward produces NaN or Inf raises
    FloatingPointError naming the op. Off by default: NaN is not an error."""
    _Mode.anomaly = bool(enabled)


def is_anomaly_enabled() -> bool:
    return _Mode.anomaly


def _check_finite(name: str, array, where: str) -> None:
    if array is not None and array.dtype.kind == "f" and not xp.isfinite(array).all():
        bad = "NaN" if xp.isnan(array).any() else "Inf"
        raise FloatingPointError(f"anomaly detection: {name} produced {bad} in its {where}")


class Function:
    """Base class of every differentiable op (see module docstring)."""

    parents: tuple = ()
    needs: tuple = ()

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **options):
        from .tensor import Tensor

        fn = object.__new__(cls)
        record = _Mode.grad_enabled and any(t._rg for t in inputs)
        fn.needs = tuple(t._rg for t in inputs) if record else (False,) * len(inputs)
        data = fn.forward(*[t.data for t in inputs], **options)
        out = Tensor._wrap(data)
        if record:
            fn.parents = inputs
            out._ctx = fn
            out._rg = True
        if _Mode.anomaly:
            _check_finite(cls.__name__, data, "forward")
        return out

    def _release(self) -> None:
        """Drop saved arrays and parents so a finished graph frees its memory."""
        self.__dict__.clear()
        self.parents = None


def _topological_order(root) -> list:
    """Tensors reachable from root that need gradients, inputs before outputs (iterative DFS)."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        ctx = t._ctx
        if ctx is not None:
            if ctx.parents is None:
                raise RuntimeError(
                    f"backward: the graph through {type(ctx).__name__} was already freed by an "
                    "earlier backward(); call backward(retain_graph=True) the first time to "
                    "backpropagate through it twice"
                )
            for p in ctx.parents:
                if p._rg and id(p) not in seen:
                    stack.append((p, False))
    return order


def backward(root, grad, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * grad into ``.grad`` of every leaf that requires it."""
    order = _topological_order(root)
    grads = {id(root): grad}
    handed_out = {id(grad)}  # arrays that may be referenced elsewhere: copy before storing
    for t in reversed(order):
        g = grads.pop(id(t), None)
        if g is None:
            continue
        ctx = t._ctx
        if ctx is None:  # a leaf
            if g.dtype != t.data.dtype:
                g = g.astype(t.data.dtype)
            elif g.base is not None or id(g) in handed_out:
                g = g.copy()
            t.grad = g if t.grad is None else t.grad + g
            continue
        parent_grads = ctx.backward(g)
        if not isinstance(parent_grads, tuple):
            parent_grads = (parent_grads,)
        if _Mode.anomaly:
            for pg in parent_grads:
                _check_finite(type(ctx).__name__, pg, "backward")
        for p, pg in zip(ctx.parents, parent_grads):
            if pg is None or not p._rg:
                continue
            shape = p.data.shape
            if pg.shape != shape:
                pg = unbroadcast(pg, shape)
            key = id(p)
            prev = grads.get(key)
            grads[key] = pg if prev is None else prev + pg
            handed_out.add(id(pg))
        if not retain_graph:
            ctx._release()
