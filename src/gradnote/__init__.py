"""gradnote: a readable deep-learning framework on NumPy, checked against PyTorch.

    import gradnote as gn
    x = gn.tensor([2.0], requires_grad=True)
    (x ** 3).sum().backward()        # x.grad == [12.]

Core (tensors, autograd, nn, functional, optim) imports eagerly; the heavier parts
(data, training, models, CLI, plots) load on first use, so `import gradnote` stays fast.
"""

import importlib as _importlib

from . import functional, nn, optim  # noqa: F401
from .autograd import (  # noqa: F401
    Function,
    Tensor,
    arange,
    concat,
    enable_grad,
    eye,
    from_numpy,
    full,
    gradcheck,
    is_anomaly_enabled,
    is_grad_enabled,
    maximum,
    minimum,
    no_grad,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    set_anomaly_detection,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from .backend import bool_, float32, float64, int64  # noqa: F401
from .random import manual_seed  # noqa: F401

__version__ = "0.1.0"

_LAZY_MODULES = {"data", "train", "models", "layers", "optimizers", "callbacks", "metrics", "io", "viz", "cli",
                 "keras"}
_LAZY_NAMES = {"save": "io", "load": "io"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(_importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'gradnote' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_MODULES) + list(_LAZY_NAMES))
