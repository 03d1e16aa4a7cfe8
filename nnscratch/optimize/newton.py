"""Second-order minimisers: Newton's method and line-search Newton-CG.

Newton (000 eq. 1.16, 001 eq. 6.7) minimises the local quadratic model
f(x + d) ≈ f + gᵀd + ½ dᵀH d, whose minimiser solves H d = -g:

    x_(k+1) = x_k - η H_k⁻¹ g_k          (η = ``lr``, default 1)

On least squares J(θ) = ‖Xθ - y‖² the model is exact (H = 2XᵀX), so one step with η = 1
lands on the normal-equation solution (XᵀX)⁻¹Xᵀy (001 eq. 6.11).

Newton-CG (001 §6.8; Nocedal & Wright Alg. 7.1) never forms H: conjugate gradients solve
H d = -g using only products H v, stopped early once the residual is below
min(0.5, √‖g‖)·‖g‖ (inexact Newton) or when a direction of non-positive curvature shows up
(then the last CG iterate, or -g on the first CG step, is still a descent direction); a
backtracking Armijo search along d then picks the step.
"""
from __future__ import annotations

import numpy as np

from .line_search import backtracking
from .result import Trace


def newton(obj, x, f, g, lr, tol, gtol, maxiter):
    """Pure Newton steps x <- x - lr H⁻¹ g (no line search, as in the textbooks)."""
    lr = 1.0 if lr is None else float(lr)
    trace = Trace(obj, "newton", x, f, g)
    for _ in range(maxiter):
        if stop := trace.gradient_converged(gtol):
            return stop
        H = obj.hess(x)
        try:
            d = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return trace.result(False, f"the Hessian is singular at iteration {trace.nit}")
        x = x - lr * d
        f, g = obj.value_and_grad(x)
        if stop := trace.advance(x, f, g, tol):
            return stop
    return trace.finish(gtol, maxiter)


def cg_direction(hvp, g: np.ndarray, max_iter: int) -> np.ndarray:
    """Approximately solve H d = -g by conjugate gradients using only ``hvp(v) = H v``.

    Truncated (N&W Alg. 7.1): stops at residual ‖r‖ < min(0.5, √‖g‖)‖g‖, after ``max_iter``
    steps, or on a direction p with pᵀHp ≤ 0 (returning -g if that is the first).
    """
    gnorm = float(np.linalg.norm(g))
    eps = min(0.5, np.sqrt(gnorm)) * gnorm
    z = np.zeros_like(g)
    r = g.copy()                     # residual H z + g
    p = -r
    rr = float(r @ r)
    for j in range(max_iter):
        Hp = hvp(p)
        curv = float(p @ Hp)
        if not np.isfinite(curv) or curv <= 1e-16 * float(p @ p):
            return -g if j == 0 else z
        a = rr / curv
        z = z + a * p
        r = r + a * Hp
        rr_new = float(r @ r)
        if np.sqrt(rr_new) < eps:
            return z
        p = -r + (rr_new / rr) * p
        rr = rr_new
    return z


def newton_cg(obj, x, f, g, tol, gtol, maxiter, options):
    """Line-search Newton-CG with Hessian-vector products and Armijo backtracking."""
    c1 = options.get("c1", 1e-4)
    cg_maxiter = int(options.get("cg_maxiter", 20 * x.size))
    max_ls = int(options.get("max_ls", 60))
    trace = Trace(obj, "newton-cg", x, f, g)
    for _ in range(maxiter):
        if stop := trace.gradient_converged(gtol):
            return stop
        d = cg_direction(obj.hvp_operator(x), g, cg_maxiter)
        slope = float(g @ d)
        if not slope < 0:            # CG went astray (e.g. inexact products): steepest descent
            d, slope = -g, -float(g @ g)
        last = {}

        def phi(a, xk=x):
            # f and ∇f together: autograd gets both from one pass, and the accepted trial's
            # gradient is the next iteration's
            last["a"], (fa, last["g"]) = a, obj.value_and_grad(xk + a * d)
            return fa
        ls = backtracking(phi, f, slope, 1.0, c1, max_ls)
        if ls.alpha is None:
            return trace.line_search_failed("no step decreases f")
        x_new = x + ls.alpha * d
        if (x_new == x).all():
            return trace.stalled()
        x, f, g = x_new, ls.f, last["g"]          # backtracking returns at its last trial
        if stop := trace.advance(x, f, g, tol):
            return stop
    return trace.finish(gtol, maxiter)
