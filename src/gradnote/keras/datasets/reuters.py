"""keras.datasets.reuters: 11,228 newswires in 46 topics, as lists of word ids (Keras's format and rules).

    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000, test_split=0.2)
    # x_*: object arrays of int lists (1 = start, 2 = out of vocabulary, words from index_from + 1 = 4)
"""

from __future__ import annotations

import numpy as np

from ._files import ORIGIN, clip_ids, drop_long, locate, object_array, read_npz, shift_ids, shuffled, word_index

__all__ = ["get_word_index", "load_data"]

_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"


def load_data(path="reuters.npz", num_words=None, skip_top: int = 0, maxlen=None, test_split: float = 0.2,
              seed: int = 113, start_char=1, oov_char=2, index_from: int = 3):
    """Keras's reuters.load_data: shuffle with `seed`, shift ids by index_from after start_char, drop
    sequences of maxlen or more ids, map ids outside [skip_top, num_words) to oov_char, then split
    off the last test_split fraction. path: reuters.npz (arrays x, y) here or in ~/.keras/datasets."""
    if not 0 <= test_split < 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1), got {test_split!r}")
    arrays = read_npz(locate(path, ORIGIN + "reuters.npz", _HASH))
    xs, labels = shuffled(seed, arrays["x"], arrays["y"])
    xs = shift_ids(list(xs), start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = clip_ids(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (object_array(xs[:idx]), labels[:idx]), (object_array(xs[idx:]), labels[idx:])


def get_word_index(path="reuters_word_index.json") -> dict:
    """{word: id} (before index_from is added), from Keras's reuters_word_index.json."""
    return word_index(path, "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921")
