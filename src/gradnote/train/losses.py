"""Keras's losses by name, called as loss(y_true, y_pred): one registry, one ``get(name)``.

    loss = gn.train.losses.get("categorical_crossentropy")
    value = loss(y_onehot, model(x))                       # a scalar Tensor

Names (the one loss registry, LOSSES): "mse" (mean_squared_error), "mae" (mean_absolute_error, l1),
"huber" (huber_loss), "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
"binary_focal_crossentropy", "kl_divergence", "cosine_similarity", "log_cosh", "poisson", "hinge",
"squared_hinge", "categorical_hinge", "msle", "mape" (also by Keras's class names), and PyTorch's
module losses "cross_entropy", "nll", "bce_with_logits".

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
from .. import nn
from ..autograd import Tensor
from ..io.registry import Registry

__all__ = ["LOSSES", "LOSS_NAMES", "Loss", "as_loop_loss", "get", "logits_of", "remember_logits"]

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
    """Keras's reduction of a loss function: the mean over the last axis, (N, ..., C) -> (N, ...) (one value
    per sample for (N, C); per step or pixel for (N, T, C) / (N, H, W, C)). Loss objects then average those."""
    return v.mean(axis=-1) if v.ndim > 1 else v


# ----- the losses, per sample: (y_true, y_pred, Keras's options in Keras's order) -> (N,) ----------------
def mean_squared_error(y_true, y_pred, *, name="mse"):
    return _per_sample(F.mse_loss(y_pred, _float_target(y_true, y_pred, name), reduction="none"))


def mean_absolute_error(y_true, y_pred, *, name="mae"):
    return _per_sample(F.l1_loss(y_pred, _float_target(y_true, y_pred, name), reduction="none"))


def huber(y_true, y_pred, delta: float = 1.0, *, name="huber"):
    return _per_sample(F.huber_loss(y_pred, _float_target(y_true, y_pred, name), delta=delta, reduction="none"))


def _smoothed(t: Tensor, label_smoothing: float, classes: int) -> Tensor:
    """Keras's label smoothing: targets pulled towards 1 / classes by the fraction label_smoothing."""
    return t if not label_smoothing else t * (1.0 - label_smoothing) + label_smoothing / classes


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, *, name="binary_crossentropy"):
    t = _smoothed(_float_target(y_true, y_pred, name), label_smoothing, 2)
    logits = y_pred if from_logits else logits_of(y_pred, "sigmoid")
    if logits is not None:
        return _per_sample(F.binary_cross_entropy_with_logits(logits, t, reduction="none"))
    return _per_sample(-(t * _clipped_log(y_pred) + (1 - t) * _clipped_log(1 - y_pred)))


def _last_axis_classes(fn, scores: Tensor, t: Tensor) -> Tensor:
    """fn(scores, target, reduction="none") with Keras's class axis last: scores (N, ..., C) as rows (M, C)
    (F's losses take the class axis second), the values back as (N, ...)."""
    if scores.ndim <= 2:
        return fn(scores, t, reduction="none")
    classes, lead = scores.shape[-1], scores.shape[:-1]
    rows = Tensor._wrap(t.data.reshape(-1, classes) if t.shape == scores.shape else t.data.reshape(-1))
    return fn(scores.reshape(-1, classes), rows, reduction="none").reshape(lead)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, *, name="categorical_crossentropy"):
    t = _smoothed(_categorical_target(y_true, y_pred, name), label_smoothing, y_pred.shape[-1])
    logits = y_pred if from_logits else logits_of(y_pred, "softmax")
    if logits is not None:
        return _last_axis_classes(F.cross_entropy, logits, t)
    return -(t * _clipped_log(y_pred / y_pred.sum(axis=-1, keepdims=True))).sum(axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, *,
                                    name="sparse_categorical_crossentropy"):
    t = _sparse_target(y_true, y_pred, name)
    logits = y_pred if from_logits else logits_of(y_pred, "softmax")
    if logits is not None:
        return _last_axis_classes(F.cross_entropy, logits, t)
    return _last_axis_classes(F.nll_loss, _clipped_log(y_pred), t)


