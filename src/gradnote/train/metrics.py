"""Metrics: plain NumPy functions of (y_true, y_pred), and streaming versions that fit accumulates.

    from gradnote.metrics import accuracy, f1, confusion_matrix
    accuracy([0, 2, 1], [[.9, .1, 0], [.1, .2, .7], [.3, .4, .3]])   # 1.0
    f1([0, 1, 1, 0], [0, 1, 0, 0])                                  # 0.666...

Predictions may be labels or scores: a 2-D y_pred of shape (N, C) is reduced with argmax,
a 1-D float y_pred with values in [0, 1] is thresholded at 0.5 (binary). Targets may be
labels (N,) or one-hot (N, C). Every function returns a Python float (or an int matrix).

Streaming metrics (``Mean``, ``RootMean``, ``Confusion``, ``R2``, ``Thresholded``: precision, recall and
AUC over Keras's thresholds) hold sums over batches so that an epoch's value equals the function applied
to the whole epoch's data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd import Tensor, no_grad
from ..io.registry import Registry
from .losses import LOSSES

__all__ = [
    "METRICS",
    "METRIC_NAMES",
    "R2",
    "Confusion",
    "FBeta",
    "Mean",
    "Metric",
    "RootMean",
    "Thresholded",
    "accuracy",
    "auc_thresholds",
    "binary_accuracy",
    "categorical_accuracy",
    "confusion_matrix",
    "f1",
    "get",
    "loss_values",
    "mae",
    "mse",
    "precision",
    "r2",
    "recall",
    "roc_auc",
    "sparse_categorical_accuracy",
    "top_k_accuracy",
]


def _np(a) -> np.ndarray:
    return np.asarray(a.data if hasattr(a, "data") and not isinstance(a, np.ndarray) else a)


def _check_len(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"{name}: y_true has {len(y_true)} samples but y_pred has {len(y_pred)}")


def _labels(y, threshold: float = 0.5) -> np.ndarray:
    """Class labels from labels, one-hot rows, scores (N, C) or binary probabilities (N,) / (N, 1)."""
    y = _np(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        return y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"metrics: expected labels (N,) or scores (N, C), got shape {y.shape}")
    if y.dtype.kind == "f" and (np.any(y != np.round(y)) or (y.size and y.max() <= 1 and y.min() >= 0)):
        return (y > threshold).astype(np.int64)
    return y.astype(np.int64)


# ----- per-sample values (what streaming means average) ------------------------------------
def _binary_acc_values(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    hit = (y_pred > threshold) == (y_true > 0.5)
    return hit.reshape(len(hit), -1).mean(axis=1) if hit.ndim > 1 else hit.astype(np.float64)


def _categorical_acc_values(y_true, y_pred):
    return (_np(y_true).argmax(axis=-1) == _np(y_pred).argmax(axis=-1)).astype(np.float64)


def _sparse_acc_values(y_true, y_pred):
    y_true = _np(y_true).reshape(-1).astype(np.int64)
    return (_np(y_pred).argmax(axis=-1) == y_true).astype(np.float64)


def _acc_values(y_true, y_pred):
    """Accuracy that picks its kind from the shapes: (N, C>1) scores are categorical/sparse, else binary."""
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        if y_true.ndim == 2 and y_true.shape[1] == y_pred.shape[1]:
            return _categorical_acc_values(y_true, y_pred)
        return _sparse_acc_values(y_true, y_pred)
    if y_pred.dtype.kind in "iub":
        return (y_pred.reshape(-1) == y_true.reshape(-1)).astype(np.float64)
    return _binary_acc_values(y_true, y_pred)


def _equal_values(y_true, y_pred):
    """1 where y_pred equals y_true exactly, per sample (mean over trailing axes): Keras's Accuracy class."""
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    hit = (y_true == y_pred).astype(np.float64)
    return hit.reshape(len(hit), -1).mean(axis=1) if hit.ndim > 1 else hit


