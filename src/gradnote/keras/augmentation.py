"""Keras's image augmentation layers, active only in training (the identity in inference, except RandomCrop,
which centre-crops there):

    augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                                layers.RandomZoom(0.1)])
    model = keras.Sequential([keras.Input(shape=(180, 180, 3)), augment, layers.Rescaling(1 / 255), ...])

Images are (N, H, W, C) (data_format="channels_last", Keras's default) or (N, C, H, W), or one
image without the batch axis. Each image draws its own parameters from gradnote's generator
(gn.manual_seed repeats them) or from the layer's own stream with seed=. The resampling is
gradnote.data.augment's (flips, crops, rotations; scipy.ndimage for the affine maps), so these
layers pass no gradient to their input, as preprocessing.
Keras's fill_mode names map to scipy's: "reflect", "wrap" ("grid-wrap"), "constant" ("grid-constant"),
"nearest"; interpolation "bilinear" (order 1) or "nearest" (order 0).
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import nn
from ..autograd import Tensor
from ..data.augment import image as augment
from ..random import get_rng
from .arguments import _data_format, _positive_int
from .graph import Layer
from .noise import layer_generator
from .preprocessing_layers import center_crop

__all__ = ["RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation",
           "RandomZoom"]

_FILL_MODES = {"reflect": "reflect", "wrap": "grid-wrap", "constant": "grid-constant", "nearest": "nearest"}
_ORDERS = {"bilinear": 1, "nearest": 0}


def _factor(layer: str, what: str, value, low: float = -np.inf) -> tuple:
    """Keras's factor: f gives (-f, f), a pair is (lower, upper)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        lo, hi = -abs(float(value)), abs(float(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, numbers.Real) for v in value):
        lo, hi = float(value[0]), float(value[1])
    else:
        raise ValueError(f"{layer}: {what} must be a number or a (lower, upper) pair, got {value!r}")
    if lo > hi or lo < low:
        raise ValueError(f"{layer}: {what} must satisfy {low} <= lower <= upper, got {value!r}")
    return lo, hi


class _Augmentation(Layer, nn.Module):
    """What every augmentation layer shares: training-only, seed=, data_format, numpy images (N, C, H, W)."""

    passes_mask = True

    def _setup(self, seed, data_format, fill_mode="reflect", interpolation="bilinear", fill_value=0.0):
        name = type(self).__name__
        self.seed, self.generator = seed, layer_generator(name, seed)
        self.data_format = _data_format(name, data_format)
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"{name}: fill_mode must be one of {sorted(_FILL_MODES)}, got {fill_mode!r}")
        if interpolation not in _ORDERS:
            raise ValueError(f"{name}: interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def forward(self, x: Tensor, training=None) -> Tensor:
        active = self.training if training is None else bool(training)
        return self._augment(x) if active else self._inference(x)

    def _inference(self, x: Tensor) -> Tensor:
        return x

    def _augment(self, x: Tensor) -> Tensor:
        return augment_with(self, x, self._apply)

    def _apply(self, images: np.ndarray, rng) -> np.ndarray:
        raise NotImplementedError

    def _options(self) -> dict:
        return {"seed": self.seed, "data_format": self.data_format}


def augment_with(layer, x: Tensor, apply) -> Tensor:
    """Run apply(images (N, C, H, W) float, rng) -> same shape on x in the layer's layout (3-D: one image)."""
    if x.ndim not in (3, 4):
        layout = "(N, H, W, C)" if layer.data_format == "channels_last" else "(N, C, H, W)"
        raise ValueError(f"{type(layer).__name__}: expected images {layout} or one image, got shape {tuple(x.shape)}")
    a = x.data if x.ndim == 4 else x.data[None]
    if layer.data_format == "channels_last":
        a = a.transpose(0, 3, 1, 2)
    out = apply(a.astype(np.float32) if a.dtype.kind != "f" else a, get_rng(layer.generator))
    if layer.data_format == "channels_last":
        out = out.transpose(0, 2, 3, 1)
    out = np.ascontiguousarray(out if x.ndim == 4 else out[0])
    return Tensor._wrap(out.astype(x.dtype if x.dtype.kind == "f" else np.float32, copy=False))


class RandomFlip(_Augmentation):
    """Mirror each image left-right ("horizontal"), top-bottom ("vertical") or both, each with probability 1/2.

    >>> RandomFlip("horizontal").eval()(gn.ones(1, 2, 2, 1)).shape
    (1, 2, 2, 1)
    """

    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed=None, data_format=None):
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip: mode must be one of {self._MODES}, got {mode!r}")
        self.mode = mode
        self._setup(seed, data_format)

    def _apply(self, x, rng):
        if self.mode != "vertical":
            x = augment.RandomHorizontalFlip(0.5, generator=rng)(x)
        if self.mode != "horizontal":
            flip = rng.random(len(x)) < 0.5
            x = np.where(flip[:, None, None, None], x[:, :, ::-1], x)
        return x

    def get_config(self) -> dict:
        return {"mode": self.mode, "seed": self.seed, "data_format": self.data_format}


