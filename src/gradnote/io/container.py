"""gradnote's file container: one safetensors file, arrays as tensors and structure as JSON; never pickle.

    save_tree({"epoch": 3, "w": w}, "ckpt.gn")      # any nesting of dicts/lists/tuples over arrays
    load_tree("ckpt.gn")                            # -> {"epoch": 3, "w": array}

The arrays are the file's tensors; everything else is JSON in the header's string-to-string
metadata (``"gradnote.format"`` says which kind of file it is). Reading parses JSON and raw
little-endian arrays only, so a file cannot run code; a pickle or a zip (torch.save) file is
refused with an explanation. Writes to a path go to a temporary file in the same folder, are
fsynced and renamed over the target, so a crash mid-save leaves the previous file intact; an
open binary file object (``open(p, "wb")``, ``io.BytesIO``) is written in one ``write``.

This is the bottom of the file stack: it imports nothing from gradnote. Tensors are handled by
duck typing (an object whose ``.data`` is an ndarray is saved as that array and tagged as a
tensor); turning them back into Tensors is left to the caller (``load_tree(wrap=...)``).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile

import numpy as np

__all__ = ["FORMAT_KEY", "VERSION", "GradnoteFileError", "atomic_write", "decode_tree", "file_name", "json_meta",
           "load_tree", "pack", "read", "save_tree", "to_array", "write"]

FORMAT_KEY = "gradnote.format"
VERSION = "1"


class GradnoteFileError(ValueError):
    """A file that is not a valid gradnote/safetensors file (names the file and the problem)."""


# ----- writing and reading bytes --------------------------------------------------------------
def _write_all(f, data: bytes) -> None:
    f.write(data)


def atomic_write(path, data: bytes) -> None:
    """Write bytes to `path` atomically: temp file in the same directory, fsync, os.replace."""
    path = os.fspath(path)
    if os.path.isdir(path):  # else os.replace fails naming only the hidden temp file
        raise IsADirectoryError(f"cannot write {path!r}: it is a folder; give a file name inside it")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_all(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (POSIX); not possible on every platform
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _is_path(f) -> bool:
    return isinstance(f, (str, bytes, os.PathLike))


def file_name(f) -> str:
    """How errors name `f`: the path, or the file object's name or type."""
    if _is_path(f):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def write(f, data: bytes, who: str = "gn.save") -> None:
    """Write `data` to a path (atomically) or to an open binary file object."""
    if _is_path(f):
        atomic_write(f, data)
        return
    if not callable(getattr(f, "write", None)):
        raise TypeError(f"{who}: expected a path or a binary file object opened for writing, got {type(f).__name__}")
    try:
        _write_all(f, data)
    except TypeError as e:
        raise TypeError(f"{who}: {file_name(f)} is a text file; open it in binary mode ('wb'): {e}") from None


def _read_bytes(f, who: str) -> bytes:
    if _is_path(f):
        if os.path.isdir(f):
            raise IsADirectoryError(f"{who}: {file_name(f)} is a folder, not a saved file")
        with open(f, "rb") as fh:
            return fh.read()
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"{who}: expected a path or a binary file object opened for reading, got {type(f).__name__}")
    raw = f.read()
    if isinstance(raw, str):
        raise TypeError(f"{who}: {file_name(f)} is a text file; open it in binary mode ('rb')")
    return bytes(raw)


# ----- the safetensors container --------------------------------------------------------------
def to_array(v, where: str, who: str = "gn.save") -> np.ndarray:
    """The C-contiguous ndarray to store for an array or a Tensor-like (``.data`` is the array)."""
    a = np.asarray(v if isinstance(v, np.ndarray) else getattr(v, "data", v))
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {where} has dtype {a.dtype}; only bool, integer and float arrays can be saved")
    return a if a.flags.c_contiguous else np.array(a, order="C")  # ascontiguousarray would make 0-d 1-d


