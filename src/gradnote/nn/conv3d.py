"""Conv3d: the 3-D convolution layer (over F.conv3d)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv3d import _triple
from .conv import _check_channels, _ConvNd, _layer_conv_args

__all__ = ["Conv3d"]


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) -> (N, C_out, OD, OH, OW), as torch.nn.Conv3d (F.conv3d).

    weight: (out_channels, in_channels / groups, kd, kh, kw), bias: (out_channels,), initialised as Conv2d;
    padding: an int, a triple, "same" or "valid" (padding_mode "zeros" only).

    >>> Conv3d(1, 2, 3)(gn.randn(1, 1, 5, 5, 5)).shape
    (1, 2, 3, 3, 3)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        _check_channels("Conv3d", in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"Conv3d: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups, self.padding_mode = in_channels, out_channels, groups, "zeros"
        self.kernel_size = _triple(kernel_size, "kernel_size", "Conv3d", 1)
        self.stride, self.padding, self.dilation = _layer_conv_args("Conv3d", stride, padding, dilation,
                                                                    self.kernel_size)
        self._make_parameters((out_channels, in_channels // groups, *self.kernel_size), bias, device, dtype)

    def forward(self, x):
        return F.conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
