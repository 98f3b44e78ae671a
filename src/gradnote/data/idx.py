"""The IDX file format of MNIST and Fashion-MNIST, read with its header checked.

Layout (big-endian): two zero bytes, a type code, the number of dimensions d, then d uint32
sizes, then the values in row-major order. ``train-images-idx3-ubyte`` has magic 0x00000803
(= 2051: unsigned bytes, 3 dimensions) and sizes (60000, 28, 28); the labels file has 2049.
Files may be gzip-compressed (``.gz``, detected from the content, not the name).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

# type code -> big-endian dtype
IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {v.newbyteorder("="): k for k, v in IDX_TYPES.items()}


class IDXError(ValueError):
    """A file that is not valid IDX (bad magic, truncated, sizes that do not match)."""


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise IDXError(f"{path}: corrupt or truncated gzip data ({e})") from e


def read_idx(path, expect_magic: int | None = None) -> np.ndarray:
    """Read an IDX file (raw or gzip) into an array of its stored type (uint8 for MNIST), native byte order.

    ``expect_magic`` (e.g. 2051 for images, 2049 for labels) is checked when given. Any problem
    raises ``IDXError`` naming the file and what is wrong.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise IDXError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    magic = int.from_bytes(data[:4], "big")
    if data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise IDXError(f"{path}: not an IDX file (magic number 0x{magic:08x}; expected 0x0000TTDD with a "
                       f"type code TT in {sorted(hex(t) for t in IDX_TYPES)})")
    if expect_magic is not None and magic != expect_magic:
        raise IDXError(f"{path}: magic number {magic} does not match the expected {expect_magic}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise IDXError(f"{path}: header declares {ndim} dimensions but the file has only {len(data)} bytes")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPES[data[2]]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found < expected:
        raise IDXError(f"{path}: truncated: header says shape {shape} ({expected} bytes of data), "
                       f"found only {found} bytes")
    if found > expected:
        raise IDXError(f"{path}: {found - expected} unexpected bytes after the data of shape {shape}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed if ``compress`` or the name ends in .gz)."""
    path = Path(path)
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"write_idx: dtype {array.dtype} has no IDX type code; use one of "
                         f"{[str(d) for d in _CODES]}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: need 1 to 255 dimensions, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)
    return path
