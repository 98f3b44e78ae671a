"""Normal (Gaussian) distribution N(loc, scale^2), elementwise over broadcast loc and scale."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from ..autograd import Tensor, tensor
from ..random import get_rng
from .distribution import Distribution


def _float_tensor(x, like=None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    dtype = like.data.dtype if isinstance(like, Tensor) and like.data.dtype.kind == "f" else None
    return tensor(x, dtype=dtype)


class Normal(Distribution):
    """loc, scale: broadcastable; batch_shape is their broadcast shape. log_prob(x) =
    -(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi)).

    >>> round(Normal(0.0, 1.0).log_prob(gn.tensor(0.0)).item(), 4)
    -0.9189
    """

    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc = _float_tensor(loc, scale)
        self.scale = _float_tensor(scale, self.loc)
        if validate_args and (self.scale.data <= 0).any():
            raise ValueError(f"Normal: scale must be positive, got {self.scale.data}")
        super().__init__(np.broadcast_shapes(self.loc.shape, self.scale.shape))

    @property
    def mean(self) -> Tensor:
        return self.loc.expand(*self._batch_shape)

    @property
    def variance(self) -> Tensor:
        return (self.scale**2).expand(*self._batch_shape)

    @property
    def stddev(self) -> Tensor:
        return self.scale.expand(*self._batch_shape)

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        """loc + scale * eps with eps ~ N(0, 1): gradients reach loc and scale (the reparameterisation trick)."""
        shape = self._extended_shape(sample_shape)
        eps = get_rng(generator).standard_normal(shape).astype(np.result_type(self.loc.data, self.scale.data))
        return self.loc + self.scale * Tensor._wrap(eps)

    def log_prob(self, value) -> Tensor:
        value = _float_tensor(value, self.loc)
        return -((value - self.loc) ** 2) / (2 * self.scale**2) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def entropy(self) -> Tensor:
        return (0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()).expand(*self._batch_shape)

    def cdf(self, value) -> Tensor:
        z = (_float_tensor(value, self.loc) - self.loc) / (self.scale * math.sqrt(2))
        return Tensor._wrap((0.5 * (1 + erf(z.data))).astype(z.data.dtype))
