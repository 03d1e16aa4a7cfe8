"""Independent sigmoid outputs trained by binary cross-entropy: the engine behind
:class:`LogisticRegression` (one output) and :class:`MultiLabelClassifier` (L outputs).

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

from ..ops.elementwise import stable_sigmoid
from . import _descent
from .base import check_param


def bce_sum(Z: np.ndarray, T: np.ndarray) -> float:
    """Σ BCE(σ(z), t) computed from logits without overflow: max(z,0) − z t + log(1+e^−|z|)."""
    return float((np.maximum(Z, 0) - Z * T + np.log1p(np.exp(-np.abs(Z)))).sum())


def fit_sigmoid(est, X: np.ndarray, T: np.ndarray, owner: str):
    """Fit W ``(L, d)`` and b ``(L,)`` for targets T ``(n, L)`` in {0, 1}; sets
    ``est.loss_curve_`` and ``est.n_iter_``.  Reads the hyper-parameters from ``est``."""
    solver = check_param(est.solver, "solver", owner, choices=("lbfgs", "gd", "sgd", "newton"))
    C = check_param(est.C, "C", owner, low=0.0, low_open=True, allow_none=True)
    tol = check_param(est.tol, "tol", owner, low=0.0)
    max_iter = _descent.resolve_max_iter(est.max_iter, solver, owner)
    n, d = X.shape
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

    batch, lr = None, None
    if solver == "sgd":
        batch = min(check_param(est.batch_size, "batch_size", owner, low=1, integer=True), n)
        curvature = _descent.row_max_norm2(X, fit_b) / 4 + inv_c / n
    elif solver == "gd":
        # σ' <= 1/4, so the Hessian of E is at most λmax(X̃ᵀX̃/n) / 4 (+ the penalty's 1/(Cn))
        curvature = _descent.gram_max_eig(X, fit_b) / 4 + inv_c / n
    if solver in ("gd", "sgd"):
        lr = _descent.resolve_lr(est.lr, 1.0 / curvature, owner)

    def objective(rows):
        Xr, Tr = (X, T) if rows is None else (X[rows], T[rows])
        m = len(Xr)
        Z = Xr @ W.T + b
        R = stable_sigmoid(Z) - Tr
        loss = bce_sum(Z, Tr) / m + 0.5 * inv_c * (W * W).sum() / n
        gW = R.T @ Xr / m + (inv_c / n) * W
        gb = R.mean(axis=0) if fit_b else np.zeros_like(b)
        return loss, [gW, gb]

    if solver == "lbfgs":
        est.loss_curve_, est.n_iter_ = _descent.lbfgs(objective, [W, b], max_iter=max_iter,
                                                      tol=tol, owner=owner)
        return W, b
    est.loss_curve_, est.n_iter_ = _descent.gradient_descent(
        objective, [W, b], lr=lr, max_iter=max_iter, tol=tol, n_samples=n, batch_size=batch,
        seed=est.seed, owner=owner)
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