def _top_k_values(y_true, y_pred, k=5):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.ndim == 2:
        y_true = y_true.argmax(axis=1)
    if y_pred.ndim != 2:
        raise ValueError(f"top_k_accuracy: y_pred must be scores (N, C), got shape {y_pred.shape}")
    k = min(int(k), y_pred.shape[1])
    true_score = y_pred[np.arange(len(y_pred)), y_true.astype(np.int64)]
    # rank = number of classes scoring strictly higher; ties count in the sample's favour, as Keras
    return ((y_pred > true_score[:, None]).sum(axis=1) < k).astype(np.float64)


def _abs_err_values(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    d = np.abs(y_pred.astype(np.float64) - y_true)
    return d.reshape(len(d), -1).mean(axis=1)


def _sq_err_values(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    d = (y_pred.astype(np.float64) - y_true) ** 2
    return d.reshape(len(d), -1).mean(axis=1)


def _mean_of(values_fn: Callable, name: str) -> Callable:
    def metric(y_true, y_pred, **kw) -> float:
        y_true, y_pred = _np(y_true), _np(y_pred)
        _check_len(name, y_true, y_pred)
        return float(values_fn(y_true, y_pred, **kw).mean()) if len(y_true) else float("nan")

    metric.__name__ = name
    return metric


binary_accuracy = _mean_of(_binary_acc_values, "binary_accuracy")
binary_accuracy.__doc__ = "Fraction of samples with (y_pred > threshold) == y_true (binary labels 0/1)."
categorical_accuracy = _mean_of(_categorical_acc_values, "categorical_accuracy")
categorical_accuracy.__doc__ = "Fraction with argmax(y_pred) == argmax(y_true); y_true one-hot (N, C)."
sparse_categorical_accuracy = _mean_of(_sparse_acc_values, "sparse_categorical_accuracy")
sparse_categorical_accuracy.__doc__ = "Fraction with argmax(y_pred) == y_true; y_true labels (N,)."
accuracy = _mean_of(_acc_values, "accuracy")
accuracy.__doc__ = "Accuracy of labels or scores; the kind (binary/categorical/sparse) follows the shapes."
top_k_accuracy = _mean_of(_top_k_values, "top_k_accuracy")
top_k_accuracy.__doc__ = "Fraction whose true class is among the k highest scores: y_pred (N, C), k=5."
mae = _mean_of(_abs_err_values, "mae")
mae.__doc__ = "Mean absolute error: mean |y_pred - y_true|."
mse = _mean_of(_sq_err_values, "mse")
mse.__doc__ = "Mean squared error: mean (y_pred - y_true)^2."


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts C[i, j] of samples with true class i predicted as j: shape (K, K), int64."""
    t, p = _labels(y_true), _labels(y_pred)
    _check_len("confusion_matrix", t, p)
    k = int(num_classes) if num_classes is not None else int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= k):
        raise ValueError(f"confusion_matrix: labels must lie in [0, {k}), got "
                         f"[{min(t.min(), p.min())}, {max(t.max(), p.max())}]")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)


def _prf_from_confusion(cm: np.ndarray, kind: str, average: str, pos_label: int = 1) -> float:
    tp = np.diag(cm).astype(np.float64)
    pred_pos, true_pos = cm.sum(axis=0).astype(np.float64), cm.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(pred_pos > 0, tp / pred_pos, 0.0)
        rec = np.where(true_pos > 0, tp / true_pos, 0.0)
        f = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0)
    per_class = prec if kind == "precision" else rec if kind == "recall" else f
    if average == "binary":
        return float(per_class[pos_label]) if pos_label < len(per_class) else 0.0
    if average == "macro":
        return float(per_class.mean()) if per_class.size else 0.0
    raise ValueError(f"{kind}: average must be 'binary' or 'macro', got {average!r}")


def _prf(kind: str):
    def metric(y_true, y_pred, average: str = "binary", pos_label: int = 1,
               num_classes: int | None = None) -> float:
        t, p = _labels(y_true), _labels(y_pred)
        k = num_classes if num_classes is not None else max(2, int(max(t.max(initial=0), p.max(initial=0)) + 1))
        if average == "binary" and k > 2:
            raise ValueError(f"{kind}: average='binary' needs two classes, got {k}; use average='macro'")
        return _prf_from_confusion(confusion_matrix(t, p, k), kind, average, pos_label)

    metric.__name__ = kind
    return metric


precision = _prf("precision")
precision.__doc__ = "TP / (TP + FP); average='binary' (class pos_label) or 'macro' (mean over classes)."
recall = _prf("recall")
recall.__doc__ = "TP / (TP + FN); average='binary' (class pos_label) or 'macro' (mean over classes)."
f1 = _prf("f1")
f1.__doc__ = "Harmonic mean 2PR / (P + R); average='binary' or 'macro'."


def r2(y_true, y_pred) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (SS_tot about the mean of y_true)."""
    y_true, y_pred = _np(y_true).astype(np.float64), _np(y_pred).astype(np.float64)
    _check_len("r2", y_true, y_pred)
    y_true = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
    ss_res = ((y_true - y_pred) ** 2).sum()
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum()
    return float(1 - ss_res / ss_tot) if ss_tot > 0 else float("nan")


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random negative
    (ties count half). y_true: (N,) in {0, 1}; y_score: (N,) any real scores.

    Computed from ranks (Mann-Whitney U), so it is exact and O(N log N).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from scipy.stats import rankdata  # slow to import, and only this metric needs it

    t, s = _np(y_true).reshape(-1), _np(y_score).reshape(-1).astype(np.float64)
    _check_len("roc_auc", t, s)
    if not np.isin(t, (0, 1)).all():
        raise ValueError(f"roc_auc: y_true must hold 0/1 labels, got values {np.unique(t)[:5]}")
    positive = t == 1
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"roc_auc: needs both classes, got {n_pos} positives and {n_neg} negatives")
    rank_sum = rankdata(s)[positive].sum()  # average ranks: a tie between classes adds one half
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# ----- streaming -----------------------------------------------------------------------------
class Metric:
    """A metric accumulated over batches: update(y_true, y_pred), result(), reset().

    get_state()/set_state() expose the running sums as plain data (checkpoints store them).
    """

    name = "metric"

    def update(self, y_true, y_pred) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def get_state(self) -> dict:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in vars(self).items()
                if k.startswith("_s_")}

    def set_state(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, np.asarray(v, dtype=np.int64) if isinstance(v, list) else v)


