"""Tensor.register_hook: a function called with a tensor's gradient during backward, which may return a
replacement gradient (PyTorch's tensor hooks).

A non-leaf tensor's hooks live on its creator Function (they see the gradient of its output before the
Function's backward runs); a leaf's live here, keyed by the tensor's id and checked against a weak
reference, since a Tensor has no room for them and ``==`` on tensors is elementwise.

    h = w.register_hook(lambda g: g.clamp(-1, 1))   # clip this gradient
    h.remove()
"""

from __future__ import annotations

import weakref

from .tensor import Tensor

_leaf_hooks: dict = {}  # id(leaf) -> (weakref to the leaf, {handle id: hook})


class RemovableHandle:
    """What register_hook returns: ``remove()`` takes the hook away."""

    _next = 0

    def __init__(self, table: dict):
        self._table, self.id = table, RemovableHandle._next
        RemovableHandle._next += 1

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _forget(key: int):
    return lambda _: _leaf_hooks.pop(key, None)  # the leaf died: its hooks go with it


def register_hook(t: Tensor, hook) -> RemovableHandle:
    """Call ``hook(grad)`` (grad a Tensor) whenever the gradient of `t` is computed; a returned tensor
    replaces the gradient."""
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable, got {hook!r}")
    if not t.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require gradient")
    if t._ctx is not None:
        table = t._ctx.__dict__.setdefault("_hooks", {})
    else:
        entry = _leaf_hooks.get(id(t))
        if entry is None or entry[0]() is not t:
            entry = _leaf_hooks[id(t)] = (weakref.ref(t, _forget(id(t))), {})
        table = entry[1]
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def run_hooks(table: dict, g):
    """g passed through each hook in registration order (a hook's returned tensor replaces it)."""
    for hook in list(table.values()):
        out = hook(Tensor._wrap(g))
        if out is not None:
            new = out.data if isinstance(out, Tensor) else out
            if new.shape != g.shape:
                raise RuntimeError(f"hook: returned a gradient of shape {new.shape} for a gradient of shape {g.shape}")
            g = new.astype(g.dtype, copy=False)
    return g


def leaf_hooks(t: Tensor):
    """The hook table of leaf `t`, or None."""
    entry = _leaf_hooks.get(id(t))
    return entry[1] if entry is not None and entry[0]() is t and entry[1] else None
