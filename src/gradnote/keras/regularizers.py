"""keras.regularizers: weight penalties added to the training loss, l1, l2 and l1_l2 (one registry).

    Dense(64, kernel_regularizer=keras.regularizers.l2(1e-4), activity_regularizer="l1")

penalty(w) is a scalar Tensor: L1(l1) = l1 * sum |w|, L2(l2) = l2 * sum w^2 (no 1/2, as Keras and
gn.nn.l2_penalty), L1L2 both. A layer given one adds it to its losses at each call (keras.weight_options);
fit adds model.losses to the data loss, so the logged loss includes the penalties, as Keras's does.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Tensor
from ..io.registry import Configurable, Registry

__all__ = ["L1", "L1L2", "L2", "REGULARIZERS", "Regularizer", "get", "l1", "l1_l2", "l2", "serialize"]


def _factor(cls: str, what: str, v) -> float:
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or v < 0 or not np.isfinite(v):
        raise ValueError(f"{cls}: {what} must be a finite number >= 0, got {v!r}")
    return float(v)


class Regularizer(Configurable):
    """Base: regularizer(w) -> scalar Tensor penalty; get_config() its arguments."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError


class L1L2(Regularizer):
    """l1 * sum |x| + l2 * sum x^2.

    >>> L1L2(l1=0.5, l2=0.25)(gn.tensor([1.0, -2.0])).item()
    2.75
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1, self.l2 = _factor(type(self).__name__, "l1", l1), _factor(type(self).__name__, "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        total = None
        if self.l1:
            total = x.abs().sum() * self.l1
        if self.l2:
            sq = (x * x).sum() * self.l2
            total = sq if total is None else total + sq
        return total if total is not None else (x * 0.0).sum()

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """l1 * sum |x| (Keras 2's l= is accepted).

    >>> L1(0.5)(gn.tensor([1.0, -3.0])).item()
    2.0
    """

    def __init__(self, l1: float = 0.01, **kw):
        super().__init__(l1=kw.pop("l", l1), **_no_more("L1", kw))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """l2 * sum x^2 (Keras 2's l= is accepted).

    >>> L2(0.5)(gn.tensor([1.0, -2.0])).item()
    2.5
    """

    def __init__(self, l2: float = 0.01, **kw):
        super().__init__(l2=kw.pop("l", l2), **_no_more("L2", kw))

    def get_config(self) -> dict:
        return {"l2": self.l2}


def _no_more(cls: str, kw: dict) -> dict:
    if kw:
        raise TypeError(f"{cls}: unexpected arguments {sorted(kw)}")
    return kw


l1, l2 = L1, L2


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Keras's l1_l2: L1L2 with both factors 0.01 by default."""
    return L1L2(l1=l1, l2=l2)


REGULARIZERS = Registry("regularizer", passes=(Regularizer,))
"""Keras's regularizer names and class names -> classes (names give Keras's defaults)."""
REGULARIZERS.register("l1", L1, aliases=("L1",))
REGULARIZERS.register("l2", L2, aliases=("L2",))
REGULARIZERS.register("l1_l2", L1L2, aliases=("L1L2",))


def get(identifier):
    """A regularizer from a name ("l2"), a config dict, or an object / callable (as is); None stays None.

    >>> get("l2")
    L2(l2=0.01)
    """
    return None if identifier is None else REGULARIZERS.get(identifier)


def serialize(regularizer: Regularizer) -> dict:
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
