"""Conv2d: a learnable bank of kh x kw filters slid over an image (a thin module over F.conv2d)."""

from __future__ import annotations

import math

from .. import functional as F
from ..backend import float32, xp
from ..functional.conv import _conv_args, _pair, check_conv_input
from . import init
from .linear import init_weight
from .module import Module, Parameter

__all__ = ["Conv2d", "LazyConv2d"]


class Conv2d(Module):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, OH, OW), as torch.nn.Conv2d.

    weight: (out_channels, in_channels / groups, kh, kw), bias: (out_channels,).
    OH = floor((H + 2p - d(kh-1) - 1) / s) + 1 (see F.conv_output_size).
    Init as PyTorch: kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for the bias, fan_in = in_channels / groups * kh * kw. init: an nn.init name or callable for the
    weight (the bias then starts at zero), as nn.Linear. in_channels=None takes C_in from the first
    input (as torch's LazyConv2d).

    >>> conv = Conv2d(1, 6, 5, padding=2); conv(gn.randn(8, 1, 28, 28)).shape
    (8, 6, 28, 28)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, init=None):
        super().__init__()
        checked = (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups))
        for name, value in checked if in_channels is not None else checked[1:]:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {value!r}")
        if out_channels % groups:
            raise ValueError(f"Conv2d: out_channels ({out_channels}) must be divisible by groups ({groups})")
        if init is not None and not (isinstance(init, str) or callable(init)):
            raise ValueError(f"Conv2d: init must be an nn.init name or a callable, got {init!r}")
        self.out_channels, self.groups, self.init, self.use_bias = out_channels, groups, init, bool(bias)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride, self.padding, self.dilation = _conv_args("Conv2d", stride, padding, dilation)
        self.in_channels = None
        self.register_parameter("weight", None)
        self.register_parameter("bias", None)
        if in_channels is not None:
            self.build(in_channels)

    def build(self, in_channels: int, dtype=float32) -> None:
        """Create weight (out_channels, in_channels / groups, kh, kw) and bias, then initialise them."""
        if in_channels % self.groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels ({self.out_channels}) must "
                             f"both be divisible by groups ({self.groups})")
        self.in_channels = in_channels
        kh, kw = self.kernel_size
        self.weight = Parameter(xp.empty((self.out_channels, in_channels // self.groups, kh, kw), dtype=dtype))
        if self.use_bias:
            self.bias = Parameter(xp.empty((self.out_channels,), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.init is not None:
            init_weight("Conv2d", self.init, self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)
            return
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        if self.weight is None:
            if getattr(x, "ndim", 0) != 4:
                raise ValueError(f"Conv2d(None, {self.out_channels}): expected input (N, C, H, W) to infer "
                                 f"in_channels, got shape {tuple(getattr(x, 'shape', ()))}")
            self.build(int(x.shape[1]), x.dtype if x.dtype.kind == "f" else float32)
        check_conv_input(f"Conv2d({self.extra_repr()})", x.shape, self.weight.shape, self.stride, self.padding,
                         self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels if self.in_channels is not None else '?'}, {self.out_channels}, kernel_size={self.kernel_size}"
        if self.stride != (1, 1):
            s += f", stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if not self.use_bias:
            s += ", bias=False"
        return s


class LazyConv2d(Conv2d):
    """Conv2d whose in_channels is taken from the first input, as torch.nn.LazyConv2d(out_channels, ...).

    >>> LazyConv2d(4, 3)(gn.randn(2, 3, 8, 8)).shape
    (2, 4, 6, 6)
    """

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, init=None):
        super().__init__(None, out_channels, kernel_size, stride, padding, dilation, groups, bias, init)
