"""Uniform distribution on the half-open interval [low, high)."""

from __future__ import annotations

from ..autograd import Tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


class Uniform(Distribution):
    """low, high: broadcastable (batch_shape is their shape). log_prob(x) = -log(high - low) inside [low, high),
    -inf outside; rsample = low + (high - low) * u with u ~ U[0, 1), differentiable in low and high.

    >>> Uniform(0.0, 4.0).log_prob(gn.tensor(1.0)).exp().item()
    0.25
    """

    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = _broadcast_params(low, high)
        if validate_args and not (self.low.data < self.high.data).all():
            raise ValueError(f"Uniform: low must be below high, got low={self.low.data}, high={self.high.data}")
        super().__init__(self.low.shape)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / 12**0.5

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        u = get_rng(generator).random(self._extended_shape(sample_shape)).astype(self.low.data.dtype)
        return self.low + (self.high - self.low) * Tensor._wrap(u)

    def log_prob(self, value) -> Tensor:
        value = _broadcast_params(value, self.low)[0]
        inside = ((self.low.data <= value.data) & (value.data < self.high.data)).astype(value.data.dtype)
        return Tensor._wrap(inside).log() - (self.high - self.low).log()

    def cdf(self, value) -> Tensor:
        return ((_broadcast_params(value, self.low)[0] - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value) -> Tensor:
        return self.low + _broadcast_params(value, self.low)[0] * (self.high - self.low)

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()
