"""K-fold cross-validation and exhaustive grid search (001 §5.6), scikit-learn style.

``cross_val_score`` and ``GridSearchCV`` work with any estimator that has ``get_params`` /
``set_params`` / ``fit`` / ``score`` — ours or scikit-learn's.
"""
from __future__ import annotations

import copy
import itertools
import numbers

import numpy as np

from .. import random as _random
from ..base import BaseEstimator, NotFittedError
from ..metrics import r2_score


def clone(estimator):
    """A new unfitted estimator with the same constructor arguments (nested ones cloned too)."""
    if isinstance(estimator, (list, tuple)):
        return type(estimator)(clone(e) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        raise TypeError(f"clone: expected an estimator with get_params(), got "
                        f"{type(estimator).__name__}")
    params = estimator.get_params(deep=False)
    params = {k: (clone(v) if hasattr(v, "get_params") and not isinstance(v, type)
                  else copy.deepcopy(v)) for k, v in params.items()}
    return type(estimator)(**params)


class KFold:
    """Split n samples into ``n_splits`` consecutive folds; each fold is the test set once and
    the other folds train (001 §5.6, Figure 5.7).  The first ``n % n_splits`` folds get one
    extra sample, as in scikit-learn's KFold.

    Args:
        n_splits: K >= 2 (default 5, the textbook's 5-fold CV).
        shuffle: permute the samples before cutting the folds (default False).
        random_state: int or None (library generator) for the shuffle.
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, random_state: int | None = None):
        if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral):
            raise TypeError(f"KFold: n_splits must be an int, got {type(n_splits).__name__}")
        if n_splits < 2:
            raise ValueError(f"KFold: n_splits must be >= 2, got {n_splits}")
        self.n_splits: int = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield ``(train_indices, test_indices)`` for each of the K folds."""
        n = len(X)
        if self.n_splits > n:
            raise ValueError(f"KFold: n_splits={self.n_splits} is larger than the number of "
                             f"samples {n}; each fold needs at least one sample")
        order = _random.rng(self.random_state).permutation(n) if self.shuffle else np.arange(n)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        start = 0
        for size in sizes:
            test = order[start:start + size]
            train = np.concatenate([order[:start], order[start + size:]])
            yield train, test
            start += size

    def __repr__(self):
        return (f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
                f"random_state={self.random_state})")


class StratifiedKFold(KFold):
    """K folds that keep each class's share of the samples, as scikit-learn's StratifiedKFold
    (same folds when not shuffled); what ``cv=K`` means for a classifier.

    The samples sorted by class are dealt round-robin into the K folds, which fixes how many
    of each class every fold gets (they differ by at most one); each class's samples, in
    their original order (or shuffled), then fill the folds 0, 1, … in runs of those counts.

    Args: as :class:`KFold`; ``split`` needs the labels ``y``.
    """

    def split(self, X, y=None, groups=None):
        """Yield ``(train_indices, test_indices)`` for each of the K folds."""
        if y is None:
            raise ValueError("StratifiedKFold.split: needs the class labels y")
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"StratifiedKFold.split: y must be 1-D with one label per row of "
                             f"X ({len(X)}), got shape {y.shape}")
        # classes numbered in order of first appearance
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        codes = np.argsort(np.argsort(first))[inverse.reshape(-1)]
        counts = np.bincount(codes)
        if self.n_splits > counts.max():
            largest = counts.max()
            raise ValueError(f"StratifiedKFold: n_splits={self.n_splits} is larger than the "
                             f"number of samples of every class (the largest class has "
                             f"{largest} sample{'s' if largest > 1 else ''})")
        dealt = np.sort(codes)
        per_fold = np.stack([np.bincount(dealt[k::self.n_splits], minlength=len(counts))
                             for k in range(self.n_splits)])          # (K, classes)
        rng = _random.rng(self.random_state) if self.shuffle else None
        fold_of = np.empty(len(y), dtype=np.int64)
        for c in range(len(counts)):
            runs = np.repeat(np.arange(self.n_splits), per_fold[:, c])
            if rng is not None:
                rng.shuffle(runs)
            fold_of[codes == c] = runs
        for k in range(self.n_splits):
            yield np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)


# ----------------------------------------------------------------------------- scoring
def _accuracy(est, X, y):
    return float(np.mean(est.predict(X) == np.asarray(y)))


def _r2(est, X, y):
    return r2_score(np.asarray(y, dtype=np.float64), est.predict(X))


def _neg_mse(est, X, y):
    return -float(np.mean((np.asarray(y, dtype=np.float64) - est.predict(X)) ** 2))


