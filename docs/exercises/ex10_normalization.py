"""Lesson 10 exercises: standardisation and batch normalisation in NumPy."""

import numpy as np


def standardize(x):
    """(x - mean) / std per feature (column); constant features map to 0."""
    x = np.asarray(x, dtype=np.float64)
    std = x.std(0)
    return np.where(std > 0, (x - x.mean(0)) / np.where(std > 0, std, 1), 0.0)


def batch_norm_train(x, gamma, beta, eps: float = 1e-5):
    """x: (N, C) normalised with the batch mean and biased variance, then gamma * x_hat + beta."""
    x = np.asarray(x, dtype=np.float64)
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta


def update_running(running, batch_value, momentum: float = 0.1):
    """running <- (1 - momentum) running + momentum batch_value."""
    return (1 - momentum) * np.asarray(running) + momentum * np.asarray(batch_value)
