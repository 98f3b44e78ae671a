"""Metrics: NumPy functions against hand-computed values and small references; streaming == whole data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradnote import metrics as M


def test_accuracies_by_hand():
    probs = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3], [0.5, 0.2, 0.3]])
    labels = np.array([0, 2, 0, 0])
    assert M.sparse_categorical_accuracy(labels, probs) == 0.75
    assert M.categorical_accuracy(np.eye(3)[labels], probs) == 0.75
    assert M.accuracy(labels, probs) == 0.75
    assert M.binary_accuracy([1, 0, 1, 1], [0.7, 0.2, 0.4, 0.9]) == 0.75
    assert M.accuracy([1, 0, 1, 1], [0.7, 0.2, 0.4, 0.9]) == 0.75
    assert M.top_k_accuracy(labels, probs, k=2) == 1.0
    assert M.top_k_accuracy(labels, probs, k=1) == 0.75


def test_precision_recall_f1_confusion_by_hand():
    t, p = [0, 1, 1, 0, 1], [0, 1, 0, 1, 1]
    assert M.confusion_matrix(t, p).tolist() == [[1, 1], [1, 2]]
    assert M.precision(t, p) == pytest.approx(2 / 3)
    assert M.recall(t, p) == pytest.approx(2 / 3)
    assert M.f1(t, p) == pytest.approx(2 / 3)
    t3, p3 = [0, 1, 2, 2], [0, 2, 2, 2]
    # class 0: P=1 R=1; class 1: P=0 R=0; class 2: P=2/3 R=1
    assert M.precision(t3, p3, average="macro") == pytest.approx((1 + 0 + 2 / 3) / 3)
    assert M.recall(t3, p3, average="macro") == pytest.approx((1 + 0 + 1) / 3)
    assert M.f1(t3, p3, average="macro") == pytest.approx((1 + 0 + 0.8) / 3)
    with pytest.raises(ValueError, match="macro"):
        M.f1(t3, p3)


def test_regression_metrics_by_hand():
    t, p = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])
    assert M.mae(t, p) == pytest.approx(0.5)
    assert M.mse(t, p) == pytest.approx((0.25 + 1) / 3)
    assert M.r2(t, p) == pytest.approx(1 - 1.25 / 2.0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="3 samples.*2"):
        M.accuracy([0, 1, 1], [[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match="valid names"):
        M.get("acuracy")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(2, 5), st.integers(1, 7), st.integers(0, 10_000))
def test_streaming_equals_whole(n, classes, batch, seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, classes, n)
    scores = rng.random((n, classes))
    yt, yp = rng.normal(size=n), rng.normal(size=n)
    streams = {"acc": M.get("acc", "sparse_categorical_crossentropy"), "f1": M.Confusion("f1"),
               "mae": M.get("mae"), "r2": M.get("r2")}
    for i in range(0, n, batch):
        s = slice(i, i + batch)
        streams["acc"].update(t[s], scores[s])
        streams["f1"].update(t[s], scores[s])
        streams["mae"].update(yt[s], yp[s])
        streams["r2"].update(yt[s], yp[s])
    assert streams["acc"].result() == pytest.approx(M.accuracy(t, scores))
    assert streams["f1"].result() == pytest.approx(M.f1(t, scores, average="macro", num_classes=max(
        2, int(max(t.max(), scores.argmax(1).max())) + 1)))
    assert streams["mae"].result() == pytest.approx(M.mae(yt, yp))
    whole = M.r2(yt, yp)
    assert (np.isnan(whole) and np.isnan(streams["r2"].result())) or streams["r2"].result() == pytest.approx(whole)
    # sklearn-free reference for the confusion matrix
    ref = np.zeros((classes, classes), int)
    for a, b in zip(t, scores.argmax(1)):
        ref[a, b] += 1
    assert np.array_equal(M.confusion_matrix(t, scores, classes), ref)