class Mean(Metric):
    """Average of per-sample values fn(y_true, y_pred) -> (N,) over every sample seen, each weighted by
    sample_weight (N,) when given (Keras's MeanMetricWrapper).

    fn may also return a scalar (a batch mean); it is then weighted by the batch size.
    """

    def __init__(self, fn: Callable, name: str):
        self.fn, self.name = fn, name
        self.reset()

    def update(self, y_true, y_pred, sample_weight=None) -> None:
        v = np.asarray(_np(self.fn(y_true, y_pred)), dtype=np.float64)
        self.add(v if v.ndim else np.full(len(_np(y_pred)), float(v)), sample_weight)

    def add(self, values, sample_weight=None) -> None:
        """Accumulate values (any shape) with weights broadcast to them (Keras's Mean.update_state)."""
        v = np.asarray(_np(values), dtype=np.float64)
        w = np.ones_like(v) if sample_weight is None else _broadcast_weights(sample_weight, v)
        self._s_total += float((v * w).sum())
        self._s_count += float(w.sum())

    def result(self) -> float:
        return self._s_total / self._s_count if self._s_count else float("nan")

    def reset(self) -> None:
        self._s_total, self._s_count = 0.0, 0


def _broadcast_weights(sample_weight, like: np.ndarray) -> np.ndarray:
    """Per-sample weights (N,) or (N, ...) spread over the trailing axes of `like`, as Keras does."""
    w = np.asarray(_np(sample_weight), dtype=np.float64)
    while w.ndim > like.ndim and w.shape[-1] == 1:
        w = w[..., 0]
    w = w.reshape(w.shape + (1,) * (like.ndim - w.ndim))
    try:
        return np.broadcast_to(w, like.shape)
    except ValueError:
        raise ValueError(f"metrics: sample_weight of shape {w.shape} does not fit values of shape "
                         f"{like.shape}") from None


