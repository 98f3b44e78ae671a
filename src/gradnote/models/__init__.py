"""Ready-made models: classic architectures (LeNet-5) and, under its old name, Keras's Sequential.

``gradnote.models.Sequential`` is gradnote.keras.Sequential; it loads on first use, so that
importing gradnote.models.lenet (an nn-level model) does not pull in the Keras package.
"""

from .gpt import GPT, GPTConfig, KVCache  # noqa: F401
from .lenet import *  # noqa: F401,F403
from .lenet import __all__ as _lenet_all

__all__ = [*_lenet_all, "Sequential"]  # noqa: F405 - Sequential loads lazily (module __getattr__ below)
__all__ += ["GPT", "GPTConfig", "KVCache"]


def __getattr__(name):
    if name == "Sequential":
        from .sequential import Sequential

        return Sequential
    raise AttributeError(f"module 'gradnote.models' has no attribute {name!r}")
