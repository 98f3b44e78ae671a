"""keras.utils: to_categorical and set_random_seed."""

from __future__ import annotations

import numpy as np

from ..random import manual_seed

__all__ = ["set_random_seed", "to_categorical"]


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """One-hot rows for integer class labels: shape (*y.shape, num_classes) (a trailing 1 in y is dropped).

    >>> to_categorical([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError("to_categorical: labels must be integers, got non-integer floats")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"to_categorical: labels must be integers, got dtype {y.dtype}")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must lie in [0, {num_classes}), got [{y.min()}, {y.max()}]")
    return np.eye(num_classes, dtype=dtype)[y]


def set_random_seed(seed: int) -> None:
    """Seed every random source gradnote uses (gn.manual_seed), as keras.utils.set_random_seed."""
    manual_seed(seed)
