"""The autograd engine: Function (one op's forward beside its backward) and the backward walk.

A Function subclass implements, in gradnote's own style,

    forward(self, *arrays, **options) -> array     # saves on `self` what backward needs
    backward(self, grad) -> tuple of arrays/None   # one gradient per tensor input

``Function.apply(*tensors, **options)`` runs forward on the tensors' arrays and, when
gradients are enabled and some input requires one, records the Function as the
output's creator. ``self.needs[i]`` tells backward whether input i wants a gradient,
so unneeded products (e.g. the gradient of a network's input) are never computed.
Gradients returned by backward may keep broadcast shape; the engine sums them back
to each input's shape.

PyTorch's static style works too (``torch.autograd.Function``): ``forward(ctx, *args)`` and
``backward(ctx, *grads)`` as staticmethods on Tensors, ``ctx.save_for_backward(...)``,
``ctx.saved_tensors``, ``ctx.needs_input_grad``; call it with ``MyFn.apply(x, ...)``.

Version counters: every in-place op bumps its tensor's counter. A Function that saved its
inputs (``saves = True``, the default) records their versions; if one of them was changed in
place before backward reaches the Function, backward raises instead of using changed values.
"""

from __future__ import annotations

import functools
import inspect
import threading

from .. import backend
from ..backend import unbroadcast, xp
from . import hooks as _hooks
from .inplace_array import InplaceArray
from .tensor import Tensor


class _ModeState(threading.local):
    """Grad mode is per thread, as PyTorch's: no_grad in one thread leaves another thread's graph alone."""

    grad_enabled = True
    anomaly = False


_Mode = _ModeState()


def is_grad_enabled() -> bool:
    return _Mode.grad_enabled


class no_grad:
    """Context manager (and decorator, with or without parentheses) under which no op records a graph.

    >>> with gn.no_grad():
    ...     y = gn.ones(2, requires_grad=True) * 2
    >>> y.requires_grad
    False
    """

    _mode = False

    def __new__(cls, fn=None):
        mode = super().__new__(cls)
        return mode if fn is None else mode(fn)  # bare @no_grad decorates fn directly

    def __enter__(self):
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = self._mode

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

    _mode = True


class inference_mode(no_grad):
    """PyTorch's inference_mode(mode=True): here the same as no_grad (inference_mode(False) records)."""

    def __new__(cls, mode=True):
        obj = object.__new__(cls)
        obj._mode = not mode if isinstance(mode, bool) else False
        return obj if isinstance(mode, bool) else obj(mode)


class set_grad_enabled:
    """``set_grad_enabled(False)`` switches recording off at once, or for a ``with`` block (as PyTorch)."""

    def __init__(self, mode: bool):
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _Mode.grad_enabled = self._prev


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
    parent_ctx: tuple = ()
    needs: tuple = ()
    saves = True  # False for ops whose backward never reads their inputs (add, reshape, ...)
    _static = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._static = isinstance(inspect.getattr_static(cls, "forward", None), staticmethod)

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **options):
        """Run forward on the inputs' arrays; record the op when some input requires a gradient."""
        if cls._static:
            return _apply_static(cls, inputs, options)
        fn = object.__new__(cls)
        needs = tuple([t._rg for t in inputs])
        record = _Mode.grad_enabled and True in needs
        fn.needs = needs if record else (False,) * len(inputs)
        arrays = [t.data for t in inputs]
        if backend.cupy_loaded():  # the one device check of every op: one device, or a clear error
            arrays = backend.same_device(cls.__name__, arrays)
        data = fn.forward(*arrays, **options)
        out = Tensor._wrap(data)
        if record:
            # each input's creator as it is now: an in-place op may later make that tensor the output of another op
            fn.parents, fn.parent_ctx = inputs, tuple([t._ctx for t in inputs])
            if cls.saves:
                fn._vcs = tuple([t._vc for t in inputs])
                fn._versions = tuple([vc[0] for vc in fn._vcs])
                fn._out_vc = out._vc
            out._ctx = fn
            out._rg = True
        if _Mode.anomaly:
            _check_finite(cls.__name__, data, "forward")
        return out

    def name(self) -> str:
        """PyTorch's node name ("MulBackward0"): the op's class name with Backward0."""
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """PyTorch's graph walk: one (node, 0) per input: its creator, an AccumulateGrad for a leaf that
        requires a gradient, or None. Empty once backward has freed the graph."""
        if not self.parents:
            return ()
        return tuple([(ctx if ctx is not None else AccumulateGrad(t) if t._rg else None, 0)
                      for t, ctx in zip(self.parents, self.parent_ctx)])

    def _check_versions(self) -> None:
        versions = self.__dict__.get("_versions")
        if versions is None:
            return
        for i, (p, vc, v) in enumerate(zip(self.parents, self._vcs, versions)):
            if vc[0] != v:
                raise RuntimeError(
                    f"backward: input {i} of {type(self).__name__} (shape {p.shape}) was modified by an in-place "
                    f"operation after it was used (version {vc[0]}, expected {v}); its saved value is needed "
                    "for the gradient: clone() it before changing it, or change it after backward")
        if self._out_vc[0] != 0:
            raise RuntimeError(f"backward: the output of {type(self).__name__} was modified by an in-place "
                               "operation, but it is needed for the gradient: clone() it before changing it")

    def _release(self) -> None:
        """Drop saved arrays and parents so a finished graph frees its memory."""
        self.__dict__.clear()
        self.parents = None


