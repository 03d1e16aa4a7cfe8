"""Experiments of the optimisation chapter (000 chapter 1, 001 chapter 6).

gd-parabola           000 Listing 1.1: gradient descent on (x - 1)² from x = 3
gd-two-rates          000 Listing 1.2: one rate per variable vs one shared rate
adam-assignment       000 §1.5: Adam finds the minimum of (x1 - 2)² + 10 (x2 + 3)²
zigzag                000 Figs. 1.4/1.5: steepest descent zigzags on an elongated bowl only
optimizer-race        001 Fig. 6.3: every method of nnscratch.optimize on Rosenbrock and the bowl
newton-least-squares  001 eq. 6.11: Newton solves least squares in one step

Also the two figure helpers the chapter needs: :func:`plot_paths` (contours with optimizer
paths overlaid) and :func:`plot_losses` (f - f* against the iteration, log scale).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...optimize import METHODS, functions, minimize
from ...optimize.result import OptimizeResult
from ...random import rng
from .registry import Config, Expect, Result, experiment


# --------------------------------------------------------------------------- figures
def plot_paths(ax, fn, paths: dict, xlim, ylim, log_levels: bool = False, n_grid: int = 200,
               title: str | None = None):
    """Contours of the 2-D function ``fn`` with each path in ``paths`` (label -> (k, 2))
    drawn on top; the minimiser ``fn.x_min`` is a star.  ``log_levels`` spaces the contours
    geometrically (for Rosenbrock's steep walls)."""
    xs, ys = np.linspace(xlim[0], xlim[1], n_grid), np.linspace(ylim[0], ylim[1], n_grid)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(fn(np.stack([X, Y])))       # the functions evaluate a grid at once
    if log_levels:
        levels = np.geomspace(max(Z.min(), 1e-3), Z.max(), 25)
    else:  # denser near the minimum, where the paths end
        levels = Z.min() + (Z.max() - Z.min()) * np.linspace(0, 1, 26)[1:] ** 2
    ax.contour(X, Y, Z, levels=levels, cmap="Greys", linewidths=0.6)
    for label, path in paths.items():
        p = _thin(np.asarray(path).reshape(len(path), -1))
        ax.plot(p[:, 0], p[:, 1], ".-", ms=3, lw=1, label=label)
    ax.plot(*np.asarray(fn.x_min)[:2], "r*", ms=12, label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or fn.formula, fontsize=9)
    ax.legend(fontsize=7, loc="best")


def plot_losses(ax, losses: dict, f_min: float = 0.0, title: str = "loss vs iteration",
                log_x: bool = False):
    """f_k - f* against k on a log scale for each run (label -> losses array); ``log_x``
    also puts k + 1 on a log scale, to compare runs of 5 and 5,000 iterations."""
    floor = 1e-16     # an exact hit (Newton on a quadratic) would send log(0) to -inf
    for label, ls in losses.items():
        gap = np.maximum(np.asarray(ls, dtype=float) - f_min, floor)
        k = _thin(np.arange(len(gap)))
        # short runs (Newton's one step) get markers or they vanish against the axis
        ax.semilogy(k + 1 if log_x else k, gap[k], "o-" if len(gap) <= 20 else "-", ms=4, lw=1,
                    label=label)
    ax.set_ylim(bottom=floor / 10)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("iteration + 1" if log_x else "iteration")
    ax.set_ylabel("f(x_k) - f*")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")


def _thin(a: np.ndarray, keep: int = 100, n: int = 400) -> np.ndarray:
    """The first ``keep`` rows of ``a`` and ``n`` evenly spaced ones after (long runs draw
    slowly and look the same thinned)."""
    if len(a) <= keep + n:
        return a
    idx = np.unique(np.concatenate([np.arange(keep), np.linspace(keep, len(a) - 1, n)
                                    .astype(int)]))
    return a[idx]


def _figure(ncols: int, width: float = 5.0):
    from .plotting import plt
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, 4.2))
    return fig, np.atleast_1d(axes)


def _save(fig, cfg: Config, name: str) -> str:
    from .plotting import savefig
    return savefig(fig, cfg.figure(name))


