"""keras.datasets.mnist.load_data: ((x_train, y_train), (x_test, y_test)), uint8 (N, 28, 28) and uint8 labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...data.datasets import load_mnist
from ._files import ORIGIN, locate, read_npz

__all__ = ["load_data"]

_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def _keras_layout(splits):
    return tuple((x.astype(np.uint8), y.astype(np.uint8)) for x, y in splits)


def load_data(path="mnist.npz"):
    """MNIST as Keras gives it: 60000 training and 10000 test images.

    path: Keras's mnist.npz (looked up in ~/.keras/datasets and downloaded there when missing), or a
    folder holding the four IDX files (gradnote.data.datasets.load_mnist reads them).
    """
    if Path(path).expanduser().is_dir():
        return _keras_layout(load_mnist(Path(path).expanduser()))
    arrays = read_npz(locate(path, ORIGIN + "mnist.npz", _HASH))
    return _keras_layout(((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])))
