"""Lesson 02 exercises: the perceptron, the step function, XOR."""

import numpy as np


def step(z):
    """1 where z > 0, else 0 (float, same shape as z), as F.step."""
    return (np.asarray(z) > 0).astype(np.float64)


def nand_weights():
    """(w, b) with step(w @ x + b) == NAND(x1, x2) on the four corners."""
    return np.array([-1.0, -1.0]), 1.5


def xor(x1, x2):
    """XOR from a hidden layer of OR and NAND neurons feeding an AND neuron."""
    x = np.array([x1, x2], dtype=np.float64)
    w_nand, b_nand = nand_weights()
    h = np.array([step(x.sum() - 0.5), step(w_nand @ x + b_nand)])   # OR, NAND
    return int(step(h.sum() - 1.5))                                   # AND


def fit_perceptron(x, y, epochs: int = 10, lr: float = 1.0):
    """Rosenblatt's rule, one sample at a time: w += lr * (y - y_hat) * x. Returns (w, b, mistakes_per_epoch)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, b, mistakes = np.zeros(x.shape[1]), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for xi, yi in zip(x, y):
            error = yi - step(w @ xi + b)
            w, b = w + lr * error * xi, b + lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
    return w, b, mistakes