def Variable(data, requires_grad: bool = False):  # noqa: N802 - torch.autograd.Variable
    """PyTorch's deprecated wrapper, kept for old programs: a new leaf sharing data's values (no history).

    >>> Variable(gn.ones(2) * 2, requires_grad=True).is_leaf
    True
    """
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable: data has to be a Tensor, got {type(data).__name__}")
    return data.detach().requires_grad_(requires_grad)


class AccumulateGrad:
    """The graph node of a leaf tensor in next_functions: backward adds into ``variable.grad``."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad of a leaf of shape {self.variable.shape}>"


# ----- PyTorch's static style -----------------------------------------------------------------------
class FunctionCtx:
    """The ``ctx`` of a PyTorch-style Function: what forward saves for backward."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        self.saved_tensors = tuple(tensors)

    def mark_non_differentiable(self, *tensors) -> None:
        pass  # outputs are cut from the graph below when they are not floating point

    def mark_dirty(self, *tensors) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class _StaticNode(Function):
    """Graph node for a PyTorch-style Function: calls the user's static backward on Tensors."""

    saves = False

    def backward(self, g):
        grads = self.user_cls.backward(self.ctx, Tensor._wrap(g))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self.arg_is_tensor):
            raise RuntimeError(f"{self.user_cls.__name__}.backward returned {len(grads)} gradients, "
                               f"expected {len(self.arg_is_tensor)} (one per forward argument, None for non-tensors)")
        tensor_grads = [gr for gr, is_t in zip(grads, self.arg_is_tensor) if is_t]
        return tuple(None if gr is None else (gr.data if isinstance(gr, Tensor) else backend.like(xp.asarray(gr), g))
                     for gr in tensor_grads)


def _apply_static(cls, args, kwargs):
    tensors = [a for a in args if isinstance(a, Tensor)]
    ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a._rg for a in args))
    with no_grad():
        out = cls.forward(ctx, *args, **kwargs)
    if isinstance(out, (tuple, list)):
        raise NotImplementedError(f"{cls.__name__}.forward: gradnote's Functions return one tensor, got {len(out)}")
    if not isinstance(out, Tensor):
        out = Tensor(out)
    if _Mode.grad_enabled and any(t._rg for t in tensors) and out.data.dtype.kind == "f":
        node = object.__new__(_StaticNode)
        node.user_cls, node.ctx = cls, ctx
        node.arg_is_tensor = [isinstance(a, Tensor) for a in args]
        node.parents, node.needs = tuple(tensors), tuple(t._rg for t in tensors)
        node.parent_ctx = tuple(t._ctx for t in tensors)
        out = Tensor._wrap(out.data)
        out._ctx, out._rg = node, True
    return out


# ----- the backward walk ----------------------------------------------------------------------------
def _topological_order(roots) -> list:
    """Functions reachable from the roots, each before the Functions that made its inputs.

    Iterative depth-first search (a recursive one overflows on long chains); a
    Function is appended after all its producers, and the list is then reversed.
    """
    order, seen = [], set()
    stack = [(root, False) for root in roots]
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
        for ctx in fn.parent_ctx:
            if ctx is not None and ctx not in seen:
                stack.append((ctx, False))
    order.reverse()
    return order


def _accumulate(leaf, g, owned: bool = False) -> None:
    """Add g into leaf.grad, which must be the leaf's own writable array (optimisers modify it in
    place). The first gradient is adopted without a copy only when it is `owned` (backward made it
    for this input alone) and is a whole writable array of the leaf's dtype; a view, the incoming
    gradient passed through, or one array handed to several inputs (add returns g, g) is copied.
    On the host the gradient is an InplaceArray (an ndarray that also takes PyTorch's grad.zero_() /
    grad.data.clamp_()); on a CUDA device it is a plain CuPy array, written in place all the same."""
    dtype = leaf.data.dtype
    if not backend.is_host(g):
        if leaf.grad is None:
            leaf.grad = g if owned and g.base is None and g.dtype == dtype else g.astype(dtype, copy=True)
        else:
            leaf.grad = leaf.grad + (g if g.dtype == dtype else g.astype(dtype))
        return
    if leaf.grad is None:
        if owned and isinstance(g, xp.ndarray) and g.base is None and g.dtype == dtype and g.flags.writeable:
            grad = g
        else:
            grad = xp.array(g, dtype=dtype)
    else:
        grad = xp.asarray(leaf.grad + (g if g.dtype == dtype else g.astype(dtype)))
    leaf.grad = grad.view(InplaceArray)


