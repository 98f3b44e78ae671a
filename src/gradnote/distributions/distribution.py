"""The base every distribution shares: shapes (``batch_shape``, ``event_shape``) and sample-shape handling."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, no_grad, tensor


class Distribution:
    """batch_shape: the shape of independent parameter sets; event_shape: the shape of one draw (() for scalars).

    Subclasses give ``rsample`` (differentiable draws) or ``sample``, ``log_prob`` and ``entropy``.
    """

    has_rsample = False

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape, self._event_shape = tuple(batch_shape), tuple(event_shape)

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def event_shape(self) -> tuple:
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> tuple:
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    def sample(self, sample_shape=(), generator=None) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape, generator=generator).detach()

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised sample (rsample); use sample()")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self._batch_shape})"


def _broadcast_params(*values) -> list:
    """The parameters as float Tensors of one broadcast shape (torch's broadcast_all): numbers take the dtype of
    the first Tensor among them (float32 if none); expand keeps gradients flowing to the originals."""
    like = next((v for v in values if isinstance(v, Tensor) and v.data.dtype.kind == "f"), None)
    dtype = like.data.dtype if like is not None else np.float32
    ts = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    shape = np.broadcast_shapes(*(t.shape for t in ts))
    return [t if t.shape == shape else t.expand(*shape) for t in ts]
