"""Beta distribution on (0, 1) with concentrations a (concentration1) and b (concentration0)."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


def _log_beta(a: Tensor, b: Tensor) -> Tensor:
    return a.lgamma() + b.lgamma() - (a + b).lgamma()


class Beta(Distribution):
    """concentration1 a > 0, concentration0 b > 0: broadcastable (batch_shape is their shape).
    log_prob(x) = (a - 1) log(x) + (b - 1) log(1 - x) - log B(a, b).

    sample() draws without a gradient; rsample() is refused (torch reparameterises through gamma draws, which
    gradnote cannot differentiate).

    >>> round(Beta(2.0, 2.0).log_prob(gn.tensor(0.5)).exp().item(), 4)
    1.5
    """

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = _broadcast_params(concentration1, concentration0)
        if validate_args and not ((self.concentration1.data > 0).all() and (self.concentration0.data > 0).all()):
            raise ValueError(f"Beta: concentrations must be positive, got {self.concentration1.data}, "
                             f"{self.concentration0.data}")
        super().__init__(self.concentration1.shape)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total**2 * (total + 1))

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        raise NotImplementedError("Beta.rsample: gradnote has no reparameterised beta draw (torch's goes through "
                                  "gamma draws, whose gradient gradnote lacks); use sample(), which carries no gradient")

    def sample(self, sample_shape=(), generator=None) -> Tensor:
        shape = self._extended_shape(sample_shape)
        a, b = self.concentration1.data, self.concentration0.data
        x = get_rng(generator).beta(np.broadcast_to(a, shape), np.broadcast_to(b, shape))
        tiny = np.finfo(a.dtype).tiny
        return Tensor._wrap(np.clip(x, tiny, 1 - np.finfo(a.dtype).epsneg).astype(a.dtype))

    def log_prob(self, value) -> Tensor:
        value = _broadcast_params(value, self.concentration1)[0]
        a, b = self.concentration1, self.concentration0
        return (a - 1).xlogy(value) + (b - 1).xlogy(1 - value) - _log_beta(a, b)

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return _log_beta(a, b) - (a - 1) * a.digamma() - (b - 1) * b.digamma() + (a + b - 2) * (a + b).digamma()
