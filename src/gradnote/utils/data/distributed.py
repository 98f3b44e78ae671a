"""``torch.utils.data.distributed``: ``from gradnote.utils.data.distributed import DistributedSampler``."""

from ...data.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
