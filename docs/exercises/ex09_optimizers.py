"""Lesson 09 exercises: one update of each optimiser, in NumPy (PyTorch's update rules)."""

import numpy as np


def momentum_step(w, v, g, lr: float, mu: float = 0.9):
    """v <- mu v + g; w <- w - lr v. Returns (w, v)."""
    v = mu * v + g
    return w - lr * v, v


def adagrad_step(w, G, g, lr: float = 0.01, eps: float = 1e-10):
    """G <- G + g^2; w <- w - lr g / (sqrt(G) + eps). Returns (w, G)."""
    G = G + g * g
    return w - lr * g / (np.sqrt(G) + eps), G


def rmsprop_step(w, s, g, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8):
    """s <- alpha s + (1 - alpha) g^2; w <- w - lr g / (sqrt(s) + eps). Returns (w, s)."""
    s = alpha * s + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(s) + eps), s


def adam_step(w, m, v, g, t: int, lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
    """Adam with bias correction at step t (1-based). Returns (w, m, v)."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
