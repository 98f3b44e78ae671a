"""Keras's layers as spellings over gradnote.nn: Keras names, defaults and initialisers, nn's code.

    from gradnote.keras.models import Sequential
    from gradnote.keras.layers import Dense, Dropout
    model = Sequential()
    model.add(Dense(256, input_shape=(784,), activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))

Each layer subclasses its nn module (Dense is an nn.Linear, Conv2D an nn.Conv2d, ...), so every fix
made in nn reaches both spellings, and state dicts exchange (Dense.weight is (units, in_features)).
Sizes come from input_shape or the first call (nn's lazy sizing); kernels start glorot_uniform and
biases at zero, as Keras. Image layers take Keras's default data_format="channels_last" (NHWC in,
NHWC out); "channels_first" (NCHW, nn's layout) is accepted. Every layer can be called on a
keras.Input (a symbolic tensor) to build a functional Model.
"""

from __future__ import annotations

import numbers
import re
import string

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor, einsum
from ..backend import float32
from ..nn.normalization import _BatchNorm
from . import activations
from .activation_layers import *  # noqa: F401,F403  (ReLU, LeakyReLU, PReLU, ELU, Softmax)
from .activation_layers import __all__ as _activation_layers_all
from .arguments import INITIALIZERS, _data_format, _input_shape, _pair, _positive_int, apply_initializer
from .arguments import initializer as _init_fn
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401
from .augmentation import *  # noqa: F401,F403  (RandomFlip, RandomRotation, RandomZoom, ...)
from .augmentation import __all__ as _augmentation_all
from .convolutional import *  # noqa: F401,F403  (Conv2DTranspose, DepthwiseConv2D, SeparableConv2D)
from .convolutional import __all__ as _convolutional_all
from .graph import Input, Layer, set_mask  # Input: keras.layers.Input is keras.Input
from .lookup import *  # noqa: F401,F403  (StringLookup, IntegerLookup, Hashing, Discretization, CategoryEncoding)
from .lookup import __all__ as _lookup_all
from .merging import *  # noqa: F401,F403  (Add, Concatenate, Dot, ... and add, concatenate, ...)
from .merging import __all__ as _merging_all
from .noise import *  # noqa: F401,F403  (GaussianNoise, GaussianDropout, AlphaDropout)
from .noise import __all__ as _noise_all
from .preprocessing_layers import *  # noqa: F401,F403  (Normalization, Resizing, CenterCrop)
from .preprocessing_layers import __all__ as _preprocessing_layers_all
from .recurrent import *  # noqa: F401,F403  (Embedding, LSTM, Bidirectional, ...)
from .recurrent import __all__ as _recurrent_all
from .reshaping import *  # noqa: F401,F403  (Permute, RepeatVector, UpSampling, ZeroPadding, Cropping)
from .reshaping import __all__ as _reshaping_all
from .spatial import *  # noqa: F401,F403  (Conv1D, pooling, SpatialDropout, Reshape)
from .spatial import __all__ as _spatial_all
from .spatial import _channels_first, _padding_name, same_padding
from .text_vectorization import TextVectorization  # noqa: F401

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "Activation",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "Dropout",
    "EinsumDense",
    "Flatten",
    "GroupNormalization",
    "Identity",
    "Input",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "Masking",
    "Rescaling",
    "UnitNormalization",
    "activation_fn",
    *_recurrent_all,
    *_spatial_all,
    *_convolutional_all,
    *_merging_all,
    *_activation_layers_all,
    *_noise_all,
    *_reshaping_all,
    *_augmentation_all,
    *_preprocessing_layers_all,
    *_lookup_all,
    "MultiHeadAttention",
    "Attention",
    "AdditiveAttention",
    "TextVectorization",
]

ACTIVATIONS = activations.ACTIVATIONS  # the one activation registry (keras.activations.get)
activation_fn = activations.get


