"""Metrics against scikit-learn on random labels and scores."""
import numpy as np
import pytest
import sklearn.metrics as skm

import nnscratch as ns
from nnscratch import metrics as M


def test_accuracy_labels_scores_and_multilabel(rng):
    t = rng.integers(0, 5, 200)
    scores = rng.normal(size=(200, 5))
    p = scores.argmax(1)
    assert M.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    assert M.accuracy(t, scores) == pytest.approx(skm.accuracy_score(t, p))
    T = rng.integers(0, 2, (50, 3))
    P = T.copy()
    P[::4, 1] ^= 1
    assert M.accuracy(T, P) == pytest.approx(skm.accuracy_score(T, P))   # subset accuracy
    assert M.accuracy(ns.tensor(t.astype(float)), ns.tensor(p.astype(float))) == \
        pytest.approx(skm.accuracy_score(t, p))


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_top_k_accuracy(rng, k):
    t = rng.integers(0, 6, 300)
    s = rng.normal(size=(300, 6))
    assert M.top_k_accuracy(t, s, k=k) == pytest.approx(
        skm.top_k_accuracy_score(t, s, k=k, labels=range(6)))


def test_confusion_matrix(rng):
    t = rng.integers(0, 4, 100)
    p = rng.integers(0, 4, 100)
    np.testing.assert_array_equal(M.confusion_matrix(t, p), skm.confusion_matrix(t, p))
    t2, p2 = np.array([2, 7, 7, 9]), np.array([7, 7, 2, 2])     # non-contiguous labels
    np.testing.assert_array_equal(M.confusion_matrix(t2, p2), skm.confusion_matrix(t2, p2))
    np.testing.assert_array_equal(M.confusion_matrix(t, p, labels=range(6)),
                                  skm.confusion_matrix(t, p, labels=range(6)))


def test_binary_precision_recall_f1(rng):
    t = rng.integers(0, 2, 150)
    p = rng.integers(0, 2, 150)
    assert M.precision(t, p) == pytest.approx(skm.precision_score(t, p))
    assert M.recall(t, p) == pytest.approx(skm.recall_score(t, p))
    assert M.f1_score(t, p) == pytest.approx(skm.f1_score(t, p))
    # no predicted positive: precision 0 (sklearn zero_division=0)
    z = np.zeros_like(p)
    assert M.precision(t, z) == skm.precision_score(t, z, zero_division=0) == 0.0


@pytest.mark.parametrize("average", ["micro", "macro", "samples", "weighted", None])
def test_multilabel_precision_recall_f1(rng, average):
    T = rng.integers(0, 2, (80, 4))
    P = rng.integers(0, 2, (80, 4))
    T[:, 3] = 0                                   # a label never present: zero-division path
    kw = dict(average=average, zero_division=0)
    ours = M.precision_recall_f1(T, P, average=average)
    ref = (skm.precision_score(T, P, **kw), skm.recall_score(T, P, **kw),
           skm.f1_score(T, P, **kw))
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_regression_metrics(rng):
    y = rng.normal(size=(60, 2))
    p = y + 0.3 * rng.normal(size=(60, 2))
    assert M.mean_squared_error(y, p) == pytest.approx(skm.mean_squared_error(y, p))
    assert M.mean_absolute_error(y, p) == pytest.approx(skm.mean_absolute_error(y, p))
    assert M.r2_score(y, p) == pytest.approx(skm.r2_score(y, p))
    y1, p1 = y[:, 0], p[:, 0]
    assert M.r2_score(y1, p1) == pytest.approx(skm.r2_score(y1, p1))
    assert M.mean_squared_error(y1, p1[:, None]) == pytest.approx(
        skm.mean_squared_error(y1, p1))  # (N,) against (N, 1)
    c = np.ones(5)
    assert M.r2_score(c, c) == skm.r2_score(c, c) == 1.0


def test_fit_metric_names_read_the_loss(rng):
    logits = rng.normal(size=(40, 3))
    t = rng.integers(0, 3, 40)
    _, acc = M.get("accuracy")
    assert acc(logits, t, "cross_entropy") == pytest.approx(
        skm.accuracy_score(t, logits.argmax(1)))
    z = rng.normal(size=(40, 1))
    tb = rng.integers(0, 2, (40, 1)).astype(float)
    assert acc(z, tb, "bce_with_logits") == pytest.approx(
        skm.accuracy_score(tb.ravel(), (z.ravel() > 0)))
    prob = 1 / (1 + np.exp(-z))
    _, f1 = M.get("f1")
    assert f1(prob, tb, "bce") == pytest.approx(skm.f1_score(tb.ravel(), prob.ravel() > 0.5))
    _, top2 = M.get("top3_accuracy")
    assert top2(logits, t) == 1.0


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="y_pred has 3"):
        M.accuracy([1, 0], [1, 0, 1])
    with pytest.raises(ValueError, match="average"):
        M.f1_score([1, 0], [1, 1], average="nope")
    with pytest.raises(ValueError, match="k must be"):
        M.top_k_accuracy([0], [[0.1, 0.9]], k=0)
    with pytest.raises(TypeError, match="y_true"):
        M.accuracy(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="unknown metric 'acc'"):
        M.get("acc")
    with pytest.raises(ValueError, match="0/1"):
        M.precision_recall_f1(np.array([[2, 0]]), np.array([[1, 0]]), average="micro")
