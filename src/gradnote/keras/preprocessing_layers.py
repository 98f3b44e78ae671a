"""Keras's preprocessing layers for numbers and images: Normalization (adapt()), Resizing, CenterCrop.

    norm = layers.Normalization()            # per feature (axis=-1): (x - mean) / sqrt(variance)
    norm.adapt(x_train)                      # mean and variance from the data
    model = keras.Sequential([keras.Input(shape=(13,)), norm, layers.Dense(1)])
    x = layers.Resizing(64, 64)(images)      # (N, H, W, C) -> (N, 64, 64, C), bilinear as tf.image.resize

Resizing is F.interpolate (TensorFlow's half-pixel centres: "bilinear" with align_corners=False,
"nearest" as "nearest-exact"), so it is differentiable; CenterCrop is slicing.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor
from .arguments import _data_format, _positive_int
from .graph import Layer
from .spatial import _channels_first

__all__ = ["CenterCrop", "Normalization", "Resizing"]

_EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


def _batches(data):
    """adapt()'s data: an array / Tensor, or an iterable of them (a dataset of feature batches)."""
    if isinstance(data, Tensor):
        return [np.asarray(data.data)]
    if isinstance(data, (np.ndarray, list, tuple)) and not (isinstance(data, (list, tuple)) and data
                                                            and isinstance(data[0], (np.ndarray, Tensor))):
        return [np.asarray(data)]
    out = []
    for batch in data:
        batch = batch[0] if isinstance(batch, (tuple, list)) and len(batch) == 2 else batch  # (x, y) pairs
        out.append(np.asarray(batch.data if isinstance(batch, Tensor) else batch))
    return out


