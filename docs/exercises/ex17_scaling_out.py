"""Lesson 17 exercises: data parallelism in numbers."""

import numpy as np


def shard(n: int, rank: int, world_size: int):
    if not 0 <= rank < world_size:
        raise ValueError(f"shard: rank must be in [0, {world_size}), got {rank}")
    return np.arange(rank, n, world_size)


def all_reduce_mean(grads_per_worker):
    """[[g_w0_p0, g_w0_p1, ...], [g_w1_p0, ...], ...] -> [mean over workers of each parameter's gradient]."""
    return [np.mean(np.stack(gs), axis=0) for gs in zip(*grads_per_worker)]


def global_batch(per_worker: int, world_size: int, accumulation: int = 1) -> int:
    return per_worker * world_size * accumulation
