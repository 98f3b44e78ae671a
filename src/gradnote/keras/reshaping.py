"""Keras's reshaping layers: Permute, RepeatVector, UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D.

    x = layers.UpSampling2D(2, interpolation="bilinear")(x)      # (N, H, W, C) -> (N, 2H, 2W, C)
    x = layers.ZeroPadding2D(((1, 0), (1, 0)))(x)                # one zero row on top, one column on the left
    x = layers.Cropping1D((2, 1))(x)                             # drop 2 steps at the start, 1 at the end

UpSampling is F.interpolate (nearest repeats each row and column; bilinear is TensorFlow's
half-pixel resize, align_corners=False); padding is F.pad; cropping is slicing.
"""

from __future__ import annotations

import numbers

from .. import functional as F
from .. import nn
from ..autograd import Tensor
from .arguments import _data_format, _positive_int, _tuple
from .graph import Layer
from .spatial import _channels_first

__all__ = ["Cropping1D", "Cropping2D", "Permute", "RepeatVector", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
           "ZeroPadding2D"]


class Permute(Layer, nn.Module):
    """Reorder the non-batch axes: dims is a permutation of 1..ndim-1 (Permute((2, 1)): (N, a, b) -> (N, b, a)).

    >>> Permute((2, 1))(gn.zeros(4, 3, 2)).shape
    (4, 2, 3)
    """

    def __init__(self, dims):
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else ()
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims) or 'n'} (the batch axis 0 stays), "
                             f"got {dims!r}")
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != len(self.dims) + 1:
            raise ValueError(f"Permute: dims {self.dims} need inputs of rank {len(self.dims) + 1}, got shape "
                             f"{tuple(x.shape)}")
        return x.transpose(0, *self.dims)

    def get_config(self) -> dict:
        return {"dims": list(self.dims)}


class RepeatVector(Layer, nn.Module):
    """(N, features) -> (N, n, features): the vector repeated n times.

    >>> RepeatVector(4)(gn.zeros(2, 3)).shape
    (2, 4, 3)
    """

    def __init__(self, n: int):
        self.n = _positive_int("RepeatVector", "n", n)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2:
            raise ValueError(f"RepeatVector: expected input (N, features), got shape {tuple(x.shape)}")
        return x.reshape(x.shape[0], 1, x.shape[1]).repeat(1, self.n, 1)

    def get_config(self) -> dict:
        return {"n": self.n}


class UpSampling1D(Layer, nn.Module):
    """Repeat each step `size` times: (N, L, C) -> (N, L * size, C).

    >>> UpSampling1D(2)(gn.tensor([[[1.0], [2.0]]])).tolist()
    [[[1.0], [1.0], [2.0], [2.0]]]
    """

    data_format = "channels_last"

    def __init__(self, size: int = 2):
        self.size = _positive_int("UpSampling1D", "size", size)

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, 3, lambda t: F.interpolate(t, scale_factor=self.size, mode="nearest"))

    def get_config(self) -> dict:
        return {"size": self.size}


