"""Bilinear (y = x1^T W x2 + b, F.bilinear) and ChannelShuffle (ShuffleNet's channel interleave, F.channel_shuffle)."""

from __future__ import annotations

import math

from .. import functional as F
from ..backend import float32, xp
from . import init
from ._checks import positive_int
from ._factory import place
from .module import Module, Parameter

__all__ = ["Bilinear", "ChannelShuffle"]


class Bilinear(Module):
    """weight (out_features, in1_features, in2_features), bias (out_features,), both U(-1/sqrt(in1), 1/sqrt(in1))
    as torch.nn.Bilinear; (…, in1), (…, in2) -> (…, out).

    >>> Bilinear(3, 4, 5)(gn.ones(2, 3), gn.ones(2, 4)).shape
    (2, 5)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = positive_int("Bilinear", "in1_features", in1_features)
        self.in2_features = positive_int("Bilinear", "in2_features", in2_features)
        self.out_features = positive_int("Bilinear", "out_features", out_features)
        self.weight = Parameter(xp.empty((self.out_features, self.in1_features, self.in2_features), dtype=float32))
        if bias:
            self.bias = Parameter(xp.empty(self.out_features, dtype=float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class ChannelShuffle(Module):
    """(N, C, *) -> (N, C, *) with the channels of `groups` groups interleaved (F.channel_shuffle).

    >>> ChannelShuffle(2)(gn.zeros(1, 4, 3, 3)).shape
    (1, 4, 3, 3)
    """

    def __init__(self, groups: int):
        super().__init__()
        self.groups = positive_int("ChannelShuffle", "groups", groups)

    def forward(self, x):
        return F.channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
