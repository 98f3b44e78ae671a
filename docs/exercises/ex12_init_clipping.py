"""Lesson 12 exercises: initialisation scales and clipping by norm."""

import math

import numpy as np


def xavier_std(fan_in: int, fan_out: int) -> float:
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in: int) -> float:
    return math.sqrt(2.0 / fan_in)


def xavier_uniform_bound(fan_in: int, fan_out: int) -> float:
    """U(-a, a) has variance a^2 / 3, so a = sqrt(3) * xavier_std = sqrt(6 / (fan_in + fan_out))."""
    return math.sqrt(6.0 / (fan_in + fan_out))


def clip_by_norm(grads, max_norm: float):
    """Scale every gradient by min(1, max_norm / total_norm); returns (clipped, total_norm)."""
    total = math.sqrt(sum(float((np.asarray(g, dtype=np.float64) ** 2).sum()) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [np.asarray(g) * scale for g in grads], total
