"""The lasso: least squares with an L1 penalty, by cyclic coordinate descent (001 §5.2)."""
from __future__ import annotations

import numpy as np

from .._checks import check_param
from ..base import BaseEstimator, RegressorMixin, check_n_features, check_X_y
from . import _descent


def _soft_threshold(rho: float, lam: float) -> float:
    """argmin_w ½(w − ρ)² + λ|w|: shrink ρ towards 0 by λ, to exactly 0 inside [−λ, λ]."""
    return np.sign(rho) * max(abs(rho) - lam, 0.0)


def _coordinate_descent(X, y, alpha, max_iter, tol, w0=None):
    """One output; X and y already centred when an intercept is fitted.

    Minimises ‖y − Xw‖²/(2n) + α‖w‖₁ coordinate by coordinate: with the others fixed, w_j's
    best value is S(ρ_j, α)/z_j, ρ_j = x_jᵀ(r + x_j w_j)/n, z_j = ‖x_j‖²/n (S = soft
    threshold).  Stops when the duality gap is below ``tol·‖y‖²/n`` — scikit-learn's test.
    """
    n, d = X.shape
    w = np.zeros(d) if w0 is None else w0.astype(np.float64).copy()
    r = y - X @ w                                 # residual y − Xw, kept up to date
    z = (X * X).sum(axis=0) / n
    cols = [X[:, j] for j in range(d)]
    scale = float(y @ y) / n
    gap, it = np.inf, 0
    for it in range(1, max_iter + 1):
        w_max = d_max = 0.0
        for j in range(d):
            if z[j] == 0.0:
                continue
            old = w[j]
            rho = cols[j] @ r / n + z[j] * old
            new = _soft_threshold(rho, alpha) / z[j]
            if new != old:
                r -= cols[j] * (new - old)
                w[j] = new
            d_max = max(d_max, abs(new - old))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_max / w_max <= tol or it == max_iter:
            gap = _duality_gap(X, y, w, r, alpha)
            if gap <= tol * scale:
                break
    return w, gap, it


def _duality_gap(X, y, w, r, alpha):
    """Primal minus dual objective (both ÷ n), the dual point being the scaled residual."""
    n = len(y)
    xtr = X.T @ r / n
    dual_norm = np.abs(xtr).max() if xtr.size else 0.0
    const = alpha / dual_norm if dual_norm > alpha else 1.0
    rr = float(r @ r) / n
    primal = 0.5 * rr + alpha * np.abs(w).sum()
    dual = -0.5 * const * const * rr + const * float(r @ y) / n
    return primal - dual


class Lasso(RegressorMixin, BaseEstimator):
    """Minimises ‖y − Xw − b‖² / (2n) + α‖w‖₁ — scikit-learn's Lasso objective; the L1 norm of
    001 §5.2 (Figure 5.2) sets weights exactly to zero as α grows.  b is not penalised.

    Solver: cyclic coordinate descent on centred data, each coordinate solved exactly by soft
    thresholding; stops when the duality gap < ``tol``·‖y‖²/n (as scikit-learn) or after
    ``max_iter`` sweeps.  Matches ``sklearn.linear_model.Lasso``.

    Args:
        alpha: L1 strength α >= 0 (default 1.0); α = 0 is least squares, slowly.
        fit_intercept: learn b (default True).
        max_iter: sweeps over the coordinates (None -> 1000).
        tol: duality-gap tolerance (1e-4).
        warm_start: start from the previous fit's ``coef_`` (same shape) instead of zeros —
            how a regularisation path is computed cheaply, from large α to small.

    Fitted attributes: ``coef_`` ``(d,)`` or ``(k, d)``, ``intercept_``, ``dual_gap_``,
    ``n_iter_``, ``n_features_in_``.  Shape: X ``(n, d)``, y ``(n,)`` or ``(n, k)``.
    """

    coef_: np.ndarray                   # learnt by fit (declared for type checkers)
    intercept_: float | np.ndarray

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True,
                 max_iter: int | None = None, tol: float = 1e-4, warm_start: bool = False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    def fit(self, X, y) -> "Lasso":
        """Coordinate descent on X ``(n, d)``, y ``(n,)``/``(n, k)``; returns self."""
        owner = "Lasso.fit"
        X, y = check_X_y(X, y, owner, est=self)
        alpha = float(check_param(self.alpha, "alpha", owner, low=0.0))
        tol = check_param(self.tol, "tol", owner, low=0.0)
        max_iter = _descent.resolve_max_iter(self.max_iter, "cd", owner)
        T = y.reshape(len(y), -1)
        if self.fit_intercept:
            x_mean, t_mean = X.mean(axis=0), T.mean(axis=0)
            X, T = X - x_mean, T - t_mean
        W = np.zeros((T.shape[1], X.shape[1]))
        if self.warm_start and hasattr(self, "coef_") and np.size(self.coef_) == W.size:
            W[...] = np.reshape(self.coef_, W.shape)
        gaps, iters = [], []
        for k in range(T.shape[1]):
            W[k], gap, it = _coordinate_descent(X, T[:, k].copy(), alpha, max_iter, tol, W[k])
            gaps.append(gap)
            iters.append(it)
        b = (t_mean - x_mean @ W.T) if self.fit_intercept else np.zeros(T.shape[1])
        if y.ndim == 1:
            self.coef_, self.intercept_ = W[0], (float(b[0]) if self.fit_intercept else 0.0)
            self.dual_gap_, self.n_iter_ = gaps[0], iters[0]
        else:
            self.coef_, self.intercept_ = W, b
            self.dual_gap_, self.n_iter_ = np.array(gaps), max(iters)
        return self

    def predict(self, X) -> np.ndarray:
        """``X wᵀ + b``.  Shape: ``(n, d)`` -> ``(n,)`` or ``(n, k)``."""
        self._check_fitted("predict")
        X = check_n_features(self, X, "Lasso.predict")
        return X @ self.coef_.T + self.intercept_