def direction_reversals(path) -> int:
    """How often the path turns back: steps k with (x_(k+1) - x_k)·(x_k - x_(k-1)) < 0."""
    steps = np.diff(np.asarray(path).reshape(len(path), -1), axis=0)
    return int(np.sum(np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0))


# --------------------------------------------------------------------------- experiments
@experiment("gd-parabola", source="000 §1.2.1, Listing 1.1",
            summary="gradient descent with eta = 0.001 takes x from 3 to the minimum x = 1 "
                    "of (x - 1)^2")
def gd_parabola(cfg: Config) -> Result:
    eta, x0, f = 1e-3, 3.0, functions.parabola
    # Listing 1.1 as printed: 50,000 epochs with the hand-written derivative 2(x - 1) (no
    # stopping rule: gtol = 1e-300 stops only once the gradient is exactly 0), in both modes
    res = minimize(f, x0, "gd", lr=eta, jac=f.grad, maxiter=50_000, gtol=1e-300)
    k = res.nit
    # x_k - 1 = (1 - 2 eta)^k (x0 - 1): gradient descent on a parabola is a geometric sequence
    closed_form = 1.0 + (1.0 - 2.0 * eta) ** k * (x0 - 1.0)
    # the same descent with the derivative from autograd instead, for the first 500 steps
    auto = minimize(f, x0, "gd", lr=eta, maxiter=500, gtol=1e-12)
    metrics = {"x": float(res.x), "abs_error": abs(float(res.x) - 1.0), "steps": k,
               "closed_form_gap": abs(float(res.x) - closed_form),
               "autograd_path_gap": float(np.max(np.abs(auto.path - res.path[:501])))}

    fig, (a1, a2) = _figure(2)
    grid = np.linspace(-1.0, 3.2, 200)
    a1.plot(grid, (grid - 1) ** 2, "k-", lw=1, label="f(x) = (x - 1)^2")
    shown = res.path[np.unique(np.geomspace(1, k + 1, 30).astype(int) - 1)]
    a1.plot(shown, (shown - 1) ** 2, "o", ms=4, label="iterates (log-spaced k)")
    a1.set_xlabel("x")
    a1.set_ylabel("f(x)")
    a1.legend(fontsize=8)
    a1.set_title("000 Listing 1.1: x0 = 3, eta = 0.001", fontsize=9)
    plot_losses(a2, {"gd, eta = 0.001": res.losses})
    fig_path = _save(fig, cfg, "gd-parabola")
    return Result(
        metrics=metrics,
        expected={"abs_error": Expect("<=", 1e-12, "Listing 1.1 prints x = 1.0 after 50,000 "
                                      "epochs", source="text: 000 Listing 1.1"),
                  "closed_form_gap": Expect("<=", 1e-12, "x_k = 1 + 2 (1 - 2 eta)^k",
                                            source="text: 000 §1.2.1"),
                  "autograd_path_gap": Expect("<=", 1e-12, "autograd gives the same f'(x)",
                                              source="ours")},
        figures=[fig_path], headline="abs_error")


@experiment("gd-two-rates", source="000 §1.2.1, Listing 1.2",
            summary="one learning rate per variable (0.1, 0.05) reaches (2, -3); one shared "
                    "rate 0.1 oscillates, 0.11 diverges")
