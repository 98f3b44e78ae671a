"""Saving and loading: safetensors for the arrays, JSON for the structure, never pickle.

    gn.save(model.state_dict(), "weights.safetensors")   # a dict name -> ndarray
    gn.save(model, "model.gn")                            # architecture + weights
    gn.save(optimizer.state_dict(), "adam.gn")            # any nested dict/list of arrays and numbers
    gn.load("model.gn")                                   # -> Module (or the dict that was saved)

Every file is one safetensors file: the arrays as tensors, the rest as JSON in the
header's string-to-string metadata ("gradnote.format" says which of the three kinds it is).
Loading parses JSON and raw little-endian arrays only, so a file cannot run code; a model
is rebuilt from an allow-list of gradnote layer classes looked up by name. Writes go to a
temporary file in the same directory, are fsynced and then renamed over the target, so a
crash mid-save leaves the previous file intact. A plain safetensors file from elsewhere
loads as a state dict.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections import OrderedDict

import numpy as np

__all__ = [
    "GradnoteFileError",
    "atomic_write",
    "load",
    "load_tree",
    "model_from_config",
    "model_to_config",
    "save",
    "save_tree",
]

FORMAT_KEY = "gradnote.format"
VERSION = "1"


class GradnoteFileError(ValueError):
    """A file that is not a valid gradnote/safetensors file (names the file and the problem)."""


# ----- atomic write ------------------------------------------------------------------------
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


# ----- the container: safetensors bytes ---------------------------------------------------
def _to_array(v, where: str) -> np.ndarray:
    a = np.asarray(getattr(v, "data", v) if not isinstance(v, np.ndarray) else v)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"gn.save: {where} has dtype {a.dtype}; only bool, integer and float arrays can be saved")
    return a if a.flags.c_contiguous else np.array(a, order="C")  # ascontiguousarray would make 0-d 1-d


def _pack(tensors: dict, metadata: dict) -> bytes:
    from safetensors.numpy import save as st_save

    return st_save(tensors, metadata=metadata)


def _read(path) -> tuple[dict, dict]:
    """(tensors, metadata) of a safetensors file, with clear errors for anything else."""
    from safetensors.numpy import load as st_load

    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"gn.load: {path!r} is a folder, not a saved file")
    with open(path, "rb") as f:
        raw = f.read()
    name = f"gn.load: {path!r}"
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


def _json_meta(metadata: dict, key: str, path) -> object:
    try:
        return json.loads(metadata[key])
    except KeyError:
        raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} is missing its {key!r} metadata") from None
    except ValueError as e:
        raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} has corrupt {key!r} JSON: {e}") from None


# ----- nested structures (optimizer states, checkpoints) -----------------------------------
_TAG = "__gn__"


def _encode(obj, tensors: dict, where: str):
    if isinstance(obj, np.ndarray) or (hasattr(obj, "data") and isinstance(obj.data, np.ndarray)):
        key = f"t{len(tensors)}"
        tensors[key] = _to_array(obj, where)
        return {_TAG: "array", "key": key}
    if isinstance(obj, np.generic):  # keeps a NumPy scalar's dtype through the round trip
        key = f"t{len(tensors)}"
        tensors[key] = _to_array(np.asarray(obj), where)
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
    raise TypeError(f"gn.save: cannot save {where} of type {type(obj).__name__}; only arrays, numbers, "
                    "strings, None and lists/tuples/dicts of them are saved (never pickled objects)")


def _decode(obj, tensors: dict, path):
    if isinstance(obj, list):
        return [_decode(v, tensors, path) for v in obj]
    if not isinstance(obj, dict):
        return obj
    tag = obj.get(_TAG)
    if tag is None:
        return {k: _decode(v, tensors, path) for k, v in obj.items()}
    if tag in ("array", "scalar"):
        if obj.get("key") not in tensors:
            raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} refers to a missing tensor {obj.get('key')!r}")
        a = tensors[obj["key"]]
        return a[()] if tag == "scalar" else a
    if tag == "tuple":
        return tuple(_decode(v, tensors, path) for v in obj["items"])
    if tag == "dict":
        return {_hashable(_decode(k, tensors, path)): _decode(v, tensors, path) for k, v in obj["items"]}
    raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} has an unknown node type {tag!r}")


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


def save_tree(obj, path, kind: str = "tree") -> None:
    """Save any nesting of dicts/lists/tuples over arrays, numbers, strings and None."""
    tensors: dict = {}
    tree = _encode(obj, tensors, "object")
    atomic_write(path, _pack(tensors, {FORMAT_KEY: kind, "gradnote.version": VERSION, "tree": json.dumps(tree)}))


def load_tree(path, kind: str | None = None):
    tensors, meta = _read(path)
    if kind is not None and meta.get(FORMAT_KEY) != kind:
        raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} is a {meta.get(FORMAT_KEY, 'plain safetensors')!r} "
                                f"file, expected {kind!r}")
    return _decode(_json_meta(meta, "tree", path), tensors, path)


# ----- models ---------------------------------------------------------------------------------
def _registry() -> dict:
    """Allow-list: public gradnote layer classes, by qualified name. Nothing else is ever constructed."""
    import importlib

    from .nn import Module

    reg = {}
    for modname in ("gradnote.nn", "gradnote.layers", "gradnote.models"):
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", None) or dir(mod):
            obj = getattr(mod, name, None)
            if isinstance(obj, type) and issubclass(obj, Module):
                reg.setdefault(f"{modname}.{name}", obj)
    return reg


def _class_name(layer, reg: dict) -> str:
    for name, cls in reg.items():
        if type(layer) is cls:
            return name
    raise TypeError(f"gn.save: {type(layer).__name__} is not a gradnote layer, so its architecture cannot be "
                    "saved; save model.state_dict() instead and rebuild the model in code")


def _json_config(value, where: str):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_json_config(v, where) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_config(v, where) for k, v in value.items()}
    raise TypeError(f"gn.save: {where} has a config value of type {type(value).__name__}, "
                    "which cannot be written as JSON; save the state_dict instead")


def model_to_config(model, reg: dict | None = None) -> dict:
    """{"class": "gradnote.layers.Dense", "config": {...}} (containers list their layers)."""
    from .nn.containers import ModuleList, Sequential

    reg = reg if reg is not None else _registry()
    cls = _class_name(model, reg)
    if isinstance(model, (Sequential, ModuleList)):
        return {"class": cls, "layers": [[name, model_to_config(m, reg)] for name, m in model.named_children()]}
    cfg = model.get_config()
    return {"class": cls, "config": _json_config(cfg, f"layer {type(model).__name__}")}


def _tuples(v):
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def model_from_config(spec: dict, reg: dict | None = None):
    """Rebuild a model from model_to_config's output, constructing only allow-listed classes."""
    reg = reg if reg is not None else _registry()
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise GradnoteFileError(f"model architecture: expected {{'class': ..., ...}}, got {spec!r:.80}")
    cls = reg.get(spec["class"])
    if cls is None:
        raise GradnoteFileError(f"model architecture names {spec['class']!r}, which is not a gradnote layer "
                                "(only gradnote.nn / gradnote.layers / gradnote.models classes are rebuilt)")
    if "layers" in spec:
        return cls(OrderedDict((str(name), model_from_config(s, reg)) for name, s in spec["layers"])) \
            if cls.__name__ == "Sequential" else cls([model_from_config(s, reg) for _, s in spec["layers"]])
    cfg = {k: _tuples(v) for k, v in (spec.get("config") or {}).items()}
    args = cfg.pop("args", [])
    try:
        return cls(*args, **cfg)
    except Exception as e:  # noqa: BLE001  (a layer rejecting its config: report it as a bad file)
        raise GradnoteFileError(f"model architecture: cannot build {spec['class']} from {cfg}: {e}") from None


