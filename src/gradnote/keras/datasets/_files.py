"""What the dataset loaders share: finding a file in Keras's cache, a pickle-free reader for the npz
files of id lists, and Keras's id remapping (start_char, index_from, num_words, skip_top, oov_char)."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np

from ...utils.keras_utils import get_file, keras_cache_dir

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def locate(path, origin: str | None, file_hash: str | None = None) -> Path:
    """`path` as given if it exists, else the file of that name in ~/.keras/datasets (downloaded if missing;
    a download is checked against file_hash, a file already in the cache is used as it is)."""
    p = Path(path).expanduser()
    if p.exists():
        return p
    cached = keras_cache_dir() / "datasets" / p.name
    if cached.exists():
        return cached
    return Path(get_file(p.name, origin=origin, file_hash=file_hash, cache_dir=keras_cache_dir()))


class _ArraysOnly(pickle.Unpickler):
    """Keras's reuters/imdb npz files pickle object arrays of int lists; rebuild those and nothing else."""

    _ALLOWED = {(m, n) for m in ("numpy.core.multiarray", "numpy._core.multiarray")
                for n in ("_reconstruct", "scalar")} | {("numpy", "ndarray"), ("numpy", "dtype")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"dataset file: refusing to load {module}.{name} (only arrays of id lists)")


def read_npz(path) -> dict:
    """The arrays of an .npz file; object arrays (lists of ids) are unpickled with numpy types only."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            with z.open(member) as f:
                version = np.lib.format.read_magic(f)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, fortran, dtype = read_header(f)
                if dtype.hasobject:
                    arr = _ArraysOnly(f).load()
                else:
                    arr = np.frombuffer(f.read(), dtype=dtype).reshape(shape, order="F" if fortran else "C")
                out[member.removesuffix(".npy")] = np.asarray(arr)
    return out


def shift_ids(xs: list, start_char, index_from: int) -> list:
    """Keras's rules: shift ids by index_from and prepend start_char."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    return xs


def clip_ids(xs: list, num_words, skip_top: int, oov_char) -> list:
    """Ids outside [skip_top, num_words) become oov_char (dropped when it is None); num_words defaults to the
    largest id."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if any(len(x) for x in xs) else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def drop_long(maxlen, xs, labels):
    """Keep the sequences shorter than maxlen (Keras's _remove_long_seq)."""
    keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in keep], np.asarray(labels)[keep]


def object_array(xs: list) -> np.ndarray:
    out = np.empty(len(xs), dtype=object)
    out[:] = [list(x) for x in xs]
    return out


def shuffled(seed: int, *arrays):
    # Keras's own permutation (a legacy RandomState of `seed`), so the splits match Keras's exactly
    order = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(order)
    return [np.asarray(a, dtype=object if a.dtype == object else a.dtype)[order] for a in arrays]


def word_index(path, origin_name: str, file_hash: str | None) -> dict:
    with open(locate(path, ORIGIN + origin_name, file_hash)) as f:
        return json.load(f)
