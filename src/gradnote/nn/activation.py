"""Activation layers: module wrappers of gradnote.functional's activations, for use in Sequential."""

from __future__ import annotations

from .. import functional as F
from ..autograd import Tensor
from .module import Module

__all__ = ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Step", "Tanh"]


class Step(Module):
    """Heaviside step: 1 where x > 0, else 0. Its gradient is zero everywhere (see F.step).

    >>> Step()(gn.tensor([-1.0, 2.0])).tolist()
    [0.0, 1.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x)


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + exp(-x)), elementwise; any shape.

    >>> Sigmoid()(gn.zeros(2)).tolist()
    [0.5, 0.5]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise; any shape.

    >>> Tanh()(gn.zeros(2)).tolist()
    [0.0, 0.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    """max(x, 0), elementwise. `inplace` is accepted for PyTorch compatibility and ignored.

    >>> ReLU()(gn.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise.

    >>> LeakyReLU(0.1)(gn.tensor([-10.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = float(negative_slope), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, alpha (exp(x) - 1) otherwise.

    >>> ELU()(gn.tensor([0.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = float(alpha), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """x Phi(x) (approximate="none", exact erf) or its tanh approximation (approximate="tanh").

    >>> GELU(approximate="tanh")(gn.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """softmax along `axis` (PyTorch's `dim` is accepted as an alias): outputs are positive and sum to 1.

    >>> Softmax(axis=1)(gn.zeros(1, 2)).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, axis: int = -1, dim: int | None = None):
        super().__init__()
        self.axis = int(dim if dim is not None else axis)

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log softmax along `axis` (alias `dim`), computed with log-sum-exp (finite for large logits).

    >>> LogSoftmax(axis=1)(gn.randn(8, 10)).shape
    (8, 10)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)
