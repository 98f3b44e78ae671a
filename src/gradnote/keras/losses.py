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
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    get,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)


class Reduction:
    """Keras 2's reduction names (tf.keras.losses.Reduction.SUM ...): the strings Loss takes."""

    AUTO, NONE, SUM, SUM_OVER_BATCH_SIZE = "auto", "none", "sum", "sum_over_batch_size"


def serialize(loss: Loss) -> dict:
    """{"class_name": ..., "config": ...} of a Keras loss object (its registered name and options)."""
    return {"class_name": loss.key, "config": {"reduction": loss.reduction, **loss.options}}


def deserialize(config):
    """The loss serialize() wrote (through the one loss registry)."""
    return get(config)


# Keras's function spellings: keras.losses.mse is mean_squared_error, and so on
mse, mae = mean_squared_error, mean_absolute_error

__all__ = ["LOSS_NAMES", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
           "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
           "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError",
           "Poisson", "Reduction", "SparseCategoricalCrossentropy", "SquaredHinge", "binary_crossentropy",
           "binary_focal_crossentropy", "categorical_crossentropy", "categorical_hinge", "cosine_similarity",
           "deserialize", "get",
           "hinge", "huber", "kl_divergence", "kld", "log_cosh", "logcosh", "mae", "mape",
           "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "mean_squared_logarithmic_error", "mse", "msle", "poisson", "serialize", "sparse_categorical_crossentropy",
           "squared_hinge"]

# Keras's function spellings: keras.losses.mse is mean_squared_error, and so on
mse, mae, msle, mape = mean_squared_error, mean_absolute_error, mean_squared_logarithmic_error, \
    mean_absolute_percentage_error
kld, logcosh = kl_divergence, log_cosh


def _loss_class(key: str, cls_name: str, default_name: str, **defaults):
    """Keras's loss class `cls_name`: Loss(key) with Keras's options (positional in `defaults`' order)."""
    order = list(defaults)

    def __init__(self, *args, reduction: str = "sum_over_batch_size", name: str = default_name, axis: int = -1,
                 **kw):
        if len(args) > len(order):
            raise TypeError(f"{cls_name}: takes at most {len(order)} positional arguments ({', '.join(order)}), "
                            f"got {len(args)}")
        unknown = sorted(set(kw) - set(order))
        if unknown:
            raise TypeError(f"{cls_name}: unexpected arguments {unknown}; Keras's are {order + ['reduction', 'name']}")
        if axis != -1:
            raise ValueError(f"{cls_name}: only axis=-1 (the last axis) is supported, got {axis!r}")
        options = {**defaults, **dict(zip(order, args)), **kw}
        if "from_logits" in options:
            options["from_logits"] = bool(options["from_logits"])
        if not 0 <= options.get("label_smoothing", 0) <= 1:
            raise ValueError(f"{cls_name}: label_smoothing must be in [0, 1], got {options['label_smoothing']!r}")
        Loss.__init__(self, key, reduction=reduction, **options)
        self.display_name = name

    doc = f"Keras's {cls_name}({', '.join(f'{k}={v!r}' for k, v in defaults.items())}): loss {key!r} of " \
          "gradnote.train.losses, averaged over the batch."
    return type(cls_name, (Loss,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


BinaryCrossentropy = _loss_class("binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy",
                                 from_logits=False, label_smoothing=0.0)
BinaryFocalCrossentropy = _loss_class("binary_focal_crossentropy", "BinaryFocalCrossentropy",
                                      "binary_focal_crossentropy", apply_class_balancing=False, alpha=0.25,
                                      gamma=2.0, from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _loss_class("categorical_crossentropy", "CategoricalCrossentropy",
                                      "categorical_crossentropy", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _loss_class("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
                                            "sparse_categorical_crossentropy", from_logits=False)
MeanSquaredError = _loss_class("mse", "MeanSquaredError", "mean_squared_error")
MeanAbsoluteError = _loss_class("mae", "MeanAbsoluteError", "mean_absolute_error")
MeanSquaredLogarithmicError = _loss_class("msle", "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error")
MeanAbsolutePercentageError = _loss_class("mape", "MeanAbsolutePercentageError", "mean_absolute_percentage_error")
Huber = _loss_class("huber", "Huber", "huber_loss", delta=1.0)
KLDivergence = _loss_class("kl_divergence", "KLDivergence", "kl_divergence")
CosineSimilarity = _loss_class("cosine_similarity", "CosineSimilarity", "cosine_similarity")
LogCosh = _loss_class("log_cosh", "LogCosh", "log_cosh")
Poisson = _loss_class("poisson", "Poisson", "poisson")
Hinge = _loss_class("hinge", "Hinge", "hinge")
SquaredHinge = _loss_class("squared_hinge", "SquaredHinge", "squared_hinge")
CategoricalHinge = _loss_class("categorical_hinge", "CategoricalHinge", "categorical_hinge")
