"""The gradient-descent loop that the iterative solvers share.

Each model hands over its objective as ``objective(rows) -> (loss, grads)``: the loss and its
gradient with respect to each parameter, computed in NumPy from the textbook's closed forms
(000 eq. 3.13–3.14 for least squares, eq. 4.13 for the sigmoid, eq. 5.15–5.16 for softmax —
one formula, :func:`linear_objective`, since each has the gradient (output − target)·x), and
:func:`minimize_objective` runs the chosen solver on it.
The update is plain gradient descent, θ ← θ − lr·∇E, on the float64 arrays in place: the
rule of :class:`nnscratch.optim.SGD`, applied to the arrays directly (a rule never sees a
Tensor, so the estimators need no autodiff tensors).

Two regimes:

* full batch (``"gd"``): every iteration uses all rows; stop when the largest gradient entry
  is below ``tol`` (the first-order optimality condition) or after ``max_iter`` steps;
* mini-batch (``"sgd"``): one iteration is one epoch of shuffled batches.  Noisy gradients
  never fall below a tolerance, so we follow scikit-learn's "adaptive" schedule: whenever the
  whole-data loss has not improved by ``tol`` for ``n_iter_no_change`` epochs the step is
  divided by 5, and the run stops once it has shrunk a million-fold (or after ``max_iter``).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import random as _random
from .._checks import check_int, check_param, check_seed
from ..optim.optimizer import Workspace, apply_rule
from ..optim.sgd import SGD

# a loss this many times its starting value means the step is too large for the curvature:
# stop at once rather than wait for overflow (nnscratch.optimize uses the same test)
BLOWUP = 1e20

MAX_ITER = {"gd": 10_000, "sgd": 1_000, "newton": 100, "lbfgs": 1_000, "cd": 1_000}


def resolve_max_iter(max_iter, solver: str, owner: str) -> int:
    """``None`` means the solver's own default (gd 10000 steps, sgd 1000 epochs, newton 100)."""
    if max_iter is None:
        return MAX_ITER[solver]
    return check_int(max_iter, "max_iter", owner)


def check_shared_params(est, owner: str) -> None:
    """``max_iter``, ``lr`` and ``fit_intercept`` checked at every fit, whichever solver runs
    (scikit-learn validates all parameters at fit: ``max_iter=0`` or ``lr='fast'`` is an error
    even for a solver that would not read it)."""
    if getattr(est, "max_iter", None) is not None:
        check_int(est.max_iter, "max_iter", owner)
    if hasattr(est, "lr"):
        resolve_lr(est.lr, 1.0, owner)
    if hasattr(est, "fit_intercept") and not isinstance(est.fit_intercept, (bool, np.bool_)):
        raise TypeError(f"{owner}: fit_intercept must be a bool, got "
                        f"{type(est.fit_intercept).__name__} {est.fit_intercept!r}")


def resolve_lr(lr, auto: float, owner: str) -> float:
    """``"auto"`` -> ``auto`` (1 / the loss's curvature bound); else a positive number."""
    if isinstance(lr, str):
        if lr != "auto":
            raise ValueError(f"{owner}: lr must be a positive number or 'auto', got {lr!r}")
        return float(auto)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: lr must be a positive number or 'auto', got "
                        f"{type(lr).__name__}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{owner}: lr must be a positive finite number, got {lr}")
    return float(lr)


def gram_max_eig(X: np.ndarray, fit_intercept: bool) -> float:
    """Largest eigenvalue of ``X̃ᵀX̃ / n`` (X̃ = X with a ones column when fitting a bias).

    This is the curvature of the mean squared error ½‖X̃θ − t‖²/n, so ``1 / it`` is the
    largest step for which gradient descent on it is guaranteed to decrease the loss.
    """
    n, d = X.shape
    if d <= 2000:
        G = X.T @ X
        if fit_intercept:
            s = X.sum(axis=0)
            G = np.block([[G, s[:, None]], [s[None, :], np.array([[n]], dtype=X.dtype)]])
        return float(np.linalg.eigvalsh(G)[-1]) / n
    v = np.ones(d + fit_intercept) / math.sqrt(d + fit_intercept)     # power iteration
    lam = 0.0
    for _ in range(50):
        Xv = X @ v[:d] + (v[d] if fit_intercept else 0.0)
        w = np.concatenate([X.T @ Xv, [Xv.sum()]]) if fit_intercept else X.T @ Xv
        lam = float(np.linalg.norm(w))
        v = w / lam
    return lam / n


def row_max_norm2(X: np.ndarray, fit_intercept: bool) -> float:
    """max_i ‖x̃_i‖²: bounds the curvature of any mini-batch's loss."""
    return float(np.einsum("ij,ij->i", X, X).max()) + float(fit_intercept)


