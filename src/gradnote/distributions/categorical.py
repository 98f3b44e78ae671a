"""Categorical: one of K classes, with probabilities or logits over the last dimension."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, tensor
from ..random import get_rng
from .distribution import Distribution


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


class Categorical(Distribution):
    """probs: (..., K), non-negative (normalised over the last dim), or logits: (..., K) (log-probabilities up to
    a constant). batch_shape is probs.shape[:-1]; samples are int64 class indices of that shape.

    >>> m = Categorical(probs=gn.tensor([0.25, 0.75])); m.log_prob(gn.tensor(1)).exp().item()
    0.75
    """

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: give exactly one of probs or logits")
        if probs is not None:
            probs = _as_tensor(probs)
            if probs.ndim < 1:
                raise ValueError(f"Categorical: probs must have at least one dimension (the classes), got shape "
                                 f"{probs.shape}")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(min=np.finfo(self.probs.data.dtype).tiny).log()
        else:
            logits = _as_tensor(logits)
            if logits.ndim < 1:
                raise ValueError(f"Categorical: logits must have at least one dimension (the classes), got shape "
                                 f"{logits.shape}")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.exp()
        self._num_events = self.probs.shape[-1]
        super().__init__(self.probs.shape[:-1])

    @property
    def param_shape(self) -> tuple:
        return self.probs.shape

    def sample(self, sample_shape=(), generator=None) -> Tensor:
        """Class indices of shape sample_shape + batch_shape (inverse-CDF draws from gradnote's generator)."""
        shape = self._extended_shape(sample_shape)
        cdf = np.cumsum(self.probs.data, axis=-1)
        u = get_rng(generator).random(shape + (1,)) * cdf[..., -1:]
        idx = (u >= cdf).sum(-1)  # broadcasts cdf's batch dims against the sample dims in front
        return Tensor._wrap(np.minimum(idx, self._num_events - 1).astype(np.int64))

    def log_prob(self, value) -> Tensor:
        """log p(value) for class indices broadcastable to batch_shape; differentiable in probs/logits."""
        value = _as_tensor(value)
        shape = np.broadcast_shapes(value.shape, self._batch_shape)
        idx = np.broadcast_to(value.data.astype(np.int64), shape)[..., None]
        if idx.size and (idx.min() < 0 or idx.max() >= self._num_events):
            raise ValueError(f"Categorical.log_prob: values must be class indices in [0, {self._num_events}), "
                             f"got {value.data.min()}..{value.data.max()}")
        logits = self.logits.expand(*shape, self._num_events)
        return logits.gather(-1, Tensor._wrap(idx)).squeeze(-1)

    def entropy(self) -> Tensor:
        """-sum p log p over the classes: shape batch_shape."""
        logits = self.logits.clamp(min=float(np.finfo(self.logits.data.dtype).min))
        return -(logits * self.probs).sum(-1)

    @property
    def mean(self) -> Tensor:
        return Tensor._wrap(np.full(self._batch_shape, np.nan, dtype=self.probs.data.dtype))

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The classes 0..K-1 as shape (K, *batch_shape) (or (K, 1, ...) with expand=False)."""
        values = np.arange(self._num_events).reshape((-1,) + (1,) * len(self._batch_shape))
        return Tensor._wrap(np.broadcast_to(values, (self._num_events,) + self._batch_shape).copy() if expand
                            else values)
