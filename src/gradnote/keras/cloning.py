"""Keras's clone_model and model_from_json: a model rebuilt from its architecture config (the one that
model.save writes, gradnote.io.architecture), so the copy has the same layers and fresh weights.

    twin = clone_model(model)                    # same architecture, newly initialised, not shared
    again = model_from_json(json_string)         # from architecture JSON (model_to_json writes it)
"""

from __future__ import annotations

import json

from ..io.architecture import model_from_config, model_to_config

__all__ = ["clone_model", "model_from_json", "model_to_json"]


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False,
                **kwargs):
    """A new model with `model`'s architecture and freshly initialised weights (Keras's clone_model).
    input_tensors / clone_function / call_function (rewriting the graph) are not supported."""
    for what, value in (("input_tensors", input_tensors), ("clone_function", clone_function),
                        ("call_function", call_function)):
        if value is not None:
            raise ValueError(f"clone_model: {what}= is not supported (the clone is rebuilt from the architecture "
                             "config); build the variant yourself")
    return model_from_config(model_to_config(model))


def model_to_json(model, **kwargs) -> str:
    """The model's architecture as a JSON string (Keras's model.to_json()); kwargs go to json.dumps."""
    return json.dumps(model_to_config(model), **kwargs)


def model_from_json(json_string: str, custom_objects=None):
    """The model (fresh weights) whose architecture model_to_json wrote."""
    if custom_objects:
        raise ValueError("model_from_json: custom_objects are not supported; register custom layers with "
                         "keras.saving.register_keras_serializable")
    return model_from_config(json.loads(json_string))