# Keras's default thresholds for AUC (num_thresholds of them): 0 - eps, i / (n - 1) for i = 1 .. n - 2, 1 + eps
_THRESHOLD_EPS = 1e-7


def auc_thresholds(num_thresholds: int = 200) -> np.ndarray:
    """The thresholds Keras's AUC counts at: -1e-7, then i / (n - 1) for i = 1 .. n - 2, then 1 + 1e-7.

    >>> auc_thresholds(5).round(3).tolist()
    [-0.0, 0.25, 0.5, 0.75, 1.0]
    """
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return np.array([-_THRESHOLD_EPS, *inner, 1 + _THRESHOLD_EPS], dtype=np.float64)


def _divide(a, b):
    """a / b with 0 where b is 0 (Keras's divide_no_nan)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)


def _pr_auc_interpolated(tp, fp, fn) -> float:
    """Area under the precision-recall curve with precision interpolated between thresholds as Davis &
    Goadrich (2006) do (Keras's summation_method='interpolation' for curve='PR')."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _divide(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    both = (p[:-1] > 0) & (p[1:] > 0)
    ratio = np.where(both, _divide(p[:-1], np.maximum(p[1:], 0)), 1.0)
    with np.errstate(divide="ignore"):
        log_ratio = np.where(ratio > 0, np.log(np.where(ratio > 0, ratio, 1)), 0.0)
    return float(_divide(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0)).sum())


