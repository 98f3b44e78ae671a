"""What every Keras layer checks and converts: sizes, pairs, data formats, initialiser names, layouts.

    _pair("Conv2D", "strides", 2)            # (2, 2)
    _to_nchw(x)                              # (N, H, W, C) -> (N, C, H, W), any rank >= 3

Shared by the layer modules of gradnote.keras so each check is written once.
"""

from __future__ import annotations

import numbers

from ..autograd import Tensor
from .initializers import INITIALIZERS

__all__ = ["INITIALIZERS", "apply_initializer", "initializer"]


def initializer(layer: str, name, what: str = "kernel_initializer"):
    """The initialiser object for a Keras name or config (keras.initializers' one registry); callables and
    initialiser objects pass through. Called on a layer's weight, it fills it in place."""
    if callable(name):
        return name
    try:
        return INITIALIZERS.get(name)
    except (ValueError, TypeError):
        raise ValueError(f"{layer}: unknown {what} {name!r}; valid names: "
                         f"{', '.join(sorted(INITIALIZERS.names()))}") from None


def apply_initializer(layer: str, name, tensor, what: str = "kernel_initializer") -> None:
    """Fill `tensor` in place with the Keras initialiser `name`."""
    initializer(layer, name, what)(tensor)


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
