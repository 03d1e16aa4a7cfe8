"""nnscratch.optimize: minimize (every method), the test functions, line searches, bad input.

Oracles: closed forms of gradient descent on quadratics, torch.optim (the first-order methods
must follow exactly its trajectories), torch autograd (analytic gradients/Hessians of the test
functions), scipy.optimize.minimize (BFGS, L-BFGS-B, Newton-CG) and np.linalg.solve on the
normal equations.
"""
import math

import numpy as np
import pytest
import scipy.optimize as so
import torch
from threadpoolctl import threadpool_limits

import nnscratch as ns
from nnscratch.optimize import METHODS, OptimizeResult, functions, line_search, minimize

F = functions


def _quadratic(n=20, seed=0):
    """A random convex quadratic ½ xᵀAx - bᵀx (condition number ~ 30) and its minimiser."""
    gen = np.random.default_rng(seed)
    M = gen.standard_normal((n, n))
    A = M @ M.T / n + 0.1 * np.eye(n)
    b = gen.standard_normal(n)

    def f(x):
        if isinstance(x, ns.Tensor):
            At, bt = ns.tensor(A, dtype=np.float64), ns.tensor(b, dtype=np.float64)
            return 0.5 * (x @ (At @ x)) - (bt * x).sum()
        return 0.5 * x @ A @ x - b @ x
    return f, A, b, np.linalg.solve(A, b)


# --------------------------------------------------------------------------- test functions
@pytest.mark.parametrize("fn", [F.parabola, F.elongated_bowl, F.circular_bowl, F.rosenbrock,
                                F.rosenbrock_function(5)], ids=lambda f: f.formula)
def test_function_minimum_gradient_and_hessian_match_torch(fn):
    assert float(fn(fn.x_min)) == pytest.approx(fn.f_min, abs=1e-14)
    gen = np.random.default_rng(1)
    x = fn.x_min + gen.standard_normal(np.shape(fn.x_min))
    xt = torch.tensor(x, requires_grad=True)
    out = fn(xt)
    out.backward()
    np.testing.assert_allclose(fn.grad(x), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    H = torch.autograd.functional.hessian(fn.f, torch.tensor(x)).numpy().reshape(x.size, -1)
    np.testing.assert_allclose(fn.hess(x), H, rtol=1e-12, atol=1e-12)
    # Tensor in -> scalar Tensor out, with the same value as on arrays
    y = fn(ns.tensor(x, dtype=np.float64))
    assert isinstance(y, ns.Tensor) and y.numel() == 1
    assert float(y.numpy()) == pytest.approx(float(fn(x)), rel=1e-14)


def test_rosenbrock_matches_scipy_rosen():
    x = np.random.default_rng(2).standard_normal(6)
    f = F.rosenbrock_function(6)
    assert float(f(x)) == pytest.approx(so.rosen(x), rel=1e-14)
    np.testing.assert_allclose(f.grad(x), so.rosen_der(x), rtol=1e-13)
    np.testing.assert_allclose(f.hess(x), so.rosen_hess(x), rtol=1e-13)


def test_least_squares_minimum_is_the_normal_equation_solution():
    gen = np.random.default_rng(3)
    X, y = gen.standard_normal((40, 4)), gen.standard_normal(40)
    J = F.least_squares(X, y)
    theta = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(J.x_min, theta, rtol=1e-10)
    assert J.f_min == pytest.approx(np.sum((X @ theta - y) ** 2), rel=1e-12)
    np.testing.assert_allclose(J.hess(theta), 2 * X.T @ X)
    with pytest.raises(ValueError, match="y must have shape"):
        F.least_squares(X, y[:-1])
    with pytest.raises(ValueError, match="X must be 2-D"):
        F.least_squares(y, y)


# --------------------------------------------------------------------------- every method
TARGETS = {  # method -> keyword arguments that converge on the elongated bowl from (0, 0)
    "gd": dict(lr=0.05), "momentum": dict(lr=0.02), "adagrad": dict(lr=0.5),
    "rmsprop": dict(lr=0.01), "adam": dict(lr=0.1), "newton": {}, "newton-cg": {}, "bfgs": {},
    "l-bfgs": {},
}


@pytest.mark.parametrize("method", METHODS)
def test_every_method_finds_the_bowl_minimum(method):
    f = F.elongated_bowl
    res = minimize(f, [0.0, 0.0], method, gtol=1e-7, maxiter=5000, **TARGETS[method])
    assert isinstance(res, OptimizeResult) and res.success, res.message
    np.testing.assert_allclose(res.x, [2.0, -3.0], atol=1e-5)
    assert res.path.shape == (res.nit + 1, 2) and res.losses.shape == (res.nit + 1,)
    np.testing.assert_array_equal(res.path[0], [0.0, 0.0])
    np.testing.assert_array_equal(res.path[-1], res.x)
    assert res.fun == pytest.approx(float(f(res.x)), abs=1e-14)
    np.testing.assert_allclose(res.grad, f.grad(res.x), atol=1e-12)
    assert res.nfev >= res.nit + 1 and res.method == method


@pytest.mark.parametrize("method", ["newton", "newton-cg", "bfgs", "l-bfgs"])
def test_second_order_methods_solve_rosenbrock_from_the_race_start(method):
    res = minimize(F.rosenbrock, [-1.5, 2.0], method, gtol=1e-8)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-7)