class Thresholded(Metric):
    """Keras's binary decisions at thresholds: every element of y_pred (probabilities) is a positive
    when above a threshold; weighted counts of true/false positives/negatives per threshold give

    - kind "precision": TP / (TP + FP), "recall": TP / (TP + FN) (default threshold 0.5; a list of
      thresholds gives a list), with top_k (only each row's k highest count) and class_id (one column);
    - kind "auc": the area under the ROC (curve="ROC": TPR over FPR) or precision-recall curve ("PR")
      over num_thresholds thresholds (auc_thresholds), summed by "interpolation" (trapezoids; PR as
      Davis & Goadrich), "minoring" or "majoring", as Keras's AUC.

    >>> m = Thresholded("auc", num_thresholds=3); m.update([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.8]); m.result()
    0.5
    """

    def __init__(self, kind: str, name: str | None = None, thresholds=None, top_k: int | None = None,
                 class_id: int | None = None, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", from_logits: bool = False):
        if kind not in ("precision", "recall", "auc"):
            raise ValueError(f"Thresholded: kind must be 'precision', 'recall' or 'auc', got {kind!r}")
        who = {"auc": "AUC"}.get(kind, kind.capitalize())
        if kind == "auc":
            if not isinstance(num_thresholds, int) or num_thresholds < 2:
                raise ValueError(f"{who}: num_thresholds must be an int > 1, got {num_thresholds!r}")
            if curve not in ("ROC", "PR"):
                raise ValueError(f"{who}: curve must be 'ROC' or 'PR', got {curve!r}")
            if summation_method not in ("interpolation", "minoring", "majoring"):
                raise ValueError(f"{who}: summation_method must be 'interpolation', 'minoring' or 'majoring', "
                                 f"got {summation_method!r}")
            values = auc_thresholds(num_thresholds) if thresholds is None else np.array(
                [-_THRESHOLD_EPS, *sorted(thresholds), 1 + _THRESHOLD_EPS])
        else:
            values = np.atleast_1d(np.asarray(0.5 if thresholds is None else thresholds, dtype=np.float64))
        if kind != "auc" and not ((values >= 0) & (values <= 1)).all():
            raise ValueError(f"{who}: thresholds must lie in [0, 1], got {thresholds!r}")
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"{who}: top_k must be a positive int or None, got {top_k!r}")
        self.kind, self.name, self.thresholds, self.top_k, self.class_id = kind, name or kind, values, top_k, class_id
        self.single = kind != "auc" and (thresholds is None or np.ndim(thresholds) == 0)
        self.curve, self.summation_method, self.from_logits = curve, summation_method, from_logits
        self.reset()

    def update(self, y_true, y_pred, sample_weight=None) -> None:
        t, p = _np(y_true).astype(np.float64), _np(y_pred).astype(np.float64)
        if t.shape != p.shape and t.size == p.size:
            t = t.reshape(p.shape)
        if t.shape != p.shape:
            raise ValueError(f"{self.name}: y_true of shape {t.shape} does not match y_pred {p.shape}")
        if self.from_logits:
            p = 1 / (1 + np.exp(-p))
        w = np.ones_like(p) if sample_weight is None else _broadcast_weights(sample_weight, p)
        if self.top_k is not None:
            rank = (p[..., None, :] > p[..., :, None]).sum(-1)  # how many in the row score higher
            p = np.where(rank < self.top_k, p, -np.inf)
        if self.class_id is not None:
            t, p, w = t[..., self.class_id], p[..., self.class_id], w[..., self.class_id]
        t, p, w = (t != 0).reshape(-1), p.reshape(-1), w.reshape(-1)
        above = p[None, :] > self.thresholds[:, None]  # (thresholds, elements)
        self._s_tp += (above * (t * w)).sum(1)
        self._s_fp += (above * (~t * w)).sum(1)
        self._s_fn += (~above * (t * w)).sum(1)
        self._s_tn += (~above * (~t * w)).sum(1)

    def result(self):
        tp, fp, fn, tn = self._s_tp, self._s_fp, self._s_fn, self._s_tn
        if self.kind != "auc":
            r = _divide(tp, tp + (fp if self.kind == "precision" else fn))
            return float(r[0]) if self.single else r.tolist()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _pr_auc_interpolated(tp, fp, fn)
        x, y = (_divide(fp, fp + tn), _divide(tp, tp + fn)) if self.curve == "ROC" else \
            (_divide(tp, tp + fn), _divide(tp, tp + fp))
        pick = {"interpolation": lambda a, b: (a + b) / 2, "minoring": np.minimum, "majoring": np.maximum}
        return float(((x[:-1] - x[1:]) * pick[self.summation_method](y[:-1], y[1:])).sum())

    def reset(self) -> None:
        self._s_tp, self._s_fp, self._s_fn, self._s_tn = (np.zeros(len(self.thresholds)) for _ in range(4))

    def set_state(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, np.asarray(v, dtype=np.float64))


class Confusion(Metric):
    """precision / recall / f1 from a confusion matrix summed over batches."""

    def __init__(self, kind: str, name: str | None = None, average: str = "macro", pos_label: int = 1):
        self.kind, self.name, self.average, self.pos_label = kind, name or kind, average, pos_label
        self.reset()

    def update(self, y_true, y_pred) -> None:
        t, p = _labels(y_true), _labels(y_pred)
        k = max(2, int(max(t.max(initial=0), p.max(initial=0)) + 1), len(self._s_cm))
        cm = np.zeros((k, k), dtype=np.int64)
        cm[: len(self._s_cm), : len(self._s_cm)] = self._s_cm
        self._s_cm = cm + confusion_matrix(t, p, k)

    def result(self) -> float:
        return _prf_from_confusion(self._s_cm, self.kind, self.average, self.pos_label)

    def reset(self) -> None:
        self._s_cm = np.zeros((0, 0), dtype=np.int64)

    def set_state(self, state: dict) -> None:
        cm = np.asarray(state["_s_cm"], dtype=np.int64)
        self._s_cm = cm.reshape(round(cm.size ** 0.5), -1) if cm.size else np.zeros((0, 0), np.int64)


