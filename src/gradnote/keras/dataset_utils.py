"""keras.utils' datasets: batches of windows of an array, and of files in one folder per class.

    train_ds, val_ds = keras.utils.image_dataset_from_directory("PetImages", validation_split=0.2,
                                                                subset="both", seed=1337, image_size=(180, 180))
    model.fit(train_ds, epochs=10, validation_data=val_ds)
    for images, labels in train_ds.take(1): ...

What they return is a Batches (a keras.utils.Sequence, so fit, evaluate and predict take it): an
iterable of (x, y) batches (x alone when there are no labels) of gradnote Tensors, as tf.data yields tf
tensors (``images[i].numpy().astype("uint8")``; text stays a NumPy array of strings; as_numpy_iterator
gives ndarrays), with class_names, and tf.data's
take(n) / map(fn) / prefetch / cache, the last two as no-ops (the batches are made when read). A
shuffled dataset draws a new order every epoch, as tf.data's reshuffle_each_iteration; seed= fixes the
sequence of orders (and the training/validation split), else gradnote's generator does
(gn.manual_seed).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..autograd import Tensor
from ..random import get_rng
from ..utils.keras_utils import Sequence

__all__ = ["Batches", "image_dataset_from_directory", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


class Batches(Sequence):
    """Batches of `n` samples: load(indices) -> the batch (x, y) or x, over `batch_size` indices at a time
    (all at once if batch_size is None: unbatched datasets yield one sample at a time)."""

    def __init__(self, n: int, load, batch_size=32, shuffle: bool = False, seed=None, class_names=None,
                 file_paths=None, transforms=()):
        super().__init__()
        if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                       or batch_size < 1):
            raise ValueError(f"dataset: batch_size must be a positive int or None, got {batch_size!r}")
        self.n, self.load, self.batch_size, self.shuffle = n, load, batch_size, shuffle
        self.class_names, self.file_paths, self.transforms = class_names, file_paths, tuple(transforms)
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._order = np.arange(n)
        self._limit = None
        self.on_epoch_end()

    def _like(self, **changes) -> Batches:
        other = object.__new__(Batches)
        other.__dict__.update({**self.__dict__, **changes})
        return other

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._order = get_rng(self._rng).permutation(self.n)

    def __len__(self) -> int:
        size = self.batch_size or 1
        batches = (self.n + size - 1) // size
        return batches if self._limit is None else min(batches, self._limit)

    def __getitem__(self, i: int):
        if not 0 <= i < len(self):
            raise IndexError(f"dataset: batch {i} out of range ({len(self)} batches)")
        size = self.batch_size or 1
        idx = self._order[i * size:(i + 1) * size]
        batch = self.load(idx)
        if self.batch_size is None:
            batch = tuple(b[0] for b in batch) if isinstance(batch, tuple) else batch[0]
        batch = tuple(_tensor(b) for b in batch) if isinstance(batch, tuple) else _tensor(batch)
        for fn in self.transforms:
            batch = fn(*batch) if isinstance(batch, tuple) else fn(batch)
        return batch

    def take(self, count: int) -> Batches:
        """The first `count` batches (tf.data's take)."""
        return self._like(_limit=int(count) if self._limit is None else min(self._limit, int(count)))

    def map(self, fn, num_parallel_calls=None) -> Batches:
        """fn applied to every batch when it is read: fn(x, y) for (x, y) batches, fn(x) otherwise."""
        return self._like(transforms=(*self.transforms, fn))

    def prefetch(self, buffer_size=None) -> Batches:
        return self

    def cache(self, filename: str = "") -> Batches:
        return self

    def as_numpy_iterator(self):
        """The batches as ndarrays (tf.data's as_numpy_iterator)."""
        for batch in self:
            yield tuple(_numpy(b) for b in batch) if isinstance(batch, tuple) else _numpy(batch)


def _tensor(a):
    """A numeric batch array as a Tensor (what tf.data yields); strings stay an ndarray."""
    return Tensor._wrap(a) if isinstance(a, np.ndarray) and a.dtype.kind in "biuf" else a


def _numpy(a):
    return a.data if isinstance(a, Tensor) else a


def _check_split(where: str, validation_split, subset, shuffle, seed) -> None:
    if validation_split is None and subset is None:
        return
    if validation_split is None or not 0 < validation_split < 1:
        raise ValueError(f"{where}: validation_split must be in (0, 1) with subset=, got {validation_split!r}")
    if subset not in ("training", "validation", "both"):
        raise ValueError(f"{where}: subset must be 'training', 'validation' or 'both' with validation_split, "
                         f"got {subset!r}")
    if shuffle and seed is None:
        raise ValueError(f"{where}: with validation_split and shuffle=True, pass seed= so that the training and "
                         "validation subsets are split alike")


def _index_directory(where: str, directory, extensions, labels, class_names, shuffle, seed, follow_links):
    """(file paths, integer labels or None, class names): one folder per class, sorted, as Keras."""
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"{where}: directory {str(directory)!r} does not exist")
    if labels == "inferred":
        found = sorted(d.name for d in root.iterdir() if d.is_dir())
        if class_names is not None:
            if set(class_names) != set(found):
                raise ValueError(f"{where}: class_names {list(class_names)} do not match the folders {found}")
            found = list(class_names)
        names, folders = found, [root / c for c in found]
    else:
        names, folders = None, [root]
    paths, targets = [], []
    for k, folder in enumerate(folders):
        for dirpath, dirnames, files in os.walk(folder, followlinks=follow_links):
            dirnames.sort()
            for f in sorted(files):
                if f.lower().endswith(extensions):
                    paths.append(os.path.join(dirpath, f))
                    targets.append(k)
    if labels not in ("inferred", None):
        targets = list(labels)
        if len(targets) != len(paths):
            raise ValueError(f"{where}: labels has {len(targets)} entries but {len(paths)} files were found")
    order = np.arange(len(paths))
    if shuffle:
        order = (np.random.default_rng(seed) if seed is not None else get_rng()).permutation(len(paths))
    paths = [paths[i] for i in order]
    targets = None if labels is None else np.asarray(targets, dtype=np.int64)[order]
    return paths, targets, names