def test_gd_matches_the_closed_form_of_listing_1_1():
    eta, x0 = 1e-3, 3.0
    res = minimize(F.parabola, x0, "gd", lr=eta, maxiter=300)
    k = np.arange(301)
    np.testing.assert_allclose(res.path, 1 + (x0 - 1) * (1 - 2 * eta) ** k, rtol=1e-13)
    assert res.x.shape == () and res.nit == 300 and not res.success
    assert "maximum number of iterations" in res.message


def test_per_variable_rates_reproduce_listing_1_2():
    res = minimize(F.elongated_bowl, [0.0, 0.0], "gd", lr=[0.1, 0.05], tol=1e-6)
    # x1 - 2 = -2 (0.8)^k and x2 + 3 = 3 (1 - 0.05*20)^k = 0 for k >= 1, so f_k = 4 (0.64)^k
    f = [94.0] + [4 * 0.64 ** k for k in range(1, 200)]
    steps = next(k for k in range(1, 200) if abs(f[k] - f[k - 1]) < 1e-6)
    assert res.success and res.nit == steps
    np.testing.assert_allclose(res.x, [2 - 2 * 0.8 ** steps, -3.0], rtol=1e-12)
    # the same run with one shared rate flips x2 + 3 between +3 and -3 every step
    shared = minimize(F.elongated_bowl, [0.0, 0.0], "gd", lr=0.1, maxiter=50)
    np.testing.assert_allclose(np.abs(shared.path[:, 1] + 3), 3.0, rtol=1e-12)


def _torch_trajectory(make_opt, x0, steps, per_variable=False):
    """Iterates of a torch.optim optimizer on Rosenbrock (float64)."""
    if per_variable:
        params = [torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in x0]
    else:
        params = [torch.tensor(x0, dtype=torch.float64, requires_grad=True)]
    opt = make_opt(params)
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        opt.zero_grad()
        x = torch.cat(params) if per_variable else params[0]
        F.rosenbrock(x).backward()
        opt.step()
        path.append(torch.cat([p.detach() for p in params]).numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("method, lr, options, make_opt", [
    ("gd", 1e-3, {}, lambda p: torch.optim.SGD(p, lr=1e-3)),
    ("momentum", 2e-3, {}, lambda p: torch.optim.SGD(p, lr=2e-3, momentum=0.9, dampening=0.9)),
    ("momentum", 1e-3, {"momentum": 0.5, "dampening": 0.0, "nesterov": True},
     lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.5, nesterov=True)),
    ("adagrad", 0.5, {}, lambda p: torch.optim.Adagrad(p, lr=0.5)),
    ("rmsprop", 1e-3, {"alpha": 0.9}, lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9)),
    ("adam", 0.05, {}, lambda p: torch.optim.Adam(p, lr=0.05)),
    ("adam", 0.05, {"betas": (0.8, 0.99), "amsgrad": True},
     lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), amsgrad=True)),
])
def test_first_order_methods_follow_torch_optim_exactly(method, lr, options, make_opt):
    x0 = [-1.5, 2.0]
    res = minimize(F.rosenbrock, x0, method, lr=lr, maxiter=60, gtol=1e-12, options=options)
    np.testing.assert_allclose(res.path, _torch_trajectory(make_opt, x0, 60),
                               rtol=1e-10, atol=1e-12)


def test_per_variable_adam_rates_are_parameter_groups():
    x0 = [-1.5, 2.0]
    res = minimize(F.rosenbrock, x0, "adam", lr=[0.05, 0.01], maxiter=40, gtol=1e-12)
    expect = _torch_trajectory(lambda p: torch.optim.Adam(
        [{"params": [p[0]], "lr": 0.05}, {"params": [p[1]], "lr": 0.01}]), x0, 40, True)
    np.testing.assert_allclose(res.path, expect, rtol=1e-10, atol=1e-12)


