"""Keras's metric objects over gradnote.train.metrics' streaming metrics (and its functions, as gn.metrics).

    m = keras.metrics.AUC(); m.update_state(y_true, y_prob); float(m.result())
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.AUC(), "precision"])

Each class is a spelling of one gradnote.train.metrics computation with Keras's name, arguments and
update_state(y_true, y_pred, sample_weight=None) / result() / reset_state(); result() is a 0-d float32
Tensor (``.numpy()``, ``float()``). They are gradnote Metrics, so compile and fit take them as objects,
and the same computations by name ("auc", "precision", "sparse_top_k_categorical_accuracy", ...).
``keras.metrics.Mean`` is Keras's weighted mean of values (update_state(values)); gradnote's
fn-wrapping Mean is ``MeanMetricWrapper`` here.
"""

from __future__ import annotations

import functools

import numpy as np

from ..autograd import Tensor
from ..train import metrics as _m
from ..train.metrics import (  # noqa: F401
    METRIC_NAMES,
    METRICS,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    confusion_matrix,
    f1,
    mae,
    mse,
    precision,
    r2,
    recall,
    roc_auc,
    sparse_categorical_accuracy,
    top_k_accuracy,
)

__all__ = ["AUC", "METRICS", "METRIC_NAMES", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "CategoricalHinge", "CosineSimilarity", "F1Score", "FBetaScore", "Hinge", "KLDivergence", "LogCoshError",
           "Mean", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Poisson", "SquaredHinge",
           "MeanAbsoluteError", "MeanMetricWrapper", "MeanSquaredError", "Metric", "Precision", "Recall",
           "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Sum",
           "TopKCategoricalAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy", "confusion_matrix",
           "f1", "get", "mae", "mse", "precision", "r2", "recall", "roc_auc", "sparse_categorical_accuracy",
           "top_k_accuracy"]


class Metric(_m.Metric):
    """Keras's metric surface over a gradnote streaming metric (the next base class)."""

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self.update(_m._np(y_true), _m._np(y_pred), sample_weight)

    def result(self) -> Tensor:
        return Tensor._wrap(np.asarray(super().result(), dtype=np.float32))

    def reset_state(self) -> None:
        self.reset()

    reset_states = reset_state  # Keras 2's spelling

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        """Update with this batch and return the running result, as Keras's metric call."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, **getattr(self, "config", {})}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetricWrapper(Metric, _m.Mean):
    """Weighted mean of fn(y_true, y_pred, **kwargs) per sample (gradnote.train.metrics.Mean).

    >>> m = MeanMetricWrapper(lambda t, p: abs(p - t), name="l1"); float(m([0.0, 1.0], [1.0, 1.0]))
    0.5
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        self.config = dict(kwargs)
        _m.Mean.__init__(self, functools.partial(fn, **kwargs) if kwargs else fn,
                         name or getattr(fn, "__name__", "mean_metric_wrapper"))


def _wrapper(cls_name: str, values, default_name: str, **defaults):
    """Keras's metric class `cls_name`: a MeanMetricWrapper of a gradnote per-sample function."""
    order = list(defaults)

    def __init__(self, *args, name: str = default_name, dtype=None, **kw):
        unknown = sorted(set(kw) - set(order))
        if unknown or len(args) > len(order):
            raise TypeError(f"{cls_name}: unexpected arguments {unknown or args}; Keras's are "
                            f"{order + ['name', 'dtype']}")
        options = {**defaults, **dict(zip(order, args)), **kw}
        MeanMetricWrapper.__init__(self, values, name, **options)

    doc = f"Keras's {cls_name}({', '.join(f'{k}={v!r}' for k, v in defaults.items())}): per-sample values " \
          f"averaged (weighted) over every sample seen."
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


Accuracy = _wrapper("Accuracy", _m._equal_values, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", _m._binary_acc_values, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", _m._categorical_acc_values, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", _m._sparse_acc_values,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", _m._top_k_values, "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy", _m._top_k_values,
                                         "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", _m._sq_err_values, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _m._abs_err_values, "mean_absolute_error")


MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError", _m.loss_values("mape"),
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError", _m.loss_values("msle"),
                                       "mean_squared_logarithmic_error")
Poisson = _wrapper("Poisson", _m.loss_values("poisson"), "poisson")
KLDivergence = _wrapper("KLDivergence", _m.loss_values("kl_divergence"), "kl_divergence")
LogCoshError = _wrapper("LogCoshError", _m.loss_values("log_cosh"), "logcosh")
Hinge = _wrapper("Hinge", _m.loss_values("hinge"), "hinge")
SquaredHinge = _wrapper("SquaredHinge", _m.loss_values("squared_hinge"), "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", _m.loss_values("categorical_hinge"), "categorical_hinge")


