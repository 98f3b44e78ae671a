"""Keras's convolution, pooling, spatial-dropout and reshaping layers over gradnote.nn.

    x = layers.Conv1D(32, 5, activation="relu")(keras.Input(shape=(100, 8)))    # (None, 96, 32)
    x = layers.MaxPooling1D(2)(x)                                              # (None, 48, 32)
    x = layers.GlobalAveragePooling1D()(x)                                     # (None, 32)

Keras's default data_format is "channels_last" ((N, L, C), (N, H, W, C)); each layer moves the
channels to axis 1 for its nn module (nn.Conv1d, nn.MaxPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d,
nn.Dropout1d, nn.MaxPool3d, ...) and back. "channels_first" is nn's layout and passes through unchanged.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor, no_grad
from ..nn import init
from . import activations
from .arguments import (
    _check_rank,
    _data_format,
    _input_shape,
    _positive_int,
    _rate,
    _to_nchw,
    _to_nhwc,
    _tuple,
    apply_initializer,
)
from .graph import Layer, mask_of

__all__ = ["AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "Conv1D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "GlobalMaxPooling3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Reshape", "SpatialDropout1D",
           "SpatialDropout2D"]


def _channels_first(layer, x, ndim: int, module_forward):
    """Run module_forward on x with channels on axis 1, whatever the layer's data_format (arrays are
    taken as Tensors, as Dense takes them)."""
    last = layer.data_format == "channels_last"
    spatial = {3: "L", 4: "H, W", 5: "D, H, W"}[ndim]
    _check_rank(type(layer).__name__, x, ndim, f"(N, {spatial}, C)" if last else f"(N, C, {spatial})")
    out = module_forward(_to_nchw(x) if last else x)
    return _to_nhwc(out) if last and out.ndim == ndim else out


def _padding_name(layer: str, padding, allowed=("valid", "same")) -> str:
    if padding not in allowed:
        raise ValueError(f"{layer}: padding must be one of {', '.join(map(repr, allowed))}, got {padding!r}")
    return padding


def same_padding(x: Tensor, kernel: tuple, strides: tuple, dilation: tuple | None = None, value: float = 0.0,
                 causal: bool = False) -> Tensor:
    """Pad the spatial axes of x (N, C, *spatial) as TensorFlow's padding="same": each axis gets
    total = max((ceil(n / s) - 1) s + (k - 1) d + 1 - n, 0), total // 2 before and the rest after
    (asymmetric for even kernels or strides > 1), so the output has ceil(n / s) steps. causal=True
    (Conv1D's "causal") puts (k - 1) d before and none after.

    >>> same_padding(gn.ones(1, 1, 5), (2,), (2,)).shape
    (1, 1, 6)
    """
    dilation = dilation or (1,) * len(kernel)
    amounts = []
    for n, k, s, d in reversed(list(zip(x.shape[2:], kernel, strides, dilation))):
        total = (k - 1) * d if causal else max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
        amounts += [total, 0] if causal else [total // 2, total - total // 2]
    return F.pad(x, tuple(amounts), value=value) if any(amounts) else x


class Conv1D(Layer, nn.Conv1d):
    """1-D convolution over nn.Conv1d: (N, L, C) -> (N, L', filters) (channels_first: (N, C, L) -> (N, filters, L')).

    padding "valid", "same" (TensorFlow's, any stride: see same_padding) or "causal" (output t sees
    inputs up to t: (kernel_size - 1) * dilation_rate zeros before); kernel glorot_uniform, bias zeros; the weight keeps
    PyTorch's layout (filters, C, kernel_size). in channels come from input_shape or the first call.

    >>> Conv1D(4, 3, padding="same")(gn.randn(2, 10, 5)).shape
    (2, 10, 4)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform", dilation_rate=1, data_format=None,
                 input_shape=None):
        self.filters = _positive_int("Conv1D", "filters", filters)
        self.kernel_size_1d = _tuple("Conv1D", "kernel_size", kernel_size, 1)
        self.strides, self.dilation_rate = _tuple("Conv1D", "strides", strides, 1), \
            _tuple("Conv1D", "dilation_rate", dilation_rate, 1)
        self.padding_name = _padding_name("Conv1D", padding, ("valid", "same", "causal"))
        activations.get(activation)
        self.activation, self.use_bias = activations.serialize(activation), bool(use_bias)
        self.kernel_initializer = kernel_initializer
        apply_initializer("Conv1D", kernel_initializer, Tensor._wrap(np.zeros((1, 1, 1), np.float32)))
        self.data_format = _data_format("Conv1D", data_format)
        self.input_shape = _input_shape(input_shape)
        self.register_parameter("weight", None)
        if self.input_shape:
            self.build(self.input_shape[-1 if self.data_format == "channels_last" else 0])

    def build(self, in_channels: int, dtype=None) -> None:
        nn.Conv1d.__init__(self, int(in_channels), self.filters, self.kernel_size_1d, self.strides,
                           0, self.dilation_rate, bias=self.use_bias)
        apply_initializer("Conv1D", self.kernel_initializer, self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)
        if dtype is not None and dtype != self.weight.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        if self.weight is None:
            _check_rank("Conv1D", x, 3, "(N, L, C)" if self.data_format == "channels_last" else "(N, C, L)")
            self.build(x.shape[-1 if self.data_format == "channels_last" else 1],
                       x.dtype if x.dtype.kind == "f" else None)
        out = _channels_first(self, x, 3, lambda t: nn.Conv1d.forward(self, self._pad(t)))
        return activations.get(self.activation)(out)

    def _pad(self, t: Tensor) -> Tensor:
        if self.padding_name == "valid":
            return t
        return same_padding(t, self.kernel_size_1d, self.strides, self.dilation_rate,
                            causal=self.padding_name == "causal")

    def get_config(self) -> dict:
        built = self.weight is not None
        return {"filters": self.filters, "kernel_size": list(self.kernel_size_1d), "strides": list(self.strides),
                "padding": self.padding_name, "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer, "dilation_rate": list(self.dilation_rate),
                "data_format": self.data_format,
                "input_shape": None if not built else ([1, self.in_channels] if self.data_format == "channels_last"
                                                       else [self.in_channels, 1])}

    def extra_repr(self) -> str:
        return f"{self.in_channels if self.weight is not None else '?'} -> {self.filters}, " \
               f"kernel_size={self.kernel_size_1d}"


