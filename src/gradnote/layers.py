"""Keras-style layers: sizes inferred at first call, activations by name, get_config() for saving.

    from gradnote.models import Sequential
    from gradnote.layers import Dense, Dropout
    model = Sequential()
    model.add(Dense(256, input_shape=(784,), activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))

They are ordinary gradnote Modules over gradnote.functional. Weights use PyTorch's layout
and names (Dense.weight is (units, in_features), Conv2D.weight (filters, C, kh, kw)), so a
Dense's state dict loads into nn.Linear and back. Images are NCHW, as everywhere in gradnote.
Keras's initial values: glorot_uniform kernels, zero biases.
"""

from __future__ import annotations

import math

from . import functional as F
from .autograd import Tensor
from .backend import xp
from .nn import Module, Parameter, init

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "Activation",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "MaxPooling2D",
    "activation_fn",
]

ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "softmax": lambda x: F.softmax(x, axis=-1),
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
}


def activation_fn(activation):
    """The function for an activation name (None means linear) or a callable passed through."""
    if activation is None:
        return ACTIVATIONS["linear"]
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.lower()]
    raise ValueError(f"unknown activation {activation!r}; valid names: {', '.join(sorted(ACTIVATIONS))}")


def _normal(std):
    return lambda t, generator=None: init.normal_(t, 0.0, std, generator=generator)


INITIALIZERS = {
    "glorot_uniform": init.xavier_uniform_,
    "glorot_normal": init.xavier_normal_,
    "he_uniform": lambda t, generator=None: init.kaiming_uniform_(t, nonlinearity="relu", generator=generator),
    "he_normal": lambda t, generator=None: init.kaiming_normal_(t, nonlinearity="relu", generator=generator),
    "lecun_normal": lambda t, generator=None: _normal(1 / math.sqrt(init.calculate_fan_in_and_fan_out(t)[0]))(t, generator),
    "random_normal": _normal(0.05),
    "random_uniform": lambda t, generator=None: init.uniform_(t, -0.05, 0.05, generator=generator),
    "zeros": lambda t, generator=None: init.zeros_(t),
    "ones": lambda t, generator=None: init.ones_(t),
}


def _check_initializer(layer: str, name: str) -> str:
    if name not in INITIALIZERS:
        raise ValueError(f"{layer}: unknown kernel_initializer {name!r}; valid names: {', '.join(sorted(INITIALIZERS))}")
    return name


def _float_dtype(x: Tensor):
    return x.dtype if x.dtype.kind == "f" else xp.dtype(xp.float32)


class Dense(Module):
    """Fully connected layer: y = activation(x @ W.T + b), W: (units, in_features).

    x: (N, *, in_features) -> (N, *, units). in_features comes from input_shape[-1] or,
    without it, from the first input seen (the weights are created then).
    """

    def __init__(self, units: int, activation=None, input_shape=None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", input_dim: int | None = None):
        super().__init__()
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense: units must be a positive int, got {units!r}")
        activation_fn(activation)
        self.units, self.activation, self.use_bias = units, activation, bool(use_bias)
        self.kernel_initializer = _check_initializer("Dense", kernel_initializer)
        self.weight = None
        self.bias = None
        in_features = input_dim if input_dim is not None else (tuple(input_shape)[-1] if input_shape else None)
        # the model's input shape (without the batch axis): compile builds the later layers from it, as Keras does
        self.input_shape = tuple(input_shape) if input_shape else ((int(input_dim),) if input_dim else None)
        if in_features is not None:
            self.build(int(in_features))

    @property
    def built(self) -> bool:
        return self.weight is not None

    def build(self, in_features: int, dtype=xp.float32) -> None:
        if in_features <= 0:
            raise ValueError(f"Dense: input size must be positive, got {in_features}")
        self.weight = Parameter(xp.empty((self.units, in_features), dtype=dtype))
        if self.use_bias:
            self.bias = Parameter(xp.zeros(self.units, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        INITIALIZERS[self.kernel_initializer](self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def pre_activation(self, x: Tensor) -> Tensor:
        """x @ W.T + b without the activation (the logits when activation is softmax/sigmoid)."""
        x = x if isinstance(x, Tensor) else Tensor(x)
        if not self.built:
            self.build(x.shape[-1], _float_dtype(x))
        if x.ndim < 1 or x.shape[-1] != self.weight.shape[1]:
            raise ValueError(f"Dense({self.units}): expected input with last dimension {self.weight.shape[1]}, "
                             f"got shape {x.shape}")
        return F.linear(x, self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return activation_fn(self.activation)(self.pre_activation(x))

    def get_config(self) -> dict:
        return {"units": self.units, "activation": self.activation,
                "input_shape": [self.weight.shape[1]] if self.built else None,
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer}

    def extra_repr(self) -> str:
        inp = self.weight.shape[1] if self.built else "?"
        return f"{inp} -> {self.units}, activation={self.activation}"


class Dropout(Module):
    """Zeroes each input with probability `rate` in training and scales the rest by 1/(1 - rate)."""

    def __init__(self, rate: float, noise_shape=None, seed=None):
        super().__init__()
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        if noise_shape is not None or seed is not None:
            raise ValueError("Dropout: noise_shape and seed are not supported; seed with gn.manual_seed")
        self.rate = float(rate)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.rate, self.training)

    def get_config(self) -> dict:
        return {"rate": self.rate}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class Activation(Module):
    """Applies an activation by name: Activation("relu")."""

    def __init__(self, activation):
        super().__init__()
        activation_fn(activation)
        self.activation = activation

    def forward(self, x: Tensor) -> Tensor:
        return activation_fn(self.activation)(x)

    def extra_repr(self) -> str:
        return repr(self.activation)


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)


class BatchNormalization(Module):
    """Batch normalisation over the channel axis 1 (NCHW / (N, C)), sized at first call.

    Keras's arguments: momentum is the weight of the OLD running value (0.99), epsilon 1e-3.
    Parameters and buffers carry PyTorch's names (weight, bias, running_mean, running_var,
    num_batches_tracked), so the state dict matches nn.BatchNorm1d/2d.
    """

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 input_shape=None):
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1), got {momentum!r}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon!r}")
        self.momentum, self.epsilon, self.center, self.scale = float(momentum), float(epsilon), center, scale
        self.weight = self.bias = None
        self.num_features = None
        self.input_shape = tuple(input_shape) if input_shape else None
        if input_shape:
            self.build(tuple(input_shape)[0])

    def build(self, num_features: int, dtype=xp.float32) -> None:
        self.num_features = int(num_features)
        self.weight = Parameter(xp.ones(num_features, dtype=dtype)) if self.scale else None
        self.bias = Parameter(xp.zeros(num_features, dtype=dtype)) if self.center else None
        self.register_buffer("running_mean", xp.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", xp.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", xp.zeros((), dtype=xp.int64))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2:
            raise ValueError(f"BatchNormalization: expected input (N, C, ...), got shape {x.shape}")
        if self.num_features is None:
            self.build(x.shape[1], _float_dtype(x))
        if x.shape[1] != self.num_features:
            raise ValueError(f"BatchNormalization: expected {self.num_features} channels, got shape {x.shape}")
        if self.training:
            self.num_batches_tracked += 1
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training,
                            momentum=1 - self.momentum, eps=self.epsilon)

    def get_config(self) -> dict:
        return {"momentum": self.momentum, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "input_shape": [self.num_features] if self.num_features is not None else None}


