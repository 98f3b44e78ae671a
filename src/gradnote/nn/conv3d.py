"""Conv3d: the 3-D convolution layer (over F.conv3d)."""

from __future__ import annotations

from .. import functional as F
from ..backend import float32, xp
from ..functional.conv3d import _triple
from ._factory import place
from .conv import _check_channels, _torch_conv_init
from .module import Module, Parameter

__all__ = ["Conv3d"]


class Conv3d(Module):
    """3-D convolution over (N, C_in, D, H, W) -> (N, C_out, OD, OH, OW), as torch.nn.Conv3d (F.conv3d).

    weight: (out_channels, in_channels / groups, kd, kh, kw), bias: (out_channels,), initialised as Conv2d;
    padding: an int, a triple, "same" or "valid" (padding_mode "zeros" only).

    >>> Conv3d(1, 2, 3)(gn.randn(1, 1, 5, 5, 5)).shape
    (1, 2, 3, 3, 3)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        name = "Conv3d"
        _check_channels(name, in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups, self.padding_mode = in_channels, out_channels, groups, "zeros"
        self.kernel_size = _triple(kernel_size, "kernel_size", name, 1)
        self.stride, self.dilation = _triple(stride, "stride", name, 1), _triple(dilation, "dilation", name, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be an int, a triple, 'same' or 'valid', got {padding!r}")
            if padding == "same" and self.stride != (1, 1, 1):
                raise ValueError(f"{name}: padding='same' needs stride 1, got stride={stride!r}")
            self.padding = padding
        else:
            self.padding = _triple(padding, "padding", name, 0)
        self.weight = Parameter(xp.empty((out_channels, in_channels // groups, *self.kernel_size), dtype=float32))
        if bias:
            self.bias = Parameter(xp.empty((out_channels,), dtype=float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        _torch_conv_init(self.weight, self.bias)

    def forward(self, x):
        return F.conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0, 0):
            s += f", padding={self.padding!r}"
        if self.dilation != (1, 1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