class _Pooling(Layer):
    """Keras pooling over an nn pool: pool_size, strides (default pool_size), padding "valid" or "same"
    (TensorFlow's, see same_padding: max pooling pads with -inf, average pooling averages the real
    elements of each window only), data_format."""

    _nn, _rank = None, 3

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None):
        name = type(self).__name__
        n = self._rank - 2
        self.pool_size = _tuple(name, "pool_size", pool_size, n)
        self.strides = self.pool_size if strides is None else _tuple(name, "strides", strides, n)
        self.keras_padding = _padding_name(name, padding)
        self.data_format = _data_format(name, data_format)
        self._nn.__init__(self, self.pool_size if n > 1 else self.pool_size[0],
                          self.strides if n > 1 else self.strides[0])

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, self._rank, self._pool)

    def _pool(self, t: Tensor) -> Tensor:
        if self.keras_padding == "valid":
            return self._nn.forward(self, t)
        if self._nn in (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d):
            return self._nn.forward(self, same_padding(t, self.pool_size, self.strides, value=-np.inf))
        with no_grad():  # how many real elements each window holds: the padded zeros are not averaged
            ones = Tensor._wrap(np.ones((1, 1, *t.shape[2:]), dtype=t.dtype))
            share = self._nn.forward(self, same_padding(ones, self.pool_size, self.strides))
        return self._nn.forward(self, same_padding(t, self.pool_size, self.strides)) / share

    def get_config(self) -> dict:
        return {"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.keras_padding,
                "data_format": self.data_format}


class MaxPooling1D(_Pooling, nn.MaxPool1d):
    """nn.MaxPool1d on (N, L, C) (channels_last) or (N, C, L).

    >>> MaxPooling1D(2)(gn.randn(1, 6, 3)).shape
    (1, 3, 3)
    """

    _nn, _rank = nn.MaxPool1d, 3


class MaxPooling2D(_Pooling, nn.MaxPool2d):
    """nn.MaxPool2d on (N, H, W, C) (channels_last) or (N, C, H, W).

    >>> MaxPooling2D(2, padding="same")(gn.randn(1, 5, 5, 3)).shape
    (1, 3, 3, 3)
    """

    _nn, _rank = nn.MaxPool2d, 4


