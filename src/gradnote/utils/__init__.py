"""PyTorch's ``torch.utils`` spelling: ``gradnote.utils.data`` is ``gradnote.data`` under torch's names.

    from gradnote.utils.data import DataLoader, TensorDataset   # as `from torch.utils.data import ...`

``data``, ``tensorboard`` (SummaryWriter) and ``checkpoint`` load on first use, so ``import gradnote.utils``
costs nothing.
"""

import importlib as _importlib

_LAZY_MODULES = {"checkpoint", "data", "tensorboard"}
# Keras's utility functions (keras.utils re-exports them), loaded on first use with gradnote.data
_KERAS_UTILS = {"to_categorical", "set_random_seed", "pad_sequences", "normalize", "get_file", "Sequence",
                "PyDataset"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _KERAS_UTILS:
        return getattr(_importlib.import_module(".keras_utils", __name__), name)
    raise AttributeError(f"module 'gradnote.utils' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_MODULES) + list(_KERAS_UTILS))
