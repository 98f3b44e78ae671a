"""A model's architecture as plain config, and back: what ``gn.save(model)`` stores beside the weights.

    spec = model_to_config(model)     # {"class": "gradnote.layers.Dense", "config": {"units": 3, ...}}
    model = model_from_config(spec)   # a fresh model of the same layers (weights not included)

Every layer describes itself with ``get_config()`` (Keras's idea); a layer that wraps another
(Bidirectional, TimeDistributed) holds that layer's spec in its config; containers (Sequential,
ModuleList) list their children; a functional Keras Model gives its layer graph (``graph_config``:
layers, Inputs, calls, outputs) and a compiled one its compile config (registry names and configs),
so a loaded model is compiled again. Rebuilding constructs only classes on an allow-list: the public
Module classes of ``gradnote.nn``, ``gradnote.layers`` and ``gradnote.models``, looked up by
qualified name, so a file cannot make gradnote build anything else.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict

import numpy as np

from ..nn import Module
from ..nn.containers import ModuleList, Sequential
from .container import GradnoteFileError
from .registry import Registry

__all__ = ["LAYERS", "get", "model_from_config", "model_to_config"]

ALLOWED_MODULES = ("gradnote.nn", "gradnote.layers", "gradnote.models", "gradnote.keras.models")


def _make_layer(cls, config: dict, **_):
    return cls(**config)


LAYERS = Registry("layer", build=_make_layer, passes=(Module,), case_sensitive=True)
"""The allow-list, and the one layer registry: qualified names ("gradnote.layers.Dense") and short ones
("Dense"; nn's class where both packages have the name, as Dropout), filled on first use."""


def _registry() -> Registry:
    """LAYERS, filled with the public Module classes of ALLOWED_MODULES. Nothing else is ever constructed."""
    if not LAYERS.names():
        # gradnote.layers/models sit above io: they are an allow-list of names, loaded by importlib on first use
        for modname in ALLOWED_MODULES:
            mod = importlib.import_module(modname)
            for name in getattr(mod, "__all__", None) or dir(mod):
                obj = getattr(mod, name, None)
                qualified = f"{modname}.{name}"
                if isinstance(obj, type) and issubclass(obj, Module) and qualified not in LAYERS:
                    LAYERS.register(qualified, obj, aliases=() if name in LAYERS else (name,))
    return LAYERS


def get(identifier) -> Module:
    """A layer from a name ("Dense", "gradnote.nn.Linear": built with its defaults), a config
    ({"class_name": "Dense", "config": {"units": 3}} or {"name": "Dense", "units": 3}) or a Module (as is).

    >>> get({"class_name": "Linear", "config": {"in_features": 2, "out_features": 3}}).weight.shape
    (3, 2)
    """
    return _registry().get(identifier)


def _class_name(layer, reg: Registry) -> str:
    for name in reg.names():
        if type(layer) is reg.lookup(name):
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


def model_to_config(model, reg: Registry | None = None) -> dict:
    """{"class": "gradnote.layers.Dense", "config": {...}} (containers list their layers)."""
    reg = reg if reg is not None else _registry()
    cls = _class_name(model, reg)
    graph = model.graph_config(lambda m: model_to_config(m, reg)) if hasattr(model, "graph_config") else None
    if graph is not None:
        spec = {"class": cls, "graph": _json_config(graph, f"model {type(model).__name__}")}
    elif isinstance(model, (Sequential, ModuleList)):
        spec = {"class": cls, "layers": [[name, model_to_config(m, reg)] for name, m in model.named_children()]}
        if model.__dict__.get("input_shape") is not None:  # a Keras Sequential's Input
            spec["input_shape"] = _json_config(model.__dict__["input_shape"], "input_shape")
    else:
        spec = {"class": cls, "config": _json_config(model.get_config(), f"layer {type(model).__name__}")}
    compiled = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if compiled is not None:
        spec["compile"] = _json_config(compiled, "compile config")
    return spec


def _tuples(v):
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def model_from_config(spec: dict, reg: Registry | None = None):
    """Rebuild a model from model_to_config's output, constructing only allow-listed classes."""
    reg = reg if reg is not None else _registry()
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise GradnoteFileError(f"model architecture: expected {{'class': ..., ...}}, got {spec!r:.80}")
    cls = reg.lookup(spec["class"]) if spec["class"] in reg and "." in spec["class"] else None
    if cls is None:
        raise GradnoteFileError(f"model architecture names {spec['class']!r}, which is not a gradnote layer "
                                "(only gradnote.nn / gradnote.layers / gradnote.models classes are rebuilt)")
    model = _build(cls, spec, reg)
    if spec.get("compile") is not None:
        model.compile_from_config(spec["compile"])
    return model


def _build(cls, spec: dict, reg: Registry):
    if "graph" in spec:
        return cls.from_graph_config(spec["graph"], lambda s: model_from_config(s, reg))
    if "layers" in spec:
        if cls.__name__ != "Sequential":
            return cls([model_from_config(s, reg) for _, s in spec["layers"]])
        model = cls(OrderedDict((str(name), model_from_config(s, reg)) for name, s in spec["layers"]))
        if spec.get("input_shape") is not None:
            model.__dict__["input_shape"] = _tuples(spec["input_shape"])
        return model
    cfg = {k: _tuples(v) for k, v in (spec.get("config") or {}).items()}
    args = cfg.pop("args", [])
    try:
        return cls(*args, **cfg)
    except Exception as e:  # noqa: BLE001  (a layer rejecting its config: report it as a bad file)
        raise GradnoteFileError(f"model architecture: cannot build {spec['class']} from {cfg}: {e}") from None
