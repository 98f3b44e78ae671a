"""Exponential distribution with rate lambda: the waiting time of a Poisson process."""

from __future__ import annotations

from ..autograd import Tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


class Exponential(Distribution):
    """rate > 0, any shape (= batch_shape). log_prob(x) = log(rate) - rate * x for x >= 0; rsample = e / rate
    with e ~ Exp(1), differentiable in rate.

    >>> round(Exponential(2.0).log_prob(gn.tensor(0.5)).item(), 4)
    -0.3069
    """

    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = _broadcast_params(rate)
        if validate_args and not (self.rate.data > 0).all():
            raise ValueError(f"Exponential: rate must be positive, got {self.rate.data}")
        super().__init__(self.rate.shape)

    @property
    def mean(self) -> Tensor:
        return 1 / self.rate

    @property
    def variance(self) -> Tensor:
        return self.rate ** -2

    @property
    def stddev(self) -> Tensor:
        return 1 / self.rate

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        e = get_rng(generator).standard_exponential(self._extended_shape(sample_shape)).astype(self.rate.data.dtype)
        return Tensor._wrap(e) / self.rate

    def log_prob(self, value) -> Tensor:
        return self.rate.log() - self.rate * _broadcast_params(value, self.rate)[0]

    def cdf(self, value) -> Tensor:
        return 1 - (-self.rate * _broadcast_params(value, self.rate)[0]).exp()

    def icdf(self, value) -> Tensor:
        return -(-_broadcast_params(value, self.rate)[0]).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()
