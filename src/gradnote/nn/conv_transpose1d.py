"""ConvTranspose1d: the transposed 1-D convolution layer (over F.conv_transpose1d)."""

from __future__ import annotations

from .. import functional as F
from ..functional.conv import _single
from .conv import _check_channels, _ConvNd

__all__ = ["ConvTranspose1d"]


class ConvTranspose1d(_ConvNd):
    """Transposed 1-D convolution (N, C_in, L) -> (N, C_out, L_out), as torch.nn.ConvTranspose1d.

    L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1; weight (PyTorch's layout):
    (in_channels, out_channels / groups, k), bias (out_channels,), initialised as ConvTranspose2d.
    forward(x, output_size) picks the output_padding that gives that length.

    >>> ConvTranspose1d(16, 8, 4, stride=2, padding=1)(gn.randn(2, 16, 7)).shape
    (2, 8, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        super().__init__()
        name = "ConvTranspose1d"
        _check_channels(name, in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups, self.padding_mode = in_channels, out_channels, groups, "zeros"
        self.kernel_size = (_single(kernel_size, "kernel_size", name, 1),)
        self.stride = (_single(stride, "stride", name, 1),)
        self.padding = (_single(padding, "padding", name, 0),)
        self.dilation = (_single(dilation, "dilation", name, 1),)
        self.output_padding = (_single(output_padding, "output_padding", name, 0),)
        if self.output_padding[0] >= max(self.stride[0], self.dilation[0]):
            raise ValueError(f"{name}: output_padding must be smaller than stride or dilation, got "
                             f"output_padding={output_padding!r}, stride={stride!r}, dilation={dilation!r}")
        self._make_parameters((in_channels, out_channels // groups, self.kernel_size[0]), bias, device, dtype)

    def forward(self, x, output_size=None):
        output_padding = self.output_padding[0]
        if output_size is not None:
            output_padding = self._output_padding(x.shape, output_size)[0]
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                                  self.dilation)
