"""Hyperparameter checks shared by the layers: errors quote the layer, the argument and the bad value."""

from __future__ import annotations

import numbers


def positive_int(layer: str, name: str, value) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")
    return int(value)


def positive_float(layer: str, name: str, value) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{layer}: {name} must be a positive number, got {value!r}")
    return float(value)