class MaxPooling3D(_Pooling, nn.MaxPool3d):
    """nn.MaxPool3d on (N, D, H, W, C) (channels_last) or (N, C, D, H, W).

    >>> MaxPooling3D(2, padding="same")(gn.randn(1, 3, 5, 5, 2)).shape
    (1, 2, 3, 3, 2)
    """

    _nn, _rank = nn.MaxPool3d, 5


class AveragePooling1D(_Pooling, nn.AvgPool1d):
    """nn.AvgPool1d on (N, L, C) (channels_last) or (N, C, L).

    >>> AveragePooling1D(2)(gn.randn(1, 6, 3)).shape
    (1, 3, 3)
    """

    _nn, _rank = nn.AvgPool1d, 3


class AveragePooling2D(_Pooling, nn.AvgPool2d):
    """nn.AvgPool2d on (N, H, W, C) (channels_last) or (N, C, H, W).

    >>> AveragePooling2D(2)(gn.randn(1, 4, 4, 3)).shape
    (1, 2, 2, 3)
    """

    _nn, _rank = nn.AvgPool2d, 4


class AveragePooling3D(_Pooling, nn.AvgPool3d):
    """nn.AvgPool3d on (N, D, H, W, C) (channels_last) or (N, C, D, H, W).

    >>> AveragePooling3D(2)(gn.randn(1, 4, 4, 4, 3)).shape
    (1, 2, 2, 2, 3)
    """

    _nn, _rank = nn.AvgPool3d, 5


class _GlobalPooling(Layer):
    """Reduce every spatial axis: (N, *spatial, C) -> (N, C) (keepdims: (N, 1, ..., 1, C))."""

    _nn, _rank = None, 3

    def __init__(self, data_format=None, keepdims: bool = False):
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self._nn.__init__(self, 1)

    def forward(self, x: Tensor, mask=None) -> Tensor:
        mask = mask_of(x) if mask is None else mask
        if mask is not None and self._rank == 3 and self.data_format == "channels_last":
            return self._masked(x, np.asarray(mask, dtype=bool))
        pooled = _channels_first(self, x, self._rank, self._reduce)
        if self.keepdims:
            return pooled
        return pooled.reshape(pooled.shape[0], pooled.shape[-1] if self.data_format == "channels_last"
                              else pooled.shape[1])

    def _reduce(self, t: Tensor) -> Tensor:
        """(N, C, *spatial) -> (N, C, 1, ..., 1)."""
        return self._nn.forward(self, t)

    def _masked(self, x, mask):
        raise ValueError(f"{type(self).__name__}: masked inputs are not supported")

    def get_config(self) -> dict:
        return {"data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling, nn.AdaptiveAvgPool1d):
    """Mean over the steps: (N, L, C) -> (N, C) (nn.AdaptiveAvgPool1d(1)); with a Keras mask, over the
    real steps only, as Keras.

    >>> GlobalAveragePooling1D()(gn.ones(2, 5, 3)).shape
    (2, 3)
    """

    _nn, _rank = nn.AdaptiveAvgPool1d, 3

    def _masked(self, x, mask):
        w = Tensor._wrap((mask / np.maximum(mask.sum(1, keepdims=True), 1)).astype(x.dtype)[..., None])
        out = (x * w).sum(axis=1)
        return out.reshape(out.shape[0], 1, out.shape[1]) if self.keepdims else out


class GlobalAveragePooling2D(_GlobalPooling, nn.AdaptiveAvgPool2d):
    """Mean over H and W: (N, H, W, C) -> (N, C) (nn.AdaptiveAvgPool2d(1)).

    >>> GlobalAveragePooling2D()(gn.ones(2, 4, 4, 3)).shape
    (2, 3)
    """

    _nn, _rank = nn.AdaptiveAvgPool2d, 4


class GlobalMaxPooling1D(_GlobalPooling, nn.AdaptiveMaxPool1d):
    """Max over the steps: (N, L, C) -> (N, C) (nn.AdaptiveMaxPool1d(1)).

    >>> GlobalMaxPooling1D()(gn.ones(2, 5, 3)).shape
    (2, 3)
    """

    _nn, _rank = nn.AdaptiveMaxPool1d, 3


class GlobalMaxPooling2D(_GlobalPooling, nn.AdaptiveMaxPool2d):
    """Max over H and W: (N, H, W, C) -> (N, C) (nn.AdaptiveMaxPool2d(1)).

    >>> GlobalMaxPooling2D()(gn.ones(2, 4, 4, 3)).shape
    (2, 3)
    """

    _nn, _rank = nn.AdaptiveMaxPool2d, 4


class _GlobalPooling3D(_GlobalPooling, nn.Module):
    """(N, D, H, W, C) -> (N, C): nn has no adaptive 3-D pools, so the mean / max over the three axes
    is taken directly (one reduction, differentiable as any)."""

    _rank = 5

    def __init__(self, data_format=None, keepdims: bool = False):
        nn.Module.__init__(self)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)


