"""Laplace (double exponential) distribution: density exp(-|x - loc| / scale) / (2 scale)."""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


class Laplace(Distribution):
    """loc, scale > 0: broadcastable (batch_shape is their shape). log_prob(x) = -log(2 scale) - |x - loc| / scale;
    rsample = loc - scale * sign(u) * log(1 - |u|) with u ~ U(-1, 1), differentiable in loc and scale.

    >>> round(Laplace(0.0, 1.0).log_prob(gn.tensor(1.0)).item(), 4)
    -1.6931
    """

    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = _broadcast_params(loc, scale)
        if validate_args and not (self.scale.data > 0).all():
            raise ValueError(f"Laplace: scale must be positive, got {self.scale.data}")
        super().__init__(self.loc.shape)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale**2

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        dtype = self.loc.data.dtype
        # u in (-1, 1): the eps keeps log1p(-|u|) finite, as torch's uniform_(eps - 1, 1)
        u = get_rng(generator).uniform(np.finfo(dtype).eps - 1, 1, self._extended_shape(sample_shape)).astype(dtype)
        return self.loc - self.scale * Tensor._wrap(np.sign(u) * np.log1p(-np.abs(u)))

    def log_prob(self, value) -> Tensor:
        value = _broadcast_params(value, self.loc)[0]
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value) -> Tensor:
        z = (_broadcast_params(value, self.loc)[0] - self.loc) / self.scale
        return 0.5 - 0.5 * z.sign() * (-z.abs()).expm1()

    def icdf(self, value) -> Tensor:
        t = _broadcast_params(value, self.loc)[0] - 0.5
        return self.loc - self.scale * t.sign() * (-2 * t.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
