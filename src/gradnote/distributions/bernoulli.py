"""Bernoulli: a 0/1 outcome with probability probs (or log-odds logits)."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, tensor
from ..random import get_rng
from .distribution import Distribution


class Bernoulli(Distribution):
    """probs in [0, 1] or logits (log-odds), any shape (= batch_shape); samples are 0.0/1.0 of that shape.
    log_prob(x) = x log p + (1 - x) log(1 - p), computed from the logits (stable, as PyTorch).

    >>> round(Bernoulli(probs=gn.tensor(0.8)).log_prob(gn.tensor(1.0)).exp().item(), 4)
    0.8
    """

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: give exactly one of probs or logits")
        if probs is not None:
            self.probs = probs if isinstance(probs, Tensor) else tensor(probs)
            eps = np.finfo(self.probs.data.dtype).eps
            p = self.probs.clamp(eps, 1 - eps)
            self.logits = p.log() - (1 - p).log()
        else:
            self.logits = logits if isinstance(logits, Tensor) else tensor(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=(), generator=None) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = get_rng(generator).random(shape)
        return Tensor._wrap((u < self.probs.data).astype(self.probs.data.dtype))

    def log_prob(self, value) -> Tensor:
        value = value if isinstance(value, Tensor) else tensor(value, dtype=self.logits.data.dtype)
        # x*l - softplus(l) = -BCE-with-logits, written with |l| so exp never overflows
        lg = self.logits
        return value * lg - lg.clamp(min=0) - (-lg.abs()).exp().log1p()

    def entropy(self) -> Tensor:
        lg = self.logits
        return lg.clamp(min=0) + (-lg.abs()).exp().log1p() - self.probs * lg