def _neg_rmse(est, X, y):
    return -float(np.sqrt(-_neg_mse(est, X, y)))


def _neg_mae(est, X, y):
    return -float(np.mean(np.abs(np.asarray(y, dtype=np.float64) - est.predict(X))))


_SCORERS = {"accuracy": _accuracy, "r2": _r2, "neg_mean_squared_error": _neg_mse,
            "neg_root_mean_squared_error": _neg_rmse, "neg_mean_absolute_error": _neg_mae}


def get_scorer(scoring):
    """``None`` -> ``estimator.score``; a name from scikit-learn's list (accuracy, r2,
    neg_mean_squared_error, neg_root_mean_squared_error, neg_mean_absolute_error); or a
    callable ``scorer(estimator, X, y) -> float`` (greater is better)."""
    if scoring is None:
        return lambda est, X, y: float(est.score(X, y))
    if callable(scoring):
        return scoring
    if scoring not in _SCORERS:
        raise ValueError(f"scoring must be None, a callable or one of {sorted(_SCORERS)}, got "
                         f"{scoring!r}")
    return _SCORERS[scoring]


def _is_classifier(estimator) -> bool:
    # our estimators say it themselves; asking for scikit-learn's tags first would import
    # scikit-learn (seconds) just to read the same attribute back
    kind = getattr(estimator, "_estimator_type", None)
    if kind is not None:
        return kind == "classifier"
    tags = getattr(estimator, "__sklearn_tags__", None)
    if callable(tags):
        try:
            return tags().estimator_type == "classifier"
        except Exception:   # an estimator outside scikit-learn's tag protocol
            pass
    return False


def _is_class_labels(y) -> bool:
    """1-D discrete labels (scikit-learn's binary/multiclass targets)."""
    if y.ndim != 1 or len(y) == 0:
        return False
    if y.dtype.kind in "biuUSO":
        return True
    return y.dtype.kind == "f" and bool(np.all(np.isfinite(y)) and np.all(y == np.round(y)))


