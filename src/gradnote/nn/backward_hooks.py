"""Module backward hooks (PyTorch's ``register_full_backward_hook`` / ``register_full_backward_pre_hook``).

    hook(module, grad_input, grad_output) -> None or a replacement grad_input
    pre_hook(module, grad_output)         -> None or a replacement grad_output

grad_input has one entry per positional argument of the call (None for non-tensors; zeros for a tensor that needs
no gradient while another does; all None when none does), grad_output one per tensor output (zeros for an
output the loss does not use, where PyTorch passes None). As PyTorch, the module's tensor inputs and outputs pass through
identity nodes ("gates"): the gradient a hook sees is the one that flows through this module alone, and what it
returns is what flows on. Several tensors are packed into one flat gate, so that each hook runs once with all
of them.
"""

from __future__ import annotations

from ..autograd import Function, Tensor, cat, is_grad_enabled
from ..autograd.hooks import RemovableHandle
from ..backend import xp


class _Gate(Function):
    """Identity forward; backward hands the gradient to `state.on_grad`, which may replace it."""

    saves = False

    def forward(self, a, state=None, where=None):
        self.state, self.where = state, where
        return a.view()

    def backward(self, g):
        return (self.state.on_grad(self.where, g),)


def _through_gate(tensors: list, state, where: str) -> list:
    """`tensors` (same dtype) as outputs of one gate: a single tensor directly, several packed flat."""
    if len(tensors) == 1:
        return [_Gate.apply(tensors[0], state=state, where=where)]
    packed = _Gate.apply(cat([t.reshape(-1) for t in tensors]), state=state, where=where)
    out, start = [], 0
    for t in tensors:
        out.append(packed[start:start + t.numel()].reshape(t.shape))
        start += t.numel()
    return out


class _HookState:
    """One module call: its hooks, the shapes of the gated tensors, and the grad_output once seen."""

    def __init__(self, module, hooks: list, pre_hooks: list, n_args: int, gated_inputs: list):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_args, self.gated_inputs = n_args, gated_inputs  # positions of the gated positional args
        self.input_shapes: list = []
        self.still_inputs: list = []  # (position, tensor) of tensor inputs that need no gradient
        self.output_shapes: list = []
        self.grad_output: tuple = ()

    def on_grad(self, where: str, g):
        shapes = self.input_shapes if where == "inputs" else self.output_shapes
        grads = _unpack(g, shapes)
        if where == "outputs":
            for hook in self.pre_hooks:
                new = hook(self.module, grads)
                if new is not None:
                    grads = _checked(new, grads, "register_full_backward_pre_hook", "grad_output")
            self.grad_output = grads
            if not self.gated_inputs:  # no input needs a gradient: the hooks run now, with None for each
                self._run_hooks((None,) * self.n_args)
            return _pack(grads, shapes, g)
        full = [None] * self.n_args
        for i, t in self.still_inputs:  # as PyTorch, a tensor input without requires_grad gets zeros here
            full[i] = Tensor._wrap(xp.zeros_like(t.data))
        for i, gi in zip(self.gated_inputs, grads):
            full[i] = gi
        full = self._run_hooks(tuple(full))
        return _pack(tuple(full[i] for i in self.gated_inputs), shapes, g)

    def _run_hooks(self, grad_input: tuple) -> tuple:
        for hook in self.hooks:
            new = hook(self.module, grad_input, self.grad_output)
            if new is not None:
                grad_input = _checked(new, grad_input, "register_full_backward_hook", "grad_input")
        return grad_input


def _unpack(g, shapes: list) -> tuple:
    if len(shapes) == 1:
        return (Tensor._wrap(g),)
    out, start = [], 0
    for s in shapes:
        n = 1
        for d in s:
            n *= d
        out.append(Tensor._wrap(g[start:start + n].reshape(s)))
        start += n
    return tuple(out)


def _pack(grads: tuple, shapes: list, like):
    """The gate's gradient array from per-tensor gradients (None: no gradient flows to that tensor)."""
    arrays = [(g.data if isinstance(g, Tensor) else g) for g in grads]
    if len(arrays) == 1:
        return None if arrays[0] is None else arrays[0].astype(like.dtype, copy=False)
    out, start = like.copy(), 0
    for a, s in zip(arrays, shapes):
        n = 1
        for d in s:
            n *= d
        out[start:start + n] = 0 if a is None else a.reshape(-1)
        start += n
    return out


def _checked(new, old: tuple, op: str, what: str) -> tuple:
    new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
    if len(new) != len(old):
        raise RuntimeError(f"{op}: the hook returned {len(new)} {what} entries, expected {len(old)}")
    for n, o in zip(new, old):
        if n is not None and o is not None and tuple(n.shape) != tuple(o.shape):
            raise RuntimeError(f"{op}: the hook returned a {what} of shape {tuple(n.shape)} for one of shape "
                               f"{tuple(o.shape)}")
    return new


def register(module, table: str, hook, prepend: bool) -> RemovableHandle:
    """Add `hook` to the module's table of backward hooks (first if `prepend`); the handle removes it."""
    if not callable(hook):
        raise TypeError(f"{type(module).__name__}: a backward hook must be callable, got {hook!r}")
    hooks = module.__dict__.setdefault(table, {})
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        rest = [(k, h) for k, h in hooks.items() if k != handle.id]
        hooks.clear()
        hooks.update([(handle.id, hook), *rest])
    return handle


def gate_inputs(module, args: tuple) -> tuple:
    """Before forward: (state or None when there is nothing to hook, args with the tensors needing a gradient
    passed through a gate)."""
    hooks = list(module.__dict__.get("_backward_hooks", {}).values())
    pre_hooks = list(module.__dict__.get("_backward_pre_hooks", {}).values())
    if not (hooks or pre_hooks) or not is_grad_enabled():
        return None, args
    gated = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad] if hooks else []
    state = _HookState(module, hooks, pre_hooks, len(args), gated)
    if not gated:  # pre-hooks only, or no input needing a gradient: the output gate does the work
        return state, args
    tensors = [args[i] for i in gated]
    if len({t.dtype for t in tensors}) > 1:
        raise TypeError(f"register_full_backward_hook: the tensor inputs of {type(module).__name__} have different "
                        f"dtypes {[str(t.dtype) for t in tensors]}; gradnote's hooks need one dtype")
    state.input_shapes = [tuple(t.shape) for t in tensors]
    state.still_inputs = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor) and i not in gated]
    args = list(args)
    for i, t in zip(gated, _through_gate(tensors, state, "inputs")):
        args[i] = t
    return state, tuple(args)


def gate_outputs(state: _HookState, out):
    """After forward (and the forward hooks): the output tensors passed through a gate."""
    single = isinstance(out, Tensor)
    outs = [out] if single else list(out) if isinstance(out, (tuple, list)) else []
    idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not idx:
        return out
    tensors = [outs[i] for i in idx]
    if len({t.dtype for t in tensors}) > 1:
        raise TypeError(f"register_full_backward_hook: the outputs of {type(state.module).__name__} have different "
                        f"dtypes; gradnote's hooks need one dtype")
    state.output_shapes = [tuple(t.shape) for t in tensors]
    for i, t in zip(idx, _through_gate(tensors, state, "outputs")):
        outs[i] = t
    return outs[0] if single else type(out)(outs)