def pack(tensors: dict, metadata: dict) -> bytes:
    """The bytes of a safetensors file holding `tensors` (name -> ndarray) and string `metadata`.

    The same arrays and metadata always give the same bytes: safetensors writes its JSON header in hash-map
    order (it differs from call to call), so the header is rewritten with sorted keys, as long and as
    padded as before; the tensor data and its offsets do not move."""
    from safetensors.numpy import save as st_save

    raw = st_save(tensors, metadata=metadata)
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    if isinstance(header.get("__metadata__"), dict):
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(dict(sorted(header.items())), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(text) > n:  # never expected: keep safetensors' own header
        return raw
    return raw[:8] + text + b" " * (n - len(text)) + raw[8 + n:]


def read(f, who: str = "gn.load") -> tuple[dict, dict]:
    """(tensors, metadata) of a safetensors file (path or binary file object), with clear errors for anything else."""
    from safetensors.numpy import load as st_load

    raw = _read_bytes(f, who)
    name = f"{who}: {file_name(f)}"
    n = struct.unpack("<Q", raw[:8])[0] if len(raw) >= 8 else None
    # A safetensors header length can begin with a pickle's or a zip's magic bytes (e.g. 0x480 is
    # b"\x80\x04"), so the magic numbers only explain files that are not safetensors.
    if n is None or 8 + n > len(raw) or raw[8:9] != b"{":
        if raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
            raise GradnoteFileError(f"{name} is a Python pickle; gradnote never unpickles (it could run code). "
                                    "Load it with the tool that wrote it and re-save its arrays with gn.save")
        if raw[:4] == b"PK\x03\x04":
            raise GradnoteFileError(f"{name} is a zip archive (e.g. a torch.save file), which holds pickles; "
                                    "gradnote reads only safetensors files")
    if n is None:
        raise GradnoteFileError(f"{name} is truncated: {len(raw)} bytes, shorter than the 8-byte header length")
    if 8 + n > len(raw):
        raise GradnoteFileError(f"{name} is truncated or not a safetensors file: header claims {n} bytes "
                                f"but the file has {len(raw)} bytes")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("header is not a JSON object")  # noqa: TRY004
    except (UnicodeDecodeError, ValueError) as e:
        raise GradnoteFileError(f"{name} has a corrupt header (not valid JSON): {e}") from None
    metadata = header.get("__metadata__") or {}
    try:
        tensors = st_load(raw)
    except Exception as e:  # noqa: BLE001  (safetensors raises its own error type for every layout problem)
        raise GradnoteFileError(f"{name} has corrupt or truncated tensor data: {e}") from None
    return tensors, metadata


def json_meta(metadata: dict, key: str, f, who: str = "gn.load") -> object:
    """``json.loads(metadata[key])`` with errors that name the file."""
    try:
        return json.loads(metadata[key])
    except KeyError:
        raise GradnoteFileError(f"{who}: {file_name(f)} is missing its {key!r} metadata") from None
    except ValueError as e:
        raise GradnoteFileError(f"{who}: {file_name(f)} has corrupt {key!r} JSON: {e}") from None


# ----- nested structures (optimizer states, checkpoints) -----------------------------------
_TAG = "__gn__"


def _is_tensor_like(obj) -> bool:
    return not isinstance(obj, np.ndarray) and isinstance(getattr(obj, "data", None), np.ndarray)


def _encode(obj, tensors: dict, where: str):
    if isinstance(obj, np.ndarray) or _is_tensor_like(obj):
        key = f"t{len(tensors)}"
        tensors[key] = to_array(obj, where)
        if isinstance(obj, np.ndarray):
            return {_TAG: "array", "key": key}
        return {_TAG: "tensor", "key": key, "requires_grad": bool(getattr(obj, "requires_grad", False))}
    if isinstance(obj, np.generic):  # keeps a NumPy scalar's dtype through the round trip
        key = f"t{len(tensors)}"
        tensors[key] = to_array(np.asarray(obj), where)
        return {_TAG: "scalar", "key": key}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, tuple):
        return {_TAG: "tuple", "items": [_encode(v, tensors, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, tensors, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and _TAG not in obj:
            return {k: _encode(v, tensors, f"{where}.{k}") for k, v in obj.items()}
        return {_TAG: "dict", "items": [[_encode(k, tensors, where), _encode(v, tensors, f"{where}[{k!r}]")]
                                        for k, v in obj.items()]}
    raise TypeError(f"gn.save: cannot save {where} of type {type(obj).__name__}; only arrays, Tensors, numbers, "
                    "strings, None and lists/tuples/dicts of them are saved (never pickled objects)")


def _decode(obj, tensors: dict, f, wrap):
    if isinstance(obj, list):
        return [_decode(v, tensors, f, wrap) for v in obj]
    if not isinstance(obj, dict):
        return obj
    tag = obj.get(_TAG)
    if tag is None:
        return {k: _decode(v, tensors, f, wrap) for k, v in obj.items()}
    if tag in ("array", "scalar", "tensor"):
        if obj.get("key") not in tensors:
            raise GradnoteFileError(f"gn.load: {file_name(f)} refers to a missing tensor {obj.get('key')!r}")
        a = tensors[obj["key"]]
        if tag == "scalar":
            return a[()]
        return wrap(a, bool(obj.get("requires_grad"))) if tag == "tensor" and wrap is not None else a
    if tag == "tuple":
        return tuple(_decode(v, tensors, f, wrap) for v in obj["items"])
    if tag == "dict":
        return {_hashable(_decode(k, tensors, f, wrap)): _decode(v, tensors, f, wrap) for k, v in obj["items"]}
    raise GradnoteFileError(f"gn.load: {file_name(f)} has an unknown node type {tag!r}")


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


def save_tree(obj, f, kind: str = "tree") -> None:
    """Save any nesting of dicts (any keys)/lists/tuples over arrays, Tensors, numbers, strings and None."""
    tensors: dict = {}
    tree = _encode(obj, tensors, "object")
    write(f, pack(tensors, {FORMAT_KEY: kind, "gradnote.version": VERSION, "tree": json.dumps(tree)}))


def decode_tree(tensors: dict, metadata: dict, f, wrap=None):
    """The object a tree file holds, from its (tensors, metadata); ``wrap(array, requires_grad)`` remakes Tensors."""
    return _decode(json_meta(metadata, "tree", f), tensors, f, wrap)


def load_tree(f, kind: str | None = None, wrap=None):
    """Read what save_tree wrote; Tensors come back as arrays unless ``wrap(array, requires_grad)`` is given."""
    tensors, meta = read(f)
    if kind is not None and meta.get(FORMAT_KEY) != kind:
        raise GradnoteFileError(f"gn.load: {file_name(f)} is a {meta.get(FORMAT_KEY, 'plain safetensors')!r} "
                                f"file, expected {kind!r}")
    return decode_tree(tensors, meta, f, wrap)