def _check_cv(cv, owner, estimator=None, y=None):
    """A splitter from ``cv``: an int K means StratifiedKFold for a classifier with class
    labels, KFold otherwise (as scikit-learn's check_cv)."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:  # say it here: KFold's own message names n_splits, not the caller's cv
            raise ValueError(f"{owner}: cv must be a number of folds >= 2 or a splitter, "
                             f"got {cv}")
        if y is not None and _is_classifier(estimator) and _is_class_labels(y):
            return StratifiedKFold(int(cv))
        return KFold(int(cv))
    if hasattr(cv, "split") and not isinstance(cv, str):  # str has a split() method too
        return cv
    raise TypeError(f"{owner}: cv must be an int or a splitter with split(), got "
                    f"{type(cv).__name__}")


def _rows(a, idx):
    return a[idx] if hasattr(a, "shape") else [a[i] for i in idx]


def cross_val_score(estimator, X, y, cv=5, scoring=None) -> np.ndarray:
    """The test score of a fresh clone of ``estimator`` on each fold (001 §5.6).

    Args:
        estimator: anything with ``get_params``/``fit``/``predict`` (or ``score``).
        X: ``(n, d)``; y: ``(n,)`` or ``(n, k)``.
        cv: number of folds K or a splitter (default 5).  K folds are unshuffled, and
            stratified by class (:class:`StratifiedKFold`) for a classifier, as in scikit-learn.
        scoring: see :func:`get_scorer` (default: the estimator's own ``score``).

    Returns: the K scores, an array ``(K,)``.
    """
    owner = "cross_val_score"
    X_arr, y_arr = np.asarray(X), np.asarray(y)
    if len(X_arr) != len(y_arr):
        raise ValueError(f"{owner}: X and y have mismatched lengths: X has {len(X_arr)} rows, "
                         f"y has {len(y_arr)}")
    splitter, scorer = _check_cv(cv, owner, estimator, y_arr), get_scorer(scoring)
    scores = []
    for train, test in splitter.split(X_arr, y_arr):
        est = clone(estimator).fit(_rows(X_arr, train), _rows(y_arr, train))
        scores.append(scorer(est, _rows(X_arr, test), _rows(y_arr, test)))
    return np.array(scores)


def _grid(param_grid, owner):
    grids = [param_grid] if isinstance(param_grid, dict) else list(param_grid)
    out = []
    for g in grids:
        if not isinstance(g, dict):
            raise TypeError(f"{owner}: param_grid must be a dict or a list of dicts, got "
                            f"{type(g).__name__}")
        for k, v in g.items():
            if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__") or len(v) == 0:
                raise ValueError(f"{owner}: param_grid[{k!r}] must be a non-empty list of "
                                 f"values, got {v!r}")
        keys = sorted(g)
        out += [dict(zip(keys, vals)) for vals in itertools.product(*(g[k] for k in keys))]
    return out


class GridSearchCV(BaseEstimator):
    """Try every combination in ``param_grid``, score each by K-fold CV, keep the best.

    Args:
        estimator: the estimator to tune (cloned for every fit).
        param_grid: ``{name: [values]}`` or a list of such dicts.
        cv: folds (stratified for a classifier) or a splitter (default 5).
        scoring: see :func:`get_scorer`.
        refit: refit the best setting on all the data as ``best_estimator_`` (default True).

    Fitted attributes: ``cv_results_`` (``params``, ``mean_test_score``, ``std_test_score``,
    ``rank_test_score``, ``split{k}_test_score``), ``best_params_``, ``best_score_``,
    ``best_index_``, ``best_estimator_`` (with ``refit``), ``n_splits_``.
    ``predict``/``predict_proba``/``score`` use ``best_estimator_``.
    """

    _fitted_attr = "best_params_"

    def __init__(self, estimator, param_grid, cv=5, scoring=None, refit: bool = True):
        self.estimator = estimator
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.refit = refit

    @property
    def _estimator_type(self):
        return getattr(self.estimator, "_estimator_type", None)

    @property
    def _multi_output(self):
        return getattr(self.estimator, "_multi_output", False)

    def fit(self, X, y) -> "GridSearchCV":
        owner = "GridSearchCV.fit"
        candidates = _grid(self.param_grid, owner)
        valid = set(self.estimator.get_params(deep=True))
        for name in candidates[0] if candidates else ():
            if name not in valid:
                raise ValueError(f"{owner}: {name!r} is not a parameter of "
                                 f"{type(self.estimator).__name__}; valid: {sorted(valid)}")
        if y is None:
            raise ValueError(f"{owner}: requires y to be passed, but the target y is None")
        if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
            raise TypeError(f"{owner}: X is a sparse matrix; sparse input is not supported, "
                            f"pass X.toarray()")
        X_arr, y_arr = np.asarray(X), np.asarray(y)
        if len(X_arr) != len(y_arr):
            raise ValueError(f"{owner}: X and y have mismatched lengths: X has {len(X_arr)} "
                             f"rows, y has {len(y_arr)}")
        splitter = _check_cv(self.cv, owner, self.estimator, y_arr)
        scorer = get_scorer(self.scoring)
        folds = list(splitter.split(X_arr, y_arr))
        table = np.empty((len(candidates), len(folds)))
        for i, params in enumerate(candidates):
            for k, (train, test) in enumerate(folds):
                est = clone(self.estimator).set_params(**params)
                est.fit(_rows(X_arr, train), _rows(y_arr, train))
                table[i, k] = scorer(est, _rows(X_arr, test), _rows(y_arr, test))
        mean = table.mean(axis=1)
        order = np.argsort(-mean, kind="stable")
        rank = np.empty(len(mean), dtype=np.int64)
        rank[order] = np.arange(1, len(mean) + 1)
        self.cv_results_ = {"params": candidates, "mean_test_score": mean,
                            "std_test_score": table.std(axis=1), "rank_test_score": rank}
        for k in range(len(folds)):
            self.cv_results_[f"split{k}_test_score"] = table[:, k]
        self.best_index_ = int(order[0])
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(mean[self.best_index_])
        self.n_splits_ = len(folds)
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_.fit(X, y)            # the DataFrame, if one was given
            for name in ("n_features_in_", "feature_names_in_", "classes_"):
                if hasattr(self.best_estimator_, name):
                    setattr(self, name, getattr(self.best_estimator_, name))
        return self

    def _best(self, method):
        self._check_fitted(method)
        if not self.refit:
            raise NotFittedError(f"GridSearchCV.{method}: refit=False, so there is no "
                                 f"best_estimator_ to {method} with")
        return self.best_estimator_

    def predict(self, X):
        return self._best("predict").predict(X)

    @property
    def predict_proba(self):
        """The best estimator's ``predict_proba`` (an AttributeError when the tuned estimator
        has none, so that ``hasattr`` answers truthfully, as scikit-learn's ``available_if``)."""
        if not hasattr(self.estimator, "predict_proba"):
            raise AttributeError(f"{type(self.estimator).__name__} has no predict_proba, so "
                                 f"GridSearchCV has none")
        return lambda X: self._best("predict_proba").predict_proba(X)

    def score(self, X, y) -> float:
        return float(get_scorer(self.scoring)(self._best("score"), X, y))