class Normalization(Layer, nn.Module):
    """(x - mean) / max(sqrt(variance), 1e-7) per index of `axis` (default -1: per feature; None: one scalar
    mean); invert=True maps back: mean + x * sqrt(variance).

    mean and variance come from adapt(data) (over every axis but `axis`) or are given; they are
    arrays shaped to broadcast over the input (axis=-1 on (N, d): (1, d)), saved in get_config.

    >>> norm = Normalization(); norm.adapt(np.array([[0.0], [2.0]])); norm(np.array([[4.0]])).tolist()
    [[3.0]]
    """

    passes_mask = True

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False):
        if axis is not None and not isinstance(axis, int) and not (
                isinstance(axis, (tuple, list)) and all(isinstance(a, int) for a in axis)):
            raise ValueError(f"Normalization: axis must be an int, a tuple of ints or None, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: pass both mean= and variance=, or neither (then call adapt())")
        self.axis = None if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.invert = bool(invert)
        self.mean = self.variance = None  # not buffers: get_config carries them, so a saved model rebuilds them
        if mean is not None:
            mean, variance = np.asarray(mean, np.float32), np.asarray(variance, np.float32)
            if np.any(variance < 0):
                raise ValueError(f"Normalization: variance must be >= 0, got {variance.tolist()}")
            self._given = (mean, variance)
        else:
            self._given = None

    @property
    def built(self) -> bool:
        return self.mean is not None

    def _kept(self, ndim: int) -> tuple:
        if self.axis is None:
            return ()
        kept = tuple(sorted(a % ndim for a in self.axis))
        if 0 in kept:
            raise ValueError(f"Normalization: axis {self.axis} is the batch axis; normalise feature axes")
        return kept

    def _shape(self, shape: tuple) -> tuple:
        kept = self._kept(len(shape))
        return tuple(d if i in kept else 1 for i, d in enumerate(shape))

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Set mean and variance (population, as Keras) from data: (N, ...) values or batches of them."""
        x = np.concatenate([b.reshape(-1, *b.shape[1:]) if b.ndim else b.reshape(1, 1) for b in _batches(data)])
        if x.ndim == 1:
            x = x[:, None]
        kept = self._kept(x.ndim)
        axes = tuple(i for i in range(x.ndim) if i not in kept)
        x = x.astype(np.float64)
        self.mean = x.mean(axis=axes, keepdims=True).astype(np.float32)
        self.variance = x.var(axis=axes, keepdims=True).astype(np.float32)

    def forward(self, x: Tensor) -> Tensor:
        if x.dtype.kind != "f":
            x = Tensor._wrap(x.data.astype(np.float32))
        if self.mean is None:
            if self._given is None:
                raise RuntimeError("Normalization: call adapt(data) (or pass mean= and variance=) first")
            shape = self._shape(x.shape)
            mean, var = self._given
            if mean.size != 1 and mean.size != int(np.prod(shape)) or mean.size != var.size:
                raise ValueError(f"Normalization: mean/variance of shapes {mean.shape}, {var.shape} do not fit "
                                 f"axis {self.axis} of input {tuple(x.shape)}")
            target = shape if mean.size > 1 else (1,) * x.ndim
            self.mean, self.variance = mean.reshape(target), var.reshape(target)
        mean = Tensor._wrap(self.mean.astype(x.dtype, copy=False))
        std = Tensor._wrap(np.maximum(np.sqrt(self.variance), _EPSILON).astype(x.dtype))
        return mean + x * std if self.invert else (x - mean) / std

    def get_config(self) -> dict:
        mean, var = (self.mean, self.variance) if self.mean is not None else (self._given or (None, None))
        return {"axis": None if self.axis is None else list(self.axis),
                "mean": None if mean is None else np.asarray(mean).reshape(-1).tolist(),
                "variance": None if var is None else np.asarray(var).reshape(-1).tolist(), "invert": self.invert}


class Resizing(Layer, nn.Module):
    """Resize images to (height, width): (N, H, W, C) -> (N, height, width, C) (channels_first: NCHW).

    interpolation "bilinear" (default) or "nearest", with TensorFlow's half-pixel centres;
    crop_to_aspect_ratio=True first cuts the largest centred window of the target's aspect ratio.

    >>> Resizing(8, 6)(gn.zeros(2, 4, 4, 3)).shape
    (2, 8, 6, 3)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, data_format=None):
        self.height, self.width = _positive_int("Resizing", "height", height), _positive_int("Resizing", "width", width)
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"Resizing: interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        if pad_to_aspect_ratio:
            raise ValueError("Resizing: pad_to_aspect_ratio=True is not supported")
        self.interpolation, self.crop_to_aspect_ratio = interpolation, bool(crop_to_aspect_ratio)
        self.data_format = _data_format("Resizing", data_format)

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, 4, self._resize)

    def _resize(self, t: Tensor) -> Tensor:
        if t.dtype.kind != "f":
            t = Tensor._wrap(t.data.astype(np.float32))
        if self.crop_to_aspect_ratio:
            H, W = t.shape[2:]
            h = min(H, int(round(W * self.height / self.width)))
            w = min(W, int(round(H * self.width / self.height)))
            t = t[:, :, (H - h) // 2:(H - h) // 2 + h, (W - w) // 2:(W - w) // 2 + w]
        if self.interpolation == "nearest":
            return F.interpolate(t, size=(self.height, self.width), mode="nearest-exact")
        return F.interpolate(t, size=(self.height, self.width), mode="bilinear", align_corners=False)

    def get_config(self) -> dict:
        return {"height": self.height, "width": self.width, "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio, "data_format": self.data_format}


def center_crop(t: Tensor, height: int, width: int, layer: str) -> Tensor:
    """The centred (height, width) window of t (N, C, H, W); the extra row/column of an odd margin is cut
    from the bottom/right."""
    H, W = t.shape[2:]
    if height > H or width > W:
        raise ValueError(f"{layer}: crop ({height}, {width}) is larger than the image ({H}, {W})")
    top, left = (H - height) // 2, (W - width) // 2
    return t[:, :, top:top + height, left:left + width]


class CenterCrop(Layer, nn.Module):
    """The centred (height, width) window of each image: (N, H, W, C) -> (N, height, width, C).

    >>> CenterCrop(2, 2)(gn.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height: int, width: int, data_format=None):
        self.height = _positive_int("CenterCrop", "height", height)
        self.width = _positive_int("CenterCrop", "width", width)
        self.data_format = _data_format("CenterCrop", data_format)

    def forward(self, x: Tensor) -> Tensor:
        return _channels_first(self, x, 4, lambda t: center_crop(t, self.height, self.width, "CenterCrop"))

    def get_config(self) -> dict:
        return {"height": self.height, "width": self.width, "data_format": self.data_format}

