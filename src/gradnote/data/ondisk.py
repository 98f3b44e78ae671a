"""Datasets over arrays on disk, read batch by batch so an epoch runs in constant memory.

Small data fits in a ``TensorDataset``; data larger than memory stays on disk as ``.npy``
files opened with ``mmap_mode="r"`` (or raw ``np.memmap`` files). The operating system pages
in only the rows a batch touches, and each batch is copied out with one fancy-index, so the
process holds one batch at a time however large the files are.

    np.save("x.npy", x); np.save("y.npy", y)
    ds = MemmapDataset("x.npy", "y.npy")             # one big file per array
    save_shards("shards/", x=x, y=y, shard_size=10_000)
    ds = NpyShardDataset("shards/")                  # a folder of x_00000.npy, y_00000.npy, ...
    loader = DataLoader(ds, batch_size=256, shuffle=True, prefetch=2)
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from ..io.container import atomic_write
from .dataset import Dataset, TensorDataset


def _open(source, name: str):
    if isinstance(source, np.ndarray):
        return source
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{name}: no such file {str(path)!r}")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as e:
        raise ValueError(f"{name}: {str(path)!r} is not a readable .npy file ({e})") from e


class MemmapDataset(TensorDataset):
    """A TensorDataset whose arrays stay on disk: ``.npy`` paths (memory-mapped read-only) or np.memmap arrays.

    ``MemmapDataset("x.npy", "y.npy")``; for a raw binary file pass
    ``np.memmap(path, dtype=np.float32, mode="r", shape=(N, D))``. A batch is read by one
    fancy-index per array and returned as an in-memory ndarray.
    """

    def __init__(self, *sources):
        if not sources:
            raise ValueError("MemmapDataset: needs at least one .npy path or np.memmap array")
        super().__init__(*(_open(s, "MemmapDataset") for s in sources))


def _shard_files(root: Path, name: str) -> list[tuple[int, Path]]:
    """``(k, path)`` of the files ``{name}_{k}.npy`` (k all digits) in ``root``, by k."""
    pattern = re.compile(re.escape(name) + r"_(\d+)")
    found = [(int(m.group(1)), p) for p in root.iterdir()
             if p.suffix == ".npy" and (m := pattern.fullmatch(p.stem)) is not None]
    return sorted(found)


def save_shards(root, shard_size: int, **arrays) -> list[Path]:
    """Write ``arrays`` (equal first dimension) as ``root/{name}_{k:05d}.npy`` shards of ``shard_size`` rows.

    Returns the paths written. ``save_shards("d", 1000, x=x, y=y)`` then ``NpyShardDataset("d", ("x", "y"))``.
    Shards of the same names left in ``root`` by an earlier, longer save are removed, so the folder
    holds exactly these arrays.
    """
    if not arrays:
        raise ValueError("save_shards: give at least one array as name=array")
    if not isinstance(shard_size, (int, np.integer)) or shard_size < 1:
        raise ValueError(f"save_shards: shard_size must be a positive int, got {shard_size!r}")
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"save_shards: arrays must have the same first dimension, got {lengths}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    n = next(iter(lengths.values()))
    written = []
    for k, start in enumerate(range(0, n, shard_size)):
        for name, a in arrays.items():
            path = root / f"{name}_{k:05d}.npy"
            buf = io.BytesIO()
            np.save(buf, np.asarray(a[start:start + shard_size]), allow_pickle=False)
            atomic_write(path, buf.getvalue())  # a crash mid-write never leaves a torn shard
            written.append(path)
    n_shards = -(-n // shard_size)
    for name in arrays:
        for k, path in _shard_files(root, name):
            if k >= n_shards:  # stale rows from an earlier save would silently join the dataset
                path.unlink()
    return written


class NpyShardDataset(Dataset):
    """Rows of several arrays split across a folder of ``.npy`` shards, memory-mapped.

    ``root`` holds ``{name}_{k}.npy`` for each name in ``names`` (k all digits, in numeric order;
    other files such as ``x_mean.npy`` are ignored); shard k
    of every name must have the same number of rows. A sample is ``(x_i, y_i, ...)`` in the
    order of ``names`` (a 1-tuple for a single name, as TensorDataset). ``__getitems__`` gathers a batch
    shard by shard, so a shuffled batch costs one fancy-index per touched shard per array.
    """

    def __init__(self, root, names=("x", "y")):
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"NpyShardDataset: no such folder {str(root)!r}")
        if isinstance(names, str):
            names = (names,)
        self.root, self.names = root, tuple(names)
        self.shards: list[list[np.ndarray]] = []
        for name in self.names:
            files = [p for _, p in _shard_files(root, name)]
            if not files:
                raise FileNotFoundError(f"NpyShardDataset: no shards named {name}_*.npy in {str(root)!r}")
            self.shards.append([_open(p, "NpyShardDataset") for p in files])
        counts = [len(s) for s in self.shards]
        if len(set(counts)) > 1:
            raise ValueError(f"NpyShardDataset: names {self.names} have different shard counts {counts} in {root}")
        for k in range(counts[0]):
            rows = [len(s[k]) for s in self.shards]
            if len(set(rows)) > 1:
                raise ValueError(f"NpyShardDataset: shard {k} has row counts {dict(zip(self.names, rows))}; "
                                 "they must agree")
        self.offsets = np.cumsum([0] + [len(a) for a in self.shards[0]])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def _locate(self, index: int) -> tuple[int, int]:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"NpyShardDataset: index {index} out of range for length {n}")
        index %= n
        k = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return k, index - int(self.offsets[k])

    def __getitem__(self, index):
        k, i = self._locate(int(index))
        return tuple(np.asarray(s[k][i]) for s in self.shards)

    def __getitems__(self, indices):
        indices = np.asarray(indices, dtype=np.intp)
        n = len(self)
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError(f"NpyShardDataset: indices out of range for length {n}")
        indices = indices % n if n else indices
        shard = np.searchsorted(self.offsets, indices, side="right") - 1
        local = indices - self.offsets[shard]
        out = []
        for shards in self.shards:
            first = shards[0]
            batch = np.empty((len(indices),) + first.shape[1:], dtype=first.dtype)
            for k in np.unique(shard):
                where = shard == k
                batch[where] = shards[k][local[where]]
            out.append(batch)
        return tuple(out)