class Dense(Layer, nn.Linear):
    """Fully connected layer over nn.Linear: y = activation(x @ W.T + b), W: (units, in_features).

    x: (N, *, in_features) -> (N, *, units); in_features from input_shape[-1] / input_dim or the
    first input. Kernel glorot_uniform, bias zeros (Keras's defaults).

    >>> Dense(4, activation="relu")(gn.randn(2, 3)).shape
    (2, 4)
    """

    passes_mask = True

    def __init__(self, units: int, activation=None, input_shape=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", input_dim: int | None = None, bias_initializer="zeros"):
        units = _positive_int("Dense", "units", units)
        self.activation = activations.serialize(activation)
        activations.get(activation)
        self.kernel_initializer = kernel_initializer
        _init_fn("Dense", bias_initializer, "bias_initializer")
        self.bias_initializer = bias_initializer
        self.input_shape = _input_shape(input_shape, input_dim)
        nn.Linear.__init__(self, self.input_shape[-1] if self.input_shape else None, units, bias=use_bias,
                           init=_init_fn("Dense", kernel_initializer))
        self.units = units

    def build(self, in_features: int, dtype=float32) -> None:
        """nn.Linear's lazy build (Layer.build, first in the MRO, is Keras's build(input_shape))."""
        nn.Linear.build(self, in_features, dtype)
        if self.bias is not None and self.__dict__.get("bias_initializer", "zeros") != "zeros":
            apply_initializer("Dense", self.bias_initializer, self.bias, "bias_initializer")

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(nn.Linear.forward(self, x))

    def get_config(self) -> dict:
        return {"units": self.units, "activation": self.activation,
                "input_shape": [self.in_features] if self.built else None, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer}

    def extra_repr(self) -> str:
        return f"{self.in_features if self.built else '?'} -> {self.units}, activation={self.activation}"


class EinsumDense(Layer, nn.Module):
    """A dense layer written as an einsum: y = activation(einsum(equation, x, kernel) + bias).

    equation "ab,bc->ac", "...b,bc->...c" or "ab...,bc->ac..." (input, kernel -> output); output_shape is
    the output's shape without the batch axis and the axes the ellipsis stands for (None: taken from the
    input axis of the same letter). The kernel's shape follows its letters: an input letter takes the
    input's size, any other the output's; bias_axes (output letters) get a bias broadcast over the
    output from the first of them on, as Keras. Weights kernel and bias are sized at the first call.

    >>> EinsumDense("abc,cd->abd", (None, 4), bias_axes="d")(gn.randn(2, 3, 5)).shape
    (2, 3, 4)
    """

    def __init__(self, equation: str, output_shape, activation=None, bias_axes: str | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", input_shape=None):
        found = re.fullmatch(r"(\.\.\.)?([a-zA-Z]+)(\.\.\.)?,([a-zA-Z]+)->(\.\.\.)?([a-zA-Z]+)(\.\.\.)?",
                             str(equation).replace(" ", ""))
        if not found or (found[1] and found[3]) or bool(found[1]) != bool(found[5]) \
                or bool(found[3]) != bool(found[7]):
            raise ValueError(f"EinsumDense: equation must look like 'ab,bc->ac', '...b,bc->...c' or "
                             f"'ab...,bc->ac...', got {equation!r}")
        self.equation = str(equation)
        self._left = bool(found[1])  # "...b,...": the ellipsis (holding the batch axis) on the left
        self._right = bool(found[3])
        self._specs = found[2], found[4], found[6]
        shape = (output_shape,) if isinstance(output_shape, numbers.Integral) or output_shape is None \
            else tuple(output_shape)
        if not all(d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0)
                   for d in shape):
            raise ValueError(f"EinsumDense: output_shape must hold positive ints or None, got {output_shape!r}")
        named = self._named_output()
        if len(shape) != len(named):
            raise ValueError(f"EinsumDense: output_shape {output_shape!r} must give the {len(named)} output axes "
                             f"{named!r} of {equation!r} (the batch axis and the ellipsis excluded)")
        self.partial_output_shape = tuple(None if d is None else int(d) for d in shape)
        if bias_axes is not None and (not isinstance(bias_axes, str) or not bias_axes
                                      or any(c not in self._specs[2] for c in bias_axes)):
            raise ValueError(f"EinsumDense: bias_axes must be letters of the output {self._specs[2]!r}, "
                             f"got {bias_axes!r}")
        self.bias_axes = bias_axes
        activations.get(activation)
        self.activation = activations.serialize(activation)
        _init_fn("EinsumDense", kernel_initializer)
        _init_fn("EinsumDense", bias_initializer, "bias_initializer")
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        nn.Module.__init__(self)
        self.register_parameter("kernel", None)
        self.register_parameter("bias", None)
        self.built = False
        self.input_shape = _input_shape(input_shape)
        if self.input_shape:
            self._make_weights((None, *self.input_shape), float32)

    def _named_output(self) -> str:
        """The output letters output_shape gives: the batch letter (first, unless in the ellipsis) left out."""
        return self._specs[2] if self._left else self._specs[2][1:]

    def _expanded(self, ndim: int) -> tuple:
        """(input, kernel, output) subscripts with the ellipsis replaced by unused letters for this rank."""
        inp, ker, out = self._specs
        extra = ndim - len(inp)
        if extra < 0 or (extra and not (self._left or self._right)):
            raise ValueError(f"EinsumDense: {self.equation!r} needs an input of rank {len(inp)}"
                             f"{' or more' if self._left or self._right else ''}, got rank {ndim}")
        spare = "".join(c for c in string.ascii_letters if c not in inp + ker + out)[:extra]
        if self._left:
            return spare + inp, ker, spare + out
        return inp + spare, ker, out + spare

    def _make_weights(self, input_shape: tuple, dtype) -> None:
        inp, ker, out = self._expanded(len(input_shape))
        sizes = dict(zip(self._named_output(), self.partial_output_shape))
        for c, n in zip(inp, input_shape):
            if c in out and sizes.get(c) is None:
                sizes[c] = n
        for c, n in zip(inp, input_shape):
            sizes.setdefault(c, n)
        kernel_shape = tuple(sizes.get(c) for c in ker)
        if any(n is None for n in kernel_shape):
            raise ValueError(f"EinsumDense: the kernel {ker!r} of {self.equation!r} needs every size known, got "
                             f"{dict(zip(ker, kernel_shape))} for input shape {tuple(input_shape)}")
        self.kernel = nn.Parameter(np.zeros(kernel_shape, dtype))
        apply_initializer("EinsumDense", self.kernel_initializer, self.kernel)
        if self.bias_axes is not None:
            first = min(out.index(c) for c in self.bias_axes)
            tail = out[first:]  # with a right ellipsis its axes follow, as size-1 axes of the bias
            if any(sizes.get(c) is None for c in self.bias_axes):
                raise ValueError(f"EinsumDense: bias_axes {self.bias_axes!r} need known output sizes, got input "
                                 f"shape {tuple(input_shape)}")
            self.bias = nn.Parameter(np.zeros(tuple(sizes[c] if c in self.bias_axes else 1 for c in tail), dtype))
            apply_initializer("EinsumDense", self.bias_initializer, self.bias, "bias_initializer")
        self.built = True

    def forward(self, x: Tensor) -> Tensor:
        if not self.built:
            self._make_weights(tuple(x.shape), x.dtype if x.dtype.kind == "f" else float32)
        inp, ker, out = self._expanded(x.ndim)
        y = einsum(f"{inp},{ker}->{out}", x, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return activations.get(self.activation)(y)

    def get_config(self) -> dict:
        shape = self.partial_output_shape
        return {"equation": self.equation, "output_shape": shape[0] if len(shape) == 1 else list(shape),
                "activation": self.activation, "bias_axes": self.bias_axes,
                "kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer}

    def extra_repr(self) -> str:
        return f"{self.equation!r}, kernel={None if self.kernel is None else tuple(self.kernel.shape)}"


class Dropout(Layer, nn.Dropout):
    """nn.Dropout with Keras's argument: zeroes inputs with probability `rate` in training, scales the rest
    by 1/(1 - rate). noise_shape is not supported; seed the run with gn.manual_seed.

    >>> Dropout(0.5).eval()(gn.ones(2)).tolist()
    [1.0, 1.0]
    """

    passes_mask = True

    def __init__(self, rate: float, noise_shape=None, seed=None):
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        if noise_shape is not None:
            raise ValueError("Dropout: noise_shape is not supported")
        nn.Dropout.__init__(self, p=float(rate))
        self.rate = float(rate)

    def get_config(self) -> dict:
        return {"rate": self.rate}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class Activation(Layer, nn.Module):
    """Applies an activation by name (keras.activations.get): Activation("relu").

    >>> Activation("relu")(gn.tensor([-1.0, 1.0])).tolist()
    [0.0, 1.0]
    """

    passes_mask = True

    def __init__(self, activation):
        activations.get(activation)
        self.activation = activations.serialize(activation)

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(x)

    def extra_repr(self) -> str:
        return repr(self.activation)


class Flatten(Layer, nn.Flatten):
    """nn.Flatten(): (N, d1, d2, ...) -> (N, d1 * d2 * ...), empty batches included.

    >>> Flatten()(gn.zeros(0, 2, 3)).shape
    (0, 6)
    """

    def __init__(self, data_format=None):
        self.data_format = _data_format("Flatten", data_format)
        nn.Flatten.__init__(self)

    def get_config(self) -> dict:
        return {"data_format": self.data_format}


class BatchNormalization(Layer, _BatchNorm):
    """nn's batch normalisation over the feature axis (`axis`, the last by default), sized at first call.

    Keras's arguments: momentum is the weight of the OLD running value (0.99, i.e. PyTorch's
    momentum 0.01), epsilon 1e-3. Parameters and buffers carry PyTorch's names (weight, bias,
    running_mean, running_var, num_batches_tracked), so the state dict matches nn.BatchNorm1d/2d.

    >>> BatchNormalization()(gn.randn(4, 3)).shape
    (4, 3)
    """

    _ranks, _layout = (2, 3, 4), "(N, C), (N, C, L) or (N, C, H, W) with the features moved to axis 1"

    passes_mask = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, input_shape=None):
        if not isinstance(momentum, numbers.Real) or not 0 <= momentum < 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1), got {momentum!r}")
        if not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon!r}")
        if bool(center) != bool(scale):
            raise ValueError("BatchNormalization: center and scale must both be on or both off "
                             f"(nn's affine), got center={center!r}, scale={scale!r}")
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"BatchNormalization: axis must be an int, got {axis!r}")
        self.axis, self.keras_momentum, self.epsilon, self.center, self.scale = axis, float(momentum), \
            float(epsilon), bool(center), bool(scale)
        self.num_features = None
        self.input_shape = tuple(input_shape) if input_shape else None
        if self.input_shape:
            self.build(self.input_shape[axis - 1 if axis > 0 else axis])

    @property
    def built(self) -> bool:
        return self.num_features is not None

    def build(self, num_features: int, dtype=None) -> None:
        _BatchNorm.__init__(self, int(num_features), eps=self.epsilon, momentum=1 - self.keras_momentum,
                            affine=self.center)
        if dtype is not None and dtype != self.running_mean.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2:
            raise ValueError(f"BatchNormalization: expected input (N, ..., C), got shape {tuple(x.shape)}")
        axis = self.axis % x.ndim
        if axis == 0:
            raise ValueError("BatchNormalization: axis 0 is the batch axis; normalise a feature axis")
        if self.num_features is None:
            self.build(x.shape[axis], x.dtype if x.dtype.kind == "f" else None)
        moved = axis != 1
        if moved:
            order = [0, axis, *[i for i in range(1, x.ndim) if i != axis]]
            x = x.transpose(*order)
        y = _BatchNorm.forward(self, x)
        if moved:
            back = [order.index(i) for i in range(x.ndim)]
            y = y.transpose(*back)
        return y

    def get_config(self) -> dict:
        shape = None if self.num_features is None else [self.num_features]
        return {"axis": self.axis, "momentum": self.keras_momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "input_shape": shape}


