"""Independent sigmoid outputs trained by binary cross-entropy: the base class and the engine
behind :class:`LogisticRegression` (one output) and :class:`MultiLabelClassifier` (L outputs).

Model (000 eq. 4.3–4.4, 6.1): π = σ(X Wᵀ + b), one column per label.
Objective (000 eq. 4.5–4.6 summed over labels as in eq. 6.3, plus scikit-learn's L2 penalty
when C is given):

    E(W, b) = (1/n) Σ_i Σ_l BCE(π_il, t_il) + ‖W‖² / (2 C n)

which has the same minimiser as scikit-learn's ``C Σ BCE + ½‖W‖²``.  Gradient (000 eq. 4.13,
001 eq. 7.4): ∂E/∂W = ((π − T)ᵀ X + W / C) / n,  ∂E/∂b = mean(π − T).
Newton/IRLS (001 eq. 7.5–7.6), per label, on θ = [w, b] with X̃ = [X, 1]:
    H = X̃ᵀ S X̃ + P,  S = diag(π(1 − π)),  P = diag(1/C, …, 1/C, 0);   θ ← θ − H⁻¹g
(H⁻¹g by a linear solve, never an inverse), halving the step while the loss would rise, and
stopping once the step is below ``tol`` in every coordinate.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_param
from ..base import BaseEstimator, ClassifierMixin
from ..numeric import stable_sigmoid
from . import _descent


class SigmoidClassifier(ClassifierMixin, BaseEstimator):
    """What :class:`LogisticRegression` and :class:`MultiLabelClassifier` share: their
    hyper-parameters (documented on :class:`LogisticRegression`) and the ``threshold`` in
    (0, 1) above which a probability π = σ(z) predicts the label (000 §4.3)."""

    loss_curve_: list[float]            # set by fit (declared for type checkers)
    n_iter_: int

    def __init__(self, solver: str = "lbfgs", threshold: float = 0.5, C: float | None = None,
                 fit_intercept: bool = True, lr: float | str = "auto", max_iter: int | None = None,
                 batch_size: int = 32, tol: float = 1e-4, random_state: int | None = None):
        self.solver = solver
        self.threshold = threshold
        self.C = C
        self.fit_intercept = fit_intercept
        self.lr = lr
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state

    def _check_threshold(self, owner):
        check_param(self.threshold, "threshold", owner, low=0.0, low_open=True)
        if self.threshold >= 1:
            raise ValueError(f"{owner}: threshold must be in (0, 1), got {self.threshold}")


def bce_sum(Z: np.ndarray, T: np.ndarray) -> float:
    """Σ BCE(σ(z), t) computed from logits without overflow: max(z,0) − z t + log(1+e^−|z|)."""
    return float((np.maximum(Z, 0) - Z * T + np.log1p(np.exp(-np.abs(Z)))).sum())


def bce_and_residual(Z: np.ndarray, T: np.ndarray):
    """Σ BCE and its gradient in the logits, π − T (000 eq. 4.13)."""
    return bce_sum(Z, T), stable_sigmoid(Z) - T


def fit_sigmoid(est, X: np.ndarray, T: np.ndarray, owner: str):
    """Fit W ``(L, d)`` and b ``(L,)`` for targets T ``(n, L)`` in {0, 1}; sets
    ``est.loss_curve_`` and ``est.n_iter_``.  Reads the hyper-parameters from ``est``."""
    solver = check_param(est.solver, "solver", owner, choices=("lbfgs", "gd", "sgd", "newton"))
    C = check_param(est.C, "C", owner, low=0.0, low_open=True, allow_none=True)
    tol = check_param(est.tol, "tol", owner, low=0.0)
    _descent.check_shared_params(est, owner)
    max_iter = _descent.resolve_max_iter(est.max_iter, solver, owner)
    d = X.shape[1]
    inv_c = 0.0 if C is None else 1.0 / C
    fit_b = bool(est.fit_intercept)
    W = np.zeros((T.shape[1], d))
    b = np.zeros(T.shape[1])
    if solver == "newton":
        curves, iters = [], []
        for l in range(T.shape[1]):
            theta, curve, it = _newton(X, T[:, l], inv_c, fit_b, max_iter, tol)
            W[l], b[l] = theta[:d], (theta[d] if fit_b else 0.0)
            curves.append(curve)
            iters.append(it)
        est.n_iter_ = max(iters)
        est.loss_curve_ = (curves[0] if len(curves) == 1 else
                           [sum(c[min(i, len(c) - 1)] for c in curves)
                            for i in range(max(len(c) for c in curves))])
        return W, b

    objective = _descent.linear_objective(X, T, W, b, bce_and_residual, inv_c, fit_b)
    est.loss_curve_, est.n_iter_ = _descent.minimize_objective(      # σ' <= 1/4
        est, solver, objective, [W, b], X, loss_curvature=0.25, penalty=inv_c,
        max_iter=max_iter, tol=tol, owner=owner)
    return W, b


def _newton(X, t, inv_c, fit_b, max_iter, tol):
    """IRLS for one label; returns θ = [w, (b)], the loss per iteration and the step count."""
    n, d = X.shape
    Xt = np.hstack([X, np.ones((n, 1))]) if fit_b else X
    theta = np.zeros(Xt.shape[1])
    penalty = np.full(Xt.shape[1], inv_c)
    if fit_b:
        penalty[-1] = 0.0                                   # the bias is not penalised

    def loss_of(th):
        return bce_sum(Xt @ th, t) + 0.5 * (penalty * th * th).sum()

    loss = loss_of(theta)
    curve = [loss / n]
    it = 0
    for it in range(1, max_iter + 1):
        pi = stable_sigmoid(Xt @ theta)
        g = Xt.T @ (pi - t) + penalty * theta                   # 001 eq. 7.4 (+ penalty)
        if np.abs(g).max() / n <= 1e-15:                        # nothing left to gain
            it -= 1
            break
        s = pi * (1 - pi)
        H = (Xt * s[:, None]).T @ Xt                            # Xᵀ S X, 001 eq. 7.5
        H[np.diag_indices_from(H)] += penalty
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:     # separable data drive S to 0: least squares instead
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        slope = float(g @ step)
        rate = 1.0
        for _ in range(40):                 # damped Newton: never let the loss go up
            new = loss_of(theta - rate * step)
            if new <= loss - 1e-4 * rate * slope:
                break
            rate *= 0.5
        else:
            it -= 1
            break                            # no decrease possible: we are at the optimum
        theta = theta - rate * step
        loss = new
        curve.append(loss / n)
        # the Newton step estimates the distance to the optimum; near it convergence is
        # quadratic, so the iterate just taken is far closer than tol
        if rate * np.abs(step).max() <= tol:
            break
    return theta, curve, it
