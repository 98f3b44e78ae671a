"""Pooling layers: MaxPool2d, AvgPool2d and GlobalAvgPool2d (thin modules over gradnote.functional)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv import _pair
from .module import Module

__all__ = ["AvgPool2d", "GlobalAvgPool2d", "MaxPool2d"]


class _Pool2d(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(kernel_size, "kernel_size", name, 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", name, 1)
        self.padding = _pair(padding, "padding", name, 0)
        if self.padding[0] > self.kernel_size[0] // 2 or self.padding[1] > self.kernel_size[1] // 2:
            raise ValueError(f"{name}: padding must be at most half the kernel size, got padding={padding!r} "
                             f"for kernel_size={kernel_size!r}")

    def forward(self, x):
        return type(self)._fn(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Max over kh x kw windows: (N, C, H, W) -> (N, C, OH, OW); stride defaults to kernel_size.

    >>> MaxPool2d(2)(gn.randn(8, 6, 28, 28)).shape
    (8, 6, 14, 14)
    """

    _fn = staticmethod(F.max_pool2d)


class AvgPool2d(_Pool2d):
    """Mean over kh x kw windows, padded zeros counted: (N, C, H, W) -> (N, C, OH, OW).

    >>> AvgPool2d(2)(gn.randn(8, 6, 28, 28)).shape
    (8, 6, 14, 14)
    """

    _fn = staticmethod(F.avg_pool2d)


class GlobalAvgPool2d(Module):
    """Mean over each whole feature map: (N, C, H, W) -> (N, C) (Keras's GlobalAveragePooling2D).

    >>> GlobalAvgPool2d()(gn.randn(8, 16, 7, 7)).shape
    (8, 16)
    """

    def forward(self, x):
        return F.global_avg_pool2d(x)