def _subsets(paths, targets, validation_split, subset) -> list:
    """[(paths, targets, name)] for the subsets asked for: the validation part is the last fraction."""
    if validation_split is None:
        return [(paths, targets, None)]
    n_val = int(validation_split * len(paths))
    parts = {"training": slice(0, len(paths) - n_val), "validation": slice(len(paths) - n_val, len(paths))}
    names = ("training", "validation") if subset == "both" else (subset,)
    return [(paths[parts[s]], None if targets is None else targets[parts[s]], s) for s in names]


def _encode(where: str, targets, label_mode, num_classes: int):
    if label_mode == "int":
        return targets.astype(np.int32)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[targets]
    if label_mode == "binary":
        if num_classes != 2:
            raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes, found {num_classes}")
        return targets.astype(np.float32)[:, None]
    raise ValueError(f"{where}: label_mode must be 'int', 'categorical', 'binary' or None, got {label_mode!r}")


def _from_files(where, paths, targets, names, label_mode, read, batch_size, shuffle, seed, verbose, subset):
    if verbose and subset is not None:
        print(f"Using {len(paths)} files for {subset}.")
    num_classes = len(names) if names else int(targets.max()) + 1 if targets is not None and len(targets) else 0
    y = None if targets is None or label_mode is None else _encode(where, targets, label_mode, num_classes)

    def load(idx):
        x = read([paths[i] for i in idx])
        return x if y is None else (x, y[idx])

    return Batches(len(paths), load, batch_size, shuffle, seed, class_names=names, file_paths=paths)