def test_newton_solves_least_squares_in_one_step():
    gen = np.random.default_rng(4)
    X = gen.standard_normal((60, 5)) * np.array([1.0, 4.0, 0.3, 1.0, 2.0])
    y = X @ gen.standard_normal(5) + 0.1 * gen.standard_normal(60)
    J = F.least_squares(X, y)
    normal_eq = np.linalg.solve(X.T @ X, X.T @ y)
    res = minimize(J, np.zeros(5), "newton")
    assert res.success and res.nit == 1 and res.nhev == 1
    np.testing.assert_allclose(res.x, normal_eq, rtol=1e-7)
    exact = minimize(J, np.zeros(5), "newton", hess=J.hess)
    np.testing.assert_allclose(exact.x, normal_eq, rtol=1e-11)
    half = minimize(J, np.zeros(5), "newton", hess=J.hess, lr=0.5, maxiter=1)
    np.testing.assert_allclose(half.x, 0.5 * normal_eq, rtol=1e-11)   # x0 + ½ (x* - x0)


def test_array_callables_match_autograd():
    f = F.rosenbrock
    for method, extra in [("bfgs", {}), ("newton-cg", {"hess": f.hess}),
                          ("newton-cg", {"hessp": lambda x, p: f.hess(x) @ p}),
                          ("newton", {"hess": f.hess})]:
        auto = minimize(f, [-1.2, 1.0], method, gtol=1e-9)
        arr = minimize(f, [-1.2, 1.0], method, jac=f.grad, gtol=1e-9, **extra)
        assert auto.success and arr.success
        np.testing.assert_allclose(arr.x, auto.x, atol=1e-7)
        np.testing.assert_allclose(arr.x, [1.0, 1.0], atol=1e-8)


def test_x0_shape_is_kept():
    target = np.arange(6.0).reshape(2, 3)
    res = minimize(lambda t: ((t - ns.tensor(target, dtype=np.float64)) ** 2).sum(),
                   np.zeros((2, 3)), "l-bfgs")
    assert res.x.shape == (2, 3) and res.path.shape[1:] == (2, 3)
    np.testing.assert_allclose(res.x, target, atol=1e-6)


# --------------------------------------------------------------------------- SciPy parity
ROSEN = (F.rosenbrock, so.rosen, so.rosen_der, so.rosen_hess)


@pytest.mark.parametrize("ours, theirs", [("bfgs", "BFGS"), ("l-bfgs", "L-BFGS-B"),
                                          ("newton-cg", "Newton-CG")])
@pytest.mark.parametrize("problem", ["rosenbrock", "quadratic20"])
def test_matches_scipy_minimum_and_iteration_count(problem, ours, theirs):
    if problem == "rosenbrock":
        fun, x0, jac, hess = F.rosenbrock, np.array([-1.2, 1.0]), so.rosen_der, so.rosen_hess
    else:
        fun, A, b, _ = _quadratic()
        x0, jac, hess = np.zeros(20), (lambda x: A @ x - b), (lambda x: A)
    opts = {"BFGS": {"gtol": 1e-9}, "L-BFGS-B": {"gtol": 1e-9, "ftol": 1e-15},
            "Newton-CG": {"xtol": 1e-12}}[theirs]
    # one BLAS thread: L-BFGS-B's tiny BLAS calls crawl when threads contend for 2 busy cores
    with threadpool_limits(1):
        ref = so.minimize(fun, x0, method=theirs, jac=jac,
                          hess=hess if theirs == "Newton-CG" else None, options=opts)
    res = minimize(fun, x0, ours, gtol=1e-9)       # gradients (and H v) from autograd
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert ref.nit / 2 <= res.nit <= 2 * ref.nit, (res.nit, ref.nit)


def test_lbfgs_direction_equals_m_dense_bfgs_updates():
    from nnscratch.optimize.quasi_newton import lbfgs_direction
    gen = np.random.default_rng(5)
    n = 8
    A = gen.standard_normal((n, n))
    A = A @ A.T + n * np.eye(n)
    pairs = [(s, A @ s) for s in gen.standard_normal((5, n))]   # yᵀs > 0
    s, y = pairs[-1]
    H = (s @ y) / (y @ y) * np.eye(n)
    for s, y in pairs:  # H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, written out
        rho = 1.0 / (y @ s)
        V = np.eye(n) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
    g = gen.standard_normal(n)
    np.testing.assert_allclose(lbfgs_direction(g, pairs), -H @ g, rtol=1e-10)


