"""torch.compile: gradnote runs every op eagerly on NumPy (or CuPy), so there is nothing to compile;
``compile(model)`` returns the model (or function) itself, and works as a decorator with or without
arguments. The options are accepted and change nothing.

>>> lin = gn.nn.Linear(2, 2); gn.compile(lin) is lin
True
"""

from __future__ import annotations


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable: bool = False):
    """The model or function unchanged; ``@gn.compile(mode="max-autotune")`` decorates unchanged too."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile: expected a Module or a function, got {type(model).__name__}")
    return model


def is_compiling() -> bool:
    return False
