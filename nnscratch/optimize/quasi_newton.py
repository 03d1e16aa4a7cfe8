"""Quasi-Newton minimisers: BFGS and limited-memory BFGS, with a strong Wolfe line search.

Both build curvature from gradient differences instead of Hessians (000 §1.4).  With
s = x_(k+1) - x_k and y = g_(k+1) - g_k, BFGS updates an inverse-Hessian estimate
(Nocedal & Wright eq. 6.17):

    H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ,     ρ = 1 / (yᵀs),

which stays positive definite while yᵀs > 0 — what the Wolfe curvature condition
guarantees.  The first step is scaled to unit length; before the first update H₀ is set
to (yᵀs / yᵀy) I (N&W eq. 6.20).  L-BFGS keeps only the last ``m`` pairs (s, y) and forms
-H g in O(m n) (the compact form of the two-loop recursion, :func:`lbfgs_direction`), with
H₀ = (yᵀs / yᵀy) I from the newest pair.  The direction is followed with
:func:`~nnscratch.optimize.line_search.wolfe` starting from α = 1.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from .line_search import wolfe
from .result import Trace


def _line_search(obj, x, f, g, p, alpha0, c1, c2, max_ls):
    def phi_and_grad(a):
        fa, ga = obj.value_and_grad(x + a * p)
        return fa, float(ga @ p), ga
    return wolfe(phi_and_grad, f, float(g @ p), alpha0, c1, c2, max_steps=max_ls)


def lbfgs_direction(g: np.ndarray, pairs) -> np.ndarray:
    """-H g for the L-BFGS inverse Hessian built from ``pairs`` [(s, y)], oldest first.

    H is what m BFGS updates make of H₀ = γI, γ = sᵀy / yᵀy of the newest pair.  Instead of
    the two-loop recursion (N&W Alg. 7.4: 4m vector operations, each a Python-level call) we
    use its compact form (Byrd, Nocedal & Schnabel 1994, Thm. 2.2; N&W eq. 7.24's inverse):

        H = γI + [S  γY] [[R⁻ᵀ(D + γYᵀY)R⁻¹, -R⁻ᵀ], [-R⁻¹, 0]] [Sᵀ; γYᵀ]

    with S, Y the (m, n) stacks of s and y, R the upper triangle of S Yᵀ (R_ij = s_iᵀy_j,
    i ≤ j) and D its diagonal: two (m, n) products and two m × m solves, in O(mn).
    """
    S = np.array([p[0] for p in pairs])
    Y = np.array([p[1] for p in pairs])
    SY, YY = S @ Y.T, Y @ Y.T
    gamma = SY[-1, -1] / YY[-1, -1]
    # one m x m inverse serves both triangular solves (m <= 10: cheaper than two solve calls)
    R_inv = np.linalg.inv(SY * _upper(len(pairs)))
    u = R_inv @ (S @ g)
    t = R_inv.T @ (SY.diagonal() * u + gamma * (YY @ u - Y @ g))
    return -(gamma * (g - Y.T @ u) + S.T @ t)


_UPPER: dict = {}


def _upper(m: int) -> np.ndarray:
    """The (m, m) upper-triangular mask of ones (cached: built once per memory size)."""
    if m not in _UPPER:
        _UPPER[m] = np.triu(np.ones((m, m)))
    return _UPPER[m]


def quasi_newton(obj, method, x, f, g, tol, gtol, maxiter, options):
    """BFGS (``method="bfgs"``) or L-BFGS (``"l-bfgs"``, memory ``options["m"]``, 10)."""
    c1, c2 = options.get("c1", 1e-4), options.get("c2", 0.9)
    max_ls = int(options.get("max_ls", 40))
    limited = method == "l-bfgs"
    m = int(options.get("m", 10))
    pairs = deque(maxlen=m)
    H = None                                # dense inverse Hessian (BFGS), None = identity
    trace = Trace(obj, method, x, f, g)
    n = x.size
    for _ in range(maxiter):
        if stop := trace.gradient_converged(gtol):
            return stop
        if limited:
            p = lbfgs_direction(g, pairs) if pairs else -g
        else:
            p = -g if H is None else -(H @ g)
        if not float(g @ p) < 0:            # lost positive definiteness: restart
            H = None
            pairs.clear()
            p = -g
        # no curvature known yet: a first step of unit length, then the Newton-like α = 1
        alpha0 = min(1.0, 1.0 / float(np.linalg.norm(g))) if (H is None and not pairs) else 1.0
        ls = _line_search(obj, x, f, g, p, alpha0, c1, c2, max_ls)
        if ls.alpha is None:
            return trace.line_search_failed("no step meets the Wolfe conditions")
        s = ls.alpha * p
        x_new = x + s
        f_new, g_new = ls.f, ls.g
        y = g_new - g
        sy = float(s @ y)
        if sy > 1e-10 * math.sqrt(float(s @ s) * float(y @ y)):
            if limited:
                pairs.append((s, y))
            else:
                if H is None:
                    H = (sy / float(y @ y)) * np.eye(n)
                rho = 1.0 / sy
                Hy = H @ y
                # (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, expanded to two rank-one updates
                H = (H - rho * (np.outer(s, Hy) + np.outer(Hy, s))
                     + (rho * rho * float(y @ Hy) + rho) * np.outer(s, s))
        if (x_new == x).all():
            return trace.stalled()
        x, f, g = x_new, f_new, g_new
        if stop := trace.advance(x, f, g, tol):
            return stop
    return trace.finish(gtol, maxiter)
