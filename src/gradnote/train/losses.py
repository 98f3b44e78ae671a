"""Keras's losses by name, called as loss(y_true, y_pred): one registry, one ``get(name)``.

    loss = gn.train.losses.get("categorical_crossentropy")
    value = loss(y_onehot, model(x))                       # a scalar Tensor

Names: "mse" (mean_squared_error), "mae" (mean_absolute_error), "huber" (huber_loss),
"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy".

Probabilities that remember their logits. A softmax or sigmoid output made by a Keras
activation (``remember_logits``), or by the softmax/sigmoid op while a graph is recorded,
carries the logits it came from; the cross-entropy losses then compute log-sum-exp on those
logits (finite and with a gradient for any logits) instead of the log of clipped
probabilities, as Keras does with ``output._keras_logits``. This depends only on the tensor,
never on the container the layers sit in. Without logits, probabilities are clipped to
[1e-7, 1 - 1e-7] before the log, as Keras does.
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import functional as F
from ..autograd import Tensor

__all__ = ["LOSS_NAMES", "Loss", "as_loop_loss", "get", "logits_of", "remember_logits"]

EPSILON = 1e-7

# ----- probabilities that remember their logits ---------------------------------------------------
_LOGITS: dict[int, tuple] = {}  # id(probabilities) -> (weakref to them, logits, "softmax" | "sigmoid")


def remember_logits(probs: Tensor, logits: Tensor, kind: str) -> Tensor:
    """Record that `probs` = softmax(logits, -1) (kind "softmax") or sigmoid(logits); returns probs."""
    key = id(probs)

    def forget(ref, key=key):
        if _LOGITS.get(key, (None,))[0] is ref:
            del _LOGITS[key]

    _LOGITS[key] = (weakref.ref(probs, forget), logits, kind)
    return probs


def logits_of(probs: Tensor, kind: str) -> Tensor | None:
    """The logits `probs` was computed from by a softmax over the last axis / a sigmoid, else None."""
    entry = _LOGITS.get(id(probs))
    if entry is not None and entry[0]() is probs and entry[2] == kind:
        return entry[1]
    ctx = getattr(probs, "_ctx", None)  # the op that made probs, while a graph is recorded
    if ctx is not None and type(ctx).__name__.lower() == kind and ctx.parents:
        axis = getattr(ctx, "axis", -1)
        if kind == "sigmoid" or axis in (-1, probs.ndim - 1):
            return ctx.parents[0]
    return None


# ----- targets ---------------------------------------------------------------------------------------
def _like(y: Tensor, out: Tensor, name: str) -> Tensor:
    if y.shape == out.shape:
        return y
    if y.data.size == out.data.size:
        return Tensor._wrap(y.data.reshape(out.shape))
    raise ValueError(f"{name}: targets of shape {y.shape} do not match the model output {out.shape}")


def _float_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    y = _like(y, out, name)
    return y if y.dtype == out.dtype else Tensor._wrap(y.data.astype(out.dtype))


def _sparse_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    t = y.data.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y.data
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError(f"{name}: targets must be integer class indices, got non-integer floats")
        t = t.astype(np.int64)
    if len(t) and (t.min() < 0 or t.max() >= out.shape[-1]):
        raise ValueError(f"{name}: class indices must lie in [0, {out.shape[-1]}), got [{t.min()}, {t.max()}]")
    return Tensor._wrap(t.astype(np.int64, copy=False))


def _categorical_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    if y.shape != out.shape:
        raise ValueError(f"{name}: targets must be one-hot of the output's shape {out.shape}, got {y.shape}; "
                         "for integer labels use 'sparse_categorical_crossentropy'")
    return y if y.dtype == out.dtype else Tensor._wrap(y.data.astype(out.dtype))


def _clipped_log(p: Tensor) -> Tensor:
    return p.clip(EPSILON, 1 - EPSILON).log()


def _per_sample(v: Tensor) -> Tensor:
    """Mean over every axis but the first: one value per sample, (N,)."""
    return v.reshape(v.shape[0], -1).mean(axis=1) if v.ndim > 1 else v


# ----- the losses, per sample: (y_true, y_pred) -> (N,) ---------------------------------------------
def mean_squared_error(y_true, y_pred, name="mse"):
    return _per_sample(F.mse_loss(y_pred, _float_target(y_true, y_pred, name), reduction="none"))


def mean_absolute_error(y_true, y_pred, name="mae"):
    return _per_sample(F.l1_loss(y_pred, _float_target(y_true, y_pred, name), reduction="none"))


def huber(y_true, y_pred, name="huber", delta: float = 1.0):
    return _per_sample(F.huber_loss(y_pred, _float_target(y_true, y_pred, name), delta=delta, reduction="none"))


def binary_crossentropy(y_true, y_pred, name="binary_crossentropy", from_logits: bool = False):
    t = _float_target(y_true, y_pred, name)
    logits = y_pred if from_logits else logits_of(y_pred, "sigmoid")
    if logits is not None:
        return _per_sample(F.binary_cross_entropy_with_logits(logits, t, reduction="none"))
    return _per_sample(-(t * _clipped_log(y_pred) + (1 - t) * _clipped_log(1 - y_pred)))


def categorical_crossentropy(y_true, y_pred, name="categorical_crossentropy", from_logits: bool = False):
    t = _categorical_target(y_true, y_pred, name)
    logits = y_pred if from_logits else logits_of(y_pred, "softmax")
    if logits is not None:
        return F.cross_entropy(logits, t, reduction="none")
    return -(t * _clipped_log(y_pred / y_pred.sum(axis=-1, keepdims=True))).sum(axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, name="sparse_categorical_crossentropy",
                                    from_logits: bool = False):
    t = _sparse_target(y_true, y_pred, name)
    logits = y_pred if from_logits else logits_of(y_pred, "softmax")
    if logits is not None:
        return F.cross_entropy(logits, t, reduction="none")
    return F.nll_loss(_clipped_log(y_pred), t, reduction="none")


_FUNCTIONS = {
    "mse": mean_squared_error, "mae": mean_absolute_error, "huber": huber,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
_ALIASES = {"mean_squared_error": "mse", "mean_absolute_error": "mae", "huber_loss": "huber"}
LOSS_NAMES = sorted([*_FUNCTIONS, *_ALIASES])


class Loss:
    """A Keras loss object: loss(y_true, y_pred, sample_weight=None) -> scalar Tensor.

    The per-sample values (N,) are weighted by sample_weight (N,) and averaged over the batch
    (Keras's "sum_over_batch_size"); reduction "sum" or "none" as Keras.

    >>> Loss("mse")(gn.zeros(4, 2), gn.ones(4, 2)).item()
    1.0
    """

    def __init__(self, name: str, reduction: str = "sum_over_batch_size", **options):
        key = _ALIASES.get(name.lower(), name.lower()) if isinstance(name, str) else None
        if key not in _FUNCTIONS:
            raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSS_NAMES)}")
        if reduction not in ("sum_over_batch_size", "sum", "none"):
            raise ValueError(f"{name}: reduction must be 'sum_over_batch_size', 'sum' or 'none', got {reduction!r}")
        self.name, self.key, self.reduction, self.options = name, key, reduction, options

    def call(self, y_true, y_pred) -> Tensor:
        """Per-sample losses (N,)."""
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true))
        return _FUNCTIONS[self.key](y_true, y_pred, self.name, **self.options)

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            w = sample_weight.data if isinstance(sample_weight, Tensor) else np.asarray(sample_weight)
            values = values * Tensor._wrap(w.reshape(-1).astype(values.dtype))
        if self.reduction == "none":
            return values
        total = values.sum()
        return total if self.reduction == "sum" else total / max(values.shape[0], 1)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, **self.options}

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def get(identifier) -> Loss:
    """A Loss from a name (Keras's, see LOSS_NAMES) or a Loss (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return Loss(identifier)
    raise TypeError(f"losses.get: expected a loss name ({', '.join(LOSS_NAMES)}) or a Loss, "
                    f"got {type(identifier).__name__}")


def as_loop_loss(loss):
    """(loss_fn(out, y) for the training loop, loss name) from a Keras name/Loss or a torch-style callable."""
    if isinstance(loss, (str, Loss)):
        keras_loss = get(loss)
        return (lambda out, y, sample_weight=None: keras_loss(y, out, sample_weight)), keras_loss.key
    if callable(loss):
        return loss, type(loss).__name__
    raise TypeError(f"compile: loss must be a name ({', '.join(LOSS_NAMES)}) or a callable, "
                    f"got {type(loss).__name__}")
