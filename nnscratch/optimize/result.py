"""``OptimizeResult``: what every minimiser returns (the fields of scipy.optimize's result)."""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class OptimizeResult:
    """The outcome of :func:`nnscratch.optimize.minimize`.

    Attributes:
        x: the last iterate (float64, shaped like ``x0``).
        fun: f(x).
        grad: ∇f(x).
        nit: iterations (parameter updates) performed.
        nfev: calls of ``fun``.
        njev: gradient evaluations (reverse sweeps, or calls of ``jac``).
        nhev: Hessian or Hessian-vector-product evaluations.
        success: True when a convergence test was met (not when ``maxiter`` ran out, a line
            search failed or the run diverged).
        message: why the run stopped.
        path: every iterate, ``(nit + 1, *x0.shape)``, for plotting.
        losses: f at every iterate, ``(nit + 1,)``.
        method: the method's name.
    """
    x: np.ndarray
    fun: float
    grad: np.ndarray
    nit: int
    nfev: int
    success: bool
    message: str
    path: np.ndarray
    losses: np.ndarray
    njev: int = 0
    nhev: int = 0
    method: str = ""

    def __repr__(self):
        x = np.array2string(np.asarray(self.x), precision=6, threshold=8)
        return (f"OptimizeResult(method={self.method!r}, success={self.success}, "
                f"message={self.message!r}, fun={self.fun:.6g}, x={x}, nit={self.nit}, "
                f"nfev={self.nfev}, njev={self.njev}, nhev={self.nhev})")


def inf_norm(g: np.ndarray) -> float:
    """max |g_i|: the gradient test of every method (scipy's BFGS default norm)."""
    return float(np.abs(g).max()) if g.size else 0.0


class Trace:
    """Records the iterates and losses of a run and builds its :class:`OptimizeResult`."""

    def __init__(self, obj, method: str, x: np.ndarray, f: float, g: np.ndarray):
        self.obj, self.method = obj, method
        self.x, self.f, self.g = x.copy(), f, g.copy()
        self.path, self.losses = [x.copy()], [f]
        self.nit = 0

    # f this far above f(x0) means a descent method is running away (a step size too large
    # for the curvature): stop now rather than wait for the overflow to inf
    BLOWUP = 1e20

    def step(self, x: np.ndarray, f: float, g: np.ndarray) -> bool:
        """Record the next iterate; False (and nothing recorded) when f, x or ∇f is not finite
        or f has grown past ``BLOWUP · (1 + |f(x0)|)``."""
        if not (np.isfinite(f) and np.isfinite(x).all() and np.isfinite(g).all()):
            return False
        if f > self.BLOWUP * (1.0 + abs(self.losses[0])):
            return False
        self.nit += 1
        self.x, self.f, self.g = x.copy(), f, g.copy()
        self.path.append(self.x)
        self.losses.append(f)
        return True

    def result(self, success: bool, message: str) -> OptimizeResult:
        shape = self.obj.shape
        return OptimizeResult(
            x=self.x.reshape(shape), fun=float(self.f), grad=self.g.reshape(shape),
            nit=self.nit, nfev=self.obj.nfev, success=bool(success), message=message,
            path=np.array(self.path).reshape((len(self.path),) + shape),
            losses=np.array(self.losses), njev=self.obj.njev, nhev=self.obj.nhev,
            method=self.method)

    # ------------------------------------------------ the stopping tests every method shares
    def gradient_converged(self, gtol: float) -> OptimizeResult | None:
        """The final result when max|∇f(x_k)| < ``gtol`` (first-order optimality), else None."""
        if inf_norm(self.g) < gtol:
            return self.result(True, f"converged: max|g| = {inf_norm(self.g):.3g} "
                                     f"< gtol = {gtol:g}")
        return None

    def advance(self, x: np.ndarray, f: float, g: np.ndarray,
                tol: float | None) -> OptimizeResult | None:
        """Take the iterate x_(k+1) (see :meth:`step`); the final result when the run stops
        there — it diverged, or |f_(k+1) - f_k| < ``tol`` — else None."""
        f_prev = self.f
        if not self.step(x, f, g):
            return self.diverged(f)
        if tol is not None and abs(f - f_prev) < tol:
            return self.result(True, f"converged: |f_k - f_(k-1)| = {abs(f - f_prev):.3g} "
                                     f"< tol = {tol:g}")
        return None

    def finish(self, gtol: float, maxiter: int) -> OptimizeResult:
        """The result once ``maxiter`` iterations are done: converged if the last gradient
        passes the gtol test, else out of iterations."""
        return self.gradient_converged(gtol) or self.out_of_iterations(maxiter)

    def line_search_failed(self, why: str) -> OptimizeResult:
        return self.result(False, f"line search failed at iteration {self.nit} "
                                  f"(max|g| = {inf_norm(self.g):.3g}): {why}")

    def stalled(self) -> OptimizeResult:
        """The step has rounded away: x_(k+1) == x_k to the last bit."""
        return self.result(False, "the step no longer changes x (rounding) at max|g| = "
                                  f"{inf_norm(self.g):.3g}")

    def diverged(self, f_bad: float) -> OptimizeResult:
        return self.result(False, f"diverged: f = {f_bad:.3g} (f(x0) = {self.losses[0]:.3g}) "
                                  f"at iteration {self.nit + 1}; x is the last iterate before")

    def out_of_iterations(self, maxiter: int) -> OptimizeResult:
        return self.result(False, f"maximum number of iterations ({maxiter}) reached")
