"""``minimize``: one entry point for every minimiser of the optimisation chapter."""
from __future__ import annotations

import math
import numbers
from typing import Callable

import numpy as np

from .._checks import check_positive
from .first_order import FIRST_ORDER, first_order
from .newton import newton, newton_cg
from .objective import Objective
from .quasi_newton import quasi_newton
from .result import OptimizeResult

METHODS = FIRST_ORDER + ("newton", "newton-cg", "bfgs", "l-bfgs")
_ALIASES = {"lbfgs": "l-bfgs", "newtoncg": "newton-cg", "sgd": "gd"}
# options each non-first-order method understands (first-order ones go to the optimizer)
_OPTIONS = {"newton": (), "newton-cg": ("c1", "cg_maxiter", "max_ls"),
            "bfgs": ("c1", "c2", "max_ls"), "l-bfgs": ("c1", "c2", "max_ls", "m")}


def _check_lr(lr, method: str, shape: tuple):
    if lr is None:
        return None
    if method in ("newton-cg", "bfgs", "l-bfgs"):
        raise ValueError(f"minimize: lr does not apply to method {method!r}, which chooses "
                         f"its step by a line search; got lr={lr!r}")
    if isinstance(lr, (bool, str)):
        raise TypeError(f"minimize: lr must be a number or an array, got {lr!r}")
    arr = np.asarray(getattr(lr, "_data", lr))
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"minimize: lr must be a number or an array of numbers, got {lr!r}")
    if arr.ndim and method == "newton":
        raise ValueError(f"minimize: method 'newton' takes one step size lr, got shape "
                         f"{arr.shape}")
    if arr.ndim:
        try:
            np.broadcast_to(arr, shape)
        except ValueError:
            raise ValueError(f"minimize: lr of shape {arr.shape} does not broadcast to x0's "
                             f"shape {shape}") from None
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise ValueError(f"minimize: lr must be finite and > 0, got {lr!r}")
    return float(arr) if arr.ndim == 0 else arr.astype(np.float64)


def _check_options(options: dict) -> None:
    """Line-search constants 0 < c1 < c2 < 1 and positive integer counts."""
    c1, c2 = options.get("c1", 1e-4), options.get("c2", 0.9)
    for name, v in (("c1", c1), ("c2", c2)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0 < float(v) < 1:
            raise ValueError(f"minimize: options[{name!r}] must be in (0, 1), got {v!r}")
    if not c1 < c2:
        raise ValueError(f"minimize: the Wolfe constants need c1 < c2, got c1={c1}, c2={c2}")
    for name in ("m", "max_ls", "cg_maxiter"):
        v = options.get(name, 1)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"minimize: options[{name!r}] must be an int >= 1, got {v!r}")


def _start(x0) -> np.ndarray:
    """``x0`` as a float64 array; objects, strings, ragged lists and complex numbers are refused
    (NumPy would raise its own message, or silently drop the imaginary part)."""
    raw = x0.numpy() if hasattr(x0, "numpy") and hasattr(x0, "requires_grad") else x0
    try:
        a = np.asarray(raw)
    except ValueError:
        a = None
    if a is None or a.dtype.hasobject:
        raise TypeError(f"minimize: x0 must be a number, a rectangular list or array, or a "
                        f"Tensor, got {type(x0).__name__} {str(x0)[:60]}")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"minimize: x0 must hold real numbers, got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError("minimize: x0 must have at least one element, got an empty array")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"minimize: x0 must be finite, got {a.ravel()[:8]}")
    return a.astype(np.float64)


def _check_method(method, fun, jac, hess, hessp) -> str:
    """The canonical method name, after checking the callables it will use."""
    if not callable(fun):
        raise TypeError(f"minimize: fun must be callable, got {type(fun).__name__}")
    for name, f in (("jac", jac), ("hess", hess), ("hessp", hessp)):
        if f is not None and not callable(f):
            raise TypeError(f"minimize: {name} must be callable or None, got {type(f).__name__}")
    if not isinstance(method, str):
        raise TypeError(f"minimize: method must be a string, got {type(method).__name__}")
    key = method.strip().lower().replace("_", "-")
    key = _ALIASES.get(key.replace("-", ""), key)
    if key not in METHODS:
        raise ValueError(f"minimize: unknown method {method!r}; choose from {list(METHODS)}")
    if (hess is not None or hessp is not None) and key not in ("newton", "newton-cg"):
        raise ValueError(f"minimize: hess/hessp are used only by 'newton' and 'newton-cg', "
                         f"not by {key!r}")
    if hessp is not None and key == "newton":
        raise ValueError("minimize: method 'newton' needs the full Hessian: pass hess=, "
                         "not hessp=")
    return key


def _check_maxiter(maxiter, method: str, n: int) -> int:
    """``maxiter``, or the method's default (scipy's for the line-search methods)."""
    if maxiter is None:
        maxiter = {"newton": 100, "newton-cg": 200 * n, "bfgs": 200 * n,
                   "l-bfgs": 15000}.get(method, 10_000)
    if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 0:
        raise ValueError(f"minimize: maxiter must be an int >= 0, got {maxiter!r}")
    return int(maxiter)