def _directory_dataset(where, directory, extensions, read, labels, label_mode, class_names, batch_size, shuffle,
                       seed, validation_split, subset, follow_links, verbose):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f"{where}: labels must be 'inferred', None or a list of ints, got {labels!r}")
    if labels is None:
        label_mode = None
    _check_split(where, validation_split, subset, shuffle, seed)
    paths, targets, names = _index_directory(where, directory, extensions, labels, class_names, shuffle, seed,
                                             follow_links)
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names else "."))
    if not paths:
        raise ValueError(f"{where}: no files with extensions {', '.join(extensions)} in {str(directory)!r}")
    sets = [_from_files(where, p, t, names, label_mode, read, batch_size, shuffle, seed, verbose, s)
            for p, t, s in _subsets(paths, targets, validation_split, subset)]
    return tuple(sets) if subset == "both" else sets[0]


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode: str = "rgb", batch_size=32, image_size=(256, 256), shuffle: bool = True,
                                 seed=None, validation_split=None, subset=None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format=None, verbose: bool = True):
    """Batches (images (N, height, width, C) float32 in 0..255, labels) from one folder per class
    (labels="inferred", classes in sorted order), as Keras's: label_mode "int" (N,) int32, "categorical"
    one-hot (N, K), "binary" (N, 1) float32 or None; color_mode "rgb" / "rgba" / "grayscale"; images
    resized to image_size as keras.ops.image.resize (bilinear or nearest, half-pixel centres).
    validation_split with subset "training", "validation" or "both" (a pair) splits off the last fraction
    of the (seeded) shuffled files."""
    from .image_utils import img_to_array, load_img
    from .ops.image import resize

    where = "image_dataset_from_directory"
    for what, value in (("crop_to_aspect_ratio", crop_to_aspect_ratio), ("pad_to_aspect_ratio", pad_to_aspect_ratio)):
        if value:
            raise ValueError(f"{where}: {what}=True is not supported")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: only data_format='channels_last' is supported, got {data_format!r}")
    size = tuple(int(s) for s in image_size)

    def read(files):
        images = []
        for f in files:
            x = img_to_array(load_img(f, color_mode=color_mode))
            if x.shape[:2] != size:
                x = resize(x, size, interpolation=interpolation).data
            images.append(x)
        return np.stack(images).astype(np.float32)

    return _directory_dataset(where, directory, IMAGE_EXTENSIONS, read, labels, label_mode, class_names, batch_size,
                              shuffle, seed, validation_split, subset, follow_links, verbose)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle: bool = True, seed=None, validation_split=None, subset=None,
                                follow_links: bool = False, verbose: bool = True):
    """Batches (texts (N,) as a NumPy str array, labels) from the .txt files of one folder per class, as
    Keras's (labels / label_mode / split as image_dataset_from_directory); max_length truncates each text."""

    def read(files):
        texts = [Path(f).read_text(encoding="utf-8", errors="replace") for f in files]
        return np.array([t[:max_length] if max_length else t for t in texts], dtype=object)

    return _directory_dataset("text_dataset_from_directory", directory, (".txt",), read, labels, label_mode,
                              class_names, batch_size, shuffle, seed, validation_split, subset, follow_links, verbose)


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size=128, shuffle: bool = False, seed=None,
                                  start_index=None, end_index=None):
    """Batches of windows: window i is data[s + j * sampling_rate for j < sequence_length] with
    s = start_index + i * sequence_stride, its target targets[s] (as Keras's); x (N, sequence_length, ...).

    >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, batch_size=2)
    >>> [b.tolist() for b in ds][1]
    [[2, 3, 4], [3, 4, 5]]
    """
    data = np.asarray(data)
    where = "timeseries_dataset_from_array"
    for what, v in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                    ("sampling_rate", sampling_rate)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{where}: {what} must be a positive int, got {v!r}")
    start = 0 if start_index is None else int(start_index)
    end = len(data) if end_index is None else int(end_index)
    if not 0 <= start < end <= len(data):
        raise ValueError(f"{where}: need 0 <= start_index < end_index <= len(data) = {len(data)}, got "
                         f"start_index={start_index!r}, end_index={end_index!r}")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets) - start)
    if count <= 0:
        raise ValueError(f"{where}: no window of {sequence_length} steps (sampling_rate {sampling_rate}) fits in "
                         f"data[{start}:{end}]")
    starts = start + np.arange(0, count, sequence_stride)
    offsets = np.arange(sequence_length) * sampling_rate

    def load(idx):
        s = starts[idx]
        x = data[s[:, None] + offsets[None, :]]
        return x if targets is None else (x, targets[s])

    return Batches(len(starts), load, batch_size, shuffle, seed)
