"""Evaluation metrics on NumPy arrays (scikit-learn's definitions and argument order).

Every function takes ``(y_true, y_pred)`` like ``sklearn.metrics`` and returns a float (or an
array with ``average=None``).  Classification metrics take labels; :func:`accuracy` and
:func:`top_k_accuracy` also take a score matrix ``(N, K)`` for ``y_pred`` (the argmax or the
top ``k`` columns are the predictions).  Precision, recall and F1 cover binary labels
(``average="binary"``) and multilabel indicator matrices (``"micro"``, ``"macro"``,
``"samples"``, ``"weighted"``, or ``None`` for one value per label), with 0 where a ratio has
an empty denominator (sklearn's ``zero_division=0``).

:func:`get` turns a metric name used by ``ns.fit(metrics=[...])`` into a function of the model
output and the target; how an output becomes labels depends on the loss (see :func:`get`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import check_int
from .tensor import Tensor

__all__ = ["accuracy", "top_k_accuracy", "mean_squared_error", "mean_absolute_error",
           "r2_score", "precision", "recall", "f1_score", "precision_recall_f1",
           "confusion_matrix", "get", "NAMES"]


def _arr(x, name: str, owner: str) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x._data
    try:
        a = np.asarray(x)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"{owner}: {name} must be array-like, got {type(x).__name__}") from e
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must hold numbers, got dtype {a.dtype}")
    return a


def _pair(y_true, y_pred, owner: str, same_shape: bool = True):
    t = _arr(y_true, "y_true", owner)
    p = _arr(y_pred, "y_pred", owner)
    if t.ndim == 0 or t.shape[0] == 0:
        raise ValueError(f"{owner}: y_true must hold at least one sample, got shape {t.shape}")
    if len(p) != len(t):
        raise ValueError(f"{owner}: y_true has {len(t)} samples but y_pred has {len(p)}")
    if same_shape and p.shape != t.shape:
        raise ValueError(f"{owner}: y_true shape {t.shape} must equal y_pred shape {p.shape}")
    return t, p


# ------------------------------------------------------------------ classification
def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted label equals the true label.

    ``y_pred`` may be labels ``(N,)`` or scores ``(N, K)`` (then its argmax is the label).
    For multilabel indicator matrices ``(N, L)`` this is the subset accuracy: a sample counts
    only when all its labels are right.  Matches ``sklearn.metrics.accuracy_score``.
    """
    t, p = _pair(y_true, y_pred, "accuracy", same_shape=False)
    if p.ndim == t.ndim + 1:
        p = p.argmax(axis=-1)
    if p.shape != t.shape:
        raise ValueError(f"accuracy: y_pred shape {p.shape} does not fit y_true shape {t.shape}")
    eq = p == t
    return float(eq.reshape(len(t), -1).all(axis=1).mean())


