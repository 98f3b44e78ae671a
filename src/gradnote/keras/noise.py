"""Keras's regularising noise layers, active in training only: GaussianNoise, GaussianDropout, AlphaDropout.

    x = layers.GaussianNoise(0.1)(x)            # x + N(0, 0.1^2) while training, x in inference

Noise comes from gradnote's generator (gn.manual_seed repeats it), or from the layer's own stream
when it is given seed= (as Keras's seeded layers).
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import nn
from ..autograd import Tensor
from ..random import Generator, get_rng
from .arguments import _rate
from .graph import Layer

__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise"]


def layer_generator(layer: str, seed):
    """A Keras layer's seed= as its own gn.Generator (None: gradnote's generator at each call)."""
    if seed is None:
        return None
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{layer}: seed must be None or a non-negative int, got {seed!r}")
    return Generator().manual_seed(int(seed))


class _Noise(Layer, nn.Module):
    passes_mask = True

    def _noisy(self, x: Tensor, rng) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, training=None) -> Tensor:
        active = self.training if training is None else bool(training)
        return self._noisy(x, get_rng(self.generator)) if active else x


class GaussianNoise(_Noise):
    """x + N(0, stddev^2) noise per element while training; the identity in inference.

    >>> GaussianNoise(1.0).eval()(gn.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, stddev: float, seed=None):
        if not isinstance(stddev, numbers.Real) or isinstance(stddev, bool) or stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be a number >= 0, got {stddev!r}")
        self.stddev, self.seed, self.generator = float(stddev), seed, layer_generator("GaussianNoise", seed)

    def _noisy(self, x, rng):
        return x + Tensor._wrap(rng.normal(0.0, self.stddev, size=x.shape).astype(x.dtype))

    def get_config(self) -> dict:
        return {"stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """x * N(1, rate / (1 - rate)) per element while training (mean-preserving); the identity in inference.

    >>> GaussianDropout(0.5).eval()(gn.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, rate: float, seed=None):
        self.rate, self.seed = _rate("GaussianDropout", rate), seed
        self.generator = layer_generator("GaussianDropout", seed)

    def _noisy(self, x, rng):
        std = np.sqrt(self.rate / (1.0 - self.rate))
        return x * Tensor._wrap(rng.normal(1.0, std, size=x.shape).astype(x.dtype))

    def get_config(self) -> dict:
        return {"rate": self.rate, "seed": self.seed}


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


class AlphaDropout(_Noise):
    """Dropout for SELU networks: dropped elements are set to SELU's negative saturation -alpha * scale,
    then a * x + b restores zero mean and unit variance, a = ((1 - rate)(1 + rate alpha'^2))^(-1/2),
    b = -a alpha' rate, alpha' = -alpha * scale. Training only.

    >>> AlphaDropout(0.5).eval()(gn.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, rate: float, noise_shape=None, seed=None):
        if noise_shape is not None:
            raise ValueError(f"AlphaDropout: noise_shape is not supported, got {noise_shape!r}")
        self.rate, self.seed = _rate("AlphaDropout", rate), seed
        self.generator = layer_generator("AlphaDropout", seed)

    def _noisy(self, x, rng):
        if self.rate == 0:
            return x
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        keep = (rng.random(x.shape) >= self.rate).astype(x.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return x * Tensor._wrap(a * keep) + Tensor._wrap((a * alpha_p * (1 - keep) + b).astype(x.dtype))

    def get_config(self) -> dict:
        return {"rate": self.rate, "seed": self.seed}
