"""Rosenblatt's perceptron (1958): one neuron with a step output and its own learning rule.

    y_hat = step(x . w + b)              (1 if the weighted sum is positive, else 0)
    w <- w + lr * (y - y_hat) * x        (per sample; b likewise with x = 1)

The step has zero gradient almost everywhere, so backpropagation cannot train it; the
rule above only moves the boundary when a sample is misclassified. It converges on any
linearly separable data (AND, OR) and can never separate XOR: that failure is what
led to hidden layers and smooth activations (the multi-layer perceptron).

    p = nn.Perceptron(2)
    errors = p.fit(x, y, epochs=10)      # mistakes per epoch, e.g. [2, 3, 1, 0, ...]
    p.predict(x)                          # array([0, 0, 0, 1])
"""

from __future__ import annotations

import numbers

from .. import functional as F
from ..autograd import Tensor, no_grad
from ..backend import xp
from . import init
from .module import Module, Parameter

__all__ = ["Perceptron"]


class Perceptron(Module):
    """Single-neuron binary classifier. weight: (1, in_features), bias: (1,) (as Linear(in_features, 1)).

    forward: x (N, in_features) -> (N,) of 0./1. (a single sample (in_features,) -> ()).
    Parameters start at zero, as in Rosenblatt's rule; ``fit`` trains them.
    """

    def __init__(self, in_features: int):
        super().__init__()
        if isinstance(in_features, bool) or not isinstance(in_features, numbers.Integral) or in_features < 1:
            raise ValueError(f"Perceptron: in_features must be a positive int, got {in_features!r}")
        self.in_features = int(in_features)
        self.weight = Parameter(xp.empty((1, self.in_features), dtype=xp.float32))
        self.bias = Parameter(xp.empty((1,), dtype=xp.float32))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.zeros_(self.weight)
        init.zeros_(self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}"

    def _check_x(self, x, where: str):
        x = x.data if isinstance(x, Tensor) else xp.asarray(x, dtype=self.weight.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.in_features:
            raise ValueError(f"Perceptron.{where}: expected input of shape (N, {self.in_features}) or "
                             f"({self.in_features},), got {x.shape}")
        return x

    def forward(self, x) -> Tensor:
        """step(x @ weight.T + bias) with the last axis squeezed: (N, in) -> (N,) of 0./1."""
        if not isinstance(x, Tensor):
            x = Tensor._wrap(self._check_x(x, "forward"))
        else:
            self._check_x(x, "forward")
        batch = x.shape[:-1]
        z = F.linear(x if x.ndim == 2 else x.reshape(1, -1), self.weight, self.bias)
        return F.step(z.reshape(batch))

    def predict(self, x):
        """Class labels 0/1 as an int64 ndarray: (N, in) -> (N,)."""
        with no_grad():
            return self.forward(x).data.astype(xp.int64)

    def fit(self, x, y, epochs: int = 10, lr: float = 1.0) -> list[int]:
        """Train with the perceptron rule, one sample at a time in the given order.

        x: (N, in_features); y: (N,) or (N, 1) of 0/1 labels. Returns the number of
        misclassified samples (updates made) in each of the ``epochs`` passes; a pass
        with 0 mistakes means the data are separated and the weights stay put.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise ValueError(f"Perceptron.fit: epochs must be a non-negative int, got {epochs!r}")
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
            raise ValueError(f"Perceptron.fit: lr must be > 0, got {lr!r}")
        x = self._check_x(x, "fit")
        if x.ndim != 2:
            raise ValueError(f"Perceptron.fit: expected x of shape (N, {self.in_features}), got {x.shape}")
        y = y.data if isinstance(y, Tensor) else xp.asarray(y)
        if y.shape not in ((len(x),), (len(x), 1)):
            raise ValueError(f"Perceptron.fit: y must have shape ({len(x)},) or ({len(x)}, 1) to match x "
                             f"{x.shape}, got {y.shape}")
        y = y.reshape(-1)
        if not xp.isin(y, (0, 1)).all():
            raise ValueError(f"Perceptron.fit: labels must be 0 or 1, got values {xp.unique(y)[:10].tolist()}")

        dtype = self.weight.data.dtype
        x, y = x.astype(dtype, copy=False), y.astype(dtype)
        w, b = self.weight.data[0], self.bias.data  # views: updated in place
        lr = dtype.type(lr)
        errors = []
        # The rule is online: each update changes the next sample's prediction, so the
        # loop over samples is the algorithm itself, not a missed vectorisation.
        for _ in range(int(epochs)):
            mistakes = 0
            for xi, yi in zip(x, y):
                y_hat = F.step(Tensor._wrap(xp.dot(xi, w) + b[0])).data
                delta = lr * (yi - y_hat)
                if delta != 0:
                    w += delta * xi
                    b += delta
                    mistakes += 1
            errors.append(mistakes)
        return errors
