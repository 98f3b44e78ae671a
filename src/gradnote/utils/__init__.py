"""PyTorch's ``torch.utils`` spelling: ``gradnote.utils.data`` is ``gradnote.data`` under torch's names.

    from gradnote.utils.data import DataLoader, TensorDataset   # as `from torch.utils.data import ...`

``data`` loads on first use, so ``import gradnote.utils`` costs nothing.
"""

import importlib as _importlib

_LAZY_MODULES = {"data"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'gradnote.utils' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_MODULES))
