"""Unfold / Fold (sliding blocks to columns and back: F.unfold, F.fold) and MaxUnpool1d / MaxUnpool2d
(max pooling's values put back at their indices: F.max_unpool2d)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv import _conv_args, _pair
from .module import Module

__all__ = ["Fold", "MaxUnpool1d", "MaxUnpool2d", "Unfold"]


def _check(layer: str, kernel_size, dilation, padding, stride) -> None:
    _pair(kernel_size, "kernel_size", layer, 1)
    _conv_args(layer, stride, padding, dilation)


class Unfold(Module):
    """(N, C, H, W) -> (N, C * kh * kw, L), as torch.nn.Unfold.

    >>> Unfold(2, stride=2)(gn.zeros(1, 3, 4, 4)).shape
    (1, 12, 4)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        _check("Unfold", kernel_size, dilation, padding, stride)
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, x):
        return F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """(N, C * kh * kw, L) -> (N, C, *output_size), blocks summed where they overlap, as torch.nn.Fold.

    >>> Fold((4, 4), 2, stride=2)(gn.zeros(1, 12, 4)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        _check("Fold", kernel_size, dilation, padding, stride)
        _pair(output_size, "output_size", "Fold", 1)
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, x):
        return F.fold(x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class MaxUnpool2d(Module):
    """(N, C, OH, OW) values with their max_pool2d indices -> (N, C, H, W), zeros elsewhere.

    >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
    >>> unpool(*pool(gn.randn(1, 1, 4, 4))).shape
    (1, 1, 4, 4)
    """

    _fn = staticmethod(F.max_unpool2d)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        _check(type(self).__name__, kernel_size, 1, padding, 1 if stride is None else stride)
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, input, indices, output_size=None):
        return type(self)._fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """(N, C, OL) values with their max_pool1d indices -> (N, C, L), zeros elsewhere.

    >>> MaxUnpool1d(2)(gn.ones(1, 1, 2), gn.tensor([[[0, 3]]])).tolist()
    [[[1.0, 0.0, 0.0, 1.0]]]
    """

    _fn = staticmethod(F.max_unpool1d)
