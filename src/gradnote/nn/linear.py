"""Linear (fully connected) layer: y = x W^T + b, the perceptron's weighted sum for a whole layer."""

from __future__ import annotations

import math

from .. import functional as F
from ..autograd import Tensor
from ..backend import float32, xp
from . import init
from ._checks import positive_int
from .module import Module, Parameter

__all__ = ["Linear"]


class Linear(Module):
    """y = x @ weight.T + bias.

    x: (..., in_features) -> y: (..., out_features). Parameters (names and shapes as PyTorch):
    weight (out_features, in_features), bias (out_features,). Initialised as PyTorch does:
    weight ~ kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)); bias ~ U(-1/sqrt(in), 1/sqrt(in)).

    >>> layer = Linear(784, 128); layer(gn.randn(32, 784)).shape
    (32, 128)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        self.weight = Parameter(xp.empty((self.out_features, self.in_features), dtype=float32))
        if bias:
            self.bias = Parameter(xp.empty((self.out_features,), dtype=float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        shape = getattr(x, "shape", None)
        if shape is not None and (len(shape) == 0 or shape[-1] != self.in_features):
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): expected "
                             f"input with {self.in_features} features in the last dimension, got shape {tuple(shape)}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