class UpSampling2D(Layer, nn.Module):
    """Scale H and W by size = (sh, sw): (N, H, W, C) -> (N, H * sh, W * sw, C); interpolation "nearest"
    (each pixel repeated) or "bilinear" (half-pixel centres, as tf.image.resize).

    >>> UpSampling2D(2)(gn.zeros(1, 3, 4, 2)).shape
    (1, 6, 8, 2)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest"):
        self.size = _tuple("UpSampling2D", "size", size, 2)
        self.data_format = _data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        self.interpolation = interpolation

    def forward(self, x: Tensor) -> Tensor:
        options = {} if self.interpolation == "nearest" else {"align_corners": False}
        return _channels_first(self, x, 4, lambda t: F.interpolate(t, scale_factor=self.size,
                                                                   mode=self.interpolation, **options))

    def get_config(self) -> dict:
        return {"size": list(self.size), "data_format": self.data_format, "interpolation": self.interpolation}


def _amounts(layer: str, what: str, value, n: int) -> tuple:
    """Per spatial axis (before, after): an int for all, one int per axis, or one pair per axis."""
    def count(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0

    if count(value):
        return ((int(value),) * 2,) * n
    items = list(value) if isinstance(value, (tuple, list)) else None
    if n == 1 and items is not None and len(items) == 2 and all(count(v) for v in items):
        return (tuple(int(v) for v in items),)
    if items is not None and len(items) == n:
        out = []
        for v in items:
            if count(v):
                out.append((int(v),) * 2)
            elif isinstance(v, (tuple, list)) and len(v) == 2 and all(count(u) for u in v):
                out.append(tuple(int(u) for u in v))
            else:
                break
        else:
            return tuple(out)
    raise ValueError(f"{layer}: {what} must be a non-negative int, {n} of them or {n} (before, after) pairs, "
                     f"got {value!r}")


class _Padding(Layer, nn.Module):
    _rank = 3

    def __init__(self, padding=1, data_format=None):
        name = type(self).__name__
        self.padding = _amounts(name, "padding", padding, self._rank - 2)
        self.data_format = _data_format(name, data_format)

    def forward(self, x: Tensor) -> Tensor:
        amounts = tuple(a for pair in reversed(self.padding) for a in pair)
        return _channels_first(self, x, self._rank, lambda t: F.pad(t, amounts))

    def get_config(self) -> dict:
        padding = list(self.padding[0]) if self._rank == 3 else [list(p) for p in self.padding]
        return {"padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_Padding):
    """Zeros before and after the steps: (N, L, C) -> (N, L + before + after, C); padding int or (before, after).

    >>> ZeroPadding1D(1)(gn.ones(1, 2, 1)).tolist()
    [[[0.0], [1.0], [1.0], [0.0]]]
    """

    data_format = "channels_last"

    def __init__(self, padding=1):
        super().__init__(padding)

    def get_config(self) -> dict:
        return {"padding": list(self.padding[0])}


class ZeroPadding2D(_Padding):
    """Zero rows and columns around each image: padding int, (rows, cols) or ((top, bottom), (left, right)).

    >>> ZeroPadding2D(((1, 0), (0, 2)))(gn.ones(1, 2, 2, 3)).shape
    (1, 3, 4, 3)
    """

    _rank = 4


class _Cropping(Layer, nn.Module):
    _rank = 3

    def __init__(self, cropping=1, data_format=None):
        name = type(self).__name__
        self.cropping = _amounts(name, "cropping", cropping, self._rank - 2)
        self.data_format = _data_format(name, data_format)

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, self._rank, self._crop)

    def _crop(self, t: Tensor) -> Tensor:
        for (lo, hi), n in zip(self.cropping, t.shape[2:]):
            if lo + hi >= n:
                raise ValueError(f"{type(self).__name__}: cropping {self.cropping} leaves nothing of spatial shape "
                                 f"{tuple(t.shape[2:])}")
        index = (slice(None), slice(None), *(slice(lo, n - hi) for (lo, hi), n in zip(self.cropping, t.shape[2:])))
        return t[index]

    def get_config(self) -> dict:
        return {"cropping": [list(c) for c in self.cropping], "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Drop steps at the start and end: (N, L, C) -> (N, L - before - after, C); cropping int or (before, after).

    >>> Cropping1D((1, 0))(gn.zeros(1, 5, 2)).shape
    (1, 4, 2)
    """

    data_format = "channels_last"

    def __init__(self, cropping=(1, 1)):
        super().__init__(cropping)

    def get_config(self) -> dict:
        return {"cropping": list(self.cropping[0])}


class Cropping2D(_Cropping):
    """Drop rows and columns at the borders: cropping int, (rows, cols) or ((top, bottom), (left, right)).

    >>> Cropping2D(1)(gn.zeros(1, 5, 5, 2)).shape
    (1, 3, 3, 2)
    """

    _rank = 4

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None):
        super().__init__(cropping, data_format)