class R2(Metric):
    """r2 over all samples seen, from running sums of y, y^2 and squared residuals."""

    name = "r2"

    def __init__(self, name: str = "r2"):
        self.name = name
        self.reset()

    def update(self, y_true, y_pred) -> None:
        y_true, y_pred = _np(y_true).astype(np.float64), _np(y_pred).astype(np.float64)
        y_true = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
        self._s_n += len(y_true)
        self._s_sum += float(y_true.sum())
        self._s_sq += float((y_true ** 2).sum())
        self._s_res += float(((y_true - y_pred) ** 2).sum())
        self._s_size += int(y_true.size)

    def result(self) -> float:
        if not self._s_size:
            return float("nan")
        ss_tot = self._s_sq - self._s_sum ** 2 / self._s_size
        return 1 - self._s_res / ss_tot if ss_tot > 0 else float("nan")

    def reset(self) -> None:
        self._s_n = self._s_size = 0
        self._s_sum = self._s_sq = self._s_res = 0.0


METRICS = Registry("metric", build=lambda entry, config, name, loss=None: entry(name, loss, **config),
                   passes=(Metric,))
"""Every metric name: factory(logged name, loss name, **config) -> a streaming Metric."""
METRICS.register("accuracy", lambda name, loss: _accuracy_for(loss, name), aliases=("acc",))
for _key, _values, _aliases in (
        ("binary_accuracy", _binary_acc_values, ("BinaryAccuracy",)),
        ("categorical_accuracy", _categorical_acc_values, ("CategoricalAccuracy",)),
        ("sparse_categorical_accuracy", _sparse_acc_values, ("SparseCategoricalAccuracy",)),
        ("top_k_categorical_accuracy", _top_k_values, ("top_k_accuracy", "sparse_top_k_categorical_accuracy")),
        ("mae", _abs_err_values, ("mean_absolute_error", "MeanAbsoluteError")),
        ("mse", _sq_err_values, ("mean_squared_error", "MeanSquaredError"))):
    METRICS.register(_key, lambda name, loss, values=_values: Mean(values, name), aliases=_aliases)
METRICS.register("f1", lambda name, loss, **options: Confusion("f1", name, **options))
for _kind in ("precision", "recall", "auc"):
    METRICS.register(_kind, lambda name, loss, kind=_kind, **options: Thresholded(kind, name, **options))
METRICS.register("f1_score", lambda name, loss, **options: FBeta(name, **options), aliases=("F1Score",))
METRICS.register("fbeta_score", lambda name, loss, **options: FBeta(name, **options), aliases=("FBetaScore",))
METRICS.register("root_mean_squared_error", lambda name, loss: RootMean(_sq_err_values, name), aliases=("rmse",))
METRICS.register("r2", lambda name, loss: R2(name))


def loss_values(key: str, sign: float = 1.0) -> Callable:
    """Per-sample values of the Keras loss `key` (gradnote.train.losses) as a metric's values function
    (Keras's metrics "mape", "poisson", "hinge", ... are its losses' per-sample functions, averaged)."""
    def values(y_true, y_pred):
        with no_grad():
            t, p = Tensor._wrap(np.asarray(_np(y_true))), Tensor._wrap(np.asarray(_np(y_pred), dtype=np.float64))
            return sign * LOSSES.lookup(key)(t, p).data.astype(np.float64)

    values.__name__ = key
    return values


