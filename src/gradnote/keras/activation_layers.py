"""Keras's activation layers: ReLU, LeakyReLU, PReLU, ELU and Softmax as layers over the F activations.

    x = layers.Conv2D(32, 3)(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)      # Keras 2: LeakyReLU(alpha=0.2)

(Activation("relu") takes any activation by name: gradnote.keras.layers.Activation.)
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor, where
from .arguments import apply_initializer
from .graph import Layer

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]


def _number(layer: str, what: str, value, low: float | None = 0.0):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or (low is not None and value < low):
        bound = "" if low is None else f" >= {low}"
        raise ValueError(f"{layer}: {what} must be a number{bound}, got {value!r}")
    return float(value)


class ReLU(Layer, nn.Module):
    """Keras's ReLU: max_value if x >= max_value, x if threshold <= x < max_value, negative_slope (x - threshold)
    otherwise (the defaults give max(x, 0), F.relu).

    >>> ReLU(max_value=1.0)(gn.tensor([-1.0, 0.5, 3.0])).tolist()
    [0.0, 0.5, 1.0]
    """

    passes_mask = True

    def __init__(self, max_value=None, negative_slope: float = 0.0, threshold: float = 0.0):
        self.max_value = None if max_value is None else _number("ReLU", "max_value", max_value)
        self.negative_slope = _number("ReLU", "negative_slope", negative_slope)
        self.threshold = _number("ReLU", "threshold", threshold, None)

    def forward(self, x: Tensor) -> Tensor:
        if self.threshold == 0.0:
            y = F.leaky_relu(x, self.negative_slope) if self.negative_slope else F.relu(x)
        else:
            y = where(x >= self.threshold, x, (x - self.threshold) * self.negative_slope)
        return y if self.max_value is None else y.clip(max=self.max_value)

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer, nn.Module):
    """x for x >= 0, negative_slope * x below (F.leaky_relu); Keras's default slope 0.3. Keras 2 spelled the
    slope alpha=.

    >>> LeakyReLU(negative_slope=0.5)(gn.tensor([-2.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    passes_mask = True

    def __init__(self, negative_slope: float = 0.3, alpha=None):
        self.negative_slope = _number("LeakyReLU", "negative_slope", negative_slope if alpha is None else alpha)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict:
        return {"negative_slope": self.negative_slope}


class ELU(Layer, nn.Module):
    """x for x > 0, alpha (exp(x) - 1) below (F.elu).

    >>> ELU()(gn.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """

    passes_mask = True

    def __init__(self, alpha: float = 1.0):
        self.alpha = _number("ELU", "alpha", alpha)

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def get_config(self) -> dict:
        return {"alpha": self.alpha}


class PReLU(Layer, nn.Module):
    """max(x, 0) + alpha * min(x, 0) with a learned alpha per input element, (features...) = the input's
    shape without the batch axis; shared_axes (1-based, as Keras) share one alpha along those axes
    (PReLU(shared_axes=[1, 2]) after a Conv2D: one alpha per channel). alpha starts at zero.

    >>> PReLU()(gn.randn(2, 3, 4)).shape
    (2, 3, 4)
    """

    passes_mask = True

    def __init__(self, alpha_initializer="zeros", shared_axes=None, input_shape=None):
        shared = [] if shared_axes is None else [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)
        if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in shared):
            raise ValueError(f"PReLU: shared_axes must be axes >= 1 (the batch axis is 0), got {shared_axes!r}")
        self.shared_axes, self.alpha_initializer = shared, alpha_initializer
        apply_initializer("PReLU", alpha_initializer, Tensor._wrap(np.zeros((1, 1), np.float32)), "alpha_initializer")
        self.register_parameter("alpha", None)
        if input_shape:
            self.build((None, *input_shape))

    @property
    def built(self) -> bool:
        return self.alpha is not None

    def build(self, input_shape, dtype=np.float32) -> None:
        shape = [1 if i + 1 in self.shared_axes else int(d) for i, d in enumerate(input_shape[1:])]
        self.alpha = nn.Parameter(np.zeros(shape, dtype=dtype))
        apply_initializer("PReLU", self.alpha_initializer, self.alpha, "alpha_initializer")

    def forward(self, x: Tensor) -> Tensor:
        if self.alpha is None:
            if max(self.shared_axes, default=0) >= x.ndim:
                raise ValueError(f"PReLU: shared_axes {self.shared_axes} out of range for input of shape "
                                 f"{tuple(x.shape)}")
            self.build(x.shape, x.dtype if x.dtype.kind == "f" else np.float32)
        if self.alpha.ndim != x.ndim - 1 or any(a not in (1, d) for a, d in zip(self.alpha.shape, x.shape[1:])):
            raise ValueError(f"PReLU: alpha {tuple(self.alpha.shape)} does not fit input of shape {tuple(x.shape)}")
        return F.relu(x) - self.alpha * F.relu(-x)

    def get_config(self) -> dict:
        return {"alpha_initializer": self.alpha_initializer, "shared_axes": self.shared_axes or None,
                "input_shape": list(self.alpha.shape) if self.built and not self.shared_axes else None}


class Softmax(Layer, nn.Module):
    """Softmax over `axis` (default the last); call(x, mask) gives masked positions (mask False) zero weight.

    >>> Softmax()(gn.tensor([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, axis: int = -1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"Softmax: axis must be an int, got {axis!r}")
        self.axis = axis

    def forward(self, x: Tensor, mask=None) -> Tensor:
        if mask is not None:  # Keras adds a large negative number where the mask is False
            keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            x = x + Tensor._wrap(np.where(keep, 0.0, -1e9).astype(x.dtype))
        return F.softmax(x, self.axis)

    def get_config(self) -> dict:
        return {"axis": self.axis}