# --------------------------------------------------------------------------- line searches
def test_wolfe_step_satisfies_the_strong_wolfe_conditions():
    f, x, p = F.rosenbrock, np.array([-1.2, 1.0]), -F.rosenbrock.grad([-1.2, 1.0])
    f0, d0 = f(x), F.rosenbrock.grad(x) @ p

    def phi(a):
        g = F.rosenbrock.grad(x + a * p)
        return f(x + a * p), g @ p, g
    for alpha0 in (1e-4, 1e-3, 1.0):
        r = line_search.wolfe(phi, f0, d0, alpha0, c1=1e-4, c2=0.9)
        assert r.alpha is not None and r.alpha > 0
        assert r.f <= f0 + 1e-4 * r.alpha * d0
        assert abs(r.g @ p) <= 0.9 * abs(d0)


def test_backtracking_step_satisfies_armijo_and_survives_nan():
    phi = lambda a: math.nan if a > 0.3 else (a - 0.2) ** 2   # noqa: E731
    r = line_search.backtracking(phi, 0.04, -0.4, 1.0)
    assert r.alpha is not None and r.alpha <= 0.3
    assert r.f <= 0.04 + 1e-4 * r.alpha * -0.4


# --------------------------------------------------------------------------- failures
def test_divergence_returns_success_false_with_finite_x():
    res = minimize(F.elongated_bowl, [0.0, 0.0], "gd", lr=0.11, maxiter=10_000)
    assert not res.success and "diverged" in res.message
    assert np.all(np.isfinite(res.x)) and np.isfinite(res.fun)
    assert np.all(np.isfinite(res.path))
    # a NaN on the way (log of a negative number) is divergence too, never a silent NaN
    res = minimize(lambda t: ((t - 1) ** 2).sum() + (t + 10).log().sum(), [3.0], "gd", lr=2.0)
    assert not res.success and "diverged" in res.message and np.isfinite(res.fun)


def test_constant_function_converges_at_once():
    res = minimize(lambda t: ns.tensor(5.0, dtype=np.float64), [1.0, 2.0], "bfgs")
    assert res.success and res.nit == 0 and res.fun == 5.0


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(x0=[np.nan, 0.0]), ValueError, "x0 must be finite"),
    (dict(x0=[np.inf, 0.0]), ValueError, "x0 must be finite"),
    (dict(x0=[]), ValueError, "x0 must have at least one element"),
    (dict(method="simplex"), ValueError, "unknown method 'simplex'"),
    (dict(method="gd", lr=0.0), ValueError, "lr must be finite and > 0"),
    (dict(method="gd", lr=-0.1), ValueError, "lr must be finite and > 0"),
    (dict(method="gd", lr=[0.1, -0.05]), ValueError, "lr must be finite and > 0"),
    (dict(method="gd", lr=[0.1, 0.1, 0.1]), ValueError, "lr of shape"),
    (dict(method="bfgs", lr=0.1), ValueError, "lr does not apply to method 'bfgs'"),
    (dict(tol=0.0), ValueError, "tol must be > 0 and finite, got 0.0"),
    (dict(gtol=-1e-5), ValueError, "gtol must be > 0 and finite"),
    (dict(gtol=math.nan), ValueError, "gtol must be > 0 and finite, got nan"),
    (dict(maxiter=-1), ValueError, "maxiter must be an int >= 0"),
    (dict(method="bfgs", hess=lambda x: x), ValueError, "hess/hessp are used only"),
    (dict(method="newton", hessp=lambda x, p: p), ValueError, "needs the full Hessian"),
    (dict(options={"m": 5}), ValueError, r"unknown options \['m'\]"),
    (dict(method="adam", options={"momentum": 0.9}), ValueError, r"unknown options"),
    (dict(jac=3), TypeError, "jac must be callable"),
    (dict(options={"c1": 0.95}), ValueError, "need c1 < c2"),
    (dict(method="l-bfgs", options={"m": 0}), ValueError, r"options\['m'\] must be an int"),
    (dict(method="newton-cg", options={"c1": 1.5}), ValueError, r"options\['c1'\] must be"),
])
def test_bad_arguments(kwargs, err, match):
    args = dict(x0=[0.0, 0.0])
    args.update(kwargs)
    with pytest.raises(err, match=match):
        minimize(F.elongated_bowl, **args)


def test_bad_objectives():
    with pytest.raises(ValueError, match=r"fun must return a scalar, got shape \(2,\)"):
        minimize(lambda t: t * 2, [1.0, 2.0])
    with pytest.raises(ValueError, match="fun\\(x0\\) must be finite, got nan"):
        minimize(lambda t: (t * np.nan).sum(), [1.0, 2.0])
    with pytest.raises(TypeError, match="fun must return a scalar Tensor"):
        minimize(lambda t: 3.0, [1.0])
    with pytest.raises(TypeError, match="fun must be callable"):
        minimize("rosen", [1.0])
    with pytest.raises(ValueError, match="jac must return an array"):
        minimize(so.rosen, [1.0, 2.0], jac=lambda x: np.zeros(3))
