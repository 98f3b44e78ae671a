"""Keras's losses (``keras.losses.get("categorical_crossentropy")``, loss(y_true, y_pred)): gradnote.train.losses.

The functions (keras.losses.categorical_crossentropy, mse, ...) give one loss per sample, (N,), as
Keras's do; compile(loss=keras.losses.categorical_crossentropy) averages them over the batch.
Loss classes take Keras's from_logits= where it applies::

    keras.losses.CategoricalCrossentropy(from_logits=True)(y_onehot, logits)
"""

from ..train.losses import *  # noqa: F401,F403
from ..train.losses import (  # noqa: F401
    LOSS_NAMES,
    Loss,
    binary_crossentropy,
    categorical_crossentropy,
    get,
    huber,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)

# Keras's function spellings: keras.losses.mse is mean_squared_error, and so on
mse, mae = mean_squared_error, mean_absolute_error

__all__ = ["LOSS_NAMES", "BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanAbsoluteError",
           "MeanSquaredError", "SparseCategoricalCrossentropy", "binary_crossentropy", "categorical_crossentropy",
           "get", "huber", "mae", "mean_absolute_error", "mean_squared_error", "mse", "sparse_categorical_crossentropy"]


def _loss_class(key: str, cls_name: str, takes_logits: bool):
    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size", name: str = key):
        options = {"from_logits": bool(from_logits)} if takes_logits else {}
        if not takes_logits and from_logits:
            raise ValueError(f"{cls_name}: from_logits does not apply")
        Loss.__init__(self, key, reduction=reduction, **options)
        self.display_name = name

    return type(cls_name, (Loss,), {"__init__": __init__, "__doc__": f"Keras's {cls_name} (loss {key!r})."})


BinaryCrossentropy = _loss_class("binary_crossentropy", "BinaryCrossentropy", True)
CategoricalCrossentropy = _loss_class("categorical_crossentropy", "CategoricalCrossentropy", True)
SparseCategoricalCrossentropy = _loss_class("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", True)
MeanSquaredError = _loss_class("mse", "MeanSquaredError", False)
MeanAbsoluteError = _loss_class("mae", "MeanAbsoluteError", False)
