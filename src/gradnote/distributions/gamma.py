"""Gamma distribution with shape (concentration) alpha and rate beta."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


class Gamma(Distribution):
    """concentration alpha > 0, rate beta > 0: broadcastable (batch_shape is their shape).
    log_prob(x) = alpha log(beta) + (alpha - 1) log(x) - beta x - lgamma(alpha).

    sample() draws without a gradient; rsample() is refused: torch's implicit reparameterisation needs the
    derivative of the gamma quantile in alpha, which gradnote does not have.

    >>> round(Gamma(2.0, 1.0).log_prob(gn.tensor(1.0)).item(), 4)
    -1.0
    """

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = _broadcast_params(concentration, rate)
        if validate_args and not ((self.concentration.data > 0).all() and (self.rate.data > 0).all()):
            raise ValueError(f"Gamma: concentration and rate must be positive, got {self.concentration.data}, "
                             f"{self.rate.data}")
        super().__init__(self.rate.shape)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate**2

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.rsample: gradnote has no reparameterised gamma draw (its "
                                  "gradient in the concentration needs the derivative of the gamma quantile); "
                                  "use sample(), which carries no gradient")

    def sample(self, sample_shape=(), generator=None) -> Tensor:
        shape = self._extended_shape(sample_shape)
        a, b = self.concentration.data, self.rate.data
        x = get_rng(generator).standard_gamma(np.broadcast_to(a, shape)) / b
        return Tensor._wrap(np.maximum(x, np.finfo(a.dtype).tiny).astype(a.dtype))

    def log_prob(self, value) -> Tensor:
        value = _broadcast_params(value, self.rate)[0]
        a, b = self.concentration, self.rate
        return a.xlogy(b) + (a - 1).xlogy(value) - b * value - a.lgamma()

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1 - a) * a.digamma()
