"""Lesson 05 exercises: batches, epochs and iterations."""

import math

import numpy as np


def iterations_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Updates per epoch: ceil(n / batch_size), or floor when the last, short batch is dropped."""
    return n // batch_size if drop_last else math.ceil(n / batch_size)


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list:
    """A shuffled split of range(n) into index arrays of batch_size (the last may be shorter)."""
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def updates(n: int, batch_size: int, epochs: int) -> int:
    return epochs * iterations_per_epoch(n, batch_size)