def linear_objective(X: np.ndarray, T: np.ndarray, W: np.ndarray, b: np.ndarray,
                     loss_and_residual: Callable, penalty: float,
                     fit_intercept: bool) -> Callable:
    """``objective(rows)`` of the linear model Z = X Wᵀ + b under a loss with the canonical
    link — squared error, sigmoid or softmax cross-entropy — whose gradient in Z is the
    residual R = output − T (000 eq. 3.13–3.14, 4.13, 5.15–5.16):

        E = Σ loss / m + penalty·‖W‖² / (2n),   ∂E/∂W = Rᵀ X / m + (penalty / n) W,
        ∂E/∂b = mean of R

    over the m given rows (the penalty is scaled by all n rows).
    ``loss_and_residual(Z, T) -> (Σ loss, R)``.  W and b are read at each call: the solvers
    update them in place.
    """
    n = len(X)

    def objective(rows):
        Xr, Tr = (X, T) if rows is None else (X[rows], T[rows])
        m = len(Xr)
        loss, R = loss_and_residual(Xr @ W.T + b, Tr)
        loss = loss / m + 0.5 * penalty * (W * W).sum() / n
        gW = R.T @ Xr / m + (penalty / n) * W
        gb = R.mean(axis=0) if fit_intercept else np.zeros_like(b)
        return loss, [gW, gb]
    return objective


def minimize_objective(est, solver: str, objective: Callable, params: list, X: np.ndarray, *,
                       loss_curvature: float, penalty: float, max_iter: int, tol: float,
                       owner: str):
    """Fit ``params`` in place by ``solver`` — ``"lbfgs"`` (:func:`lbfgs`), ``"gd"`` or
    ``"sgd"`` (:func:`gradient_descent`) — reading ``lr``, ``batch_size``, ``random_state`` and
    ``fit_intercept`` from the estimator ``est``.  Returns ``(loss_curve, n_iter)``.

    ``lr="auto"`` is 1 / the curvature bound of the mean loss over rows x̃ = [x, 1]:

        loss_curvature · λmax(X̃ᵀX̃/n)  (gd)   or   loss_curvature · max‖x̃ᵢ‖²  (sgd),
        plus ``penalty / n`` for an L2 term ``penalty·‖W‖²/(2n)``,

    where ``loss_curvature`` bounds the loss's second derivative in the logits: 1 for the
    squared error, ½ for softmax cross-entropy, ¼ for the sigmoid's (σ' <= 1/4).
    """
    if solver == "lbfgs":
        return lbfgs(objective, params, max_iter=max_iter, tol=tol, owner=owner)
    n = len(X)
    fit_b = bool(est.fit_intercept)
    batch = None
    if solver == "sgd":
        batch = min(check_param(est.batch_size, "batch_size", owner, low=1, integer=True), n)
        curvature = row_max_norm2(X, fit_b) * loss_curvature + penalty / n
    else:
        curvature = gram_max_eig(X, fit_b) * loss_curvature + penalty / n
    lr = resolve_lr(est.lr, 1.0 / curvature, owner)
    return gradient_descent(objective, params, lr=lr, max_iter=max_iter, tol=tol, n_samples=n,
                            batch_size=batch, random_state=est.random_state, owner=owner)


def _undo_on_divergence(params: list, fn: Callable):
    """``fn()``, restoring ``params`` to their values before it if it diverges."""
    saved = [p.copy() for p in params]
    try:
        return fn()
    except FloatingPointError:
        for p, s in zip(params, saved):
            p[...] = s
        raise


def _full_batch(step: Callable, update: Callable, params: list, max_iter: int, tol: float,
                curve: list):
    """Full-batch steps until max|∇E| <= tol or ``max_iter``; ``(curve, n_iter)``.  A step
    that diverges leaves the parameters at the last good iterate."""
    n_iter = 0
    last = [p.copy() for p in params]         # the iterate before the last update
    for n_iter in range(max_iter + 1):
        try:
            loss, grads = step(None)
        except FloatingPointError:
            for p, s in zip(params, last):
                p[...] = s
            raise
        curve.append(float(loss))
        if max(float(np.abs(g).max()) for g in grads) <= tol or n_iter == max_iter:
            break
        for p, s in zip(params, last):
            s[...] = p
        update()
    return curve, n_iter


