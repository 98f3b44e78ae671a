"""gradnote: a readable deep-learning framework on NumPy, checked against PyTorch.

    import gradnote as gn
    x = gn.tensor([2.0], requires_grad=True)
    (x ** 3).sum().backward()        # x.grad == [12.]

PyTorch programs run with ``import gradnote as torch`` (``torch.nn``, ``torch.nn.functional``,
``torch.optim``, ``torch.utils.data``, the Tensor methods and free functions). Core (tensors,
autograd, nn, functional, optim) imports eagerly; the heavier parts (data, training, models,
Keras, CLI, plots) load on first use, so ``import gradnote`` stays fast.
"""

import importlib as _importlib

import numpy as _np

from . import accelerator, backends, cpu, cuda, functional, nn, optim  # noqa: F401
from .amp import autocast  # noqa: F401
from .autograd import *  # noqa: F401,F403
from .autograd import __all__ as _autograd_names
from .autograd import gradcheck  # noqa: F401
from .backend import bool_, float32, float64, int64  # noqa: F401
from .compiling import compile  # noqa: F401,A004
from .cpu import get_num_threads, set_num_threads  # noqa: F401
from .determinism import (  # noqa: F401
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)
from .device import device  # noqa: F401
from .dtype_info import bfloat16, cdouble, cfloat, complex64, complex128, finfo, iinfo  # noqa: F401
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: F401

# PyTorch's dtype names (NumPy dtypes underneath: x.dtype == gn.float is True)
float16 = half = _np.float16
float = float32  # noqa: A001
double = float64
long = int64
int32 = int = _np.int32  # noqa: A001
int16 = short = _np.int16
int8 = _np.int8
uint8 = _np.uint8
bool = bool_  # noqa: A001
dtype = _np.dtype

__version__ = "0.1.0"

# name -> module loaded on first use. The Keras entries make `import gradnote as keras` work
# (keras.layers, keras.losses, keras.Input, ...); layers/optimizers/callbacks/metrics are the Keras ones too.
_LAZY_MODULES = {name: f".{name}" for name in ("data", "train", "models", "layers", "optimizers", "callbacks", "metrics",
                                               "io", "viz", "cli", "keras", "utils", "distributed",
                                               "distributions", "onnx", "amp", "jit", "hub", "linalg", "special",
                                               "func")}
_LAZY_MODULES.update({"linalg": ".autograd.linalg", "special": ".autograd.special", "xpu": ".backends.xpu"})
_LAZY_MODULES.update({name: f".keras.{name}" for name in ("losses", "activations", "preprocessing", "datasets",
                                                          "initializers", "regularizers", "applications")})
_LAZY_NAMES = {"save": ".io", "load": ".io", "Input": ".keras", "Model": ".keras", "Sequential": ".keras",
               "vmap": ".func"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return _importlib.import_module(_LAZY_MODULES[name], __name__)
    if name in _LAZY_NAMES:
        return getattr(_importlib.import_module(_LAZY_NAMES[name], __name__), name)
    raise AttributeError(f"module 'gradnote' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_MODULES) + list(_LAZY_NAMES) + list(_autograd_names))
