"""Conv2d: a learnable bank of kh x kw filters slid over an image (a thin module over F.conv2d)."""

from __future__ import annotations

import math

from .. import functional as F
from ..backend import float32, xp
from ..functional.conv import _conv_args, _pair, _single, check_conv_input
from ..functional.conv3d import _triple
from . import init
from ._factory import place
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
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None, *, init=None):
        # init= is keyword-only so torch's positional (..., bias, padding_mode, device, dtype) land where torch puts them
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
        self.stride, self.padding, self.dilation = _layer_conv_args("Conv2d", stride, padding, dilation,
                                                                    self.kernel_size)
        self.padding_mode = _check_padding_mode("Conv2d", padding_mode)
        self.in_channels = None
        self.register_parameter("weight", None)
        self.register_parameter("bias", None)
        if in_channels is not None:
            self.build(in_channels)
        place(self, device, dtype)

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
        weight = self.weight  # read once: a parametrized weight (spectral_norm) is recomputed on every read
        if weight is None:
            if getattr(x, "ndim", 0) != 4:
                raise ValueError(f"Conv2d(None, {self.out_channels}): expected input (N, C, H, W) to infer "
                                 f"in_channels, got shape {tuple(getattr(x, 'shape', ()))}")
            self.build(int(x.shape[1]), x.dtype if x.dtype.kind == "f" else float32)
            weight = self.weight
        check_conv_input(f"Conv2d({self.extra_repr()})", x.shape, weight.shape, self.stride,
                         _numeric_padding(self.padding, self.kernel_size, self.dilation), self.dilation, self.groups)
        x, padding = _mode_padded(x, self.padding, self.padding_mode, self.kernel_size, self.dilation)
        return F.conv2d(x, weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels if self.in_channels is not None else '?'}, {self.out_channels}, kernel_size={self.kernel_size}"
        if self.stride != (1, 1):
            s += f", stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if not self.use_bias:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s


class LazyConv2d(Conv2d):
    """Conv2d whose in_channels is taken from the first input, as torch.nn.LazyConv2d(out_channels, ...).

    >>> LazyConv2d(4, 3)(gn.randn(2, 3, 8, 8)).shape
    (2, 4, 6, 6)
    """

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None, *, init=None):
        super().__init__(None, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, init=init)


