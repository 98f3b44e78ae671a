"""Keras's 3-D convolution and transposed, depthwise and separable 2-D convolutions over nn.Conv3d,
nn.ConvTranspose2d and nn.Conv2d.

    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same")(x)     # (N, H, W, C) -> (N, 2H, 2W, 32)
    x = layers.DepthwiseConv2D(3, padding="same")(x)                    # one 3 x 3 filter per channel
    x = layers.SeparableConv2D(64, 3, padding="same")(x)                # depthwise, then a 1 x 1 conv

Images are NHWC (data_format="channels_last", Keras's default) or NCHW; weights keep PyTorch's
layouts and are sized at the first call. padding "same" is TensorFlow's (spatial.same_padding).
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd import Tensor
from ..backend import float32
from . import activations
from .arguments import _data_format, _input_shape, _pair, _positive_int, _tuple, apply_initializer
from .graph import Layer
from .spatial import _channels_first, _padding_name, same_padding

__all__ = ["Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "SeparableConv2D"]


def _in_channels(layer, input_shape):
    shape = _input_shape(input_shape)
    if shape is None:
        return None
    if len(shape) != 3:
        raise ValueError(f"{type(layer).__name__}: input_shape must be (H, W, C) (or (C, H, W) with channels_first), "
                         f"got {shape}")
    return shape[-1] if layer.data_format == "channels_last" else shape[0]


def _channels(layer, x) -> int:
    return x.shape[-1 if layer.data_format == "channels_last" else 1]


class Conv2DTranspose(Layer, nn.ConvTranspose2d):
    """Transposed convolution ("deconvolution") over nn.ConvTranspose2d: (N, H, W, C) -> (N, H', W', filters).

    H' = (H - 1) s + d (k - 1) + 1 for padding "valid" (at least H s), H s for "same" (TensorFlow's:
    the full result cropped by max(d (k - 1) + 1 - s, 0), the odd row at the bottom); output_padding
    (per axis, below the stride) adds rows, as Keras. Weight (C, filters, kh, kw), PyTorch's layout.

    >>> Conv2DTranspose(8, 3, strides=2, padding="same")(gn.randn(1, 7, 7, 3)).shape
    (1, 14, 14, 8)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", input_shape=None):
        self.filters = _positive_int("Conv2DTranspose", "filters", filters)
        self.kernel_size_2d = _pair("Conv2DTranspose", "kernel_size", kernel_size)
        self.strides = _pair("Conv2DTranspose", "strides", strides)
        self.dilation_rate = _pair("Conv2DTranspose", "dilation_rate", dilation_rate)
        self.keras_padding = _padding_name("Conv2DTranspose", padding)
        self.output_padding_arg = None
        if output_padding is not None:
            op = (output_padding,) * 2 if isinstance(output_padding, int) else tuple(output_padding)
            if len(op) != 2 or any(not isinstance(o, int) or o < 0 or o >= s for o, s in zip(op, self.strides)):
                raise ValueError(f"Conv2DTranspose: output_padding must be ints in [0, strides), got "
                                 f"{output_padding!r} with strides {self.strides}")
            self.output_padding_arg = op
        activations.get(activation)
        self.activation, self.use_bias = activations.serialize(activation), bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.data_format = _data_format("Conv2DTranspose", data_format)
        self.register_parameter("weight", None)
        in_channels = _in_channels(self, input_shape)
        if in_channels:
            self.build(in_channels)

    def _effective(self) -> tuple:
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel_size_2d, self.dilation_rate))

    def build(self, in_channels: int, dtype=None) -> None:
        if self.output_padding_arg is not None:
            extra = self.output_padding_arg
        else:  # a kernel shorter than the stride leaves zero rows up to H * s, as Keras
            extra = tuple(max(s - k, 0) for s, k in zip(self.strides, self._effective()))
        nn.ConvTranspose2d.__init__(self, int(in_channels), self.filters, self.kernel_size_2d, self.strides, 0, extra,
                                    bias=self.use_bias, dilation=self.dilation_rate)
        apply_initializer("Conv2DTranspose", self.kernel_initializer, self.weight)
        if self.bias is not None:
            apply_initializer("Conv2DTranspose", self.bias_initializer, self.bias, "bias_initializer")
        if dtype is not None and dtype != self.weight.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        out = _channels_first(self, x, 4, self._deconv)
        return activations.get(self.activation)(out)

    def _deconv(self, t: Tensor) -> Tensor:
        if self.weight is None:
            self.build(t.shape[1], t.dtype if t.dtype.kind == "f" else None)
        full = nn.ConvTranspose2d.forward(self, t)
        if self.keras_padding == "valid":
            return full
        keff = self._effective()
        if self.output_padding_arg is not None:  # Keras: k // 2 cut from each side, output_padding added back
            cut = [k // 2 for k in keff]
            return full[:, :, cut[0]:full.shape[2] - cut[0], cut[1]:full.shape[3] - cut[1]]
        top = [max(k - s, 0) // 2 for k, s in zip(keff, self.strides)]
        size = [n * s for n, s in zip(t.shape[2:], self.strides)]
        return full[:, :, top[0]:top[0] + size[0], top[1]:top[1] + size[1]]

    def get_config(self) -> dict:
        built = self.weight is not None
        return {"filters": self.filters, "kernel_size": list(self.kernel_size_2d), "strides": list(self.strides),
                "padding": self.keras_padding, "output_padding": None if self.output_padding_arg is None
                else list(self.output_padding_arg), "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer,
                "input_shape": None if not built else ([1, 1, self.in_channels] if self.data_format == "channels_last"
                                                       else [self.in_channels, 1, 1])}


class DepthwiseConv2D(Layer, nn.Conv2d):
    """One kh x kw filter bank per input channel (nn.Conv2d with groups = C): (N, H, W, C) ->
    (N, H', W', C * depth_multiplier), output channel c * depth_multiplier + m from input channel c.

    Weight (C * depth_multiplier, 1, kh, kw); glorot_uniform with Keras's fans (kh kw C in,
    kh kw depth_multiplier out).

    >>> DepthwiseConv2D(3, padding="same", depth_multiplier=2)(gn.randn(1, 5, 5, 3)).shape
    (1, 5, 5, 6)
    """

    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1, data_format=None,
                 dilation_rate=1, activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", input_shape=None):
        self.depth_multiplier = _positive_int("DepthwiseConv2D", "depth_multiplier", depth_multiplier)
        self.keras_padding = _padding_name("DepthwiseConv2D", padding)
        activations.get(activation)
        self.activation = activations.serialize(activation)
        self.depthwise_initializer, self.bias_initializer = depthwise_initializer, bias_initializer
        self.data_format = _data_format("DepthwiseConv2D", data_format)
        nn.Conv2d.__init__(self, None, self.depth_multiplier, _pair("DepthwiseConv2D", "kernel_size", kernel_size),
                           stride=_pair("DepthwiseConv2D", "strides", strides), padding=0,
                           dilation=_pair("DepthwiseConv2D", "dilation_rate", dilation_rate), bias=use_bias)
        in_channels = _in_channels(self, input_shape)
        if in_channels:
            self.build(in_channels)

    def build(self, in_channels: int, dtype=None) -> None:
        self.groups, self.out_channels = int(in_channels), int(in_channels) * self.depth_multiplier
        nn.Conv2d.build(self, int(in_channels), dtype or float32)

    def reset_parameters(self) -> None:
        C, m = self.groups, self.depth_multiplier
        keras_layout = Tensor._wrap(self.weight.data.reshape(C, m, *self.kernel_size).transpose(1, 0, 2, 3).copy())
        apply_initializer("DepthwiseConv2D", self.depthwise_initializer, keras_layout, "depthwise_initializer")
        self.weight.data[...] = keras_layout.data.transpose(1, 0, 2, 3).reshape(self.weight.shape)
        if self.bias is not None:
            apply_initializer("DepthwiseConv2D", self.bias_initializer, self.bias, "bias_initializer")

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(_channels_first(self, x, 4, self._conv))

    def _conv(self, t: Tensor) -> Tensor:
        if self.weight is None:
            self.build(t.shape[1], t.dtype if t.dtype.kind == "f" else None)
        if self.keras_padding == "same":
            t = same_padding(t, self.kernel_size, self.stride, self.dilation)
        return nn.Conv2d.forward(self, t)

    def get_config(self) -> dict:
        return {"kernel_size": list(self.kernel_size), "strides": list(self.stride), "padding": self.keras_padding,
                "depth_multiplier": self.depth_multiplier, "data_format": self.data_format,
                "dilation_rate": list(self.dilation), "activation": self.activation, "use_bias": self.use_bias,
                "depthwise_initializer": self.depthwise_initializer, "bias_initializer": self.bias_initializer,
                "input_shape": None if self.weight is None else (
                    [1, 1, self.groups] if self.data_format == "channels_last" else [self.groups, 1, 1])}


class SeparableConv2D(Layer, nn.Module):
    """A DepthwiseConv2D (no bias) followed by a 1 x 1 convolution to `filters` channels (with the bias),
    then the activation: (N, H, W, C) -> (N, H', W', filters). Weights: depthwise.weight
    (C * depth_multiplier, 1, kh, kw), pointwise.weight (filters, C * depth_multiplier, 1, 1), pointwise.bias.

    >>> SeparableConv2D(8, 3, padding="same")(gn.randn(1, 5, 5, 3)).shape
    (1, 5, 5, 8)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", input_shape=None):
        from .layers import Conv2D  # layers.py imports this module for its exports

        activations.get(activation)
        if bias_initializer != "zeros":
            raise ValueError(f"SeparableConv2D: only bias_initializer='zeros' is supported, got {bias_initializer!r}")
        self.activation = activations.serialize(activation)
        self.filters = _positive_int("SeparableConv2D", "filters", filters)
        self.depthwise = DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
                                         use_bias=False, depthwise_initializer=depthwise_initializer,
                                         input_shape=input_shape)
        self.pointwise = Conv2D(self.filters, 1, data_format=data_format, use_bias=use_bias,
                                kernel_initializer=pointwise_initializer)
        self.pointwise_initializer, self.bias_initializer = pointwise_initializer, bias_initializer

    @property
    def built(self) -> bool:
        return self.pointwise.weight is not None

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(self.pointwise(self.depthwise(x)))

    def get_config(self) -> dict:
        d = self.depthwise.get_config()
        return {"filters": self.filters, "kernel_size": d["kernel_size"], "strides": d["strides"],
                "padding": d["padding"], "data_format": d["data_format"], "dilation_rate": d["dilation_rate"],
                "depth_multiplier": d["depth_multiplier"], "activation": self.activation,
                "use_bias": self.pointwise.use_bias, "depthwise_initializer": d["depthwise_initializer"],
                "pointwise_initializer": self.pointwise_initializer, "bias_initializer": self.bias_initializer,
                "input_shape": d["input_shape"]}



class Conv3D(Layer, nn.Conv3d):
    """3-D convolution over nn.Conv3d: (N, D, H, W, C) -> (N, D', H', W', filters) (channels_first:
    (N, C, D, H, W) -> (N, filters, D', H', W')).

    padding "valid" or "same" (TensorFlow's, any kernel and stride: see spatial.same_padding); kernel
    glorot_uniform, bias zeros; the weight keeps PyTorch's layout (filters, C, kd, kh, kw). in channels come
    from input_shape (D, H, W, C) or the first call.

    >>> Conv3D(4, 3, padding="same")(gn.randn(1, 4, 5, 5, 2)).shape
    (1, 4, 5, 5, 4)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, groups: int = 1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", input_shape=None):
        self.filters = _positive_int("Conv3D", "filters", filters)
        self.kernel_size_3d = _tuple("Conv3D", "kernel_size", kernel_size, 3)
        self.strides = _tuple("Conv3D", "strides", strides, 3)
        self.dilation_rate = _tuple("Conv3D", "dilation_rate", dilation_rate, 3)
        self.groups_arg = _positive_int("Conv3D", "groups", groups)
        if self.filters % self.groups_arg:
            raise ValueError(f"Conv3D: filters ({self.filters}) must be divisible by groups ({self.groups_arg})")
        self.keras_padding = _padding_name("Conv3D", padding)
        activations.get(activation)
        self.activation, self.use_bias = activations.serialize(activation), bool(use_bias)
        probe = np.zeros((1, 1, 1, 1, 1), np.float32)  # a bad initialiser name fails here, not at the first call
        apply_initializer("Conv3D", kernel_initializer, Tensor._wrap(probe.copy()))
        apply_initializer("Conv3D", bias_initializer, Tensor._wrap(probe[0, 0, 0, 0].copy()), "bias_initializer")
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.data_format = _data_format("Conv3D", data_format)
        self.register_parameter("weight", None)
        shape = _input_shape(input_shape)
        if shape is not None and len(shape) != 4:
            raise ValueError(f"Conv3D: input_shape must be (D, H, W, C) (or (C, D, H, W) with channels_first), "
                             f"got {shape}")
        if shape:
            self.build(shape[-1] if self.data_format == "channels_last" else shape[0])

    def build(self, in_channels: int, dtype=None) -> None:
        """nn.Conv3d made at the input's channel count (Layer.build, first in the MRO, is Keras's build)."""
        if in_channels % self.groups_arg:
            raise ValueError(f"Conv3D: input channels ({in_channels}) must be divisible by groups ({self.groups_arg})")
        nn.Conv3d.__init__(self, int(in_channels), self.filters, self.kernel_size_3d, self.strides, 0,
                           self.dilation_rate, self.groups_arg, bias=self.use_bias)
        apply_initializer("Conv3D", self.kernel_initializer, self.weight)
        if self.bias is not None:
            apply_initializer("Conv3D", self.bias_initializer, self.bias, "bias_initializer")
        if dtype is not None and dtype != self.weight.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(_channels_first(self, x, 5, self._conv))

    def _conv(self, t: Tensor) -> Tensor:
        if self.weight is None:
            self.build(t.shape[1], t.dtype if t.dtype.kind == "f" else None)
        if self.keras_padding == "same":
            t = same_padding(t, self.kernel_size_3d, self.strides, self.dilation_rate)
        return nn.Conv3d.forward(self, t)

    def get_config(self) -> dict:
        built = self.weight is not None
        return {"filters": self.filters, "kernel_size": list(self.kernel_size_3d), "strides": list(self.strides),
                "padding": self.keras_padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups_arg, "activation": self.activation,
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer,
                "input_shape": None if not built else ([1, 1, 1, self.in_channels]
                                                       if self.data_format == "channels_last"
                                                       else [self.in_channels, 1, 1, 1])}

    def extra_repr(self) -> str:
        return f"{self.in_channels if self.weight is not None else '?'} -> {self.filters}, " \
               f"kernel_size={self.kernel_size_3d}"