class RandomRotation(_Augmentation):
    """Rotate each image about its centre by factor * 360 degrees, factor drawn from (-f, f) or (lower, upper);
    positive angles turn counter-clockwise (gradnote.data.augment.RandomRotation).

    >>> RandomRotation(0.1).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 4, 4, 3)
    """

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear", seed=None,
                 fill_value: float = 0.0, data_format=None):
        self.factor = _factor("RandomRotation", "factor", factor)
        self._setup(seed, data_format, fill_mode, interpolation, fill_value)

    def _apply(self, x, rng):
        degrees = (self.factor[0] * 360.0, self.factor[1] * 360.0)
        return augment.RandomRotation(degrees, fill=self.fill_value, order=_ORDERS[self.interpolation],
                                      mode=_FILL_MODES[self.fill_mode], generator=rng)(x)

    def get_config(self) -> dict:
        return {"factor": list(self.factor), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value, **self._options()}


class RandomZoom(_Augmentation):
    """Zoom each image about its centre: height_factor f draws z from (-f, f) (or a (lower, upper) pair) and
    the content's height scales by 1 / (1 + z): positive z zooms out, negative in, as Keras.
    width_factor=None keeps the aspect ratio (the same z for both axes).

    >>> RandomZoom(0.2).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 4, 4, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed=None, fill_value: float = 0.0, data_format=None):
        self.height_factor = _factor("RandomZoom", "height_factor", height_factor, low=-1.0)
        self.width_factor = None if width_factor is None else _factor("RandomZoom", "width_factor", width_factor,
                                                                      low=-1.0)
        self._setup(seed, data_format, fill_mode, interpolation, fill_value)

    def _apply(self, x, rng):
        zh = 1.0 + rng.uniform(*self.height_factor, size=len(x))
        zw = zh if self.width_factor is None else 1.0 + rng.uniform(*self.width_factor, size=len(x))
        mats = np.zeros((len(x), 2, 2))
        mats[:, 0, 0], mats[:, 1, 1] = zh, zw  # output pixel o reads input z (o - c) + c
        return augment._affine(x, mats, _ORDERS[self.interpolation], _FILL_MODES[self.fill_mode], self.fill_value)

    def get_config(self) -> dict:
        return {"height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor),
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value,
                **self._options()}


class RandomTranslation(_Augmentation):
    """Shift each image by a fraction of its size drawn from height_factor / width_factor ((-f, f) or a pair);
    positive moves the content down / right.

    >>> RandomTranslation(0.1, 0.1).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 4, 4, 3)
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed=None, fill_value: float = 0.0, data_format=None):
        self.height_factor = _factor("RandomTranslation", "height_factor", height_factor)
        self.width_factor = _factor("RandomTranslation", "width_factor", width_factor)
        self._setup(seed, data_format, fill_mode, interpolation, fill_value)

    def _apply(self, x, rng):
        from scipy import ndimage

        n, c, h, w = x.shape
        dy, dx = rng.uniform(*self.height_factor, size=n) * h, rng.uniform(*self.width_factor, size=n) * w
        out = np.empty_like(x)
        for i in range(n):
            for j in range(c):
                ndimage.shift(x[i, j], (dy[i], dx[i]), output=out[i, j], order=_ORDERS[self.interpolation],
                              mode=_FILL_MODES[self.fill_mode], cval=self.fill_value)
        return out

    def get_config(self) -> dict:
        return {"height_factor": list(self.height_factor), "width_factor": list(self.width_factor),
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value,
                **self._options()}