def top_k_accuracy(y_true, y_score, k: int = 5) -> float:
    """Fraction of samples whose true class is among the ``k`` highest scores.

    Shape: y_true ``(N,)`` int, y_score ``(N, K)``.  Matches
    ``sklearn.metrics.top_k_accuracy_score`` (for scores without ties).
    """
    t, s = _pair(y_true, y_score, "top_k_accuracy", same_shape=False)
    if s.ndim != 2 or t.ndim != 1:
        raise ValueError(f"top_k_accuracy: expected y_true (N,) and y_score (N, K), got "
                         f"{t.shape} and {s.shape}")
    k = min(check_int(k, "k", "top_k_accuracy"), s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return float((top == t[:, None]).any(axis=1).mean())


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """``C[i, j]`` = number of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of the values in both arrays (as in sklearn);
    pass ``labels=range(K)`` to get a fixed ``K x K`` matrix.  Matches
    ``sklearn.metrics.confusion_matrix``.
    """
    t, p = _pair(y_true, y_pred, "confusion_matrix")
    if t.ndim != 1:
        raise ValueError(f"confusion_matrix: expected 1-D label arrays, got shape {t.shape}")
    labels = np.union1d(t, p) if labels is None else np.asarray(list(labels))
    index = {v: i for i, v in enumerate(labels.tolist())}
    k = len(labels)
    ti = np.array([index.get(v, -1) for v in t.tolist()])
    pi = np.array([index.get(v, -1) for v in p.tolist()])
    keep = (ti >= 0) & (pi >= 0)
    return np.bincount(ti[keep] * k + pi[keep], minlength=k * k).reshape(k, k).astype(np.int64)


_AVERAGES = ("binary", "micro", "macro", "samples", "weighted", None)


def _safe_div(num, den):
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def precision_recall_f1(y_true, y_pred, average: str | None = "binary", pos_label=1):
    """``(precision, recall, f1)`` for binary labels or a multilabel indicator matrix.

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R), each 0 when its
    denominator is 0.  ``average``: ``"binary"`` (1-D labels, class ``pos_label``),
    ``"micro"`` (pool the counts of all labels), ``"macro"`` (mean over labels),
    ``"weighted"`` (mean weighted by each label's support), ``"samples"`` (mean over rows,
    multilabel only) or ``None`` (one value per label).  Matches
    ``sklearn.metrics.precision_recall_fscore_support(..., zero_division=0)``.

    Shape: ``(N,)`` binary labels or ``(N, L)`` 0/1 indicators, for both arguments.
    """
    owner = "precision_recall_f1"
    if average not in _AVERAGES:
        raise ValueError(f"{owner}: average must be one of {_AVERAGES}, got {average!r}")
    t, p = _pair(y_true, y_pred, owner)
    if t.ndim == 1:
        if average == "samples":
            raise ValueError(f"{owner}: average='samples' needs multilabel (N, L) arrays")
        t, p = (t == pos_label)[:, None], (p == pos_label)[:, None]
        if average != "binary":
            raise ValueError(f"{owner}: only average='binary' is supported for 1-D labels, "
                             f"got {average!r}")
    elif t.ndim == 2:
        for name, a in (("y_true", t), ("y_pred", p)):
            if not np.isin(a, (0, 1)).all():
                raise ValueError(f"{owner}: multilabel {name} must hold only 0/1 values")
        if average == "binary":
            raise ValueError(f"{owner}: average='binary' needs 1-D labels; for (N, L) arrays "
                             f"choose 'micro', 'macro', 'samples', 'weighted' or None")
        t, p = t.astype(bool), p.astype(bool)
    else:
        raise ValueError(f"{owner}: expected (N,) or (N, L) arrays, got shape {t.shape}")
    axis = 1 if average == "samples" else 0
    tp = (t & p).sum(axis)
    fp = (~t & p).sum(axis)
    fn = (t & ~p).sum(axis)
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    prec = _safe_div(tp, tp + fp)
    rec = _safe_div(tp, tp + fn)
    f1 = _safe_div(2 * tp, 2 * tp + fp + fn)
    if average == "binary":
        return float(prec[0]), float(rec[0]), float(f1[0])
    if average in ("macro", "samples"):
        return float(prec.mean()), float(rec.mean()), float(f1.mean())
    if average == "weighted":
        support = t.sum(0).astype(np.float64)
        w = support / support.sum() if support.sum() else np.zeros_like(support)
        return float((prec * w).sum()), float((rec * w).sum()), float((f1 * w).sum())
    if average == "micro":
        return float(prec), float(rec), float(f1)
    return prec, rec, f1


def precision(y_true, y_pred, average: str | None = "binary", pos_label=1):
    """TP / (TP + FP); see :func:`precision_recall_f1` (matches sklearn.metrics.precision_score)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label)[0]


def recall(y_true, y_pred, average: str | None = "binary", pos_label=1):
    """TP / (TP + FN); see :func:`precision_recall_f1` (matches sklearn.metrics.recall_score)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label)[1]


def f1_score(y_true, y_pred, average: str | None = "binary", pos_label=1):
    """2 P R / (P + R); see :func:`precision_recall_f1` (matches sklearn.metrics.f1_score)."""
    return precision_recall_f1(y_true, y_pred, average, pos_label)[2]


# ------------------------------------------------------------------ regression
def _regression_pair(y_true, y_pred, owner):
    t, p = _pair(y_true, y_pred, owner, same_shape=False)
    if p.shape != t.shape and p.size == t.size:   # (N,) against (N, 1)
        p = p.reshape(t.shape)
    if p.shape != t.shape:
        raise ValueError(f"{owner}: y_true shape {t.shape} must equal y_pred shape {p.shape}")
    return t.astype(np.float64).reshape(len(t), -1), p.astype(np.float64).reshape(len(t), -1)


def mean_squared_error(y_true, y_pred) -> float:
    """mean((y - ŷ)²) over samples, averaged over outputs (sklearn.metrics.mean_squared_error)."""
    t, p = _regression_pair(y_true, y_pred, "mean_squared_error")
    return float(((t - p) ** 2).mean(0).mean())


