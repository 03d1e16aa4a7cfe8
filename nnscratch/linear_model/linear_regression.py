"""Least-squares linear regression: closed form, gradient descent and mini-batch SGD."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random
from .._checks import check_param
from ..base import BaseEstimator, RegressorMixin, check_n_features, check_X_y
from . import _descent


def squared_error_and_residual(Z: np.ndarray, T: np.ndarray):
    """½ Σ (z − t)² and its gradient in the predictions, z − t (000 eq. 3.13)."""
    R = Z - T
    return 0.5 * (R * R).sum(), R


class _LeastSquares(RegressorMixin, BaseEstimator):
    """Shared machinery of LinearRegression and Ridge: the model ``y = X Wᵀ + b``.

    ``y`` may be ``(n,)`` (then ``coef_`` is ``(d,)`` and ``intercept_`` a float) or
    ``(n, k)`` (``coef_`` ``(k, d)``, ``intercept_`` ``(k,)``), as in scikit-learn.
    """

    _solvers: tuple[str, ...] = ("normal", "gd", "sgd")
    _alpha = 0.0
    coef_: np.ndarray                   # learnt by fit (declared for type checkers)
    intercept_: Any                     # a float, or (k,) for a 2-D y
    solver: str                         # the subclasses' constructor arguments
    tol: float
    fit_intercept: bool

    # -------------------------------------------------------------------------- fitting
    def fit(self, X, y) -> "_LeastSquares":
        """Learn ``coef_``, ``intercept_`` from X ``(n, d)``, y ``(n,)``/``(n, k)``; return self."""
        owner = f"{type(self).__name__}.fit"
        X, y = check_X_y(X, y, owner, est=self)
        solver = check_param(self.solver, "solver", owner, choices=self._solvers)
        check_param(self.tol, "tol", owner, low=0.0)  # checked even where the solver ignores it
        _descent.check_shared_params(self, owner)
        alpha = self._check_alpha(owner)
        T = y.reshape(len(y), -1)
        if solver == "normal":
            W, b = self._solve_normal(X, T, alpha)
            self.n_iter_ = 1
            self.loss_curve_ = [self._objective_value(X, T, W, b, alpha)]
        else:
            W, b = self._solve_descent(X, T, alpha, solver, owner)
        resid = T - (X @ W.T + b)
        self.noise_variance_ = (resid ** 2).mean(axis=0)          # 001 eq. 4.15
        if y.ndim == 1:
            W, b, self.noise_variance_ = W[0], b[0], float(self.noise_variance_[0])
        self.coef_, self.intercept_ = W, (b if self.fit_intercept or y.ndim == 2 else 0.0)
        return self

    def _check_alpha(self, owner):
        return 0.0

    def _solve_normal(self, X, T, alpha):
        """Centre, then least squares: the intercept is ``t̄ - x̄ᵀw`` (it is not penalised)."""
        if self.fit_intercept:
            x_mean, t_mean = X.mean(axis=0), T.mean(axis=0)
            Xc, Tc = X - x_mean, T - t_mean
        else:
            Xc, Tc = X, T
        if alpha == 0.0:
            # SVD-based least squares: stable even when XᵀX is singular (001 §3.6 warns
            # that inverting it is a "poisoned chalice"); the minimum-norm solution if so.
            W = np.linalg.lstsq(Xc, Tc, rcond=None)[0].T
        else:
            A = Xc.T @ Xc
            A[np.diag_indices_from(A)] += alpha
            try:        # (XᵀX + δ²I) w = Xᵀt, 001 eq. 5.2, by Cholesky-backed solve
                W = np.linalg.solve(A, Xc.T @ Tc).T
            except np.linalg.LinAlgError:
                W = np.linalg.lstsq(A, Xc.T @ Tc, rcond=None)[0].T
        b = (t_mean - x_mean @ W.T) if self.fit_intercept else np.zeros(T.shape[1])
        return W, b

    def _objective_value(self, X, T, W, b, alpha):
        r = T - (X @ W.T + b)
        return float(0.5 * ((r ** 2).sum() + alpha * (W ** 2).sum()) / len(X))

    def _solve_descent(self, X, T, alpha, solver, owner):
        """Minimise E = (‖XWᵀ + b - T‖² + α‖W‖²) / 2n with the gradients of 000 eq. 3.13–3.14:
        ∂E/∂W = ((XWᵀ + b - T)ᵀ X + α W) / n,  ∂E/∂b = mean of the residuals."""
        tol = check_param(self.tol, "tol", owner, low=0.0)
        max_iter = _descent.resolve_max_iter(self.max_iter, solver, owner)
        W = np.zeros((T.shape[1], X.shape[1]))
        b = np.zeros(T.shape[1])
        objective = _descent.linear_objective(X, T, W, b, squared_error_and_residual, alpha,
                                              self.fit_intercept)
        self.loss_curve_, self.n_iter_ = _descent.minimize_objective(
            self, solver, objective, [W, b], X, loss_curvature=1.0, penalty=alpha,
            max_iter=max_iter, tol=tol, owner=owner)
        return W, b

    # ------------------------------------------------------------------------- predicting
    def predict(self, X) -> np.ndarray:
        """``X Wᵀ + b``.  Shape: ``(n, d)`` -> ``(n,)`` or ``(n, k)`` like the fitted ``y``."""
        self._check_fitted("predict")
        X = check_n_features(self, X, f"{type(self).__name__}.predict")
        return X @ self.coef_.T + self.intercept_

    def sample(self, X, n: int = 1, random_state=None) -> np.ndarray:
        """Draw ``n`` predictive samples ``ŷ ~ N(Xθ, σ²)`` per row (001 §4.7, Figure 4.7).

        σ² is the maximum-likelihood ``noise_variance_``.  ``random_state``: an int for a
        reproducible stream, ``None`` for the library generator (``ns.manual_seed``).
        Shape: ``(m, d)`` -> ``(n, m)`` (or ``(n, m, k)`` for k outputs).
        """
        self._check_fitted("sample")
        check_param(n, "n", f"{type(self).__name__}.sample", low=1, integer=True)
        mean = self.predict(X)
        gen = _random.rng(random_state)
        return mean + np.sqrt(self.noise_variance_) * gen.standard_normal((n,) + mean.shape)


class LinearRegression(_LeastSquares):
    """Ordinary least squares ``y = X Wᵀ + b`` (000 ch. 3, 001 ch. 3–4).

    Minimises ½‖X Wᵀ + b − T‖² / n.  Solvers:

    * ``"normal"`` (default): the normal equations XᵀXθ = Xᵀt (001 eq. 3.5) solved as a
      least-squares problem by SVD (``np.linalg.lstsq`` on centred data) — never an explicit
      inverse; matches ``sklearn.linear_model.LinearRegression``.
    * ``"gd"``: full-batch gradient descent with the closed-form gradients of 000 eq. 3.13–3.14
      (NumPy), stepped in place; stops when every gradient entry is below ``tol``.
    * ``"sgd"``: mini-batch SGD (000 §3.2.1), ``batch_size`` rows per step, shuffled every
      epoch; stops when the epoch loss stalls (see :mod:`._descent`).

    Args:
        fit_intercept: learn the bias ``b`` (default True).
        lr: step size, or ``"auto"`` (default): 1 / the loss's curvature (the largest
            eigenvalue of X̃ᵀX̃/n for gd, max‖x̃ᵢ‖² for sgd) — the largest safe step.
        max_iter: steps (gd) or epochs (sgd); ``None`` -> 10000 / 1000.
        batch_size: rows per sgd step (default 32).
        tol: gd stops when max|∇E| <= tol; sgd when the epoch loss improves by less (1e-6).
        random_state: int seed for sgd's shuffling, or None for the library generator.

    Fitted attributes: ``coef_`` ``(d,)`` or ``(k, d)``, ``intercept_``, ``noise_variance_``
    (the maximum-likelihood σ² = mean squared residual, 001 eq. 4.15), ``loss_curve_`` (E per
    step/epoch), ``n_iter_``, ``n_features_in_``.

    Shape: X ``(n, d)``, y ``(n,)`` or ``(n, k)``.
    """

    def __init__(self, solver: str = "normal", fit_intercept: bool = True,
                 lr: float | str = "auto",
                 max_iter: int | None = None, batch_size: int = 32, tol: float = 1e-6,
                 random_state: int | None = None):
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.lr = lr
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state
