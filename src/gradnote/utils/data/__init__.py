"""``torch.utils.data`` for gradnote: the names PyTorch scripts import, all from ``gradnote.data``.

    from gradnote.utils.data import DataLoader, TensorDataset, random_split
    train, val = random_split(TensorDataset(x, y), [0.8, 0.2])
    loader = DataLoader(train, batch_size=64, shuffle=True, num_workers=2)

There is one implementation of each; this package only gives it PyTorch's module path.
"""

from ...data.collate import default_collate
from ...data.dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from ...data.loader import DataLoader
from ...data.sampler import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from ...data.workers import WorkerInfo, get_worker_info

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "WorkerInfo", "default_collate", "get_worker_info", "random_split"]
