"""Multivariate normal N(loc, Sigma), parameterised by a covariance, a precision or a lower Cholesky factor."""

from __future__ import annotations

import math

import numpy as np

from .. import autograd as ag
from ..autograd import Tensor, tensor
from ..random import get_rng
from .distribution import Distribution, _broadcast_params


class MultivariateNormal(Distribution):
    """loc: (..., k); exactly one of covariance_matrix Sigma, precision_matrix Sigma^-1 or scale_tril L (lower, with
    positive diagonal, Sigma = L L^T): (..., k, k). batch_shape is the broadcast of loc's and the matrix's leading
    shapes, event_shape (k,). log_prob(x) = -(k log(2 pi) + |L^-1 (x - loc)|^2) / 2 - sum(log diag L);
    rsample = loc + L eps with eps ~ N(0, I), differentiable in loc and the matrix.

    >>> m = MultivariateNormal(gn.zeros(2), covariance_matrix=gn.eye(2))
    >>> round(m.log_prob(gn.zeros(2)).item(), 4), m.event_shape
    (-1.8379, (2,))
    """

    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError("MultivariateNormal: exactly one of covariance_matrix, precision_matrix or scale_tril "
                             "may be specified")
        matrix = covariance_matrix if given[0] else precision_matrix if given[1] else scale_tril
        loc, matrix = (_broadcast_params(v)[0] for v in (loc, matrix))
        if loc.ndim < 1:
            raise ValueError("MultivariateNormal: loc must be at least one-dimensional")
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(f"MultivariateNormal: the matrix must be (..., k, k) with k = loc.shape[-1] = "
                             f"{loc.shape[-1]}, got {tuple(matrix.shape)}")
        batch = np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        k = loc.shape[-1]
        self.loc = loc.expand(*batch, k)
        if given[0]:
            self.covariance_matrix = matrix.expand(*batch, k, k)
            self._unbroadcasted_scale_tril = ag.linalg.cholesky(matrix)
        elif given[1]:
            self.precision_matrix = matrix.expand(*batch, k, k)
            self._unbroadcasted_scale_tril = ag.linalg.cholesky(ag.linalg.inv(matrix))
        else:
            self.scale_tril = matrix.expand(*batch, k, k)
            self._unbroadcasted_scale_tril = matrix
        super().__init__(batch, (k,))

    def __getattr__(self, name: str):
        # the two matrices not given are derived from L on first use, as torch's lazy properties
        if name in ("scale_tril", "covariance_matrix", "precision_matrix"):
            L = self.__dict__["_unbroadcasted_scale_tril"]
            shape = (*self._batch_shape, *self._event_shape * 2)
            if name == "scale_tril":
                value = L
            elif name == "covariance_matrix":
                value = L @ L.mT
            else:
                value = ag.linalg.inv(L @ L.mT)
            value = value.expand(*shape)
            self.__dict__[name] = value
            return value
        raise AttributeError(f"'MultivariateNormal' object has no attribute {name!r}")

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self._unbroadcasted_scale_tril**2).sum(-1).expand(*self._batch_shape, *self._event_shape)

    def rsample(self, sample_shape=(), generator=None) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = Tensor._wrap(get_rng(generator).standard_normal(shape).astype(self.loc.data.dtype))
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value) -> Tensor:
        value = value if isinstance(value, Tensor) else tensor(value, dtype=self.loc.data.dtype)
        if value.ndim < 1 or value.shape[-1] != self._event_shape[0]:
            raise ValueError(f"MultivariateNormal.log_prob: value must end in the event size {self._event_shape[0]}, "
                             f"got shape {tuple(value.shape)}")
        diff = value - self.loc
        k = self._event_shape[0]
        L = self._unbroadcasted_scale_tril
        L = L.expand(*np.broadcast_shapes(L.shape[:-2], diff.shape[:-1]), k, k)
        y = ag.linalg.solve(L, diff.expand(*L.shape[:-1]).unsqueeze(-1)).squeeze(-1)
        return -0.5 * (k * math.log(2 * math.pi) + (y**2).sum(-1)) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(*self._batch_shape)
