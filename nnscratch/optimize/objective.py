"""The objective as the minimisers see it: flat float64 vectors in, numbers and arrays out.

``fun`` is either Tensor-in, scalar-Tensor-out (gradients by autograd) or, when ``jac`` is
given, array-in, number-out as in scipy.optimize.  Second derivatives come from ``hess`` /
``hessp`` when the caller has them, otherwise exactly, by double backward through the Tensor
function (:mod:`nnscratch.autograd.functional`).  Every evaluation is counted.
"""
from __future__ import annotations

import numpy as np

from ..autograd.functional import hessian, hessian_vector_products, value_and_grad
from ..tensor import Tensor


def _as_number(out, name: str) -> float:
    if isinstance(out, Tensor):
        out = out._data
    arr = np.asarray(out)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"minimize: {name} must return a number, got {type(out).__name__}")
    if arr.size != 1:
        raise ValueError(f"minimize: {name} must return a scalar, got shape {arr.shape}")
    return float(arr.reshape(()))


class Objective:
    """f, ∇f, ∇²f and ∇²f·p on flat vectors, with the counts of every call."""

    def __init__(self, fun, shape: tuple, jac=None, hess=None, hessp=None):
        self.fun, self.shape, self.jac = fun, shape, jac
        self.user_hess, self.user_hessp = hess, hessp
        self.n = int(np.prod(shape, dtype=int))
        self.nfev = self.njev = self.nhev = 0

    def _arg(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.shape).copy()

    def _array_out(self, out, name: str, shape: tuple) -> np.ndarray:
        if isinstance(out, Tensor):
            out = out._data
        arr = np.asarray(out, dtype=np.float64)
        if arr.size != int(np.prod(shape, dtype=int)):
            raise ValueError(f"minimize: {name} must return an array of {shape} "
                             f"(or {self.shape} for x), got shape {arr.shape}")
        return arr.reshape(shape)

    # ------------------------------------------------------------------ f and ∇f
    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """(f(x), ∇f(x)): one forward and one reverse sweep, or ``fun`` and ``jac``."""
        self.nfev += 1
        self.njev += 1
        if self.jac is None:
            f, g = value_and_grad(self.fun, self._arg(x), "minimize")
            return f, g.ravel()
        f = _as_number(self.fun(self._arg(x)), "fun")
        return f, self._array_out(self.jac(self._arg(x)), "jac", (self.n,))

    def grad(self, x: np.ndarray) -> np.ndarray:
        """∇f(x) alone: ``jac`` only, when given."""
        if self.jac is None:
            return self.value_and_grad(x)[1]
        self.njev += 1
        return self._array_out(self.jac(self._arg(x)), "jac", (self.n,))

    # ------------------------------------------------------------------ ∇² f
    def _needs_autograd(self, what):
        if self.jac is not None:
            raise ValueError(f"minimize: {what} needs second derivatives: pass hess= (or "
                             f"hessp= for 'newton-cg'), or fun as a Tensor function without "
                             f"jac= so that autograd differentiates it twice")

    def hess(self, x: np.ndarray) -> np.ndarray:
        """The (n, n) Hessian: ``hess(x)``, or exact by double backward through ``fun``."""
        self.nhev += 1
        if self.user_hess is not None:
            return self._array_out(self.user_hess(self._arg(x)), "hess", (self.n, self.n))
        self._needs_autograd("'newton'")
        H = hessian(self.fun, self._arg(x))
        return np.asarray(H._data, dtype=np.float64).reshape(self.n, self.n)

    def hvp_operator(self, x: np.ndarray):
        """p -> ∇²f(x) p at a fixed x: ``hessp``, else one ``hess(x)`` reused for every p,
        else exact products through the gradient recorded once at x."""
        if self.user_hessp is not None:
            def product(p):
                self.nhev += 1
                out = self.user_hessp(self._arg(x), p.reshape(self.shape).copy())
                return self._array_out(out, "hessp", (self.n,))
            return product
        if self.user_hess is not None:
            H = self.hess(x)
            return lambda p: H @ p

        self._needs_autograd("'newton-cg'")
        exact = hessian_vector_products(self.fun, self._arg(x))

        def exact_product(p):           # one reverse sweep through the recorded ∇f
            self.nhev += 1
            return np.asarray(exact(p), dtype=np.float64).ravel()
        return exact_product
