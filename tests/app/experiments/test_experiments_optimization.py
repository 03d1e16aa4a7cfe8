"""The optimisation chapter's experiments, run in quick mode: each must reach its outcome.

Expected numbers come from the textbooks' mathematics, computed here independently of the
library (closed forms of gradient descent on quadratics, the normal equations).
"""
import numpy as np
import pytest
from helpers.experiments import run_quick

from nnscratch.app.experiments import Config


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    return Config(seed=0, quick=True, out=tmp_path_factory.mktemp("optimization"))


def test_gd_parabola_reaches_one(cfg):
    m = run_quick("gd-parabola", cfg.out).metrics
    # Listing 1.1 as printed, 50,000 epochs: x_k = 1 + 2 (0.998)^k rounds to 1.0 in float64
    # once 2 (0.998)^k < 2^-53, i.e. after about 18,000 steps; the run stops there (zero
    # gradient) or at the 50,000th
    k = np.log(2.0 ** -53 / 2) / np.log(0.998)
    assert k - 2 <= m["steps"] <= 50_000
    assert abs(m["x"] - 1) <= 1e-12


def test_gd_two_rates_steps_and_oscillation(cfg):
    res = run_quick("gd-two-rates", cfg.out)
    m = res.metrics
    f = [94.0] + [4 * 0.64 ** k for k in range(1, 100)]   # f_k with rates (0.1, 0.05)
    steps = next(k for k in range(1, 100) if abs(f[k] - f[k - 1]) < 1e-6)
    assert m["per_variable_steps"] == steps
    assert m["per_variable_error"] == pytest.approx(2 * 0.8 ** steps, rel=1e-9)
    assert m["shared_error"] == pytest.approx(3.0, rel=1e-6)   # x2 stuck at 0 or -6
    assert m["shared_x2_sign_flips"] == 200
    # |x - x*| = 2 (0.8)^k once x2 = -3 (after one step): first k with 2 (0.8)^k < 1e-3
    assert m["per_variable_steps_to_1e-3"] == int(np.ceil(np.log(5e-4) / np.log(0.8)))
    assert m["shared_steps_to_1e-3"] == -1
    assert m["diverging_success"] == 0
    outcomes = [row["outcome"] for row in res.tables["gradient descent on the elongated bowl"]]
    assert outcomes == ["converged", "stopped at the wrong point (oscillation)", "diverged"]


def test_adam_assignment_reaches_the_minimum(cfg):
    m = run_quick("adam-assignment", cfg.out).metrics
    assert np.hypot(m["x1"] - 2, m["x2"] + 3) <= 1e-3
    assert 0 < m["steps_to_1e-3"] <= m["steps"]


def test_zigzag_only_on_the_elongated_bowl(cfg):
    m = run_quick("zigzag", cfg.out).metrics
    # eta = 0.09: x2 + 3 is multiplied by 1 - 20 eta = -0.8 each step (it turns back every
    # step while that direction dominates), x1 - 2 by 0.82; the circular bowl shrinks both
    # coordinates by 0.82: a straight line
    assert m["elongated_reversals"] >= 0.8 * m["elongated_steps"]
    assert m["circular_reversals"] == 0
    assert m["circular_path_over_distance"] == pytest.approx(1.0, abs=1e-6)
    assert m["elongated_path_over_distance"] > 3


def test_optimizer_race_table(cfg):
    res = run_quick("optimizer-race", cfg.out)
    rows = res.tables["optimizer race (gtol = 1e-6)"]
    assert {(r["function"], r["method"]) for r in rows} == {
        (f, m) for f in ("Rosenbrock", "elongated bowl")
        for m in ("gd", "momentum", "adagrad", "rmsprop", "adam", "newton", "newton-cg",
                  "bfgs", "l-bfgs")}
    by = {(r["function"], r["method"]): r for r in rows}
    for m in ("newton", "newton-cg", "bfgs", "l-bfgs"):
        assert by[("Rosenbrock", m)]["converged"] and by[("Rosenbrock", m)]["final error"] < 1e-5
    # Newton is exact on the quadratic bowl: one step
    assert by[("elongated bowl", "newton")]["iterations"] == 1
    assert by[("Rosenbrock", "bfgs")]["iterations"] < by[("Rosenbrock", "gd")]["iterations"]
    assert len(res.figures) == 2
    # iterations are compared at a tolerance every method reached, not at gradient descent's cap
    m = res.metrics
    tol = m["rosenbrock_common_tol"]
    assert 0 < tol < 1.0 and all(m[f"rosenbrock_{k}_nit_to_tol"] <= by[("Rosenbrock", k)][
        "iterations"] for k in ("gd", "bfgs", "adam"))
    assert m["rosenbrock_gd_nit_to_tol"] >= 10 * m["rosenbrock_bfgs_nit_to_tol"]
    assert m["elongated_methods_at_cap"] == 0


def test_newton_least_squares_one_step(cfg):
    m = run_quick("newton-least-squares", cfg.out).metrics
    assert m["newton_iterations"] == 1
    assert m["newton_exact_hessian_rel_error"] <= 1e-12
    assert m["gd_iterations"] > 100 * m["newton_iterations"]


def test_race_rules_are_001s_equations():
    """The race's momentum and AdaGrad take 001's steps: eq. 6.6 θ_(k+1) = θ_k + α(θ_k - θ_(k-1))
    - (1 - α) η g_k, and eq. 6.16 θ_(k+1) = θ_k - η g_k / √(Σ_t g_t² + ε), computed by hand."""
    from nnscratch.app.experiments.optimization import RACE_OPTIONS, momentum_001
    from nnscratch.optimize import functions, minimize
    f, x0, lr, k = functions.rosenbrock, np.array([-1.5, 2.0]), 1e-3, 6
    got = momentum_001(f, x0, lr, maxiter=k, gtol=1e-300).path
    alpha, want = 0.5, [x0, x0]
    for _ in range(k):
        th, prev = want[-1], want[-2]
        want.append(th + alpha * (th - prev) - (1 - alpha) * lr * f.grad(th))
    np.testing.assert_allclose(got, np.array(want[1:]), rtol=1e-12, atol=1e-15)
    # torch's SGD(momentum=α, dampening=α) takes the same steps but the first (buffer = g_1)
    torch_form = minimize(f, x0, "momentum", lr=lr, jac=f.grad, maxiter=1, gtol=1e-300,
                          options={"momentum": alpha, "dampening": alpha}).path[1]
    np.testing.assert_allclose(torch_form - x0, (got[1] - x0) / (1 - alpha), rtol=1e-12)
    got = minimize(f, x0, "adagrad", lr=0.5, jac=f.grad, maxiter=k, gtol=1e-300,
                   options=RACE_OPTIONS["adagrad"]).path
    th, acc, want = x0.copy(), 0.0, [x0]
    for _ in range(k):
        g = f.grad(th)
        acc = acc + g * g
        th = th - 0.5 * g / np.sqrt(acc + 1e-10)
        want.append(th)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-12, atol=1e-15)
