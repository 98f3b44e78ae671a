"""keras.datasets.fashion_mnist.load_data: ((x_train, y_train), (x_test, y_test)), uint8 (N, 28, 28), uint8 labels."""

from __future__ import annotations

from pathlib import Path

from ...data.datasets import FASHION_MNIST_SOURCE, load_fashion_mnist
from ...utils.keras_utils import get_file, keras_cache_dir
from ._files import ORIGIN
from .mnist import _keras_layout

__all__ = ["load_data"]

_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz")


def load_data(path=None):
    """Fashion-MNIST as Keras gives it. The four IDX files are read from `path` (a folder) or from
    ~/.keras/datasets/fashion-mnist, where Keras keeps them (downloaded when missing, checked against
    Zalando's MD5 digests)."""
    if path is None:
        folder = keras_cache_dir() / "datasets" / "fashion-mnist"
        for name in _FILES:
            get_file(name, origin=ORIGIN + "fashion-mnist/" + name, file_hash=FASHION_MNIST_SOURCE["md5"].get(name),
                     cache_subdir="", cache_dir=folder)
        path = folder
    return _keras_layout(load_fashion_mnist(Path(path).expanduser()))
