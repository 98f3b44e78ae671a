"""keras.saving: model files and custom objects.

    @keras.saving.register_keras_serializable(package="MyLayers")
    class Sampling(layers.Layer): ...
    model.save("vae.gnx"); model = keras.saving.load_model("vae.gnx")

A registered layer class joins the layer allow-list (gradnote.io.architecture.LAYERS) as
"keras_serializable.package>Name", so a saved model that uses it is rebuilt as cls(**get_config()) (Keras's
default from_config) and its weights loaded; loading never runs
code from the file, only registered classes. Layer configs hold plain values (numbers, strings,
lists); a custom layer that needs more must rebuild it in from_config.
"""

from __future__ import annotations

from ..io import architecture
from ..nn import Module
from .models import load_model

__all__ = ["deserialize_keras_object", "get_registered_name", "get_registered_object", "load_model",
           "register_keras_serializable", "save_model", "serialize_keras_object"]

_CUSTOM: dict = {}  # "package>Name" -> class or function


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Class (or function) decorator: known as "package>name" (name defaults to the class name) to
    saving and loading.

    >>> @register_keras_serializable(package="Doc")
    ... class Twice(gn.keras.layers.Layer):
    ...     def call(self, x): return 2 * x
    >>> get_registered_name(Twice), get_registered_object("Doc>Twice") is Twice
    ('Doc>Twice', True)
    """
    if not isinstance(package, str) or not package or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a non-empty string without '>', "
                         f"got {package!r}")

    def register(obj):
        key = f"{package}>{name or obj.__name__}"
        _CUSTOM[key] = obj  # registering the name again (a re-run notebook cell) replaces the object
        obj._registered_name = key
        if isinstance(obj, type) and issubclass(obj, Module):
            # filled first (an empty registry would never load its allow-list); a dotted name, as saved files use
            architecture._registry().register(f"keras_serializable.{key}", obj)
        return obj

    return register


def get_registered_name(obj) -> str:
    """"package>name" of a registered object, else its class or function name."""
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None):
    """The object registered (or passed in custom_objects / module_objects) under `name`, else None."""
    for table in (custom_objects or {}, _CUSTOM, module_objects or {}):
        if name in table:
            return table[name]
    return None


def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """model.save(filepath): architecture and weights in gradnote's safe format."""
    model.save(filepath)


def serialize_keras_object(obj) -> dict:
    """{"class_name": registered name, "config": obj.get_config()} (Keras's layout)."""
    return {"class_name": get_registered_name(type(obj) if not isinstance(obj, type) else obj),
            "config": obj.get_config()}


def deserialize_keras_object(config: dict, custom_objects: dict | None = None):
    """The object serialize_keras_object described, from a registered class (or custom_objects)."""
    cls = get_registered_object(config.get("class_name"), custom_objects)
    if cls is None:
        raise ValueError(f"deserialize_keras_object: {config.get('class_name')!r} is not registered; decorate the "
                         "class with keras.saving.register_keras_serializable() or pass custom_objects")
    return cls.from_config(config.get("config") or {})
