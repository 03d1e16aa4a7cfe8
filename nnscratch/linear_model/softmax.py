"""Multinomial (softmax) regression (000 ch. 5, 001 §7.8–7.9)."""
from __future__ import annotations

import numpy as np

from .._checks import check_param
from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_n_features,
    column_or_1d,
    record_features,
)
from ..numeric import log_softmax_array, softmax_array
from . import _descent


def class_targets(X, y, owner: str, est=None):
    """Checked ``X`` and ``(classes, codes)``: the sorted distinct labels of a 1-D ``y`` (any
    labels NumPy can sort: ints, floats holding integers, strings, bools) and each row's index
    into them.  With ``est`` (at fit) its ``n_features_in_``/``feature_names_in_`` are
    recorded."""
    X_raw, X = X, check_array(X, "X", owner)
    if est is not None:
        record_features(est, X_raw, X)
    if y is None:
        raise ValueError(f"{owner}: requires y to be passed, but the target y is None")
    y = column_or_1d(np.asarray(y.numpy() if hasattr(y, "requires_grad") else y), owner)
    if y.ndim != 1:
        raise ValueError(f"{owner}: y must be 1-D class labels, got shape {y.shape}")
    if len(y) != len(X):
        raise ValueError(f"{owner}: X and y have mismatched lengths: X has {len(X)} rows, "
                         f"y has {len(y)}")
    if y.dtype.kind == "f":
        check_array(y, "y", owner, ndim=1)
        if not np.all(y == np.round(y)):
            raise ValueError(f"{owner}: Unknown label type: continuous values in y (e.g. "
                             f"{y[y != np.round(y)][0]!r}); class labels must be discrete")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"{owner}: y has only one class ({classes[0]!r}); a classifier "
                         f"needs at least two")
    return X, classes, codes


def cross_entropy_and_residual(Z: np.ndarray, T: np.ndarray):
    """Σ −t·log softmax(z) over the rows, and its gradient in the logits, y − t
    (000 eq. 5.15)."""
    logp = log_softmax_array(Z, axis=1)
    return -(T * logp).sum(), np.exp(logp) - T


def fit_softmax(est, X: np.ndarray, codes: np.ndarray, K: int, owner: str):
    """Fit W ``(K, d)`` and b ``(K,)`` of the multinomial model to class indices ``codes``
    ``(n,)``: the one implementation behind :class:`SoftmaxRegression` and the multiclass
    :class:`LogisticRegression`.  Reads the hyper-parameters (solver, C, tol, max_iter, lr,
    batch_size, random_state, fit_intercept) from ``est``; sets ``est.loss_curve_`` and
    ``est.n_iter_``."""
    solver = check_param(est.solver, "solver", owner, choices=("lbfgs", "gd", "sgd"))
    C = check_param(est.C, "C", owner, low=0.0, low_open=True, allow_none=True)
    tol = check_param(est.tol, "tol", owner, low=0.0)
    max_iter = _descent.resolve_max_iter(est.max_iter, solver, owner)
    n, d = X.shape
    T = np.zeros((n, K))
    T[np.arange(n), codes] = 1.0                           # one-hot targets
    inv_c = 0.0 if C is None else 1.0 / C
    W = np.zeros((K, d))
    b = np.zeros(K)
    objective = _descent.linear_objective(X, T, W, b, cross_entropy_and_residual, inv_c,
                                          bool(est.fit_intercept))
    # the Hessian of the cross-entropy in z is diag(y) − yyᵀ, eigenvalues at most ½
    est.loss_curve_, est.n_iter_ = _descent.minimize_objective(
        est, solver, objective, [W, b], X, loss_curvature=0.5, penalty=inv_c,
        max_iter=max_iter, tol=tol, owner=owner)
    return W, b


class SoftmaxRegression(ClassifierMixin, BaseEstimator):
    """P(class k | x) = softmax(W x + b)_k (000 eq. 5.3–5.5), trained by minimising the mean
    categorical cross-entropy (000 eq. 5.6–5.7) + ‖W‖²/(2Cn) when ``C`` is given.

    Gradient (000 eq. 5.15–5.16, 001 eq. 7.12): ∂E/∂W = ((Y − T)ᵀ X + W/C) / n,
    ∂E/∂b = mean(Y − T), computed in NumPy:

    * ``"lbfgs"`` (default, as scikit-learn's): L-BFGS with a strong Wolfe line search
      (:func:`nnscratch.optimize.minimize`); stops when max|∇E| <= ``tol`` or the loss stops
      falling (by 1e-10) — unpenalised separable data have no finite optimum.
    * ``"gd"``: full batch, step ``lr``; stops when max|∇E| <= ``tol``.
    * ``"sgd"``: mini-batches, scikit-learn's adaptive step schedule (see ``_descent``).

    With ``C`` set this is the objective of scikit-learn's multinomial
    ``LogisticRegression(C=C)``.

    Args:
        C: inverse L2 strength (> 0) or None (default) for no penalty.
        fit_intercept: learn b (default True).
        lr: step or ``"auto"`` = 1 / (λmax(X̃ᵀX̃/n)/2) — the Hessian of the cross-entropy in z
            is diag(y) − yyᵀ, whose eigenvalues are at most ½ — or max‖x̃ᵢ‖²/2 for sgd.
        max_iter: None -> lbfgs 1000, gd 10000 steps, sgd 1000 epochs.
        batch_size: rows per sgd step (32).  tol: gradient tolerance (1e-4).
        random_state: int seed for sgd's shuffling, or None for the library generator.

    Fitted attributes: ``coef_`` ``(K, d)``, ``intercept_`` ``(K,)``, ``classes_``,
    ``loss_curve_``, ``n_iter_``, ``n_features_in_``.
    Shape: X ``(n, d)``, y ``(n,)`` with any K >= 2 distinct labels.
    """

    loss_curve_: list[float]            # set by fit (declared for type checkers)
    n_iter_: int

    def __init__(self, solver: str = "lbfgs", C: float | None = None, fit_intercept: bool = True,
                 lr: float | str = "auto", max_iter: int | None = None, batch_size: int = 32,
                 tol: float = 1e-4, random_state: int | None = None):
        self.solver = solver
        self.C = C
        self.fit_intercept = fit_intercept
        self.lr = lr
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y) -> "SoftmaxRegression":
        """Learn W, b from X ``(n, d)`` and labels y ``(n,)`` (K >= 2 classes); returns self."""
        owner = "SoftmaxRegression.fit"
        X, classes, codes = class_targets(X, y, owner, est=self)
        self.coef_, self.intercept_ = fit_softmax(self, X, codes, len(classes), owner)
        self.classes_ = classes
        return self

    def _logits(self, X, method):
        self._check_fitted(method)
        X = check_n_features(self, X, f"{type(self).__name__}.{method}")
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X) -> np.ndarray:
        """Logits z = W x + b (000 eq. 5.3).  Shape: ``(n, d)`` -> ``(n, K)``; for K = 2,
        scikit-learn's binary convention ``(n,)``: z₁ − z₀ (> 0 means ``classes_[1]``)."""
        z = self._logits(X, "decision_function")
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict_proba(self, X) -> np.ndarray:
        """softmax(z) per row (000 eq. 5.5).  Shape: ``(n, K)``, rows sum to 1."""
        return softmax_array(self._logits(X, "predict_proba"), axis=1)

    def predict(self, X) -> np.ndarray:
        """The label of the largest logit, argmax_k z_k (000 eq. 5.18).  Shape: ``(n,)``."""
        z = self._logits(X, "predict")             # checks the fit before classes_ is read
        return self.classes_[np.argmax(z, axis=1)]
