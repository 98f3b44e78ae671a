"""torch.jit: gradnote has no TorchScript. ``script`` and ``trace`` return the module or function they are
given (training scripts that write ``model = torch.jit.script(model)`` for speed then run eagerly); what needs a
real ScriptModule (``jit.save``/``jit.load``, ``.code``, ``.graph``) raises, naming what to use instead.

>>> lin = gn.nn.Linear(2, 2); gn.jit.script(lin) is lin and gn.jit.trace(lin, gn.ones(1, 2)) is lin
True
"""

from __future__ import annotations

_NO_FILES = ("gradnote has no TorchScript files; save the weights with gn.save(model.state_dict(), path) and "
             "rebuild the model in Python")


def script(obj=None, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """The module or function itself (gradnote runs eagerly); usable as a decorator."""
    if obj is None:
        return lambda fn: fn
    if not callable(obj):
        raise TypeError(f"jit.script: expected a Module or a function, got {type(obj).__name__}")
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """The module or function itself: nothing is recorded, later calls run the Python code again."""
    if not callable(func):
        raise TypeError(f"jit.trace: expected a Module or a function, got {type(func).__name__}")
    return func


def ignore(fn=None, **kwargs):
    return (lambda f: f) if fn is None else fn


export = unused = ignore


def is_scripting() -> bool:
    return False


def is_tracing() -> bool:
    return False


def save(m, f, _extra_files=None):
    raise NotImplementedError(f"jit.save: {_NO_FILES}")


def load(f, map_location=None, _extra_files=None):
    raise NotImplementedError(f"jit.load: {_NO_FILES}")
