"""The objective as the minimisers see it: flat float64 vectors in, numbers and arrays out.

``fun`` is either Tensor-in, scalar-Tensor-out (gradients by autograd) or, when ``jac`` is
given, array-in, number-out as in scipy.optimize.  Second derivatives come from ``hess`` /
``hessp`` when the caller has them, otherwise from central differences of the gradient
(:mod:`nnscratch.autograd.functional`).  Every evaluation is counted.
"""
from __future__ import annotations

import numpy as np

from ..autograd.functional import _value_and_grad, fd_hessian, fd_hvp
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
            f, g = _value_and_grad(self.fun, self._arg(x), "minimize")
            return f, g.ravel()
        f = _as_number(self.fun(self._arg(x)), "fun")
        return f, self._array_out(self.jac(self._arg(x)), "jac", (self.n,))

    def grad(self, x: np.ndarray) -> np.ndarray:
        """∇f(x) alone (finite-difference Hessians need no f): ``jac`` only, when given."""
        if self.jac is None:
            return self.value_and_grad(x)[1]
        self.njev += 1
        return self._array_out(self.jac(self._arg(x)), "jac", (self.n,))

    # ------------------------------------------------------------------ ∇² f
    def hess(self, x: np.ndarray) -> np.ndarray:
        """The (n, n) Hessian: ``hess(x)`` or central differences of the gradient (2n)."""
        self.nhev += 1
        if self.user_hess is not None:
            return self._array_out(self.user_hess(self._arg(x)), "hess", (self.n, self.n))
        return fd_hessian(self.grad, x)

    def hvp_operator(self, x: np.ndarray):
        """p -> ∇²f(x) p at a fixed x: ``hessp``, else one ``hess(x)`` reused for every p,
        else central differences of the gradient (two evaluations per product)."""
        if self.user_hessp is not None:
            def product(p):
                self.nhev += 1
                out = self.user_hessp(self._arg(x), p.reshape(self.shape).copy())
                return self._array_out(out, "hessp", (self.n,))
            return product
        if self.user_hess is not None:
            H = self.hess(x)
            return lambda p: H @ p

        def fd_product(p):
            self.nhev += 1
            return fd_hvp(self.grad, x, p)
        return fd_product
