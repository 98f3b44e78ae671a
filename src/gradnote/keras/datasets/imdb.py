"""keras.datasets.imdb: 25,000 training and 25,000 test movie reviews (positive 1 / negative 0) as word ids.

    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=20000)
"""

from __future__ import annotations

import numpy as np

from ._files import ORIGIN, clip_ids, drop_long, locate, object_array, read_npz, shift_ids, shuffled, word_index

__all__ = ["get_word_index", "load_data"]

_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"


def load_data(path="imdb.npz", num_words=None, skip_top: int = 0, maxlen=None, seed: int = 113, start_char=1,
              oov_char=2, index_from: int = 3):
    """Keras's imdb.load_data: each split shuffled with `seed`, ids shifted by index_from after start_char,
    sequences of maxlen or more ids dropped, ids outside [skip_top, num_words) (num_words over both
    splits) mapped to oov_char. path: imdb.npz (x_train, y_train, x_test, y_test)."""
    arrays = read_npz(locate(path, ORIGIN + "imdb.npz", _HASH))
    x_train, y_train = shuffled(seed, arrays["x_train"], arrays["y_train"])
    x_test, y_test = shuffled(seed, arrays["x_test"], arrays["y_test"])
    x_train, x_test = shift_ids(list(x_train), start_char, index_from), shift_ids(list(x_test), start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(maxlen, x_train, y_train)
        x_test, y_test = drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"imdb.load_data: after removing sequences of {maxlen} or more ids, no sequence is left "
                             "in one split; increase maxlen")
    xs = clip_ids(x_train + x_test, num_words, skip_top, oov_char)
    n = len(x_train)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    return (object_array(xs[:n]), labels[:n]), (object_array(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json") -> dict:
    """{word: id} (before index_from is added), from Keras's imdb_word_index.json."""
    return word_index(path, "imdb_word_index.json", "bfafd718b763782e994055a2d397834f")
