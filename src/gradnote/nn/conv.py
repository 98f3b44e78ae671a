"""Conv2d: a learnable bank of kh x kw filters slid over an image (a thin module over F.conv2d)."""

from __future__ import annotations

import math

from .. import functional as F
from ..backend import float32, xp
from ..functional.conv import _conv_args, _pair, check_conv_input
from . import init
from .module import Module, Parameter

__all__ = ["Conv2d"]


class Conv2d(Module):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, OH, OW), as torch.nn.Conv2d.

    weight: (out_channels, in_channels / groups, kh, kw), bias: (out_channels,).
    OH = floor((H + 2p - d(kh-1) - 1) / s) + 1 (see F.conv_output_size).
    Init as PyTorch: kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for the bias, fan_in = in_channels / groups * kh * kw.

    >>> conv = Conv2d(1, 6, 5, padding=2); conv(gn.randn(8, 1, 28, 28)).shape
    (8, 6, 28, 28)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {value!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must both "
                             f"be divisible by groups ({groups})")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride, self.padding, self.dilation = _conv_args("Conv2d", stride, padding, dilation)
        kh, kw = self.kernel_size
        self.weight = Parameter(xp.empty((out_channels, in_channels // groups, kh, kw), dtype=float32))
        self.bias = Parameter(xp.empty((out_channels,), dtype=float32)) if bias else None
        if not bias:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        check_conv_input(f"Conv2d({self.extra_repr()})", x.shape, self.weight.shape, self.stride, self.padding,
                         self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        if self.stride != (1, 1):
            s += f", stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
