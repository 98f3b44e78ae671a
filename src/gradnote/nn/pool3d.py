"""MaxPool3d and AvgPool3d: pooling over (N, C, D, H, W) volumes (F.max_pool3d, F.avg_pool3d)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv3d import _triple
from .module import Module

__all__ = ["AvgPool3d", "MaxPool3d"]


class _Pool3d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _triple(kernel_size, "kernel_size", name, 1)
        self.stride = self.kernel_size if stride is None else _triple(stride, "stride", name, 1)
        self.padding = _triple(padding, "padding", name, 0)
        if any(p > k // 2 for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding must be at most half the kernel size, got padding={padding!r} "
                             f"for kernel_size={kernel_size!r}")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool3d(_Pool3d):
    """Max over kd x kh x kw boxes: (N, C, D, H, W) -> (N, C, OD, OH, OW); stride defaults to kernel_size.

    >>> MaxPool3d(2)(gn.randn(2, 3, 4, 6, 6)).shape
    (2, 3, 2, 3, 3)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__(kernel_size, stride, padding)
        if dilation not in (1, (1, 1, 1)):
            raise NotImplementedError(f"MaxPool3d: dilation={dilation!r} is not supported (only dilation=1)")
        if return_indices:
            raise NotImplementedError("MaxPool3d: return_indices=True is not supported")
        self.ceil_mode = bool(ceil_mode)

    def forward(self, x):
        return F.max_pool3d(x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode)


class AvgPool3d(_Pool3d):
    """Mean over kd x kh x kw boxes, padded zeros counted: (N, C, D, H, W) -> (N, C, OD, OH, OW).

    >>> AvgPool3d(2)(gn.randn(2, 3, 4, 6, 6)).shape
    (2, 3, 2, 3, 3)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None):
        super().__init__(kernel_size, stride, padding)
        if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
            raise ValueError(f"AvgPool3d: divisor_override must be a positive int, got {divisor_override!r}")
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, x):
        return F.avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)
