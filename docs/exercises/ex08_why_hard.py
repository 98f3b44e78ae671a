"""Lesson 08 exercises: vanishing gradients and over-fitting in numbers."""

import math


def sigmoid_chain_bound(n: int) -> float:
    """sigmoid'(z) <= 1/4, so n sigmoid layers scale a gradient by at most 0.25 ** n (weights aside)."""
    return 0.25 ** n


def layers_until(threshold: float) -> int:
    """Smallest n with 0.25 ** n < threshold."""
    n = max(0, math.floor(math.log(threshold) / math.log(0.25)))
    while sigmoid_chain_bound(n) >= threshold:
        n += 1
    return n


def overfit_gap(train_acc: float, test_acc: float) -> float:
    return train_acc - test_acc
