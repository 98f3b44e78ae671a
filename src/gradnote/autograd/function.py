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
from .tensor import Tensor


class _Mode:
    grad_enabled = True
    anomaly = False


def is_grad_enabled() -> bool:
    return _Mode.grad_enabled


class no_grad:
    """Context manager (and decorator, with or without parentheses) under which no op records a graph.

    >>> with gn.no_grad():
    ...     y = gn.ones(2, requires_grad=True) * 2
    >>> y.requires_grad
    False
    """

    def __new__(cls, fn=None):
        mode = super().__new__(cls)
        return mode if fn is None else mode(fn)  # bare @no_grad decorates fn directly

    def __enter__(self):
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = False

    def __exit__(self, *exc):
        _Mode.grad_enabled = self._prev

    def __call__(self, fn):
        mode = type(self)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode():
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
        """Run forward on the inputs' arrays; record the op when some input requires a gradient."""
        fn = object.__new__(cls)
        needs = tuple([t._rg for t in inputs])
        record = _Mode.grad_enabled and True in needs
        fn.needs = needs if record else (False,) * len(inputs)
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


def _topological_order(root: Function) -> list:
    """Functions reachable from root, each before the Functions that made its inputs.

    Iterative depth-first search (a recursive one overflows on long chains); a
    Function is appended after all its producers, and the list is then reversed.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        if fn in seen:
            continue
        seen.add(fn)
        if fn.parents is None:
            raise RuntimeError(
                f"backward: the graph through {type(fn).__name__} was already freed by an "
                "earlier backward(); call backward(retain_graph=True) the first time to "
                "backpropagate through it twice"
            )
        stack.append((fn, True))
        for p in fn.parents:
            ctx = p._ctx
            if ctx is not None and ctx not in seen:
                stack.append((ctx, False))
    order.reverse()
    return order


def _accumulate(leaf, g, owned: bool = False) -> None:
    """Add g into leaf.grad, which must be the leaf's own writable array (optimisers modify it in
    place). The first gradient is adopted without a copy only when it is `owned` (backward made it
    for this input alone) and is a whole writable array of the leaf's dtype; a view, the incoming
    gradient passed through, or one array handed to several inputs (add returns g, g) is copied."""
    dtype = leaf.data.dtype
    if leaf.grad is None:
        if owned and isinstance(g, xp.ndarray) and g.base is None and g.dtype == dtype and g.flags.writeable:
            leaf.grad = g
        else:
            leaf.grad = xp.array(g, dtype=dtype)
    else:
        total = leaf.grad + (g if g.dtype == dtype else g.astype(dtype))
        leaf.grad = total if isinstance(total, xp.ndarray) else xp.asarray(total)


def backward(root, grad, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * grad into ``.grad`` of every leaf that requires it.

    Gradients flowing between ops live in a dict keyed by the Function that made the
    tensor, so they vanish as soon as that Function has run its backward.
    """
    if root._ctx is None:  # backward() called on a leaf
        _accumulate(root, grad)
        return
    anomaly = _Mode.anomaly
    grads = {root._ctx: grad}
    for fn in _topological_order(root._ctx):
        g = grads.pop(fn, None)
        if g is not None:
            parent_grads = fn.backward(g)
            if not isinstance(parent_grads, tuple):
                parent_grads = (parent_grads,)
            for p, pg, need in zip(fn.parents, parent_grads, fn.needs):
                if pg is None or not need:
                    continue
                if anomaly:
                    _check_finite(type(fn).__name__, pg, "backward")
                if pg.shape != p.data.shape:
                    pg = unbroadcast(pg, p.data.shape)  # a fresh sum, or a reshaped view (copied below)
                ctx = p._ctx
                if ctx is None:
                    _accumulate(p, pg, owned=pg is not g and sum(x is pg for x in parent_grads) <= 1)
                elif ctx in grads:
                    grads[ctx] = grads[ctx] + pg
                else:
                    grads[ctx] = pg
        if not retain_graph:
            fn._release()

