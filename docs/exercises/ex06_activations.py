"""Lesson 06 exercises: the derivatives of the activation functions."""

import numpy as np


def sigmoid_grad(z):
    s = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
    return s * (1 - s)


def tanh_grad(z):
    return 1 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu_grad(z):
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu_grad(z, a: float = 0.01):
    return np.where(np.asarray(z) > 0, 1.0, a)


def collapse(W1, b1, W2, b2):
    """W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): two linear layers as one (W, b)."""
    return W2 @ W1, W2 @ b1 + b2
