"""Lesson 04 exercises: gradient descent and the learning rate."""


def gradient_descent(grad, w0: float, lr: float, steps: int) -> list:
    """w <- w - lr * grad(w), `steps` times; returns [w0, w1, ..., w_steps]."""
    path = [float(w0)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return path


def diverges(lr: float) -> bool:
    """For L(w) = (w - 3)^2 the error is multiplied by (1 - 2 lr) each step: divergence when |1 - 2 lr| > 1."""
    return abs(1 - 2 * lr) > 1


def best_lr(lrs, grad, w0: float, steps: int, loss) -> float:
    """The learning rate whose last iterate has the smallest loss."""
    return min(lrs, key=lambda lr: loss(gradient_descent(grad, w0, lr, steps)[-1]))
