"""``nnscratch.optimize``: minimisers of plain functions (000 chapter 1, 001 chapter 6).

    from nnscratch.optimize import minimize, functions
    res = minimize(functions.rosenbrock, [-1.5, 2.0], method="bfgs")
    res.x, res.nit, res.path            # minimiser, iterations, every iterate

Methods: gd, momentum, adagrad, rmsprop, adam (the rules of :mod:`nnscratch.optim`),
newton, newton-cg, bfgs, l-bfgs.  ``fun`` maps a Tensor to a scalar Tensor and gradients come
from autograd, or ``jac=``/``hess=``/``hessp=`` supply them on arrays (the SciPy convention).
"""
from . import functions, line_search
from .minimize import METHODS, minimize
from .result import OptimizeResult

__all__ = ["minimize", "OptimizeResult", "METHODS", "functions", "line_search"]
