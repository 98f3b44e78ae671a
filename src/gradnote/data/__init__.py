"""Data pipeline: datasets, the DataLoader, built-in and downloadable datasets, augmentation.

    import gradnote.data as data
    x, y = data.datasets.spiral(100, classes=3)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=32, shuffle=True)
    for xb, yb in loader: ...                    # xb: float32 Tensor (32, 2), yb: int64 Tensor (32,)

PyTorch's names and signatures (samplers, ``num_workers``, ``random_split``, ...) are here too, and
``gradnote.utils.data`` gives them torch's module path.

``datasets``, ``augment`` and ``text`` load on first use, so ``import gradnote.data`` stays light.
"""

import importlib as _importlib

from .collate import default_collate  # noqa: F401
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split  # noqa: F401
from .loader import DataLoader  # noqa: F401
from .ondisk import MemmapDataset, NpyShardDataset, save_shards  # noqa: F401
from .sampler import (  # noqa: F401
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .workers import WorkerInfo, get_worker_info  # noqa: F401

_LAZY_MODULES = {"datasets", "augment", "text", "preprocessing"}
_LAZY_NAMES = {"train_test_split": "preprocessing", "StandardScaler": "preprocessing",
               "MinMaxScaler": "preprocessing"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(_importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'gradnote.data' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY_MODULES) + list(_LAZY_NAMES))
