"""The textbooks' test functions, each with its minimiser, minimum, gradient and Hessian.

Every function is written once with operators that Tensors and NumPy arrays share, so the
same ``f`` is Tensor-in, Tensor-out (gradients by autograd) and array-in, number-out (for
``minimize(..., jac=f.grad)`` and for SciPy).

=================  ==============================================  ===============  =====
name               f(x)                                            x*               f(x*)
=================  ==============================================  ===============  =====
parabola           (x - 1)²                        (000 eq. 1.2)   1                0
elongated_bowl     (x1 - 2)² + 10 (x2 + 3)²        (000 §1.2.1)    (2, -3)          0
circular_bowl      (x1 - 2)² + (x2 + 3)²           (000 Fig. 1.5)  (2, -3)          0
rosenbrock         Σ (1 - x_i)² + 100 (x_{i+1} - x_i²)²            (1, ..., 1)      0
least_squares      ‖X θ - y‖²                      (001 eq. 6.9)   (XᵀX)⁻¹Xᵀy       ‖r*‖²
=================  ==============================================  ===============  =====

Each is evaluated along the first axis, so ``f(np.stack([X1, X2]))`` gives f on a whole
grid of points at once (for contour plots).  The circular bowl shares the elongated bowl's
minimiser so the zigzag experiment compares the two shapes from the same start (000 uses
x² + y², the same bowl moved to the origin).
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from .._checks import check_int
from ..tensor import Tensor


@dataclasses.dataclass(frozen=True)
class TestFunction:
    """A scalar function with its known minimum; call it like the function.

    Attributes:
        name, formula: for tables and figure titles.
        f: ``x -> f(x)``, on a Tensor (returns a scalar Tensor) or an array (a number).
        x_min: the minimiser x*, ``f_min``: f(x*).
        grad, hess: analytic ∇f and ∇²f on arrays (for ``jac=``/``hess=`` and benchmarks).
    """
    __test__ = False  # not a pytest test class, despite the name

    name: str
    formula: str
    f: Callable
    x_min: np.ndarray
    f_min: float
    grad: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray]

    def __call__(self, x):
        return self.f(x)


def _like(a: np.ndarray, x):
    """A constant in the world of ``x``: a float64 Tensor for Tensors, the array otherwise."""
    return Tensor(a, dtype=x.dtype) if isinstance(x, Tensor) else a


# --------------------------------------------------------------------------- parabola
def _parabola(x):
    return (x - 1.0) ** 2


parabola = TestFunction(
    "parabola", "(x - 1)^2", _parabola, np.array(1.0), 0.0,
    grad=lambda x: 2.0 * (np.asarray(x, dtype=float) - 1.0),
    hess=lambda x: 2.0 * np.eye(np.asarray(x).size))


# --------------------------------------------------------------------------- bowls
def _bowl(name: str, scale: float) -> TestFunction:
    """(x1 - 2)² + scale (x2 + 3)²: Hessian diag(2, 2 scale), condition number ``scale``."""
    def f(x):
        return (x[0] - 2.0) ** 2 + scale * (x[1] + 3.0) ** 2

    def grad(x):
        x = np.asarray(x, dtype=float)
        return np.array([2.0 * (x[0] - 2.0), 2.0 * scale * (x[1] + 3.0)])

    formula = f"(x1 - 2)^2 + {scale:g} (x2 + 3)^2" if scale != 1 else "(x1 - 2)^2 + (x2 + 3)^2"
    return TestFunction(name, formula, f, np.array([2.0, -3.0]), 0.0, grad,
                        hess=lambda x: np.diag([2.0, 2.0 * scale]))


elongated_bowl = _bowl("elongated bowl", 10.0)
circular_bowl = _bowl("circular bowl", 1.0)


# --------------------------------------------------------------------------- Rosenbrock
def _rosen(x, b: float):
    head, tail = x[:-1], x[1:]
    return ((1.0 - head) ** 2 + b * (tail - head ** 2) ** 2).sum(axis=0)


def _rosen_grad(x, b: float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] += -2.0 * (1.0 - x[:-1]) - 4.0 * b * x[:-1] * inner
    g[1:] += 2.0 * b * inner
    return g


def _rosen_hess(x, b: float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    n = x.size
    H = np.zeros((n, n))
    i = np.arange(n - 1)
    H[i, i] += 2.0 - 4.0 * b * (x[1:] - x[:-1] ** 2) + 8.0 * b * x[:-1] ** 2
    H[i + 1, i + 1] += 2.0 * b
    H[i, i + 1] = H[i + 1, i] = -4.0 * b * x[:-1]
    return H


def rosenbrock_function(n: int = 2, b: float = 100.0) -> TestFunction:
    """Rosenbrock's banana valley Σ (1 - x_i)² + b (x_{i+1} - x_i²)² in ``n >= 2`` dimensions
    (the chained form of scipy.optimize.rosen); minimum 0 at the all-ones vector."""
    check_int(n, "n", "rosenbrock_function", 2)
    if not (np.isfinite(b) and b > 0):
        raise ValueError(f"rosenbrock_function: b must be a positive number, got {b!r}")
    return TestFunction(
        "Rosenbrock", f"sum (1 - x_i)^2 + {b:g} (x_(i+1) - x_i^2)^2",
        lambda x: _rosen(x, b), np.ones(int(n)), 0.0,
        grad=lambda x: _rosen_grad(x, b), hess=lambda x: _rosen_hess(x, b))


rosenbrock = rosenbrock_function(2)


# --------------------------------------------------------------------------- least squares
def least_squares(X, y) -> TestFunction:
    """J(θ) = ‖X θ - y‖² (001 eq. 6.9); ∇J = 2Xᵀ(Xθ - y), ∇²J = 2XᵀX; minimiser by lstsq.

    Shape:
        X ``(N, d)``, y ``(N,)`` -> a function of θ ``(d,)``.
    """
    X = np.array(getattr(X, "_data", X), dtype=np.float64)
    y = np.array(getattr(y, "_data", y), dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"least_squares: X must be 2-D (N, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"least_squares: y must have shape ({X.shape[0]},), got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("least_squares: X and y must be finite")
    theta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = X @ theta - y

    def f(theta):
        resid = _like(X, theta) @ theta - _like(y, theta)
        return (resid * resid).sum()

    return TestFunction(
        "least squares", "||X theta - y||^2", f, theta, float(r @ r),
        grad=lambda t: 2.0 * X.T @ (X @ np.asarray(t, dtype=float) - y),
        hess=lambda t: 2.0 * X.T @ X)


__all__ = ["TestFunction", "parabola", "elongated_bowl", "circular_bowl", "rosenbrock",
           "rosenbrock_function", "least_squares"]
