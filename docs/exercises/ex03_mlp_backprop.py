"""Lesson 03 exercises: forward pass and backpropagation of a 2-2-1 sigmoid network, by hand."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(x, W1, b1, W2, b2):
    """x: (in,), W1: (hidden, in), W2: (1, hidden) -> (h (hidden,), y_hat (1,))."""
    h = sigmoid(W1 @ x + b1)
    return h, sigmoid(W2 @ h + b2)


def backward(x, y, W1, b1, W2, b2):
    """Gradients of L = 0.5 * (y_hat - y)^2 by the chain rule: (dW1, db1, dW2, db2)."""
    h, y_hat = forward(x, W1, b1, W2, b2)
    d_z2 = (y_hat - y) * y_hat * (1 - y_hat)
    d_z1 = (W2.T @ d_z2) * h * (1 - h)
    return np.outer(d_z1, x), d_z1, np.outer(d_z2, h), d_z2


def numerical_grad(f, w, eps: float = 1e-6):
    """Central differences: (f(w + eps e_i) - f(w - eps e_i)) / (2 eps) for every entry of w."""
    w = np.array(w, dtype=np.float64)
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad
