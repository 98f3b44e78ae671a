"""Saving and loading, as ``torch.save``/``torch.load`` are called: safetensors for the arrays, JSON for the rest.

    gn.save(model.state_dict(), "weights.pt")             # a dict name -> ndarray (or Tensor)
    gn.save({"epoch": 3, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": opt.state_dict(), "loss": 0.12}, "ckpt.pt")
    gn.save(model, "model.gn")                            # architecture + weights
    ckpt = gn.load("ckpt.pt")                             # the dict again; also from open(p, "rb"), io.BytesIO

What comes back is what was saved: ndarrays stay ndarrays (so ``model.load_state_dict(gn.load(p))``
and ``opt.load_state_dict(gn.load(p))`` work), Tensors come back as Tensors, int keys stay ints,
tuples stay tuples. Whatever the file's name, it is one safetensors file (``io.container``); a
plain safetensors file from elsewhere loads as a dict of ndarrays. Loading never runs code: there
is no pickle (a pickle or torch.save zip is refused with an explanation), and a model is rebuilt
from an allow-list of gradnote layer classes (``io.architecture``). A model with custom Module subclasses
(``torch.save(model, f)`` of a user's ``class Net(nn.Module)``) is saved as its classes' import paths, their
plain attributes and its weights; loading rebuilds it only from classes the program has already imported
(gradnote never imports a module a file names) and never calls their ``__init__``, as unpickling does not.
Saving the ``state_dict()`` and rebuilding the model in code stays the portable way, as PyTorch recommends.
"""

from __future__ import annotations

import json
import sys
from collections import OrderedDict

import numpy as np