class RandomCrop(_Augmentation):
    """A random (height, width) window of each image in training (gradnote.data.augment.RandomCrop); the
    centred window in inference: (N, H, W, C) -> (N, height, width, C) either way.

    >>> RandomCrop(2, 2).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 2, 2, 3)
    """

    def __init__(self, height: int, width: int, seed=None, data_format=None):
        self.height = _positive_int("RandomCrop", "height", height)
        self.width = _positive_int("RandomCrop", "width", width)
        self._setup(seed, data_format)

    def _apply(self, x, rng):
        if self.height > x.shape[2] or self.width > x.shape[3]:
            raise ValueError(f"RandomCrop: crop ({self.height}, {self.width}) is larger than the image "
                             f"{tuple(x.shape[2:])}")
        return augment.RandomCrop((self.height, self.width), generator=rng)(x)

    def _inference(self, x: Tensor) -> Tensor:
        return augment_with(self, x, lambda a, rng: center_crop(Tensor._wrap(a), self.height, self.width,
                                                                "RandomCrop").data)

    def get_config(self) -> dict:
        return {"height": self.height, "width": self.width, **self._options()}


class RandomContrast(_Augmentation):
    """Per image, a factor c from [1 - lower, 1 + upper] (factor f: lower = upper = f) moves each channel
    away from its mean: (x - mean) c + mean, mean over H and W, clipped to value_range.

    >>> RandomContrast(0.5).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 4, 4, 3)
    """

    def __init__(self, factor, seed=None, value_range=(0, 255), data_format=None):
        pair = (factor, factor) if isinstance(factor, numbers.Real) and not isinstance(factor, bool) else factor
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) and v >= 0 for v in pair)) or pair[0] > 1:
            raise ValueError(f"RandomContrast: factor must be in [0, 1] or a (lower, upper) pair with lower in "
                             f"[0, 1] and upper >= 0, got {factor!r}")
        lower, upper = float(pair[0]), float(pair[1])
        self.factor, self.value_range = (lower, upper), tuple(float(v) for v in value_range)
        self._setup(seed, data_format)

    def _apply(self, x, rng):
        c = rng.uniform(1 - self.factor[0], 1 + self.factor[1], size=len(x)).astype(x.dtype)[:, None, None, None]
        mean = x.mean(axis=(2, 3), keepdims=True)
        return np.clip((x - mean) * c + mean, *self.value_range)

    def get_config(self) -> dict:
        return {"factor": list(self.factor), "value_range": list(self.value_range), **self._options()}


class RandomBrightness(_Augmentation):
    """Per image, add delta * (value_range[1] - value_range[0]) with delta from (-f, f) or (lower, upper) in
    [-1, 1], then clip to value_range.

    >>> RandomBrightness(0.2).eval()(gn.ones(1, 4, 4, 3)).shape
    (1, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None):
        self.factor = _factor("RandomBrightness", "factor", factor, low=-1.0)
        if self.factor[1] > 1:
            raise ValueError(f"RandomBrightness: factor must lie in [-1, 1], got {factor!r}")
        self.value_range = tuple(float(v) for v in value_range)
        self._setup(seed, data_format)

    def _apply(self, x, rng):
        span = self.value_range[1] - self.value_range[0]
        delta = (rng.uniform(*self.factor, size=len(x)) * span).astype(x.dtype)[:, None, None, None]
        return np.clip(x + delta, *self.value_range)

    def get_config(self) -> dict:
        return {"factor": list(self.factor), "value_range": list(self.value_range), **self._options()}
