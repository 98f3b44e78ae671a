"""Keras's metric objects (update_state / result / reset_state) over gradnote.train.metrics, against NumPy."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

rng = np.random.default_rng(3)


def _counts(t, p, w, thresholds):
    above = p[None, :] > thresholds[:, None]
    pos = t[None, :] > 0
    return [((a & b) * w).sum(1) for a, b in ((above, pos), (above, ~pos), (~above, pos), (~above, ~pos))]


def _auc_reference(t, p, w, n=200, curve="ROC"):
    """Keras's definition written directly: counts at its thresholds, then trapezoids (ROC) or the
    Davis-Goadrich interpolation (PR), with x / 0 taken as 0."""
    thr = np.array([-1e-7] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + 1e-7])
    tp, fp, fn, tn = _counts(t, p, w, thr)
    div = lambda a, b: np.divide(a, b, out=np.zeros_like(a), where=b > 0)  # noqa: E731
    if curve == "ROC":
        tpr, fpr = div(tp, tp + fn), div(fp, fp + tn)
        return sum((fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2 for i in range(n - 1))
    total = 0.0
    for i in range(n - 1):
        dtp, p0, p1 = tp[i] - tp[i + 1], tp[i] + fp[i], tp[i + 1] + fp[i + 1]
        slope = dtp / (p0 - p1) if p0 - p1 > 0 else 0.0
        intercept = tp[i + 1] - slope * p1
        ratio = p0 / p1 if p0 > 0 and p1 > 0 else 1.0
        denom = tp[i + 1] + fn[i + 1]
        total += slope * (dtp + intercept * np.log(ratio)) / denom if denom > 0 else 0.0
    return total


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_auc_matches_keras_threshold_definition_over_two_weighted_batches(curve):
    t = (rng.uniform(size=300) > 0.6).astype(np.float64)
    p = np.clip(0.3 * t + rng.uniform(size=300) * 0.7, 0, 1)
    w = rng.uniform(0.5, 2.0, 300)
    m = keras.metrics.AUC(curve=curve)
    m.update_state(t[:120], p[:120], sample_weight=w[:120])
    m.update_state(t[120:], p[120:], sample_weight=w[120:])
    assert float(m.result()) == pytest.approx(_auc_reference(t, p, w, curve=curve), rel=1e-5)
    m.reset_state()
    m.update_state(t, p)
    assert float(m.result()) == pytest.approx(_auc_reference(t, p, np.ones(300), curve=curve), rel=1e-5)


def test_roc_auc_with_many_thresholds_approaches_the_rank_statistic():
    t = (rng.uniform(size=400) > 0.5).astype(np.float64)
    p = np.clip(0.2 * t + rng.uniform(size=400) * 0.8, 0, 1)
    m = keras.metrics.AUC(num_thresholds=20000)
    m.update_state(t, p)
    assert float(m.result()) == pytest.approx(gn.metrics.roc_auc(t, p), abs=1e-3)


def test_auc_from_logits_and_bad_options():
    t, z = np.array([0, 1, 0, 1.0]), np.array([-2.0, 0.5, 0.3, 2.0])
    a, b = keras.metrics.AUC(from_logits=True), keras.metrics.AUC()
    a.update_state(t, z)
    b.update_state(t, 1 / (1 + np.exp(-z)))
    assert float(a.result()) == float(b.result())
    with pytest.raises(ValueError, match="AUC: curve must be 'ROC' or 'PR', got 'XY'"):
        keras.metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="multi_label"):
        keras.metrics.AUC(multi_label=True)


def test_precision_recall_thresholds_class_id_and_top_k():
    t = (rng.uniform(size=(50, 3)) > 0.5).astype(np.float64)
    p = rng.uniform(size=(50, 3))
    for thr in (0.5, 0.3):
        tp = ((p > thr) & (t > 0)).sum()
        pm, rm = keras.metrics.Precision(thresholds=thr), keras.metrics.Recall(thresholds=thr)
        pm.update_state(t, p)
        rm.update_state(t, p)
        assert float(pm.result()) == pytest.approx(tp / (p > thr).sum(), rel=1e-6)
        assert float(rm.result()) == pytest.approx(tp / (t > 0).sum(), rel=1e-6)
    m = keras.metrics.Precision(class_id=1)
    m.update_state(t, p)
    assert float(m.result()) == pytest.approx(((p[:, 1] > 0.5) & (t[:, 1] > 0)).sum() / (p[:, 1] > 0.5).sum())
    m = keras.metrics.Precision(top_k=1)
    m.update_state(t, p)
    best = p.argmax(1)
    top1 = (p[np.arange(50), best] > 0.5)
    hits = t[np.arange(50), best] > 0
    assert float(m.result()) == pytest.approx((top1 & hits).sum() / top1.sum())
    m = keras.metrics.Recall(thresholds=[0.2, 0.8])
    m.update_state(t, p)
    assert m.result().shape == (2,)
    with pytest.raises(ValueError, match="Precision: thresholds must lie in \\[0, 1\\], got 2"):
        keras.metrics.Precision(thresholds=2)


def test_mean_sum_and_wrapped_metrics_weight_and_reset():
    m = keras.metrics.Mean(name="loss")
    m.update_state([1.0, 3.0])
    m.update_state([5.0], sample_weight=[2.0])
    assert float(m.result()) == pytest.approx(14 / 4) and m.name == "loss"
    s = keras.metrics.Sum()
    s.update_state([1.0, 2.0], sample_weight=[3.0, 0.5])
    assert float(s.result()) == 4.0
    y, scores = np.array([2, 0, 1, 1]), rng.uniform(size=(4, 3))
    sca = keras.metrics.SparseCategoricalAccuracy()
    sca.update_state(y, scores, sample_weight=[1.0, 2.0, 3.0, 4.0])
    hit = (scores.argmax(1) == y).astype(float)
    assert float(sca.result()) == pytest.approx((hit * [1, 2, 3, 4]).sum() / 10)
    sca.reset_state()
    assert np.isnan(float(sca.result()))
    top = keras.metrics.SparseTopKCategoricalAccuracy(k=2)
    top.update_state(y, scores)
    rank = (scores > scores[np.arange(4), y][:, None]).sum(1)
    assert float(top.result()) == pytest.approx((rank < 2).mean())
    cat = keras.metrics.TopKCategoricalAccuracy(k=1)
    cat.update_state(np.eye(3)[y], scores)
    assert float(cat.result()) == pytest.approx(hit.mean())
    acc = keras.metrics.Accuracy()
    acc.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    assert float(acc.result()) == 0.75
    ba = keras.metrics.BinaryAccuracy(threshold=0.7)
    ba.update_state([1, 0, 1], [0.8, 0.6, 0.65])
    assert float(ba.result()) == pytest.approx(2 / 3)
    a, b = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    for cls, ref in ((keras.metrics.MeanSquaredError, ((a - b) ** 2).mean()),
                     (keras.metrics.MeanAbsoluteError, np.abs(a - b).mean()),
                     (keras.metrics.RootMeanSquaredError, np.sqrt(((a - b) ** 2).mean()))):
        m = cls()
        m.update_state(a[:3], b[:3])
        m.update_state(a[3:], b[3:])
        assert float(m.result()) == pytest.approx(ref, rel=1e-6)
    assert keras.metrics.Mean().result().numpy().dtype == np.float32


def test_metrics_in_compile_by_object_and_by_name_log_keras_names():
    gn.manual_seed(0)
    x = rng.normal(size=(80, 3)).astype(np.float32)
    y = (x.sum(1) > 0).astype(np.float32)
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(), "precision", keras.metrics.Recall(name="rec"), "rmse"])
    hist = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    assert {"auc", "precision", "rec", "rmse", "val_auc"} <= set(hist.history)
    logs = model.evaluate(x, y, return_dict=True)
    p = model.predict(x)[:, 0]
    assert logs["auc"] == pytest.approx(_auc_reference(y, p, np.ones(80)), rel=1e-5)
    assert logs["precision"] == pytest.approx(((p > 0.5) & (y > 0)).sum() / max((p > 0.5).sum(), 1), rel=1e-6)


def test_threshold_counts_survive_a_state_round_trip():
    m = keras.metrics.AUC(num_thresholds=10)
    m.update_state([0, 1, 1], [0.2, 0.9, 0.4])
    other = keras.metrics.AUC(num_thresholds=10)
    other.set_state(m.get_state())
    assert float(other.result()) == float(m.result())


def _f_reference(t, pred, beta, average, w):
    tp = (pred * t * w[:, None]).sum(0)
    fp = (pred * (1 - t) * w[:, None]).sum(0)
    fn = ((1 - pred) * t * w[:, None]).sum(0)
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r = tp / (tp + fp + 1e-7), tp / (tp + fn + 1e-7)
    f = np.where(beta ** 2 * p + r > 0, (1 + beta ** 2) * p * r / np.maximum(beta ** 2 * p + r, 1e-300), 0.0)
    if average == "weighted":
        support = (t * w[:, None]).sum(0)
        return (f * support / support.sum()).sum()
    return f if average is None else f.mean()


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta, threshold", [(1.0, None), (2.0, 0.4)])
def test_fbeta_matches_per_class_counts(average, beta, threshold):
    t = np.eye(4)[rng.integers(0, 4, 60)]
    p = rng.uniform(size=(60, 4))
    w = rng.uniform(0.5, 2, 60)
    pred = (p == p.max(1, keepdims=True)) if threshold is None else (p > threshold)
    m = keras.metrics.FBetaScore(average=average, beta=beta, threshold=threshold) if beta != 1 else \
        keras.metrics.F1Score(average=average, threshold=threshold)
    m.update_state(t[:25], p[:25], sample_weight=w[:25])
    m.update_state(t[25:], p[25:], sample_weight=w[25:])
    np.testing.assert_allclose(m.result().numpy(), _f_reference(t, pred.astype(float), beta, average, w), rtol=1e-5)
    with pytest.raises(ValueError, match="average must be None, 'micro', 'macro' or 'weighted'"):
        keras.metrics.F1Score(average="samples")


def test_loss_shaped_metrics_average_their_losses_per_sample():
    t = rng.uniform(0.1, 1, (8, 3))
    p = rng.uniform(0.1, 1, (8, 3))
    onehot = np.eye(3)[rng.integers(0, 3, 8)]
    refs = {
        keras.metrics.MeanAbsolutePercentageError: (t, 100 * (np.abs(t - p) / t).mean()),
        keras.metrics.MeanSquaredLogarithmicError: (t, ((np.log1p(p) - np.log1p(t)) ** 2).mean()),
        keras.metrics.Poisson: (t, (p - t * np.log(p + 1e-7)).mean()),
        keras.metrics.KLDivergence: (t, (t * np.log(t / p)).sum(1).mean()),
        keras.metrics.LogCoshError: (t, np.log(np.cosh(p - t)).mean()),
        keras.metrics.Hinge: (onehot, np.maximum(1 - (2 * onehot - 1) * p, 0).mean()),
        keras.metrics.SquaredHinge: (onehot, (np.maximum(1 - (2 * onehot - 1) * p, 0) ** 2).mean()),
        keras.metrics.CategoricalHinge: (onehot, np.maximum(((1 - onehot) * p).max(1) - (onehot * p).sum(1) + 1,
                                                            0).mean()),
        keras.metrics.CosineSimilarity: (t, ((t * p).sum(1) / np.linalg.norm(t, axis=1)
                                             / np.linalg.norm(p, axis=1)).mean()),
    }
    for cls, (target, expected) in refs.items():
        m = cls()
        m.update_state(target[:5], p[:5])
        m.update_state(target[5:], p[5:])
        assert float(m.result()) == pytest.approx(expected, rel=1e-5), cls.__name__
        by_name = gn.train.metrics.get(m.name)
        by_name.update(target, p)
        assert by_name.result() == pytest.approx(expected, rel=1e-5), m.name