def kl_divergence(y_true, y_pred, *, name="kl_divergence"):
    """sum(t * log(t / p)) over the last axis, t and p clipped to [1e-7, 1] (Keras's KLDivergence)."""
    t = _float_target(y_true, y_pred, name).clip(EPSILON, 1)
    return (t * (t / y_pred.clip(EPSILON, 1)).log()).sum(axis=-1)


def _l2_normalize(x: Tensor) -> Tensor:
    return x / (x * x).sum(axis=-1, keepdims=True).clip(1e-12, None).sqrt()


def cosine_similarity(y_true, y_pred, *, name="cosine_similarity"):
    """-cos(y_true, y_pred) over the last axis (Keras's CosineSimilarity loss: -1 when aligned)."""
    t = _float_target(y_true, y_pred, name)
    return -(_l2_normalize(t) * _l2_normalize(y_pred)).sum(axis=-1)


def log_cosh(y_true, y_pred, *, name="log_cosh"):
    """mean log(cosh(p - t)), written as d + softplus(-2d) - log 2 so it stays finite for large d."""
    d = y_pred - _float_target(y_true, y_pred, name)
    return _per_sample(d + F.softplus(d * -2.0) - float(np.log(2.0)))


def poisson(y_true, y_pred, *, name="poisson"):
    """mean(p - t * log(p + 1e-7))."""
    return _per_sample(y_pred - _float_target(y_true, y_pred, name) * (y_pred + EPSILON).log())


def _signed(t: Tensor) -> Tensor:
    """Hinge targets in {-1, 1}: 0/1 labels are mapped to -1/1, as Keras does."""
    if t.data.size and np.isin(t.data, (0, 1)).all():
        return t * 2.0 - 1.0
    return t


def hinge(y_true, y_pred, *, name="hinge"):
    """mean(max(1 - t * p, 0)), t in {-1, 1} (0/1 labels are converted)."""
    return _per_sample(F.relu(1.0 - _signed(_float_target(y_true, y_pred, name)) * y_pred))


def squared_hinge(y_true, y_pred, *, name="squared_hinge"):
    """mean(max(1 - t * p, 0) ** 2), t in {-1, 1} (0/1 labels are converted)."""
    return _per_sample(F.relu(1.0 - _signed(_float_target(y_true, y_pred, name)) * y_pred) ** 2)


def categorical_hinge(y_true, y_pred, *, name="categorical_hinge"):
    """max(max((1 - t) * p) - sum(t * p) + 1, 0) over the last axis; t one-hot."""
    t = _categorical_target(y_true, y_pred, name)
    return F.relu(((1.0 - t) * y_pred).max(axis=-1) - (t * y_pred).sum(axis=-1) + 1.0)


def mean_squared_logarithmic_error(y_true, y_pred, *, name="msle"):
    """mean((log(max(p, 1e-7) + 1) - log(max(t, 1e-7) + 1)) ** 2)."""
    t = _float_target(y_true, y_pred, name)
    return _per_sample(((y_pred.clip(EPSILON, None) + 1.0).log() - (t.clip(EPSILON, None) + 1.0).log()) ** 2)


def mean_absolute_percentage_error(y_true, y_pred, *, name="mape"):
    """100 * mean(|t - p| / max(|t|, 1e-7))."""
    t = _float_target(y_true, y_pred, name)
    return _per_sample((t - y_pred).abs() / t.abs().clip(EPSILON, None) * 100.0)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0, *,
                              name="binary_focal_crossentropy"):
    """Focal loss (Lin et al., 2017): (1 - p_t) ** gamma * bce, p_t = t p + (1 - t)(1 - p); with
    apply_class_balancing also weighted by alpha (positives) / 1 - alpha (negatives), as Keras."""
    t = _smoothed(_float_target(y_true, y_pred, name), label_smoothing, 2)
    logits = y_pred if from_logits else logits_of(y_pred, "sigmoid")
    if logits is not None:
        bce, p = F.binary_cross_entropy_with_logits(logits, t, reduction="none"), F.sigmoid(logits)
    else:
        p = y_pred.clip(EPSILON, 1 - EPSILON)
        bce = -(t * p.log() + (1 - t) * (1 - p).log())
    p_t = t * p + (1 - t) * (1 - p)
    loss = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        loss = (t * alpha + (1 - t) * (1 - alpha)) * loss
    return _per_sample(loss)


