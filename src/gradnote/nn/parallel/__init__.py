"""Parallel training wrappers (torch.nn.parallel): DistributedDataParallel over gradnote.distributed."""

from .distributed import DistributedDataParallel  # noqa: F401