# ----- public -----------------------------------------------------------------------------
def _is_state_dict(obj) -> bool:
    return isinstance(obj, dict) and all(
        isinstance(k, str) and (isinstance(v, np.ndarray) or isinstance(getattr(v, "data", None), np.ndarray))
        for k, v in obj.items())


def save(obj, path) -> None:
    """Save a Module (architecture + weights), a state dict, or a nested dict/list of arrays.

    obj: a gradnote model (its layers must be gradnote layers), a dict name -> ndarray,
    or any nesting of dicts/lists/tuples over arrays, numbers and strings (optimizer states).
    path: file to write (atomically).
    """
    from .nn import Module

    if isinstance(obj, Module):
        arch = model_to_config(obj)
        tensors = {k: _to_array(v, f"{type(obj).__name__}.{k}") for k, v in obj.state_dict().items()}
        meta = {FORMAT_KEY: "model", "gradnote.version": VERSION, "architecture": json.dumps(arch)}
        atomic_write(path, _pack(tensors, meta))
    elif _is_state_dict(obj):
        tensors = {k: _to_array(v, f"state_dict[{k!r}]") for k, v in obj.items()}
        meta = {FORMAT_KEY: "state_dict", "gradnote.version": VERSION, "order": json.dumps(list(obj))}
        atomic_write(path, _pack(tensors, meta))
    elif isinstance(obj, (dict, list, tuple)):
        save_tree(obj, path)
    else:
        raise TypeError(f"gn.save: cannot save a {type(obj).__name__}; pass a Module, a state dict "
                        "(name -> ndarray) or a dict/list of arrays and numbers")


def load(path):
    """Load what gn.save wrote: a Module, an OrderedDict state dict, or the saved dict/list.

    Raises GradnoteFileError (a ValueError) naming the file for anything corrupt, truncated
    or not a safetensors file (pickles are refused, never opened).
    """
    tensors, meta = _read(path)
    kind = meta.get(FORMAT_KEY)
    if kind == "model":
        model = model_from_config(_json_meta(meta, "architecture", path))
        try:
            model.load_state_dict(tensors, strict=True)
        except (KeyError, ValueError) as e:
            raise GradnoteFileError(f"gn.load: {os.fspath(path)!r}: weights do not fit the architecture: {e}") \
                from None
        return model
    if kind in ("tree", "checkpoint"):
        return _decode(_json_meta(meta, "tree", path), tensors, path)
    if kind not in (None, "state_dict"):
        raise GradnoteFileError(f"gn.load: {os.fspath(path)!r} has unknown gradnote format {kind!r}")
    order = _json_meta(meta, "order", path) if "order" in meta else sorted(tensors)
    if sorted(order) != sorted(tensors):
        raise GradnoteFileError(f"gn.load: {os.fspath(path)!r}: tensor names do not match the saved key order")
    return OrderedDict((k, tensors[k]) for k in order)
