"""``torch.utils.checkpoint`` spelling: activation checkpointing, run without the recomputation.

PyTorch's checkpoint saves memory by dropping a segment's activations in the forward pass and recomputing
them during backward. gradnote runs the segment once and keeps its activations, so outputs and gradients are
exactly those of the plain call (what checkpointing guarantees too); only the memory saving is absent.

    >>> from gradnote.utils.checkpoint import checkpoint
    >>> checkpoint(lambda t: t * 2, gn.ones(2), use_reentrant=False).tolist()
    [2.0, 2.0]
"""

from __future__ import annotations

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check: str = "default",
               debug: bool = False, preserve_rng_state: bool = True, **kwargs):
    """function(*args, **kwargs), as torch.utils.checkpoint.checkpoint returns it (activations kept)."""
    if not callable(function):
        raise TypeError(f"checkpoint: function must be callable, got {type(function).__name__}")
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant=None, **kwargs):  # noqa: A002 - torch's name
    """Run `functions` (an nn.Sequential or a list of modules) one after another on `input`, as
    torch.utils.checkpoint.checkpoint_sequential returns it; segments must be a positive int.

    >>> checkpoint_sequential([lambda t: t + 1, lambda t: t * 3], 2, gn.ones(1)).tolist()
    [6.0]
    """
    if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be a positive int, got {segments!r}")
    modules = list(functions.children()) if hasattr(functions, "children") else list(functions)
    for module in modules:
        input = module(input)
    return input