def gradient_descent(objective: Callable, params: list, *, lr: float, max_iter: int,
                     tol: float, n_samples: int, batch_size: int | None = None,
                     random_state=None, n_iter_no_change: int = 5, owner: str = ""):
    """Minimise ``objective`` over ``params`` (a list of float64 arrays, updated in place).

    ``objective(rows)`` returns ``(loss, [grad per param])`` on the given rows (``None`` for
    all of them).  Returns ``(loss_curve, n_iter)``; the loss curve holds the loss before each
    full-batch step, or the mean loss of each epoch.
    Raises ``FloatingPointError`` when the loss stops being finite or grows past ``BLOWUP``
    times its starting value; the parameters are left at their last good values.
    """
    curve: list[float] = []
    step_size = [lr]                  # the sgd schedule divides it as progress stalls
    pending: list = []                # the gradients of the last evaluated step

    with np.errstate(over="ignore", invalid="ignore"):
        ceiling = BLOWUP * (1.0 + abs(float(objective(None)[0])))

    def step(rows):
        with np.errstate(over="ignore", invalid="ignore"):     # divergence is reported below
            loss, grads = objective(rows)
        if not math.isfinite(loss) or loss > ceiling:
            raise FloatingPointError(
                f"{owner}: gradient descent diverged (loss={loss}) with lr={lr:g}; "
                f"use a smaller lr, scale the features, or lr='auto'")
        pending[:] = grads
        return loss, grads

    hyper, work = SGD.hyperparameters(lr=lr), Workspace()

    def update():                     # θ ← θ − lr·∇E, in place
        h = SGD.Settings.of({**hyper, "lr": step_size[0]})
        for p, g in zip(params, pending):
            apply_rule(SGD.rule, p, g, {}, h, work)

    if batch_size is None:
        return _full_batch(step, update, params, max_iter, tol, curve)

    gen = _random.rng(check_seed(random_state, owner, "random_state"))
    best, stall, epoch = math.inf, 0, 0
    for epoch in range(1, max_iter + 1):
        order = gen.permutation(n_samples)

        def run_epoch():
            for start in range(0, n_samples, batch_size):
                step(order[start:start + batch_size])
                update()
            with np.errstate(over="ignore", invalid="ignore"):
                loss = float(objective(None)[0])   # the whole objective, not a noisy average
            if not math.isfinite(loss) or loss > ceiling:
                raise FloatingPointError(f"{owner}: SGD diverged (epoch loss={loss}) with "
                                         f"lr={lr:g}; use a smaller lr or lr='auto'")
            return loss
        epoch_loss = _undo_on_divergence(params, run_epoch)
        curve.append(epoch_loss)
        if epoch_loss > best - tol:
            stall += 1
            if stall >= n_iter_no_change:
                # scikit-learn's "adaptive" schedule: a constant step leaves SGD bouncing
                # around the optimum; dividing it by 5 when progress stalls lets it settle.
                step_size[0] /= 5.0
                stall = 0
                if step_size[0] < 1e-6 * lr:
                    break
        else:
            stall = 0
        best = min(best, epoch_loss)
    return curve, epoch


def lbfgs(objective: Callable, params: list, *, max_iter: int, tol: float, owner: str = "",
          ftol: float = 1e-10):
    """Minimise ``objective(None) -> (loss, grads)`` over ``params`` by L-BFGS with a strong
    Wolfe line search (:func:`nnscratch.optimize.minimize`, ``method="l-bfgs"``) — the
    default solver of scikit-learn's logistic regression.

    Stops when max|∇| < ``tol``, when the loss falls by less than ``ftol`` in one iteration
    (unpenalised separable data have no finite minimiser: the loss creeps towards 0), or after
    ``max_iter`` iterations.  ``params`` are overwritten with the result.
    Returns ``(loss_curve, n_iter)``.
    """
    from ..optimize import minimize

    shapes = [p.shape for p in params]
    sizes = [p.size for p in params]
    cache: dict = {}

    def unpack(x):
        out, i = [], 0
        for shape, size in zip(shapes, sizes):
            out.append(x[i:i + size].reshape(shape))
            i += size
        return out

    def evaluate(x):
        key = x.tobytes()
        if cache.get("key") != key:
            for p, v in zip(params, unpack(x)):
                p[...] = v
            loss, grads = objective(None)
            cache.update(key=key, loss=float(loss),
                         grad=np.concatenate([g.ravel() for g in grads]))
        return cache

    x0 = np.concatenate([p.ravel() for p in params])
    res = minimize(lambda x: evaluate(x)["loss"], x0, method="l-bfgs",
                   jac=lambda x: evaluate(x)["grad"], gtol=max(tol, 1e-300), tol=ftol,
                   maxiter=max_iter)
    if not np.all(np.isfinite(res.x)):
        raise FloatingPointError(f"{owner}: L-BFGS diverged ({res.message})")
    for p, v in zip(params, unpack(np.asarray(res.x, dtype=np.float64).ravel())):
        p[...] = v
    return [float(v) for v in res.losses], int(res.nit)
