"""keras.utils: the functions of gradnote.utils.keras_utils (to_categorical, set_random_seed, pad_sequences,
normalize, get_file, Sequence/PyDataset), so ``keras.utils.f is gn.utils.f``; datasets from arrays and
folders (keras.dataset_utils), image files (keras.image_utils).

Keras 2.0-2.3 programs import ``from keras.utils import np_utils`` and call np_utils.to_categorical and
np_utils.normalize; np_utils is this module, so those are the same functions.
"""

import sys as _sys

from ..utils.keras_utils import *  # noqa: F401,F403
from ..utils.keras_utils import __all__ as _base_all
from .dataset_utils import (  # noqa: F401
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401

__all__ = [*_base_all, "array_to_img", "image_dataset_from_directory", "img_to_array", "load_img", "model_to_dot",
           "plot_model", "save_img", "text_dataset_from_directory", "timeseries_dataset_from_array"]


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, **kwargs):
    """Keras draws the model with pydot and graphviz, which gradnote does not use: refused with the
    alternative (model.summary() prints the layers, output shapes and parameter counts)."""
    raise ImportError("plot_model needs pydot and graphviz, which gradnote does not use; print the model with "
                      "model.summary() instead")


model_to_dot = plot_model

np_utils = _sys.modules[__name__]

_FROM_SAVING = ("register_keras_serializable", "serialize_keras_object", "deserialize_keras_object",
                "get_registered_name", "get_registered_object")


def __getattr__(name):  # keras.utils' aliases of keras.saving (which imports models: loaded on first use)
    if name in _FROM_SAVING:
        from . import saving

        return getattr(saving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
