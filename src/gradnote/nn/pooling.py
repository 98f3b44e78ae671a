"""Pooling layers: MaxPool2d, AvgPool2d and GlobalAvgPool2d (thin modules over gradnote.functional)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv import _pair, _single
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

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__(kernel_size, stride, padding)
        if dilation not in (1, (1, 1)):
            raise NotImplementedError(f"MaxPool2d: dilation={dilation!r} is not supported (only dilation=1)")
        self.return_indices = bool(return_indices)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class AvgPool2d(_Pool2d):
    """Mean over kh x kw windows, padded zeros counted: (N, C, H, W) -> (N, C, OH, OW).

    >>> AvgPool2d(2)(gn.randn(8, 6, 28, 28)).shape
    (8, 6, 14, 14)
    """

    _fn = staticmethod(F.avg_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None):
        super().__init__(kernel_size, stride, padding)
        if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
            raise ValueError(f"AvgPool2d: divisor_override must be a positive int, got {divisor_override!r}")
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class GlobalAvgPool2d(Module):
    """Mean over each whole feature map: (N, C, H, W) -> (N, C) (Keras's GlobalAveragePooling2D).

    >>> GlobalAvgPool2d()(gn.randn(8, 16, 7, 7)).shape
    (8, 16)
    """

    def forward(self, x):
        return F.global_avg_pool2d(x)


# ----- PyTorch's other pooling layers ---------------------------------------------------------------------
__all__ += ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AvgPool1d",
            "MaxPool1d"]


class _AdaptivePool(Module):
    _fn = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return type(self)._fn(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Mean over PyTorch's adaptive windows: (N, C, H, W) -> (N, C, *output_size) for any H, W.

    >>> AdaptiveAvgPool2d((1, 1))(gn.randn(2, 8, 7, 5)).shape
    (2, 8, 1, 1)
    """

    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool1d(_AdaptivePool):
    """Mean over PyTorch's adaptive windows: (N, C, L) -> (N, C, output_size).

    >>> AdaptiveAvgPool1d(3)(gn.randn(2, 8, 10)).shape
    (2, 8, 3)
    """

    _fn = staticmethod(F.adaptive_avg_pool1d)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices: bool = False):
        super().__init__(output_size)
        self.return_indices = bool(return_indices)

    def forward(self, x):
        return type(self)._fn(x, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max over PyTorch's adaptive windows: (N, C, H, W) -> (N, C, *output_size).

    >>> AdaptiveMaxPool2d(2)(gn.randn(2, 8, 7, 5)).shape
    (2, 8, 2, 2)
    """

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max over PyTorch's adaptive windows: (N, C, L) -> (N, C, output_size).

    >>> AdaptiveMaxPool1d(2)(gn.randn(2, 8, 7)).shape
    (2, 8, 2)
    """

    _fn = staticmethod(F.adaptive_max_pool1d)


class MaxPool1d(Module):
    """Max over windows of kernel_size steps: (N, C, L) -> (N, C, L_out) (F.max_pool1d).

    >>> MaxPool1d(2)(gn.randn(4, 3, 20)).shape
    (4, 3, 10)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        if dilation not in (1, (1,)):
            raise NotImplementedError(f"MaxPool1d: dilation={dilation!r} is not supported (only dilation=1)")
        self.return_indices = bool(return_indices)
        self.kernel_size, self.stride, self.padding = _pool1d_args("MaxPool1d", kernel_size, stride, padding)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """Mean over windows of kernel_size steps: (N, C, L) -> (N, C, L_out) (F.avg_pool1d).

    >>> AvgPool1d(2)(gn.randn(4, 3, 20)).shape
    (4, 3, 10)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = _pool1d_args("AvgPool1d", kernel_size, stride, padding)
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _pool1d_args(layer: str, kernel_size, stride, padding) -> tuple:
    k = _single(kernel_size, "kernel_size", layer, 1)
    s = k if stride is None else _single(stride, "stride", layer, 1)
    p = _single(padding, "padding", layer, 0)
    if p > k // 2:
        raise ValueError(f"{layer}: padding must be at most half the kernel size, got padding={padding!r} for "
                         f"kernel_size={kernel_size!r}")
    return k, s, p
