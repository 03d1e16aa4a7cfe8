"""Line searches along a descent direction p: choose the step α in x + α p.

Both work on the one-dimensional restriction φ(α) = f(x + α p), whose slope is
φ'(α) = ∇f(x + α p)·p, and both treat a non-finite φ(α) as "too far" and shrink α.
Near a minimum the decrease c1 α φ'(0) that Armijo asks for falls below the round-off of
f itself, where no step can show it; as in Hager & Zhang's approximate Wolfe conditions,
φ(α) may exceed the Armijo line by that round-off (:func:`_noise`), and the gradient
conditions decide.

* :func:`backtracking` — the Armijo (sufficient decrease) condition
  φ(α) ≤ φ(0) + c1 α φ'(0), tried from α0 downwards (Newton-CG, 001 §6.8).
* :func:`wolfe` — the strong Wolfe conditions, sufficient decrease plus the curvature
  condition |φ'(α)| ≤ c2 |φ'(0)| that keeps sᵀy > 0 for BFGS; bracketing then ``zoom`` with
  safeguarded cubic interpolation (Nocedal & Wright, *Numerical Optimization*, Alg. 3.5/3.6).
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np


def _noise(phi0: float) -> float:
    """A bound on the round-off in a computed f near φ(0).  Sums of terms that cancel (a
    quadratic ½xᵀAx - bᵀx near its minimum) lose digits, so the bound is 1e-12 |φ(0)| rather
    than a few ulps; it only matters once f is converged to about 12 digits."""
    return 1e-12 * abs(phi0)


class LineSearchResult(NamedTuple):
    """The accepted step: ``alpha`` (None when the search failed), f and ∇f there."""
    alpha: float | None
    f: float
    g: np.ndarray | None
    nfev: int


def backtracking(phi: Callable[[float], float], phi0: float, dphi0: float,
                 alpha0: float = 1.0, c1: float = 1e-4, max_steps: int = 60) -> LineSearchResult:
    """Largest α = α0 ρ1 ρ2 ... meeting φ(α) ≤ φ(0) + c1 α φ'(0) (Armijo).

    Each shrink minimises the quadratic through φ(0), φ'(0) and φ(α), kept within
    [α/10, α/2] (Nocedal & Wright §3.5), which halves or better at every rejected trial.
    Requires φ'(0) < 0.  Returns ``alpha=None`` when ``max_steps`` trials all fail.
    """
    alpha, noise = alpha0, _noise(phi0)
    for k in range(1, max_steps + 1):
        f = phi(alpha)
        if math.isfinite(f) and f <= phi0 + c1 * alpha * dphi0 + noise:
            return LineSearchResult(alpha, f, None, k)
        if math.isfinite(f):
            denom = 2.0 * (f - phi0 - dphi0 * alpha)
            trial = -dphi0 * alpha * alpha / denom if denom > 0 else 0.5 * alpha
            alpha = min(max(trial, 0.1 * alpha), 0.5 * alpha)
        else:
            alpha *= 0.1
    return LineSearchResult(None, phi0, None, max_steps)


def _cubic_min(a, fa, da, b, fb, db):
    """Minimiser of the cubic matching f and f' at a and b (N&W eq. 3.59), or None."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if not (disc >= 0.0 and math.isfinite(disc)):
        return None
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = db - da + 2.0 * d2
    if denom == 0.0:
        return None
    return b - (b - a) * (db + d2 - d1) / denom


def wolfe(phi_and_grad: Callable[[float], tuple], phi0: float, dphi0: float,
          alpha0: float = 1.0, c1: float = 1e-4, c2: float = 0.9, alpha_max: float = 1e10,
          max_steps: int = 40) -> LineSearchResult:
    """A step satisfying the strong Wolfe conditions.

        φ(α) ≤ φ(0) + c1 α φ'(0)     and     |φ'(α)| ≤ c2 |φ'(0)|,     0 < c1 < c2 < 1.

    ``phi_and_grad(α) -> (φ(α), φ'(α), ∇f(x + α p))``.  The bracketing phase doubles α until
    the conditions hold or an interval containing acceptable steps is found; ``zoom`` then
    shrinks it with cubic interpolation (bisection when the cubic is unusable or too close
    to an end).  Defaults c1 = 1e-4, c2 = 0.9 are those of scipy and N&W for quasi-Newton.
    Returns ``alpha=None`` after ``max_steps`` evaluations without success.
    """
    nfev = 0
    a_prev, f_prev, d_prev, g_prev = 0.0, phi0, dphi0, None
    noise = _noise(phi0)
    alpha = alpha0

    def zoom(lo, f_lo, d_lo, g_lo, hi, f_hi, d_hi, nfev):
        while nfev < max_steps:
            width = hi - lo
            trial = None
            if math.isfinite(f_hi):
                trial = _cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi)
            # the cubic's minimiser must fall well inside the bracket, else bisect
            if trial is None or not (min(lo, hi) + 0.1 * abs(width) <= trial
                                     <= max(lo, hi) - 0.1 * abs(width)):
                trial = lo + 0.5 * width
            f, d, g = phi_and_grad(trial)
            nfev += 1
            if not math.isfinite(f) or f > phi0 + c1 * trial * dphi0 + noise or f > f_lo + noise:
                hi, f_hi, d_hi = trial, f, d
            else:
                if abs(d) <= -c2 * dphi0:
                    return LineSearchResult(trial, f, g, nfev)
                if d * (hi - lo) >= 0:
                    hi, f_hi, d_hi = lo, f_lo, d_lo
                lo, f_lo, d_lo, g_lo = trial, f, d, g
            if abs(hi - lo) <= 1e-16 * max(1.0, abs(lo)):
                break
        if lo > 0:  # out of trials: keep the best step with sufficient decrease
            return LineSearchResult(lo, f_lo, g_lo, nfev)
        return LineSearchResult(None, phi0, None, nfev)

    for i in range(max_steps):
        f, d, g = phi_and_grad(alpha)
        nfev += 1
        if (not math.isfinite(f) or f > phi0 + c1 * alpha * dphi0 + noise
                or (i > 0 and f > f_prev + noise)):
            return zoom(a_prev, f_prev, d_prev, g_prev, alpha, f, d, nfev)
        if abs(d) <= -c2 * dphi0:
            return LineSearchResult(alpha, f, g, nfev)
        if d >= 0:
            return zoom(alpha, f, d, g, a_prev, f_prev, d_prev, nfev)
        if alpha >= alpha_max:
            break
        a_prev, f_prev, d_prev, g_prev = alpha, f, d, g
        alpha = min(2.0 * alpha, alpha_max)
    return LineSearchResult(None, phi0, None, nfev)