def _pair(v, name: str, layer: str) -> tuple:
    t = (v, v) if isinstance(v, int) else tuple(v)
    if len(t) != 2 or not all(isinstance(i, int) and i > 0 for i in t):
        raise ValueError(f"{layer}: {name} must be a positive int or a pair of them, got {v!r}")
    return t


class Conv2D(Module):
    """2-D convolution on NCHW input: (N, C, H, W) -> (N, filters, H', W'), C inferred at first call.

    padding "valid" (none) or "same" (odd kernels, stride 1: output keeps H and W).
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", activation=None,
                 use_bias: bool = True, kernel_initializer: str = "glorot_uniform", input_shape=None):
        super().__init__()
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Conv2D: filters must be a positive int, got {filters!r}")
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = _pair(strides, "strides", "Conv2D")
        if padding not in ("valid", "same"):
            raise ValueError(f"Conv2D: padding must be 'valid' or 'same', got {padding!r}")
        if padding == "same" and (self.strides != (1, 1) or any(k % 2 == 0 for k in self.kernel_size)):
            raise ValueError(f"Conv2D: padding='same' needs stride 1 and odd kernels, got kernel_size="
                             f"{self.kernel_size}, strides={self.strides}")
        activation_fn(activation)
        self.filters, self.padding, self.activation, self.use_bias = filters, padding, activation, use_bias
        self.kernel_initializer = _check_initializer("Conv2D", kernel_initializer)
        self.weight = self.bias = None
        self.input_shape = tuple(input_shape) if input_shape else None
        if input_shape:
            shape = tuple(input_shape)
            if len(shape) == 3 and shape[-1] in (1, 3, 4) and shape[0] > 4:
                raise ValueError(f"Conv2D: input_shape={shape} looks channels-last (Keras's default), but gradnote "
                                 f"is channels-first (NCHW): pass input_shape={(shape[-1], *shape[:-1])} and "
                                 "images as x.transpose(0, 3, 1, 2)")
            self.build(shape[0])

    def build(self, in_channels: int, dtype=xp.float32) -> None:
        self.weight = Parameter(xp.empty((self.filters, in_channels, *self.kernel_size), dtype=dtype))
        self.bias = Parameter(xp.zeros(self.filters, dtype=dtype)) if self.use_bias else None
        INITIALIZERS[self.kernel_initializer](self.weight)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise ValueError(f"Conv2D: expected input (N, C, H, W), got shape {x.shape}")
        if self.weight is None:
            self.build(x.shape[1], _float_dtype(x))
        pad = tuple(k // 2 for k in self.kernel_size) if self.padding == "same" else 0
        out = F.conv2d(x, self.weight, self.bias, stride=self.strides, padding=pad)
        return activation_fn(self.activation)(out)

    def get_config(self) -> dict:
        return {"filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer,
                "input_shape": [self.weight.shape[1]] if self.weight is not None else None}


class MaxPooling2D(Module):
    """Max pooling on NCHW input; strides default to pool_size (Keras)."""

    def __init__(self, pool_size=2, strides=None, padding: str = "valid"):
        super().__init__()
        if padding != "valid":
            raise ValueError(f"MaxPooling2D: only padding='valid' is supported, got {padding!r}")
        self.pool_size = _pair(pool_size, "pool_size", "MaxPooling2D")
        self.strides = _pair(strides, "strides", "MaxPooling2D") if strides is not None else self.pool_size
        self.padding = padding

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.pool_size, stride=self.strides)

    def get_config(self) -> dict:
        return {"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.padding}