LOSSES = Registry("loss", build=lambda entry, config, name, **_: _make(entry, name, config))
"""Every loss name: Keras's (per-sample functions above, with their class names as aliases) and PyTorch's
module losses under the names the command line uses (cross_entropy -> nn.CrossEntropyLoss, ...).
A cross-entropy names the accuracy that "acc" means with it, as Keras picks it."""
LOSSES.register("mse", mean_squared_error, aliases=("mean_squared_error", "MeanSquaredError"))
LOSSES.register("mae", mean_absolute_error, aliases=("mean_absolute_error", "MeanAbsoluteError", "l1"))
LOSSES.register("huber", huber, aliases=("huber_loss", "Huber"))
LOSSES.register("binary_crossentropy", binary_crossentropy, aliases=("BinaryCrossentropy",),
                accuracy="binary_accuracy")
LOSSES.register("categorical_crossentropy", categorical_crossentropy, aliases=("CategoricalCrossentropy",),
                accuracy="categorical_accuracy")
LOSSES.register("sparse_categorical_crossentropy", sparse_categorical_crossentropy,
                aliases=("SparseCategoricalCrossentropy",), accuracy="sparse_categorical_accuracy")
for _key, _fn, _aliases in (
        ("kl_divergence", kl_divergence, ("kld", "kullback_leibler_divergence", "KLDivergence")),
        ("cosine_similarity", cosine_similarity, ("CosineSimilarity",)),
        ("log_cosh", log_cosh, ("logcosh", "LogCosh")),
        ("poisson", poisson, ("Poisson",)),
        ("hinge", hinge, ("Hinge",)),
        ("squared_hinge", squared_hinge, ("SquaredHinge",)),
        ("categorical_hinge", categorical_hinge, ("CategoricalHinge",)),
        ("msle", mean_squared_logarithmic_error, ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")),
        ("mape", mean_absolute_percentage_error,
         ("mean_absolute_percentage_error", "MeanAbsolutePercentageError")),
        ("binary_focal_crossentropy", binary_focal_crossentropy, ("BinaryFocalCrossentropy",))):
    LOSSES.register(_key, _fn, aliases=_aliases, **({"accuracy": "binary_accuracy"} if "focal" in _key else {}))
for _name, _module in (("cross_entropy", nn.CrossEntropyLoss), ("nll", nn.NLLLoss),
                       ("bce_with_logits", nn.BCEWithLogitsLoss)):
    LOSSES.register(_name, _module, aliases=(_module.__name__,))
LOSS_NAMES = LOSSES.names()


def _make(entry, name: str, config: dict):
    """A Keras Loss for a per-sample function, the module itself for a PyTorch loss class."""
    return entry(**config) if isinstance(entry, type) else Loss(name, **config)


class Loss:
    """A Keras loss object: loss(y_true, y_pred, sample_weight=None) -> scalar Tensor.

    The per-sample values (N,) are weighted by sample_weight (N,) and averaged over the batch
    (Keras's "sum_over_batch_size"); reduction "sum" or "none" as Keras.

    >>> Loss("mse")(gn.zeros(4, 2), gn.ones(4, 2)).item()
    1.0
    """

    def __init__(self, name: str, reduction: str = "sum_over_batch_size", **options):
        key = LOSSES.canonical(name)
        if isinstance(LOSSES.lookup(key), type):
            raise ValueError(f"Loss: {name!r} is a module loss (loss(output, target)); "
                             f"use losses.get({name!r}) for it")
        reduction = "sum_over_batch_size" if reduction in ("auto", None) else reduction  # Keras 2's AUTO
        if reduction not in ("sum_over_batch_size", "sum", "none"):
            raise ValueError(f"{name}: reduction must be 'sum_over_batch_size', 'sum' or 'none', got {reduction!r}")
        self.name, self.key, self.reduction, self.options = name, key, reduction, options

    def call(self, y_true, y_pred) -> Tensor:
        """Per-sample losses (N,)."""
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true))
        return LOSSES.lookup(self.key)(y_true, y_pred, name=self.name, **self.options)

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            w = sample_weight.data if isinstance(sample_weight, Tensor) else np.asarray(sample_weight)
            if w.size == len(values) and values.ndim > 1:  # per-sample weights over per-step values (N, T)
                w = w.reshape(len(values), *([1] * (values.ndim - 1)))
            values = values * Tensor._wrap(w.reshape(-1).astype(values.dtype) if values.ndim == 1 else
                                           w.astype(values.dtype))
        if self.reduction == "none":
            return values
        total = values.sum()
        # Keras's sum_over_batch_size divides by every value's count: (N, T) per-step losses are a mean over N * T
        return total if self.reduction == "sum" else total / max(values.data.size, 1)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, **self.options}

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


