"""Saving and loading, as ``torch.save``/``torch.load`` are called: safetensors for the arrays, JSON for the rest.

    gn.save(model.state_dict(), "weights.pt")             # a dict name -> ndarray (or Tensor)
    gn.save({"epoch": 3, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": opt.state_dict(), "loss": 0.12}, "ckpt.pt")
    gn.save(model, "model.gn")                            # architecture + weights (gradnote layers only)
    ckpt = gn.load("ckpt.pt")                             # the dict again; also from open(p, "rb"), io.BytesIO

What comes back is what was saved: ndarrays stay ndarrays (so ``model.load_state_dict(gn.load(p))``
and ``opt.load_state_dict(gn.load(p))`` work), Tensors come back as Tensors, int keys stay ints,
tuples stay tuples. Whatever the file's name, it is one safetensors file (``io.container``); a
plain safetensors file from elsewhere loads as a dict of ndarrays. Loading never runs code: there
is no pickle (a pickle or torch.save zip is refused with an explanation), and a model is rebuilt
from an allow-list of gradnote layer classes (``io.architecture``). A custom Module subclass cannot be
saved whole: save its ``state_dict()`` and rebuild it in code, as PyTorch recommends.
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np

from .. import backend
from ..autograd import Tensor
from ..nn import Module
from .architecture import model_from_config, model_to_config
from .container import (
    FORMAT_KEY,
    VERSION,
    GradnoteFileError,
    atomic_write,
    decode_tree,
    file_name,
    json_meta,
    load_tree,
    pack,
    read,
    save_tree,
    to_array,
    write,
)

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


def _is_state_dict(obj) -> bool:
    return isinstance(obj, dict) and bool(obj) and all(
        isinstance(k, str) and (isinstance(v, (np.ndarray, Tensor))) for k, v in obj.items())


def _to_host(obj):
    """`obj` with every CUDA Tensor and CuPy array copied to the host, so a GPU run saves the same file."""
    if isinstance(obj, Tensor):
        return obj if backend.is_host(obj.data) else Tensor._wrap(backend.asnumpy(obj.data), obj.requires_grad)
    if isinstance(obj, dict):
        return (OrderedDict if isinstance(obj, OrderedDict) else dict)((k, _to_host(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(_to_host(v) for v in obj)
    return obj if backend.is_host(obj) else backend.asnumpy(obj)


def save(obj, f) -> None:
    """Save ``obj`` to ``f`` (a path, written atomically, or a binary file object).

    obj: a state dict (name -> ndarray or Tensor; stored as a plain safetensors file), any nesting
    of dicts/lists/tuples over arrays, Tensors, numbers, strings and None (optimizer states,
    checkpoints), a single Tensor or array, or a gradnote model (architecture + weights).
    CUDA tensors are saved as their host copies: the file is the one the same values on the CPU give.

    >>> import io; buf = io.BytesIO(); gn.save({"w": gn.ones(2)}, buf); _ = buf.seek(0)
    >>> w = gn.load(buf)["w"]; type(w).__name__, w.numpy().tolist()
    ('Tensor', [1.0, 1.0])
    """
    if isinstance(obj, Module):
        arch = model_to_config(obj)
        tensors = {k: to_array(backend.asnumpy(getattr(v, "data", v)), f"{type(obj).__name__}.{k}")
                   for k, v in obj.state_dict().items()}
        write(f, pack(tensors, {FORMAT_KEY: "model", "gradnote.version": VERSION, "architecture": json.dumps(arch)}))
        return
    if backend.cupy_loaded():
        obj = _to_host(obj)
    if _is_state_dict(obj):
        tensors = {k: to_array(v, f"state_dict[{k!r}]") for k, v in obj.items()}
        meta = {FORMAT_KEY: "state_dict", "gradnote.version": VERSION, "order": json.dumps(list(obj)),
                "tensors": json.dumps([k for k, v in obj.items() if isinstance(v, Tensor)])}
        write(f, pack(tensors, meta))
    else:
        save_tree(obj, f)


def _placement(map_location):
    """``map_location`` as a function Tensor -> Tensor, or None to leave Tensors on the CPU where they were saved."""
    if isinstance(map_location, dict):  # {saved location: new one}; everything was saved from "cpu"
        map_location = map_location.get("cpu")
    if map_location is None:
        return None
    if callable(map_location) and not isinstance(map_location, str) and not hasattr(map_location, "type"):
        return lambda t: map_location(t, "cpu")  # torch's map_location(storage, location)
    name = getattr(map_location, "type", None) or str(map_location)
    if not isinstance(name, str):
        raise TypeError(f"gn.load: map_location must be None, a device, a string, a dict or a function, "
                        f"got {map_location!r}")
    if name.split(":")[0] == "cpu":
        return None
    return lambda t: t.to(map_location)


def load(f, map_location=None, weights_only: bool | None = None):
    """Load what gn.save wrote, from a path or a binary file object.

    Returns a Module, an OrderedDict state dict (Tensors where Tensors were saved), or the saved
    object. ``map_location`` ("cpu", a device, a {"cpu": device} dict, or torch's
    ``fn(tensor, location)``) moves the loaded Tensors ("cuda" onto the GPU); ndarrays stay NumPy arrays.
    ``weights_only`` is accepted for PyTorch's sake: nothing here can run code, so every load is as
    safe as torch's ``weights_only=True``. Raises GradnoteFileError (a ValueError) naming the file
    for anything corrupt, truncated or not a safetensors file (pickles are refused, never opened).
    """
    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"gn.load: weights_only must be None, True or False, got {weights_only!r}")
    place = _placement(map_location)

    def wrap(a, requires_grad=False):
        t = Tensor(a, requires_grad=requires_grad, dtype=a.dtype)
        return t if place is None else place(t)

    tensors, meta = read(f)
    kind = meta.get(FORMAT_KEY)
    if kind == "model":
        model = model_from_config(json_meta(meta, "architecture", f))
        try:
            model.load_state_dict(tensors, strict=True)
        except (KeyError, ValueError) as e:
            raise GradnoteFileError(f"gn.load: {file_name(f)}: weights do not fit the architecture: {e}") from None
        return model if place is None or not hasattr(model, "to") else model.to(map_location)
    if kind in ("tree", "checkpoint"):
        return decode_tree(tensors, meta, f, wrap)
    if kind not in (None, "state_dict"):
        raise GradnoteFileError(f"gn.load: {file_name(f)} has unknown gradnote format {kind!r}")
    order = json_meta(meta, "order", f) if "order" in meta else sorted(tensors)
    if sorted(order) != sorted(tensors):
        raise GradnoteFileError(f"gn.load: {file_name(f)}: tensor names do not match the saved key order")
    as_tensor = set(json_meta(meta, "tensors", f)) if "tensors" in meta else set()
    return OrderedDict((k, wrap(tensors[k]) if k in as_tensor else tensors[k]) for k in order)