class Conv2D(Layer, nn.Conv2d):
    """2-D convolution over nn.Conv2d; images NHWC (data_format="channels_last", Keras's default) or NCHW.

    x: (N, H, W, C) -> (N, H', W', filters) (channels_first: (N, C, H, W) -> (N, filters, H', W')).
    padding "valid" (none) or "same" (TensorFlow's, any kernel and stride: output ceil(H / s) x ceil(W / s),
    see spatial.same_padding). The weight keeps PyTorch's layout (filters, C, kh, kw) whatever the data format.

    >>> Conv2D(4, 3, padding="same")(gn.randn(2, 8, 8, 1)).shape
    (2, 8, 8, 4)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform", input_shape=None, data_format=None,
                 dilation_rate=1):
        filters = _positive_int("Conv2D", "filters", filters)
        kernel_size = _pair("Conv2D", "kernel_size", kernel_size)
        strides = _pair("Conv2D", "strides", strides)
        padding = _padding_name("Conv2D", padding)
        activations.get(activation)
        self.data_format = _data_format("Conv2D", data_format)
        self.filters, self.keras_padding, self.activation = filters, padding, activations.serialize(activation)
        self.kernel_initializer, self.strides = kernel_initializer, strides
        self.input_shape = tuple(input_shape) if input_shape else None
        if self.input_shape is not None and len(self.input_shape) != 3:
            raise ValueError(f"Conv2D: input_shape must be (H, W, C) (or (C, H, W) with channels_first), "
                             f"got {self.input_shape}")
        in_channels = None
        if self.input_shape:
            in_channels = self.input_shape[-1] if self.data_format == "channels_last" else self.input_shape[0]
        nn.Conv2d.__init__(self, in_channels, filters, kernel_size, stride=strides, padding=0,
                           dilation=dilation_rate, bias=use_bias, init=_init_fn("Conv2D", kernel_initializer))

    def build(self, in_channels: int, dtype=float32) -> None:
        """nn.Conv2d's lazy build (Layer.build, first in the MRO, is Keras's build(input_shape))."""
        nn.Conv2d.build(self, in_channels, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return activations.get(self.activation)(_channels_first(self, x, 4, self._conv))

    def _conv(self, t: Tensor) -> Tensor:
        if self.keras_padding == "same":
            t = same_padding(t, self.kernel_size, self.stride, self.dilation)
        return nn.Conv2d.forward(self, t)

    def get_config(self) -> dict:
        shape = None
        if self.built:
            shape = [1, 1, self.in_channels] if self.data_format == "channels_last" else [self.in_channels, 1, 1]
        return {"filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.keras_padding, "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer, "input_shape": shape,
                "data_format": self.data_format, "dilation_rate": list(self.dilation)}


class LayerNormalization(Layer, nn.LayerNorm):
    """nn.LayerNorm over the last axis (sized at first call), Keras's epsilon 1e-3: y = (x - mean) / sqrt(var + eps)
    * gamma + beta, gamma = weight, beta = bias (PyTorch's names).

    >>> LayerNormalization()(gn.randn(2, 5, 4)).shape
    (2, 5, 4)
    """

    passes_mask = True

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 input_shape=None):
        if axis != -1 and not (isinstance(axis, (list, tuple)) and list(axis) == [-1]):
            if not isinstance(axis, int) or isinstance(axis, bool):
                raise ValueError(f"LayerNormalization: axis must be an int, got {axis!r}")
        if bool(center) != bool(scale):
            raise ValueError("LayerNormalization: center and scale must both be on or both off (nn's "
                             f"elementwise_affine), got center={center!r}, scale={scale!r}")
        if not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise ValueError(f"LayerNormalization: epsilon must be positive, got {epsilon!r}")
        self.axis = axis if isinstance(axis, int) else -1
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.normalized_shape = None
        self.input_shape = _input_shape(input_shape)
        if self.input_shape and self.axis in (-1, len(self.input_shape)):
            self.build(self.input_shape[-1])

    @property
    def built(self) -> bool:
        return self.normalized_shape is not None

    def build(self, features: int, dtype=None) -> None:
        nn.LayerNorm.__init__(self, int(features), eps=self.epsilon, elementwise_affine=self.center)
        if dtype is not None and dtype != self.weight.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        if self.axis not in (-1, x.ndim - 1):
            raise ValueError(f"LayerNormalization: only the last axis is supported (nn.LayerNorm), got axis="
                             f"{self.axis} for input of shape {tuple(x.shape)}")
        if not self.built:
            self.build(x.shape[-1], x.dtype if x.dtype.kind == "f" and self.center else None)
        return nn.LayerNorm.forward(self, x)

    def get_config(self) -> dict:
        return {"axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "input_shape": list(self.normalized_shape) if self.built else None}


class GroupNormalization(Layer, nn.GroupNorm):
    """nn.GroupNorm over the channel axis (`axis`, the last by default), sized at first call: the channels fall
    into `groups` groups (-1: one per channel) normalised per sample over the group's channels and every
    other axis, then gamma (weight) and beta (bias) per channel. Keras's epsilon 1e-3.

    >>> GroupNormalization(groups=2)(gn.randn(2, 5, 5, 4)).shape
    (2, 5, 5, 4)
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, input_shape=None):
        if not isinstance(groups, int) or isinstance(groups, bool) or (groups < 1 and groups != -1):
            raise ValueError(f"GroupNormalization: groups must be a positive int or -1, got {groups!r}")
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"GroupNormalization: axis must be an int, got {axis!r}")
        if bool(center) != bool(scale):
            raise ValueError("GroupNormalization: center and scale must both be on or both off (nn's affine), "
                             f"got center={center!r}, scale={scale!r}")
        if not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise ValueError(f"GroupNormalization: epsilon must be positive, got {epsilon!r}")
        self.groups, self.axis, self.epsilon, self.center, self.scale = groups, axis, float(epsilon), \
            bool(center), bool(scale)
        self.num_channels = None
        self.input_shape = _input_shape(input_shape)

    @property
    def built(self) -> bool:
        return self.num_channels is not None

    def build(self, channels: int, dtype=None) -> None:
        groups = channels if self.groups == -1 else self.groups
        if channels % groups:
            raise ValueError(f"GroupNormalization: the {channels} channels must be divisible by groups={groups}")
        nn.GroupNorm.__init__(self, groups, int(channels), eps=self.epsilon, affine=self.center)
        if dtype is not None and self.center and dtype != self.weight.dtype:
            self.to(dtype)

    def forward(self, x: Tensor) -> Tensor:
        axis = self.axis % x.ndim if x.ndim else 0
        if x.ndim < 2 or axis == 0:
            raise ValueError(f"GroupNormalization: expected (N, ..., C) with the channels on a non-batch axis "
                             f"(axis={self.axis}), got shape {tuple(x.shape)}")
        if not self.built:
            self.build(x.shape[axis], x.dtype if x.dtype.kind == "f" else None)
        order = [0, axis, *[i for i in range(1, x.ndim) if i != axis]]
        y = nn.GroupNorm.forward(self, x.transpose(*order) if axis != 1 else x)
        return y.transpose(*[order.index(i) for i in range(x.ndim)]) if axis != 1 else y

    def get_config(self) -> dict:
        return {"groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale}


class Rescaling(Layer, nn.Module):
    """y = x * scale + offset (Rescaling(1 / 255) maps pixels to [0, 1]).

    >>> Rescaling(0.5, offset=1.0)(gn.tensor([2.0])).tolist()
    [2.0]
    """

    passes_mask = True

    def __init__(self, scale: float, offset: float = 0.0):
        for what, v in (("scale", scale), ("offset", offset)):
            if not isinstance(v, numbers.Real) or isinstance(v, bool):
                raise ValueError(f"Rescaling: {what} must be a number, got {v!r}")
        self.scale, self.offset = float(scale), float(offset)

    def forward(self, x: Tensor) -> Tensor:
        if x.dtype.kind != "f":
            x = Tensor._wrap(x.data.astype("float32"))
        return x * self.scale + self.offset

    def get_config(self) -> dict:
        return {"scale": self.scale, "offset": self.offset}


class Identity(Layer, nn.Identity):
    """Returns its input unchanged (masks included).

    >>> Identity()(gn.ones(2)).tolist()
    [1.0, 1.0]
    """

    passes_mask = True

    def __init__(self):
        nn.Identity.__init__(self)

    def get_config(self) -> dict:
        return {}


class Masking(Layer, nn.Module):
    """Marks the steps of (N, T, features) whose features all equal mask_value as padding: they are zeroed
    and the layers after it that read masks (LSTM, GRU, GlobalAveragePooling1D, ...) skip them.

    >>> Masking()(gn.tensor([[[1.0], [0.0]]])).tolist()
    [[[1.0], [0.0]]]
    """

    def __init__(self, mask_value: float = 0.0):
        if not isinstance(mask_value, numbers.Real) or isinstance(mask_value, bool):
            raise ValueError(f"Masking: mask_value must be a number, got {mask_value!r}")
        self.mask_value = float(mask_value)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 3:
            raise ValueError(f"Masking: expected input (N, T, features...), got shape {tuple(x.shape)}")
        keep = (x.data != self.mask_value).reshape(x.shape[0], x.shape[1], -1).any(axis=-1)
        out = x * Tensor._wrap(keep.reshape(*keep.shape, *(1,) * (x.ndim - 2)).astype(x.dtype))
        return set_mask(out, keep)

    def get_config(self) -> dict:
        return {"mask_value": self.mask_value}


class Lambda(Layer, nn.Module):
    """Wraps a function of tensors as a layer: Lambda(lambda x: x * 2). arguments= are passed to it as
    keywords. A model with a Lambda saves its weights, not its architecture (a Python function is no JSON).

    >>> Lambda(lambda x: x * 2)(gn.ones(2)).tolist()
    [2.0, 2.0]
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None):
        if not callable(function):
            raise ValueError(f"Lambda: function must be callable, got {function!r}")
        if mask is not None:
            raise ValueError("Lambda: mask= is not supported")
        self.function, self.output_shape, self.arguments = function, output_shape, dict(arguments or {})

    def forward(self, *args):
        return self.function(*args, **self.arguments)

    def get_config(self) -> dict:
        return {"function": self.function, "output_shape": self.output_shape, "arguments": self.arguments}


class UnitNormalization(Layer, nn.Module):
    """Scale each vector along `axis` to unit L2 norm: x / sqrt(max(sum(x^2), 1e-12)) (F.normalize).

    >>> UnitNormalization()(gn.tensor([[3.0, 4.0]], dtype=gn.float64)).tolist()
    [[0.6, 0.8]]
    """

    passes_mask = True

    def __init__(self, axis=-1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"UnitNormalization: axis must be an int, got {axis!r}")
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.normalize(x, dim=self.axis, eps=1e-6)

    def get_config(self) -> dict:
        return {"axis": self.axis}