# ----- Conv1d and ConvTranspose2d, and what the conv layers share ---------------------------------------
__all__ += ["Conv1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_padding_mode(layer: str, mode: str) -> str:
    if mode not in _PADDING_MODES:
        raise ValueError(f"{layer}: padding_mode must be one of {', '.join(map(repr, _PADDING_MODES))}, got {mode!r}")
    return mode


def _layer_conv_args(layer: str, stride, padding, dilation, kernel: tuple) -> tuple:
    """stride, padding, dilation as tuples of len(kernel); padding may stay the string "same" ("valid" is 0)."""
    if len(kernel) == 1:
        def parse(v, name, least):
            return (_single(v, name, layer, least),)
    elif len(kernel) == 2:
        def parse(v, name, least):
            return _pair(v, name, layer, least)
    else:
        def parse(v, name, least):
            return _triple(v, name, layer, least)
    s, d = parse(stride, "stride", 1), parse(dilation, "dilation", 1)
    if not isinstance(padding, str):
        return s, parse(padding, "padding", 0), d
    if padding not in ("same", "valid"):
        raise ValueError(f"{layer}: padding must be an int, a tuple, 'same' or 'valid', got {padding!r}")
    if padding == "same" and any(v != 1 for v in s):
        raise ValueError(f"{layer}: padding='same' needs stride 1, got stride={stride!r}")
    return s, ("same" if padding == "same" else (0,) * len(kernel)), d


def _numeric_padding(padding, kernel: tuple, dilation: tuple) -> tuple:
    """Per-axis padding, "same" rounded up (enough for the input-size check)."""
    if padding != "same":
        return padding
    return tuple((d * (k - 1) + 1) // 2 for k, d in zip(kernel, dilation))


def _mode_padded(x, padding, mode: str, kernel: tuple, dilation: tuple):
    """(input, padding for the conv): padding_mode="zeros" is the conv's own; the other modes pad first."""
    if mode == "zeros":
        return x, padding
    amounts = []
    for axis in reversed(range(len(kernel))):  # F.pad lists the last axis first
        if padding == "same":
            total = dilation[axis] * (kernel[axis] - 1)
            amounts += [total // 2, total - total // 2]
        else:
            amounts += [padding[axis], padding[axis]]
    return F.pad(x, tuple(amounts), mode=mode), 0


def _torch_conv_init(weight, bias) -> None:
    """PyTorch's conv init: kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = weight.shape[1] * kernel area (so ConvTranspose2d's counts out_channels / groups)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def _check_channels(layer: str, in_channels, out_channels, groups) -> None:
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{layer}: in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                         f"divisible by groups ({groups})")


class _ConvNd(Module):
    """What Conv1d, Conv3d and the transposed convolutions share: their weight and bias with PyTorch's init,
    PyTorch's repr, and (transposed ones) the output_padding that reaches a requested output_size. Subclasses
    set in_channels, out_channels, kernel_size, stride, padding, dilation, groups, padding_mode (and
    output_padding) before calling _make_parameters."""

    def _make_parameters(self, weight_shape: tuple, bias: bool, device, dtype) -> None:
        self.weight = Parameter(xp.empty(weight_shape, dtype=float32))
        if bias:
            self.bias = Parameter(xp.empty((self.out_channels,), dtype=float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        _torch_conv_init(self.weight, self.bias)

    def _output_padding(self, shape, output_size) -> tuple:
        """Per-axis output_padding that makes the output's last len(kernel_size) sizes equal output_size."""
        n = len(self.kernel_size)
        size, pads = tuple(output_size)[-n:], []
        for i in range(n):
            least = ((shape[-n + i] - 1) * self.stride[i] - 2 * self.padding[i]
                     + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if len(size) != n or not least <= size[i] < least + self.stride[i]:
                raise ValueError(f"{type(self).__name__}: output_size {tuple(output_size)} is not reachable from "
                                 f"input of shape {tuple(shape)}; each size must lie in "
                                 f"[{least}, {least + self.stride[i] - 1}] for axis {i}")
            pads.append(size[i] - least)
        return tuple(pads)

    def extra_repr(self) -> str:
        n = len(self.kernel_size)
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * n) != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out), as torch.nn.Conv1d (F.conv1d).

    weight: (out_channels, in_channels / groups, k), bias: (out_channels,), initialised as Conv2d.
    padding: an int, "same" or "valid"; padding_mode "zeros", "reflect", "replicate" or "circular".

    >>> Conv1d(3, 8, 5, padding="same")(gn.randn(4, 3, 50)).shape
    (4, 8, 50)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        _check_channels("Conv1d", in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = (_single(kernel_size, "kernel_size", "Conv1d", 1),)
        self.stride, self.padding, self.dilation = _layer_conv_args("Conv1d", stride, padding, dilation,
                                                                    self.kernel_size)
        self.padding_mode = _check_padding_mode("Conv1d", padding_mode)
        self._make_parameters((out_channels, in_channels // groups, self.kernel_size[0]), bias, device, dtype)

    def forward(self, x):
        x, padding = _mode_padded(x, self.padding, self.padding_mode, self.kernel_size, self.dilation)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (N, C_in, H, W) -> (N, C_out, OH, OW), as torch.nn.ConvTranspose2d.

    OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1; weight (PyTorch's layout):
    (in_channels, out_channels / groups, kh, kw), bias (out_channels,). forward(x, output_size) picks
    the output_padding that gives that size.

    >>> ConvTranspose2d(16, 8, 4, stride=2, padding=1)(gn.randn(2, 16, 7, 7)).shape
    (2, 8, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        super().__init__()
        _check_channels("ConvTranspose2d", in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups, self.padding_mode = in_channels, out_channels, groups, "zeros"
        self.kernel_size = _pair(kernel_size, "kernel_size", "ConvTranspose2d", 1)
        self.stride, self.padding, self.dilation = _conv_args("ConvTranspose2d", stride, padding, dilation)
        self.output_padding = _pair(output_padding, "output_padding", "ConvTranspose2d", 0)
        if any(o >= max(s, d) for o, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"ConvTranspose2d: output_padding must be smaller than stride or dilation, got "
                             f"output_padding={output_padding!r}, stride={stride!r}, dilation={dilation!r}")
        kh, kw = self.kernel_size
        self._make_parameters((in_channels, out_channels // groups, kh, kw), bias, device, dtype)

    def forward(self, x, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding(x.shape, output_size)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                                  self.dilation)