def gd_two_rates(cfg: Config) -> Result:
    f, x0, eps = functions.elongated_bowl, [0.0, 0.0], 1e-6
    # the listing's stopping test |f_k - f_(k-1)| < 1e-6 is tol; gradients by autograd
    runs = {
        "eta = (0.1, 0.05)": minimize(f, x0, "gd", lr=[0.1, 0.05], tol=eps),
        "eta = 0.1 shared": minimize(f, x0, "gd", lr=0.1, tol=eps),
        "eta = 0.11 shared": minimize(f, x0, "gd", lr=0.11, tol=eps, maxiter=5000),
    }
    # both rates with no stopping test at all, 200 steps: when is x within 1e-3 of (2, -3)?
    # (with one shared rate, x2 + 3 flips sign every step and never shrinks)
    free = minimize(f, x0, "gd", lr=0.1, maxiter=200, gtol=1e-12, jac=f.grad)
    free_per = minimize(f, x0, "gd", lr=[0.1, 0.05], maxiter=200, gtol=1e-12, jac=f.grad)
    x2_dev = free.path[:, 1] + 3.0

    def steps_to(r, eps=1e-3):
        hit = np.nonzero(np.linalg.norm(r.path - f.x_min, axis=1) < eps)[0]
        return int(hit[0]) if hit.size else -1
    rows, metrics = [], {}
    for label, r in runs.items():
        err = float(np.linalg.norm(r.x - f.x_min))
        rows.append({"rates": label, "steps (Listing 1.2 test)": r.nit,
                     "x1": round(float(r.x[0]), 6), "x2": float(f"{r.x[1]:.6g}"),
                     "distance to (2, -3)": float(f"{err:.3g}"),
                     "outcome": "converged" if r.success and err < 1e-2 else
                                ("stopped at the wrong point (oscillation)" if r.success
                                 else "diverged")})
    per, shared, big = runs.values()
    metrics.update({
        "per_variable_steps": per.nit,
        "per_variable_error": float(np.linalg.norm(per.x - f.x_min)),
        "shared_steps": shared.nit,
        "shared_error": float(np.linalg.norm(shared.x - f.x_min)),
        "shared_x2_sign_flips": int(np.sum(np.sign(x2_dev[1:]) != np.sign(x2_dev[:-1]))),
        "per_variable_steps_to_1e-3": steps_to(free_per),
        "shared_steps_to_1e-3": steps_to(free),          # -1: never, in 200 steps
        "shared_min_error_200_steps": float(np.min(np.linalg.norm(free.path - f.x_min,
                                                                  axis=1))),
        "diverging_success": int(big.success),
        "diverging_steps": big.nit,
    })

    fig, (a1, a2) = _figure(2)
    shown = {"eta = (0.1, 0.05)": 40, "eta = 0.1 shared": 40, "eta = 0.11 shared": 8}
    plot_paths(a1, f, {k: r.path[:shown[k]] for k, r in runs.items()}, (-0.5, 3.0),
               (-7.0, 1.0), title="000 Listing 1.2 on " + f.formula)
    plot_losses(a2, {k: r.losses for k, r in runs.items()})
    a2.set_ylim(1e-7, 1e6)
    a2.set_xlim(0, 45)
    return Result(
        metrics=metrics,
        expected={
            "per_variable_error": Expect("<=", 2e-3, "|df| < 1e-6 stops with |x1 - 2| ~ 1.3e-3",
                                         source="ours"),
            "per_variable_steps": Expect("<=", 40, "Listing 1.2 converges (it prints the step "
                                         "count but the text shows no output; bar ours)",
                                         source="ours"),
            "shared_min_error_200_steps": Expect(">=", 2.9, "x2 oscillates between 0 and -6",
                                                 source="ours: closed form, 1 − 0.1·20 = −1"),
            "shared_steps_to_1e-3": Expect("==", -1, "one shared rate 0.1 never converges",
                                           source="text: 000 §1.2.1"),
            "diverging_success": Expect("==", 0, "rate 0.11 > 2/20 diverges along x2",
                                        source="ours: closed form, |1 − 0.11·20| > 1"),
        },
        figures=[_save(fig, cfg, "gd-two-rates")], headline="per_variable_steps",
        tables={"gradient descent on the elongated bowl": rows})


@experiment("adam-assignment", source="000 §1.5",
            summary="Adam (lr 0.1) finds the minimum (2, -3) of (x1 - 2)^2 + 10 (x2 + 3)^2")
def adam_assignment(cfg: Config) -> Result:
    f = functions.elongated_bowl
    res = minimize(f, [0.0, 0.0], "adam", lr=0.1, maxiter=5000, gtol=1e-8)
    dist = np.linalg.norm(res.path - f.x_min, axis=1)
    within = np.nonzero(dist < 1e-3)[0]
    metrics = {"error": float(dist[-1]), "x1": float(res.x[0]), "x2": float(res.x[1]),
               "steps": res.nit, "steps_to_1e-3": int(within[0]) if within.size else -1}
    fig, (a1, a2) = _figure(2)
    plot_paths(a1, f, {"adam, lr = 0.1": res.path}, (-0.5, 3.0), (-4.5, 0.5))
    plot_losses(a2, {"adam, lr = 0.1": res.losses})
    return Result(metrics=metrics,
                  expected={"error": Expect("<=", 1e-3, "minimum at (2, -3)",
                                            source="text: 000 §1.5")},
                  figures=[_save(fig, cfg, "adam-assignment")], headline="error")