def backward(root, grad, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * grad into ``.grad`` of every leaf that requires it."""
    run_backward([root], [grad], retain_graph)


class _Capture:
    """The tensors ``autograd.grad`` asks for, by position: leaves by identity, others by their creator."""

    def __init__(self, inputs):
        self.grads = [None] * len(inputs)
        self.leaf = {id(t): i for i, t in enumerate(inputs) if t._ctx is None}
        self.node = {t._ctx: i for i, t in enumerate(inputs) if t._ctx is not None}

    def add(self, i, g) -> None:
        self.grads[i] = g.copy() if self.grads[i] is None else self.grads[i] + g


def run_backward(roots, grads, retain_graph: bool = False, capture: _Capture | None = None) -> None:
    """The walk behind ``backward`` and ``autograd.grad``.

    Gradients flowing between ops live in a dict keyed by the Function that made the tensor,
    so they vanish as soon as that Function has run its backward. With ``capture`` the
    gradients of its tensors are collected there and no leaf's ``.grad`` is touched.
    """
    anomaly = _Mode.anomaly
    pending = {}

    def to_leaf(p, pg, owned):
        if _hooks._leaf_hooks:
            table = _hooks.leaf_hooks(p)
            if table:
                pg, owned = _hooks.run_hooks(table, pg), False
        if capture is None:
            _accumulate(p, pg, owned)
        elif id(p) in capture.leaf:
            capture.add(capture.leaf[id(p)], pg)

    for root, g in zip(roots, grads):
        if root._ctx is None:  # backward() called on a leaf
            to_leaf(root, g, False)
        else:
            pending[root._ctx] = pending[root._ctx] + g if root._ctx in pending else g
    if not pending:
        return
    for fn in _topological_order(list(pending)):
        g = pending.pop(fn, None)
        if g is not None:
            if "_hooks" in fn.__dict__:  # Tensor.register_hook on the tensor fn made
                g = _hooks.run_hooks(fn._hooks, g)
            if capture is not None and fn in capture.node:
                capture.add(capture.node[fn], g)
            retained = fn.__dict__.get("_retain")
            if retained is not None and capture is None:
                retained.grad = g.copy() if retained.grad is None else retained.grad + g
            fn._check_versions()
            parent_grads = fn.backward(g)
            if not isinstance(parent_grads, tuple):
                parent_grads = (parent_grads,)
            for p, ctx, pg, need in zip(fn.parents, fn.parent_ctx, parent_grads, fn.needs):
                if pg is None or not need:
                    continue
                if anomaly:
                    _check_finite(type(fn).__name__, pg, "backward")
                if pg.shape != p.data.shape:
                    pg = unbroadcast(pg, p.data.shape)  # a fresh sum, or a reshaped view (copied below)
                if ctx is None:
                    to_leaf(p, pg, pg is not g and sum(x is pg for x in parent_grads) <= 1)
                elif ctx in pending:
                    pending[ctx] = pending[ctx] + pg
                else:
                    pending[ctx] = pg
        if not retain_graph:
            fn._release()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False, materialize_grads: bool = False):
    """d(outputs)/d(inputs) as a tuple of Tensors, without touching any ``.grad`` (torch.autograd.grad).

    outputs: a Tensor or a sequence; grad_outputs: matching seeds (required for non-scalar outputs).

    >>> x = gn.tensor([3.0], requires_grad=True)
    >>> gn.autograd.grad((x ** 2).sum(), x)[0].tolist()
    [6.0]
    """
    if create_graph:
        raise NotImplementedError("autograd.grad: create_graph=True (higher-order gradients) is not supported; "
                                  "gradnote's backward computes on arrays")
    single = isinstance(inputs, Tensor)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError(f"autograd.grad: an output of shape {out.shape} does not require grad")
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(f"autograd.grad: grad_outputs is needed for the non-scalar output of shape {out.shape}")
            g = xp.ones_like(out.data)
        g = g.data if isinstance(g, Tensor) else g
        seeds.append(g.astype(out.dtype, copy=False) if not backend.is_host(g) else xp.asarray(g, dtype=out.dtype))
    capture = _Capture(inputs)
    run_backward(outputs, seeds, bool(retain_graph), capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture.grads[i]
        if g is None:
            if materialize_grads:
                g = xp.zeros_like(t.data)
            elif not allow_unused:
                raise RuntimeError(f"autograd.grad: input {i} (shape {t.shape}) was not used to compute the "
                                   "outputs; pass allow_unused=True to get None for it")
        result.append(None if g is None else Tensor._wrap(g.astype(t.dtype, copy=False)))
    return tuple(result)