def _check_method_options(method: str, options) -> dict:
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(f"minimize: options must be a dict, got {type(options).__name__}")
    if method in _OPTIONS:
        unknown = sorted(set(options) - set(_OPTIONS[method]))
        if unknown:
            raise ValueError(f"minimize: unknown options {unknown} for method {method!r}; "
                             f"it accepts {list(_OPTIONS[method])}")
        _check_options(options)
    return options


def minimize(fun: Callable, x0, method: str = "bfgs", *, lr=None, tol: float | None = None,
             gtol: float | None = None, maxiter: int | None = None,
             jac: Callable | None = None, hess: Callable | None = None,
             hessp: Callable | None = None, options: dict | None = None) -> OptimizeResult:
    """Minimise a scalar function of one (array-shaped) variable from ``x0``.

    Args:
        fun: ``Tensor -> scalar Tensor`` (∇f by autograd; x arrives as a float64 Tensor of
            ``x0``'s shape), or, when ``jac`` is given, ``ndarray -> number`` as in SciPy.
        x0: the start: a number, list, array or Tensor (finite).
        method: ``"gd"``, ``"momentum"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` (the update
            rules of :mod:`nnscratch.optim`, see :mod:`.first_order`), ``"newton"`` (pure
            Newton steps, :mod:`.newton`), ``"newton-cg"`` (truncated CG on Hessian-vector
            products + Armijo backtracking), ``"bfgs"`` or ``"l-bfgs"`` (strong Wolfe line
            search, :mod:`.quasi_newton`).  Default ``"bfgs"``, as SciPy's for unconstrained
            problems.
        lr: step size η.  First-order methods: a number or one rate per variable (an array
            broadcastable to ``x0``; 000 Listing 1.2); defaults gd/momentum/adam 1e-3,
            adagrad/rmsprop 1e-2.  ``"newton"``: η in x <- x - η H⁻¹g, default 1.  Line-search
            methods take no lr.
        tol: stop when |f_k - f_(k-1)| < tol (000 Listing 1.2's test).  Default None (off).
        gtol: stop when max_i |∂f/∂x_i| < gtol.  Default 1e-5 (as scipy's BFGS).
        maxiter: iteration cap.  Defaults: first-order 10,000; newton 100; newton-cg and
            bfgs 200·n; l-bfgs 15,000 (scipy's defaults for the last three).
        jac: ``x -> ∇f(x)`` on arrays; makes ``fun`` array-in, number-out.
        hess: ``x -> ∇²f(x)`` (n, n) for ``"newton"``/``"newton-cg"``; hessp:
            ``(x, p) -> ∇²f(x) p`` for ``"newton-cg"``.  Without them second derivatives are
            exact, by double backward through ``fun`` (:mod:`nnscratch.autograd.functional`:
            the Hessian for newton, Hessian-vector products for newton-cg); with ``jac`` and
            neither, newton and newton-cg raise ValueError.
        options: method-specific settings.  First-order: keyword arguments of the optimizer
            (e.g. ``{"momentum": 0.5}``, ``{"betas": (0.9, 0.99)}``); newton-cg: ``c1``,
            ``cg_maxiter``, ``max_ls``; bfgs: ``c1``, ``c2``, ``max_ls``; l-bfgs: also ``m``.

    Returns:
        :class:`OptimizeResult` with ``x``, ``fun``, ``grad``, ``nit``, ``nfev``, ``njev``,
        ``nhev``, ``success``, ``message``, ``path`` (every iterate) and ``losses``.  A run
        whose f or x turns non-finite stops with ``success=False``, keeping the last finite
        iterate.

    Shape:
        x0 ``S`` (any shape, e.g. ``()`` or ``(n,)``) -> x ``S``, path ``(nit + 1, *S)``.

    Raises:
        ValueError: unknown method; non-finite x0; non-positive lr/tol/gtol; f(x0) or ∇f(x0)
            not finite; fun not scalar; options the method does not know.
        TypeError: fun/jac/hess/hessp not callable, or fun not returning a Tensor (autograd).
    """
    method = _check_method(method, fun, jac, hess, hessp)
    x = _start(x0)
    shape = x.shape
    lr = _check_lr(lr, method, shape)
    tol = None if tol is None else check_positive(tol, "tol", "minimize")
    gtol = 1e-5 if gtol is None else check_positive(gtol, "gtol", "minimize")
    maxiter = _check_maxiter(maxiter, method, x.size)
    options = _check_method_options(method, options)

    obj = Objective(fun, shape, jac=jac, hess=hess, hessp=hessp)
    x = x.ravel()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        f, g = obj.value_and_grad(x)
        if not math.isfinite(f):
            raise ValueError(f"minimize: fun(x0) must be finite, got {f}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"minimize: the gradient at x0 must be finite, got {g[:8]}")
        if method in FIRST_ORDER:
            return first_order(obj, method, x, f, g, lr, tol, gtol, maxiter, options)
        if method == "newton":
            return newton(obj, x, f, g, lr, tol, gtol, maxiter)
        if method == "newton-cg":
            return newton_cg(obj, x, f, g, tol, gtol, maxiter, options)
        return quasi_newton(obj, method, x, f, g, tol, gtol, maxiter, options)