@experiment("zigzag", source="000 §1.4, Figs. 1.4-1.5",
            summary="steepest descent zigzags on the elongated bowl and runs straight to the "
                    "minimum of the circular bowl")
def zigzag(cfg: Config) -> Result:
    x0, eta = [-2.0, 0.0], 0.09
    runs = {fn.name: (fn, minimize(fn, x0, "gd", lr=eta, gtol=1e-6, maxiter=2000))
            for fn in (functions.elongated_bowl, functions.circular_bowl)}
    metrics: dict[str, Any] = {}
    rows: list[dict] = []
    for name, (fn, r) in runs.items():
        key = name.split()[0]
        # distance of every iterate from the straight segment x0 -> x*
        u = (fn.x_min - r.path[0]) / np.linalg.norm(fn.x_min - r.path[0])
        rel = r.path - r.path[0]
        offline = float(np.max(np.abs(rel[:, 0] * u[1] - rel[:, 1] * u[0])))
        length = float(np.sum(np.linalg.norm(np.diff(r.path, axis=0), axis=1)))
        metrics.update({f"{key}_reversals": direction_reversals(r.path),
                        f"{key}_steps": r.nit,
                        f"{key}_max_off_line": offline,
                        f"{key}_path_over_distance": float(length / np.linalg.norm(fn.x_min
                                                                                   - x0))})
        rows.append({"function": fn.formula, "steps": r.nit,
                     "direction reversals": direction_reversals(r.path),
                     "max distance from the straight line": float(f"{offline:.3g}"),
                     "path length / distance": round(metrics[f"{key}_path_over_distance"], 3)})
    fig, axes = _figure(2)
    for ax, (name, (fn, r)) in zip(axes, runs.items()):
        plot_paths(ax, fn, {f"gd, eta = {eta}": r.path}, (-2.5, 2.5), (-6.0, 1.0),
                   title=f"{name}: {fn.formula}")
        ax.set_aspect("equal")
    return Result(
        metrics=metrics,
        expected={"elongated_reversals": Expect(">=", 10, "zigzag",
                                                source="text: 000 Fig. 1.4"),
                  "circular_reversals": Expect("==", 0, "no zigzag",
                                               source="text: 000 Fig. 1.5"),
                  "circular_max_off_line": Expect("<=", 1e-9, "a straight line to the minimum",
                                                  source="text: 000 Fig. 1.5")},
        figures=[_save(fig, cfg, "zigzag")], headline="elongated_reversals",
        tables={"steepest descent, eta = 0.09, x0 = (-2, 0)": rows})


def momentum_001(fn, x0, lr: float, alpha: float = 0.5, gtol: float = 1e-6,
                 maxiter: int = 1000) -> OptimizeResult:
    """001 eq. 6.6, θ_(k+1) = θ_k + α(θ_k - θ_(k-1)) - (1 - α) η g_k from θ_(-1) = θ_0, with
    "usually α = ½".  That is m_k = α m_(k-1) + (1 - α) g_k from m_0 = 0, the rule of
    SGD(momentum=α, dampening=α) except its first step: torch's SGD starts its buffer at g_1,
    not (1 - α) g_1.  Stops when ‖g‖∞ < gtol or after ``maxiter`` steps."""
    x = prev = np.asarray(x0, dtype=np.float64)
    path, losses, g = [x], [float(fn(x))], fn.grad(x)
    for _ in range(maxiter):
        if np.abs(g).max() < gtol:
            break
        x, prev = x + alpha * (x - prev) - (1 - alpha) * lr * g, x
        g = fn.grad(x)
        path.append(x)
        losses.append(float(fn(x)))
    ok = bool(np.abs(g).max() < gtol)
    return OptimizeResult(x=x, fun=losses[-1], grad=g, nit=len(path) - 1, nfev=len(path),
                          njev=len(path), success=ok, method="momentum (001 eq. 6.6)",
                          message="gradient below gtol" if ok else "maxiter reached",
                          path=np.array(path), losses=np.array(losses))