class GlobalAveragePooling3D(_GlobalPooling3D):
    """Mean over D, H and W: (N, D, H, W, C) -> (N, C) (keepdims: (N, 1, 1, 1, C)).

    >>> GlobalAveragePooling3D()(gn.ones(2, 3, 4, 4, 5)).shape
    (2, 5)
    """

    def _reduce(self, t: Tensor) -> Tensor:
        return t.mean(dim=(2, 3, 4), keepdim=True)


class GlobalMaxPooling3D(_GlobalPooling3D):
    """Max over D, H and W: (N, D, H, W, C) -> (N, C) (keepdims: (N, 1, 1, 1, C)).

    >>> GlobalMaxPooling3D()(gn.ones(2, 3, 4, 4, 5)).shape
    (2, 5)
    """

    def _reduce(self, t: Tensor) -> Tensor:
        return t.amax(dim=(2, 3, 4), keepdim=True)


class SpatialDropout1D(Layer, nn.Dropout1d):
    """Drops whole channels of (N, T, C) (the same features at every step), over nn.Dropout1d.

    >>> SpatialDropout1D(0.5).eval()(gn.ones(1, 2, 2)).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
    """

    passes_mask = True

    def __init__(self, rate: float):
        self.rate = _rate("SpatialDropout1D", rate)
        nn.Dropout1d.__init__(self, self.rate)

    def forward(self, x: Tensor) -> Tensor:
        _check_rank("SpatialDropout1D", x, 3, "(N, T, C)")
        return nn.Dropout1d.forward(self, x.transpose(0, 2, 1)).transpose(0, 2, 1)

    def get_config(self) -> dict:
        return {"rate": self.rate}


class SpatialDropout2D(Layer, nn.Dropout2d):
    """Drops whole feature maps of (N, H, W, C) (channels_last) or (N, C, H, W), over nn.Dropout2d.

    >>> SpatialDropout2D(0.5).eval()(gn.ones(1, 2, 2, 1)).shape
    (1, 2, 2, 1)
    """

    def __init__(self, rate: float, data_format=None):
        self.rate = _rate("SpatialDropout2D", rate)
        self.data_format = _data_format("SpatialDropout2D", data_format)
        nn.Dropout2d.__init__(self, self.rate)

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, 4, lambda t: nn.Dropout2d.forward(self, t))

    def get_config(self) -> dict:
        return {"rate": self.rate, "data_format": self.data_format}


class Reshape(Layer, nn.Module):
    """(N, ...) -> (N, *target_shape); one entry may be -1 (inferred).

    >>> Reshape((3, 2))(gn.zeros(4, 6)).shape
    (4, 3, 2)
    """

    def __init__(self, target_shape, input_shape=None):
        shape = tuple(target_shape) if isinstance(target_shape, (tuple, list)) else (target_shape,)
        if not all(isinstance(d, (int, np.integer)) and (d > 0 or d == -1) for d in shape) or \
                sum(d == -1 for d in shape) > 1:
            raise ValueError(f"Reshape: target_shape must hold positive ints and at most one -1, got {target_shape!r}")
        self.target_shape = tuple(int(d) for d in shape)
        self.input_shape = _input_shape(input_shape)

    def forward(self, x: Tensor) -> Tensor:
        n = int(np.prod(x.shape[1:]))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if (n % known if -1 in self.target_shape else n != known):
            raise ValueError(f"Reshape: cannot reshape a sample of shape {tuple(x.shape[1:])} ({n} values) into "
                             f"{self.target_shape}")
        return x.reshape(x.shape[0], *self.target_shape)

    def get_config(self) -> dict:
        return {"target_shape": list(self.target_shape)}
