"""Keras's ``keras.datasets``: ``mnist``, ``fashion_mnist``, ``reuters``, ``imdb``, each with ``load_data``.

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=10000)

Files are read from Keras's cache, ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``), and
downloaded there first when missing (gradnote.utils.get_file: checksum, atomic rename). ``path=``
may also name a local file, or for the image sets a folder of MNIST IDX files (.gz or raw).
"""

from . import fashion_mnist, imdb, mnist, reuters  # noqa: F401

__all__ = ["fashion_mnist", "imdb", "mnist", "reuters"]