# per-method learning rates of the race (the line-search methods choose their own steps).
# Momentum and AdaGrad take 001's rules: momentum is :func:`momentum_001`; AdaGrad is eq. 6.16
# with ε inside the root, η g / √(Σ g² + ε): Adagrad's accumulator starts at ε and nothing is
# added outside the root
RACE_OPTIONS = {"adagrad": {"initial_accumulator_value": 1e-10, "eps": 0.0}}
RACE_LR = {
    "Rosenbrock": {"gd": 1e-3, "momentum": 2e-3, "adagrad": 0.5, "rmsprop": 1e-3, "adam": 0.05},
    "elongated bowl": {"gd": 0.08, "momentum": 0.02, "adagrad": 0.5, "rmsprop": 0.01,
                       "adam": 0.1},
}


@experiment("optimizer-race", source="001 §6.4-6.10, Fig. 6.3; 000 §1.4",
            summary="every minimiser on Rosenbrock from (-1.5, 2) and on the elongated bowl: "
                    "iterations, evaluations, final error")
def optimizer_race(cfg: Config) -> Result:
    problems = [(functions.rosenbrock, [-1.5, 2.0], (-2.0, 2.0), (-1.0, 3.0), True),
                (functions.elongated_bowl, [0.0, 0.0], (-0.5, 3.0), (-4.5, 0.5), False)]
    cap = 2500 if cfg.quick else 20_000
    rows: list[dict] = []
    metrics: dict[str, Any] = {}
    figures: list = []
    fig, axes = _figure(2)
    lfig, laxes = _figure(2)
    for (fn, x0, xlim, ylim, log_levels), ax, lax in zip(problems, axes, laxes):
        results = {}
        for method in METHODS:
            # analytic ∇f and ∇²f (the functions carry them): the race compares methods, not
            # gradient sources, and exact Hessians keep Newton honest
            kw: dict[str, Any] = {"jac": fn.grad, "gtol": 1e-6}
            if method in ("newton", "newton-cg"):
                kw["hess"] = fn.hess
            if method in RACE_LR[fn.name]:
                kw.update(lr=RACE_LR[fn.name][method], maxiter=cap)
            if method in RACE_OPTIONS:
                kw["options"] = RACE_OPTIONS[method]
            if method == "momentum":
                r = results[method] = momentum_001(fn, x0, kw["lr"], gtol=kw["gtol"],
                                                   maxiter=cap)
            else:
                r = results[method] = minimize(fn, x0, method, **kw)
            err = float(np.linalg.norm(r.x - fn.x_min))
            rows.append({"function": fn.name, "method": method, "lr": kw.get("lr", "-"),
                         "iterations": r.nit, "f evaluations": r.nfev,
                         "Hessian evaluations": r.nhev, "final error": float(f"{err:.3g}"),
                         "converged": r.success})
            tag = fn.name.split()[0].lower()
            metrics[f"{tag}_{method}_nit"] = r.nit
            metrics[f"{tag}_{method}_error"] = err
            metrics[f"{tag}_{method}_hit_cap"] = int(method in RACE_LR[fn.name]
                                                     and not r.success and r.nit >= cap)
        # iterations to a tolerance every method reaches: the worst final f - f* of the race
        gaps = {m: np.asarray(r.losses, dtype=float) - fn.f_min for m, r in results.items()}
        tol = max(float(g.min()) for g in gaps.values())
        for m, g in gaps.items():
            metrics[f"{tag}_{m}_nit_to_tol"] = int(np.argmax(g <= tol))
        metrics[f"{tag}_common_tol"] = tol
        plot_paths(ax, fn, {m: r.path for m, r in results.items()}, xlim, ylim, log_levels,
                   title=f"{fn.name} from {tuple(x0)}")
        plot_losses(lax, {m: r.losses for m, r in results.items()}, fn.f_min,
                    title=f"{fn.name}: f - f* (log-log)", log_x=True)
    figures = [_save(fig, cfg, "optimizer-race-paths"), _save(lfig, cfg, "optimizer-race-loss")]
    second_order = ("newton", "newton-cg", "bfgs", "l-bfgs")
    metrics["second_order_max_error"] = max(metrics[f"{t}_{m}_error"] for m in second_order
                                            for t in ("rosenbrock", "elongated"))
    for t in ("rosenbrock", "elongated"):
        metrics[f"{t}_gd_over_bfgs_iterations_to_tol"] = (
            metrics[f"{t}_gd_nit_to_tol"] / max(metrics[f"{t}_bfgs_nit_to_tol"], 1))
    metrics["elongated_methods_at_cap"] = sum(metrics[f"elongated_{m}_hit_cap"]
                                              for m in RACE_LR["elongated bowl"])
    return Result(
        metrics=metrics,
        expected={
            "second_order_max_error": Expect("<=", 1e-5, "Newton, Newton-CG, BFGS and L-BFGS "
                                                         "converge on both (gtol 1e-6)",
                                                                 source="ours"),
            "rosenbrock_gd_over_bfgs_iterations_to_tol": Expect(
                ">=", 10, "to the f - f* every method reaches (rosenbrock_common_tol), "
                "gradient descent takes >= 10x BFGS's iterations", source="ours"),
            "elongated_gd_over_bfgs_iterations_to_tol": Expect(
                ">=", 5, "on the elongated bowl every method converges (gtol 1e-6)",
                source="ours"),
            "elongated_methods_at_cap": Expect("==", 0, "no first-order method hits the "
                                               "iteration cap on the bowl", source="ours"),
            "rosenbrock_adam_error": Expect("<=", 1e-4, "Adam (lr 0.05) reaches (1, 1)",
                                            source="ours"),
        },
        figures=figures, headline="second_order_max_error",
        tables={"optimizer race (gtol = 1e-6)": rows})


