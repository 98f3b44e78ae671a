"""keras.constraints: projections applied to a weight after every optimiser step (one registry).

    Dense(64, kernel_constraint=keras.constraints.MaxNorm(3), bias_constraint="non_neg")

constraint(w) returns the projected weight. `axis` is Keras's, on Keras's kernel layout ((in, out) for
Dense, (kh, kw, in, out) for Conv2D: axis=0 is the norm of each unit's incoming weights); a layer's
weight in gradnote's layout is viewed in Keras's for it (keras.weight_options).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..io.registry import Configurable, Registry

__all__ = ["CONSTRAINTS", "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "serialize"]

_EPSILON = 1e-7


class Constraint(Configurable):
    """Base: constraint(w) -> the projected w (an ndarray, or a Tensor for a Tensor)."""

    def project(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, w):
        if isinstance(w, Tensor):
            return Tensor._wrap(self.project(w.data).astype(w.data.dtype, copy=False))
        return self.project(np.asarray(w))


def _norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt((w * w).sum(axis=tuple(np.atleast_1d(axis)), keepdims=True))


class MinMaxNorm(Constraint):
    """Rescales so the L2 norm along `axis` lies in [min_value, max_value]; rate < 1 moves it only that
    fraction of the way: w * (rate * clip(n, lo, hi) + (1 - rate) * n) / (n + 1e-7), as Keras.

    >>> MinMaxNorm(1.0, 2.0)(np.array([[3.0], [4.0]])).round(4).tolist()
    [[1.2], [1.6]]
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0):
        if not 0 <= min_value <= max_value:
            raise ValueError(f"{type(self).__name__}: need 0 <= min_value <= max_value, got {min_value!r}, "
                             f"{max_value!r}")
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def project(self, w):
        n = _norms(w, self.axis)
        target = self.rate * np.clip(n, self.min_value, self.max_value) + (1 - self.rate) * n
        return w * (target / (n + _EPSILON))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class MaxNorm(MinMaxNorm):
    """Rescales columns whose L2 norm along `axis` exceeds max_value down to it (Srivastava et al.).

    >>> MaxNorm(1.0)(np.array([[3.0], [4.0]])).round(4).tolist()
    [[0.6], [0.8]]
    """

    def __init__(self, max_value: float = 2.0, axis=0):
        super().__init__(0.0, max_value, 1.0, axis)

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """w / (||w|| along axis + 1e-7).

    >>> UnitNorm()(np.array([[3.0], [4.0]])).round(4).tolist()
    [[0.6], [0.8]]
    """

    def __init__(self, axis=0):
        self.axis = axis

    def project(self, w):
        return w / (_norms(w, self.axis) + _EPSILON)

    def get_config(self) -> dict:
        return {"axis": self.axis}


class NonNeg(Constraint):
    """max(w, 0).

    >>> NonNeg()(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def project(self, w):
        return np.maximum(w, 0)


CONSTRAINTS = Registry("constraint", passes=(Constraint,))
"""Keras's constraint names and class names -> classes."""
CONSTRAINTS.register("max_norm", MaxNorm, aliases=("MaxNorm", "maxnorm", "max_norm_constraint"))
CONSTRAINTS.register("min_max_norm", MinMaxNorm, aliases=("MinMaxNorm", "minmaxnorm"))
CONSTRAINTS.register("non_neg", NonNeg, aliases=("NonNeg", "nonneg"))
CONSTRAINTS.register("unit_norm", UnitNorm, aliases=("UnitNorm", "unitnorm"))


def get(identifier):
    """A constraint from a name ("max_norm"), a config dict, or an object / callable (as is); None stays None.

    >>> get("non_neg")
    NonNeg()
    """
    return None if identifier is None else CONSTRAINTS.get(identifier)


def serialize(constraint: Constraint) -> dict:
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
