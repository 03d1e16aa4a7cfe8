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
        nfev: calls of ``fun`` (including those made by finite-difference Hessians).
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

    def diverged(self, f_bad: float) -> OptimizeResult:
        return self.result(False, f"diverged: f = {f_bad:.3g} (f(x0) = {self.losses[0]:.3g}) "
                                  f"at iteration {self.nit + 1}; x is the last iterate before")

    def out_of_iterations(self, maxiter: int) -> OptimizeResult:
        return self.result(False, f"maximum number of iterations ({maxiter}) reached")