@experiment("newton-least-squares", source="001 §6.7, eqs. 6.9-6.11",
            summary="one Newton step from theta = 0 lands on the least-squares solution; "
                    "gradient descent needs thousands")
def newton_least_squares(cfg: Config) -> Result:
    gen = rng(cfg.seed)
    n, d = 100, 5
    # features on different scales (as raw data often are): XᵀX is ill-conditioned, which
    # slows gradient descent and does not matter to Newton
    scales = np.array([1.0, 5.0, 0.2, 2.0])
    X = np.column_stack([np.ones(n), gen.standard_normal((n, d - 1)) * scales])
    theta_true = gen.standard_normal(d)
    y = X @ theta_true + 0.1 * gen.standard_normal(n)
    J = functions.least_squares(X, y)
    normal_eq = np.linalg.solve(X.T @ X, X.T @ y)      # (XᵀX)⁻¹Xᵀy, 001 eq. 6.11
    theta0 = np.zeros(d)
    # the Hessian by double backward through the loss (autograd), and the closed form 2XᵀX
    fd = minimize(J, theta0, "newton", gtol=1e-6)
    exact = minimize(J, theta0, "newton", hess=J.hess, gtol=1e-6)
    eta = 1.0 / np.linalg.eigvalsh(2 * X.T @ X).max()  # a safe fixed rate (< 2 / λmax)
    gd = minimize(J, theta0, "gd", lr=eta, jac=J.grad, gtol=1e-6, maxiter=50_000)

    def rel(theta):
        return float(np.linalg.norm(theta - normal_eq) / np.linalg.norm(normal_eq))
    metrics = {"newton_iterations": fd.nit, "newton_rel_error": rel(fd.path[1]),
               "newton_exact_hessian_rel_error": rel(exact.path[1]),
               "gd_iterations": gd.nit, "gd_rel_error": rel(gd.x)}
    fig, (a1,) = _figure(1, 6.0)
    plot_losses(a1, {"Newton (autograd Hessian)": fd.losses,
                     "Newton (exact Hessian 2X^T X)": exact.losses,
                     f"gradient descent, eta = 1/lambda_max = {eta:.2g}": gd.losses},
                J.f_min, title="least squares ||X theta - y||^2, N = 100, d = 5")
    a1.set_ylim(1e-14, None)
    return Result(
        metrics=metrics,
        expected={"newton_iterations": Expect("==", 1, "one step",
                                              source="text: 001 eq. 6.11"),
                  "newton_rel_error": Expect("<=", 1e-7, "autograd Hessian (double backward)",
                                             source="ours"),
                  "newton_exact_hessian_rel_error": Expect("<=", 1e-12, "exact Hessian",
                                                           source="ours")},
        figures=[_save(fig, cfg, "newton-least-squares")], headline="newton_rel_error")