from ..autograd import Tensor
from ..nn import Module, Parameter
from .architecture import model_from_config, model_to_config
from .container import (
    FORMAT_KEY,
    VERSION,
    GradnoteFileError,
    atomic_write,
    decode_node,
    decode_tree,
    encode_node,
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


# ----- whole models with custom Module classes ---------------------------------------------
# the registries and bookkeeping Module keeps in its __dict__; rebuilt by Module.__new__ and registration
_MODULE_INTERNALS = {"_parameters", "_modules", "_buffers", "_forward_hooks", "_pre_hooks", "_buffer_names",
                     "_non_persistent", "_init_args"}


def _class_path(cls) -> str:
    """"module:QualName" for a class reachable from its module, as pickle requires."""
    found = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    if found is not cls:
        raise TypeError(f"gn.save: {cls.__qualname__} cannot be saved as a whole model: it is not reachable as "
                        f"{cls.__module__}.{cls.__qualname__} (defined inside a function?); save model.state_dict() "
                        "instead and rebuild the model in code")
    return f"{cls.__module__}:{cls.__qualname__}"


def _module_spec(m: Module, tensors: dict, where: str) -> dict:
    """A module as data: a gradnote layer's config and weights, or a custom class's path, attributes, children."""
    try:
        return {"layer": model_to_config(m), "state": encode_node(dict(m.state_dict()), tensors, where)}
    except TypeError:
        pass
    d = vars(m)
    attrs = {k: v for k, v in d.items()
             if k not in _MODULE_INTERNALS and k not in m._parameters and k not in m._modules and k not in m._buffers}
    skip = d.get("_non_persistent", set())
    return {"object": _class_path(type(m)),
            "attrs": encode_node(attrs, tensors, f"{where} attribute"),
            "parameters": {k: None if p is None else encode_node(p, tensors, f"{where}.{k}")
                           for k, p in m._parameters.items()},
            "buffers": [[k, encode_node(b, tensors, f"{where}.{k}"), k not in skip] for k, b in m._buffers.items()],
            "children": [[k, None if c is None else _module_spec(c, tensors, f"{where}.{k}")]
                         for k, c in m._modules.items()]}


def _tied(model: Module) -> list:
    """[alias, first name] for every parameter reachable under a second name (tied weights)."""
    first, ties = {}, []
    for mname, mod in model.named_modules():
        for pname, p in mod._parameters.items():
            name = f"{mname}.{pname}" if mname else pname
            if p is not None and first.setdefault(id(p), name) != name:
                ties.append([name, first[id(p)]])
    return ties


def _imported_class(path: str, f):
    modname, _, qualname = path.partition(":")
    found = sys.modules.get(modname)
    if found is None:
        raise GradnoteFileError(f"gn.load: {file_name(f)} holds a model of class {qualname} from module {modname!r}, "
                                f"which this program has not imported; import it first (gradnote never imports "
                                "code a file names)")
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not (isinstance(found, type) and issubclass(found, Module)):
        raise GradnoteFileError(f"gn.load: {file_name(f)} names {path!r}, which is not a Module class of an "
                                "imported module")
    return found


def _module_from_spec(spec: dict, tensors: dict, f, wrap) -> Module:
    if "layer" in spec:
        m = model_from_config(spec["layer"])
        m.load_state_dict(decode_node(spec["state"], tensors, f, None), strict=True)
        return m
    cls = _imported_class(spec["object"], f)
    m = cls.__new__(cls)  # as unpickling: the registries come from Module.__new__, __init__ is not run
    for name, child in spec["children"]:
        setattr(m, name, None if child is None else _module_from_spec(child, tensors, f, wrap))
    for name, p in spec["parameters"].items():
        param = None if p is None else decode_node(p, tensors, f, wrap)
        m.register_parameter(name, None if param is None else
                             Parameter(param.data, requires_grad=param.requires_grad, dtype=param.data.dtype))
    for name, b, persistent in spec["buffers"]:
        m.register_buffer(name, decode_node(b, tensors, f, wrap), persistent=persistent)
    for name, value in decode_node(spec["attrs"], tensors, f, wrap).items():
        object.__setattr__(m, name, value)
    return m


def _save_custom_model(model: Module, f) -> None:
    tensors: dict = {}
    spec = _module_spec(model, tensors, type(model).__name__)
    write(f, pack(tensors, {FORMAT_KEY: "module", "gradnote.version": VERSION, "module": json.dumps(spec),
                            "tied": json.dumps(_tied(model))}))


def _load_custom_model(tensors: dict, meta: dict, f, wrap) -> Module:
    model = _module_from_spec(json_meta(meta, "module", f), tensors, f, wrap)
    for alias, name in json_meta(meta, "tied", f):
        owner, _, attr = alias.rpartition(".")
        src_owner, _, src_attr = name.rpartition(".")
        setattr(model.get_submodule(owner), attr, getattr(model.get_submodule(src_owner), src_attr))
    return model


def save(obj, f) -> None:
    """Save ``obj`` to ``f`` (a path, written atomically, or a binary file object).

    obj: a state dict (name -> ndarray or Tensor; stored as a plain safetensors file), any nesting
    of dicts/lists/tuples over arrays, Tensors, numbers, strings and None (optimizer states,
    checkpoints), a single Tensor or array, or a model (architecture + weights; custom classes by import path).

    >>> import io; buf = io.BytesIO(); gn.save({"w": gn.ones(2)}, buf); _ = buf.seek(0)
    >>> w = gn.load(buf)["w"]; type(w).__name__, w.numpy().tolist()
    ('Tensor', [1.0, 1.0])
    """
    if isinstance(obj, Module):
        try:
            arch = model_to_config(obj)
        except TypeError:  # custom Module classes inside: saved by class path (see the module docstring)
            return _save_custom_model(obj, f)
        tensors = {k: to_array(v, f"{type(obj).__name__}.{k}") for k, v in obj.state_dict().items()}
        write(f, pack(tensors, {FORMAT_KEY: "model", "gradnote.version": VERSION, "architecture": json.dumps(arch)}))
    elif _is_state_dict(obj):
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
    ``fn(tensor, location)``) moves the loaded Tensors; ndarrays stay NumPy arrays.
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
    if kind == "module":
        model = _load_custom_model(tensors, meta, f, lambda a, rg=False: Tensor(a, requires_grad=rg, dtype=a.dtype))
        return model if place is None else model.to(map_location)
    if kind in ("tree", "checkpoint"):
        return decode_tree(tensors, meta, f, wrap)
    if kind not in (None, "state_dict"):
        raise GradnoteFileError(f"gn.load: {file_name(f)} has unknown gradnote format {kind!r}")
    order = json_meta(meta, "order", f) if "order" in meta else sorted(tensors)
    if sorted(order) != sorted(tensors):
        raise GradnoteFileError(f"gn.load: {file_name(f)}: tensor names do not match the saved key order")
    as_tensor = set(json_meta(meta, "tensors", f)) if "tensors" in meta else set()
    return OrderedDict((k, wrap(tensors[k]) if k in as_tensor else tensors[k]) for k in order)
