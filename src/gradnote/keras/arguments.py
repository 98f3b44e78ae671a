"""What every Keras layer checks and converts: sizes, pairs, data formats, initialiser names, layouts.

    _pair("Conv2D", "strides", 2)            # (2, 2)
    _to_nchw(x)                              # (N, H, W, C) -> (N, C, H, W), any rank >= 3

Shared by the layer modules of gradnote.keras so each check is written once.
"""

from __future__ import annotations

import math
import numbers

from ..autograd import Tensor
from ..nn import init

__all__ = ["INITIALIZERS", "initializer"]


def _normal(std):
    return lambda t, generator=None: init.normal_(t, 0.0, std, generator=generator)


def _uniform(bound):
    return lambda t, generator=None: init.uniform_(t, -bound, bound, generator=generator)


def _lecun_normal(t, generator=None):
    return _normal(1 / math.sqrt(init.calculate_fan_in_and_fan_out(t)[0]))(t, generator)


# Keras initialiser names: those nn.init spells the same way resolve there (nn.linear.init_weight), the rest here
INITIALIZERS = {
    "glorot_uniform": "glorot_uniform", "glorot_normal": "glorot_normal", "he_uniform": "he_uniform",
    "he_normal": "he_normal", "zeros": "zeros", "ones": "ones", "orthogonal": "orthogonal",
    "lecun_normal": _lecun_normal, "random_normal": _normal(0.05), "random_uniform": _uniform(0.05),
    "uniform": _uniform(0.05),
}


def initializer(layer: str, name, what: str = "kernel_initializer"):
    """The nn.init name or function for a Keras initialiser name (callables pass through)."""
    if callable(name):
        return name
    if name not in INITIALIZERS:
        raise ValueError(f"{layer}: unknown {what} {name!r}; valid names: {', '.join(sorted(INITIALIZERS))}")
    return INITIALIZERS[name]


def apply_initializer(layer: str, name, tensor, what: str = "kernel_initializer") -> None:
    """Fill `tensor` in place with the Keras initialiser `name`."""
    fn = initializer(layer, name, what)
    (getattr(init, f"{fn}_") if isinstance(fn, str) else fn)(tensor)


def _positive_int(layer: str, what: str, value) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {what} must be a positive int, got {value!r}")
    return int(value)


def _rate(layer: str, rate, what: str = "rate") -> float:
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
        raise ValueError(f"{layer}: {what} must be in [0, 1), got {rate!r}")
    return float(rate)


def _tuple(layer: str, what: str, v, n: int) -> tuple:
    t = (v,) * n if isinstance(v, numbers.Integral) and not isinstance(v, bool) else tuple(v) \
        if isinstance(v, (tuple, list)) else ()
    if len(t) != n or not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) and i > 0 for i in t):
        kind = "a positive int" + (f" or {n} of them" if n > 1 else "")
        raise ValueError(f"{layer}: {what} must be {kind}, got {v!r}")
    return tuple(int(i) for i in t)


def _pair(layer: str, what: str, v) -> tuple:
    return _tuple(layer, what, v, 2)


def _data_format(layer: str, data_format) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format


def _padding(layer: str, padding, kernel, strides) -> str:
    if padding not in ("valid", "same"):
        raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {padding!r}")
    if padding == "same" and (any(s != 1 for s in strides) or any(k % 2 == 0 for k in kernel)):
        raise ValueError(f"{layer}: padding='same' needs stride 1 and odd kernels, got kernel_size="
                         f"{kernel}, strides={strides}")
    return padding


def _to_nchw(x: Tensor) -> Tensor:
    return x.transpose(0, x.ndim - 1, *range(1, x.ndim - 1))


def _to_nhwc(x: Tensor) -> Tensor:
    return x.transpose(0, *range(2, x.ndim), 1)


def _input_shape(input_shape, input_dim=None):
    if input_dim is not None:
        return (int(input_dim),)
    return tuple(input_shape) if input_shape else None


def _check_rank(layer: str, x, ndim: int, layout: str) -> None:
    if x.ndim != ndim:
        raise ValueError(f"{layer}: expected input {layout}, got shape {tuple(x.shape)}")