for _key, _aliases in (("mape", ("mean_absolute_percentage_error", "MeanAbsolutePercentageError")),
                       ("msle", ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")),
                       ("poisson", ("Poisson",)), ("kl_divergence", ("kld", "KLDivergence")),
                       ("log_cosh", ("logcosh", "LogCoshError")), ("hinge", ("Hinge",)),
                       ("squared_hinge", ("SquaredHinge",)), ("categorical_hinge", ("CategoricalHinge",))):
    METRICS.register(_key, lambda name, loss, key=_key: Mean(loss_values(key), name), aliases=_aliases)
# the metric is the cosine itself (1 when aligned), the loss its negative
METRICS.register("cosine_similarity", lambda name, loss: Mean(loss_values("cosine_similarity", -1.0), name),
                 aliases=("CosineSimilarity",))
METRIC_NAMES = sorted(METRICS.names(aliases=True), key=str.lower)


class FBeta(Metric):
    """Keras's F-beta over (N, C) one-hot or multi-label targets: y_pred is each row's argmax (threshold
    None) or y_pred > threshold; per-class weighted TP, FP, FN summed over batches give
    F = (1 + b^2) P R / (b^2 P + R), P = TP / (TP + FP + 1e-7), R = TP / (TP + FN + 1e-7); average None
    (a list, per class), "micro" (counts summed over classes first), "macro" or "weighted" (by support).

    >>> m = FBeta(average="macro"); m.update(np.eye(3)[[0, 1, 2, 2]], np.eye(3)[[0, 1, 2, 1]]); round(m.result(), 4)
    0.7778
    """

    def __init__(self, name: str = "fbeta_score", average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"FBetaScore: average must be None, 'micro', 'macro' or 'weighted', got {average!r}")
        if not beta > 0:
            raise ValueError(f"FBetaScore: beta must be > 0, got {beta!r}")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"FBetaScore: threshold must be in (0, 1] or None, got {threshold!r}")
        self.name, self.average, self.beta, self.threshold = name, average, float(beta), threshold
        self.reset()

    def update(self, y_true, y_pred, sample_weight=None) -> None:
        t, p = _np(y_true).astype(np.float64), _np(y_pred).astype(np.float64)
        if t.ndim != 2 or t.shape != p.shape:
            raise ValueError(f"{self.name}: y_true and y_pred must both be (N, C), got {t.shape} and {p.shape}")
        p = (p == p.max(axis=-1, keepdims=True)) if self.threshold is None else (p > self.threshold)
        w = np.ones_like(t) if sample_weight is None else _broadcast_weights(sample_weight, t)
        if self._s_tp.size != t.shape[1]:
            self._s_tp, self._s_fp, self._s_fn, self._s_support = (np.zeros(t.shape[1]) for _ in range(4))
        self._s_tp += (p * t * w).sum(0)
        self._s_fp += (p * (1 - t) * w).sum(0)
        self._s_fn += (~p * t * w).sum(0)
        self._s_support += (t * w).sum(0)

    def result(self):
        tp, fp, fn = self._s_tp, self._s_fp, self._s_fn
        if self.average == "micro":
            tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
        p, r, b2 = tp / (tp + fp + _THRESHOLD_EPS), tp / (tp + fn + _THRESHOLD_EPS), self.beta ** 2
        f = _divide(p * r, b2 * p + r) * (1 + b2)
        if self.average is None:
            return f.tolist()
        if self.average == "weighted":
            return float((f * _divide(self._s_support, self._s_support.sum())).sum())
        return float(f.mean()) if f.size else 0.0

    def reset(self) -> None:
        self._s_tp, self._s_fp, self._s_fn, self._s_support = (np.zeros(0) for _ in range(4))

    def set_state(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, np.asarray(v, dtype=np.float64))


class RootMean(Mean):
    """The square root of a Mean (Keras's RootMeanSquaredError over squared errors)."""

    def result(self) -> float:
        return float(np.sqrt(super().result()))


def _accuracy_for(loss: str | None, name: str) -> Metric:
    """Keras's "accuracy": the kind the loss names (binary/categorical/sparse), else picked from the shapes."""
    kind = LOSSES.meta(loss).get("accuracy") if loss in LOSSES else None
    return Mean(_acc_values, name) if kind is None else METRICS.lookup(kind)(name, loss)


def get(metric, loss: str | None = None) -> Metric:
    """A streaming Metric from a name (METRIC_NAMES), a config dict, a Metric, or a function fn(y_true, y_pred).

    "acc"/"accuracy" picks binary, categorical or sparse accuracy from the loss name,
    as Keras does; the logged name is the one given ("acc" stays "acc").

    >>> get("acc", "binary_crossentropy").name
    'acc'
    """
    try:
        out = METRICS.get(metric, loss=loss)
    except TypeError:
        raise TypeError(f"metric must be a name, a Metric or a function, got {type(metric).__name__}") from None
    return out if isinstance(out, Metric) else Mean(out, getattr(out, "__name__", type(out).__name__))