def mean_absolute_error(y_true, y_pred) -> float:
    """mean(|y - ŷ|) over samples, averaged over outputs (sklearn.metrics.mean_absolute_error)."""
    t, p = _regression_pair(y_true, y_pred, "mean_absolute_error")
    return float(np.abs(t - p).mean(0).mean())


def r2_score(y_true, y_pred) -> float:
    """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², averaged uniformly over outputs.

    A constant target gives 1.0 for a perfect prediction and 0.0 otherwise, as in
    ``sklearn.metrics.r2_score`` (``multioutput="uniform_average"``).
    """
    t, p = _regression_pair(y_true, y_pred, "r2_score")
    ss_res = ((t - p) ** 2).sum(0)
    ss_tot = ((t - t.mean(0)) ** 2).sum(0)
    r2 = np.where(ss_tot > 0, 1.0 - _safe_div(ss_res, ss_tot), np.where(ss_res == 0, 1.0, 0.0))
    return float(r2.mean())


# ------------------------------------------------------------------ names used by fit()
def _labels(output: np.ndarray, target: np.ndarray, kind: str | None):
    """Predicted and true labels from a model output, as the loss reads the output.

    cross-entropy / NLL: argmax of the scores (and of a probability target);
    BCE with logits: ``logit > 0``; BCE on probabilities (or an unknown loss with one output
    column): ``p > 0.5``; an unknown loss with several columns and 1-D targets: argmax.
    """
    out = np.asarray(output)
    tgt = np.asarray(target)
    if kind in ("cross_entropy", "nll") or (kind is None and out.ndim == 2 and out.shape[1] > 1
                                            and tgt.ndim == 1):
        pred = out.argmax(axis=1)
        true = tgt.argmax(axis=1) if tgt.ndim == 2 else tgt
        return true, pred
    threshold = 0.0 if kind == "bce_with_logits" else 0.5
    pred = (out > threshold).astype(np.int64)
    true = (tgt > 0.5).astype(np.int64)
    if pred.shape != true.shape and pred.size == true.size:
        pred = pred.reshape(true.shape)
    return true, pred


def _classification(fn):
    def metric(output, target, kind=None):
        true, pred = _labels(output, target, kind)
        return fn(true, pred)
    return metric


def _multi_average(fn):
    # multilabel outputs are averaged over labels ("macro"), binary ones use average="binary"
    def metric(true, pred):
        if true.ndim == 2 and true.shape[1] == 1:
            true, pred = true[:, 0], pred[:, 0]
        return fn(true, pred, average="macro" if true.ndim == 2 else "binary")
    return metric


def _top_k(k):
    def metric(output, target, kind=None):
        tgt = np.asarray(target)
        return top_k_accuracy(tgt.argmax(1) if tgt.ndim == 2 else tgt, output, k=k)
    return metric


def _regression(fn):
    def metric(output, target, kind=None):
        return fn(target, output)
    return metric


NAMES: dict[str, Callable] = {
    "accuracy": _classification(accuracy),
    "error": _classification(lambda t, p: 1.0 - accuracy(t, p)),
    "top5_accuracy": _top_k(5),
    "top3_accuracy": _top_k(3),
    "precision": _classification(_multi_average(precision)),
    "recall": _classification(_multi_average(recall)),
    "f1": _classification(_multi_average(f1_score)),
    "mse": _regression(mean_squared_error),
    "mae": _regression(mean_absolute_error),
    "r2": _regression(r2_score),
}
"""Metric names accepted by ``fit``/``evaluate``: each is ``fn(output, target, kind)``."""


def get(metric) -> tuple[str, Callable]:
    """``(name, fn(output, target, kind) -> float)`` for a metric name or a callable.

    A callable is used as ``fn(output, target)`` on NumPy arrays (model output first, as the
    losses take it) and is named after its ``__name__``.  ``kind`` is the loss family
    (``"cross_entropy"``, ``"nll"``, ``"bce"``, ``"bce_with_logits"``, ``"mse"`` or None) and
    decides how outputs become labels.
    """
    if isinstance(metric, str):
        if metric not in NAMES:
            raise ValueError(f"metrics: unknown metric {metric!r}; choose from "
                             f"{', '.join(NAMES)} or pass a callable fn(output, target)")
        return metric, NAMES[metric]
    if callable(metric):
        name = getattr(metric, "__name__", type(metric).__name__)
        return name, lambda output, target, kind=None: float(metric(output, target))
    raise TypeError(f"metrics: expected a metric name or a callable, got {type(metric).__name__}")