class FunctionLoss(Loss):
    """A user's Keras loss function fn(y_true, y_pred) -> values (per sample, step or pixel) or a scalar, weighted
    and reduced as Loss reduces the registered ones (Keras's LossFunctionWrapper).

    >>> FunctionLoss(lambda t, p: (t - p) ** 2)(gn.zeros(2, 2), gn.ones(2, 2)).item()
    1.0
    """

    def __init__(self, fn, reduction: str = "sum_over_batch_size"):
        self.fn, self.name, self.key, self.reduction, self.options = fn, getattr(fn, "__name__", "loss"), None, \
            reduction, {}

    def call(self, y_true, y_pred) -> Tensor:
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true))
        values = self.fn(y_true, y_pred)
        return values if isinstance(values, Tensor) else Tensor._wrap(np.asarray(values, dtype=y_pred.dtype))

    def get_config(self) -> dict:
        raise TypeError(f"FunctionLoss: the function {self.fn!r} has no config")


def get(identifier):
    """The loss for a name (LOSS_NAMES), a config dict, a Loss or a callable (returned as is).

    >>> get("mse").key, type(get("cross_entropy")).__name__
    ('mse', 'CrossEntropyLoss')
    """
    return LOSSES.get(identifier)


def _registered_function(obj):
    """The name a per-sample Keras loss function is registered under, else None."""
    for name in LOSS_NAMES:
        if not isinstance(LOSSES.lookup(name), type) and LOSSES.lookup(name) is obj:
            return name
    return None


def as_loop_loss(loss, keras_order: bool = False):
    """(loss_fn(out, y[, sample_weight]) for the training loop, the loss's registered name or class name) from
    anything get() takes: a Keras Loss is called as loss(y, out), a module as loss(out, y), a plain function as
    loss(out, y), or with keras_order=True (a Keras model's compile) as Keras calls it: fn(y_true, y_pred),
    its values weighted and averaged (FunctionLoss)."""
    try:
        obj = get(loss)
    except TypeError:
        raise TypeError(f"compile: loss must be a name ({', '.join(LOSS_NAMES)}) or a callable, "
                        f"got {type(loss).__name__}") from None
    key = _registered_function(obj)
    if key is not None:  # keras.losses.categorical_crossentropy passed as is: Keras's (y_true, y_pred), batch mean
        obj = Loss(key)
    elif keras_order and callable(obj) and not isinstance(obj, (Loss, nn.Module)):
        obj = FunctionLoss(obj)
        return (lambda out, y, sample_weight=None: obj(y, out, sample_weight)), obj.name
    if isinstance(obj, Loss):
        return (lambda out, y, sample_weight=None: obj(y, out, sample_weight)), obj.key
    return obj, LOSSES.canonical(loss) if isinstance(loss, str) else type(obj).__name__
