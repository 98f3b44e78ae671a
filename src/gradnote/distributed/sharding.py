"""How a global batch is shared between the ranks when the data loader is not already sharded."""

from __future__ import annotations

from .process_group import _state


def local_share(n: int) -> tuple[slice, float]:
    """This rank's contiguous part of a batch of `n` samples, and the weight of its mean loss.

    Parts differ in size by at most one; weighting each rank's mean loss by size * world / n makes
    the average over ranks (what DistributedDataParallel takes) the mean over the whole batch. A
    rank left without samples (n < world size) takes the whole batch with weight 0, so it still
    joins the gradient all-reduce. Outside a process group: the whole batch, weight 1.

    >>> import gradnote.distributed as dist
    >>> dist.local_share(64)
    (slice(None, None, None), 1.0)
    """
    world, rank = _state.get("size", 1), _state.get("rank", 0)
    if world == 1:
        return slice(None), 1.0
    base, extra = divmod(n, world)
    size = base + (rank < extra)
    if size == 0:
        return slice(None), 0.0
    start = rank * base + min(rank, extra)
    return slice(start, start + size), size * world / n
