"""Keras's utility functions (``keras.utils.*``), at torch's ``gradnote.utils`` level so both spellings share them.

    y = to_categorical(labels, 10)                      # int labels (N,) -> one-hot float32 (N, 10)
    ids = pad_sequences(sequences, maxlen=200)          # Keras's defaults: pad and cut at the front
    set_random_seed(0)                                  # gn.manual_seed: every random source gradnote uses
    path = get_file("mnist.npz", origin=url)            # cached under ~/.keras/datasets (KERAS_HOME)

They use only gradnote.data and what lies below it, so ``gn.utils.to_categorical`` is
``keras.utils.to_categorical``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..data import text as _text
from ..data.download import download
from ..random import manual_seed

__all__ = ["PyDataset", "Sequence", "get_file", "keras_cache_dir", "normalize", "pad_sequences", "set_random_seed",
           "to_categorical"]


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
    """Seed every random source gradnote uses (gn.manual_seed), as keras.utils.set_random_seed.

    >>> set_random_seed(0); a = gn.rand(2); set_random_seed(0); bool((gn.rand(2) == a).all())
    True
    """
    manual_seed(seed)


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """x divided by its `order`-norm along `axis` (zero vectors stay zero), as keras.utils.normalize.

    >>> normalize(np.array([[3.0, 4.0]])).tolist()
    [[0.6, 0.8]]
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Keras's pad_sequences: lists of ids -> array (N, maxlen or the longest), padded with `value` and
    truncated at the front by default ("pre"; "post" at the end). The work is gradnote.data.text's.

    >>> pad_sequences([[1, 2], [3, 4, 5]], maxlen=3).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    seqs = [list(s) for s in sequences]
    if any(isinstance(v, float) and not float(v).is_integer() for s in seqs for v in s):
        raise ValueError("pad_sequences: sequences must hold integer ids (gradnote.data.text pads int64 ids)")
    if not float(value).is_integer():
        ids, lengths = _text.pad_sequences(seqs, maxlen, 0, padding, truncating)
        out = ids.astype(dtype)
        L = out.shape[1]
        steps = np.arange(L)[None, :]
        real = steps < lengths[:, None] if padding == "post" else steps >= L - lengths[:, None]
        out[~real] = value
        return out
    return _text.pad_sequences(seqs, maxlen, int(value), padding, truncating)[0].astype(dtype)


def keras_cache_dir() -> Path:
    """$KERAS_HOME if set, else ~/.keras (Keras's cache root; datasets go in its datasets/ folder)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def get_file(fname: str | None = None, origin: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", cache_dir=None, extract: bool = False) -> str:
    """The path of `fname` in the Keras cache (cache_dir or keras_cache_dir(), then cache_subdir),
    downloaded from `origin` first if it is not there (gradnote.data.download: checksum, atomic
    rename). file_hash: a SHA-256 (64 hex digits) or MD5 (32) digest. extract is not supported."""
    if extract:
        raise ValueError("get_file: extract=True is not supported; extract the archive yourself")
    if fname is None:
        if origin is None:
            raise ValueError("get_file: pass fname or origin")
        fname = os.path.basename(origin.split("?")[0])
    folder = Path(cache_dir).expanduser() if cache_dir is not None else keras_cache_dir()
    folder = folder / cache_subdir
    path = folder / fname
    sha256 = file_hash if file_hash is not None and len(file_hash) == 64 else None
    md5 = file_hash if file_hash is not None and len(file_hash) == 32 else None
    if path.exists() and file_hash is None:
        return str(path)
    if origin is None:
        if path.exists():
            return str(path)
        raise FileNotFoundError(f"get_file: {str(path)!r} does not exist and no origin was given to download it")
    return str(download(origin, sha256=sha256, md5=md5, cache_dir=folder, filename=fname))


class Sequence:
    """Keras's batch source for fit: subclass with __len__ (batches per epoch) and __getitem__(i) -> (x, y)
    or (x, y, sample_weight); on_epoch_end runs after each epoch.

    >>> class Batches(Sequence):
    ...     def __len__(self): return 2
    ...     def __getitem__(self, i): return np.ones((3, 1)), np.zeros(3)
    >>> len(list(Batches()))
    2
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        pass

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) -> a batch")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def on_epoch_end(self) -> None:
        pass

    @property
    def num_batches(self) -> int:
        return len(self)


PyDataset = Sequence  # Keras 3's name
