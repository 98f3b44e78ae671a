"""Lesson 07 exercises: output functions and losses in NumPy."""

import numpy as np


def softmax(z, axis: int = -1):
    """exp(z_i) / sum_j exp(z_j); subtracting the max keeps exp finite for scores near 1e3."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def binary_cross_entropy(p, y):
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def cross_entropy(logits, labels):
    """Mean of -log softmax(logits)[label]; logits (N, C), labels (N,) class indices."""
    z = np.asarray(logits, dtype=np.float64)
    log_p = z - z.max(1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))
    return float(-log_p[np.arange(len(z)), np.asarray(labels)].mean())


def mse(pred, y):
    return float(np.mean((np.asarray(pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)) ** 2))