class CosineSimilarity(MeanMetricWrapper):
    """Keras's CosineSimilarity metric: the mean cosine between y_true and y_pred rows (1 when aligned).

    >>> float(CosineSimilarity()([[1.0, 0.0]], [[2.0, 0.0]]))
    1.0
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        if axis != -1:
            raise ValueError(f"CosineSimilarity: only axis=-1 (the last axis) is supported, got {axis!r}")
        MeanMetricWrapper.__init__(self, _m.loss_values("cosine_similarity", -1.0), name)


class RootMeanSquaredError(Metric, _m.RootMean):
    """sqrt of the weighted mean squared error over every sample seen.

    >>> float(RootMeanSquaredError()([0.0, 0.0], [3.0, 4.0]))
    3.535533905029297
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        _m.RootMean.__init__(self, _m._sq_err_values, name)


class Mean(Metric, _m.Mean):
    """Keras's Mean: the weighted mean of every value given to update_state(values, sample_weight=None).

    >>> m = Mean(name="loss"); m.update_state([1.0, 3.0]); m.update_state(5.0, sample_weight=2.0); float(m.result())
    3.5
    """

    def __init__(self, name: str = "mean", dtype=None):
        _m.Mean.__init__(self, None, name)

    def update_state(self, values, sample_weight=None) -> None:
        self.add(values, sample_weight)

    def __call__(self, values, sample_weight=None) -> Tensor:
        self.update_state(values, sample_weight)
        return self.result()


class Sum(Mean):
    """Keras's Sum: the weighted sum of every value given to update_state(values, sample_weight=None).

    >>> m = Sum(); m.update_state([1.0, 2.0]); float(m.result())
    3.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        Mean.__init__(self, name)

    def result(self) -> Tensor:
        return Tensor._wrap(np.asarray(self._s_total, dtype=np.float32))


class Precision(Metric, _m.Thresholded):
    """Keras's Precision(thresholds=None (0.5), top_k=None, class_id=None): TP / (TP + FP) over every element.

    >>> float(Precision()([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.9]))
    0.5
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name: str = "precision", dtype=None):
        self.config = {"thresholds": thresholds, "top_k": top_k, "class_id": class_id}
        _m.Thresholded.__init__(self, "precision", name, **self.config)


class Recall(Metric, _m.Thresholded):
    """Keras's Recall(thresholds=None (0.5), top_k=None, class_id=None): TP / (TP + FN) over every element.

    >>> float(Recall()([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.9]))
    0.5
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name: str = "recall", dtype=None):
        self.config = {"thresholds": thresholds, "top_k": top_k, "class_id": class_id}
        _m.Thresholded.__init__(self, "recall", name, **self.config)


class AUC(Metric, _m.Thresholded):
    """Keras's AUC(num_thresholds=200, curve="ROC", summation_method="interpolation", thresholds=None,
    from_logits=False): the area under the ROC or PR curve from counts at thresholds (every element of
    y_pred is one decision; multi_label=False as Keras's default).

    >>> float(AUC()([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9]))
    1.0
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str = "auc", dtype=None, thresholds=None, multi_label: bool = False, num_labels=None,
                 label_weights=None, from_logits: bool = False):
        if multi_label or label_weights is not None:
            raise ValueError(f"AUC: multi_label=True and label_weights (one curve per label) are not supported, "
                             f"got multi_label={multi_label!r}, label_weights={label_weights!r}")
        self.config = {"num_thresholds": num_thresholds, "curve": curve, "summation_method": summation_method,
                       "thresholds": thresholds, "from_logits": from_logits}
        _m.Thresholded.__init__(self, "auc", name, **{**self.config, "curve": str(curve).upper()})


class FBetaScore(Metric, _m.FBeta):
    """Keras's FBetaScore(average=None, beta=1.0, threshold=None) over (N, C) one-hot / multi-label targets:
    per class (average None) or "micro" / "macro" / "weighted"."""

    def __init__(self, average=None, beta: float = 1.0, threshold=None, name: str = "fbeta_score", dtype=None):
        self.config = {"average": average, "beta": beta, "threshold": threshold}
        _m.FBeta.__init__(self, name, **self.config)


class F1Score(FBetaScore):
    """Keras's F1Score(average=None, threshold=None): FBetaScore with beta = 1.

    >>> round(float(F1Score(average="micro")(np.eye(2)[[0, 1, 1]], np.eye(2)[[0, 1, 0]])), 4)
    0.6667
    """

    def __init__(self, average=None, threshold=None, name: str = "f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name)
        self.config = {"average": average, "threshold": threshold}


def get(identifier, loss: str | None = None):
    """A metric from a name (METRIC_NAMES, through the one metric registry), a config, or an object.

    >>> get("auc").name
    'auc'
    """
    return _m.get(identifier, loss)
