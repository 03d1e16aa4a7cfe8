"""The 2-D polynomial bases of 001 Figure 5.4 (§5.4): a linear model made non-linear in x by
its features."""
from __future__ import annotations

import numpy as np

from ... import random as nsrandom
from ...features import PolynomialFeatures
from ...linear_model import Ridge
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


@experiment("poly-basis-2d", source="001 §5.4, Figure 5.4",
            summary="two inputs: the linear basis [1, x1, x2] against the quadratic "
                    "[1, x1, x2, x1², x2²] on a quadratic surface")
def poly_basis_2d(cfg: Config) -> Result:
    """001 §5.4, Figure 5.4: "higher degree polynomial basis functions ... for higher
    dimensional models", φ(x) = [1, x1, x2] (left) and φ(x) = [1, x1, x2, x1², x2²] (right),
    each fitted by θ = (φᵀφ + δ²I)⁻¹ φᵀ y.  The text gives no data; ours: 100 points uniform
    on [-1, 1]², y = 1 + x1 - 2 x2 + 2 x1² + x2² + N(0, 0.1²), δ² = 10⁻³, test error on 2,000
    fresh points.  ``PolynomialFeatures(2, interactions=False)`` is the text's basis (powers
    of each input, no x1 x2); ``Ridge(fit_intercept=False)`` solves the text's formula (its
    1-column penalised as the formula does), which we also solve directly to check it.
    """
    gen = nsrandom.rng(cfg.seed)

    def surface(X):
        return 1 + X[:, 0] - 2 * X[:, 1] + 2 * X[:, 0] ** 2 + X[:, 1] ** 2

    X = gen.uniform(-1, 1, (100, 2))
    y = surface(X) + 0.1 * gen.standard_normal(100)
    Xt = gen.uniform(-1, 1, (2000, 2))
    yt = surface(Xt) + 0.1 * gen.standard_normal(2000)
    g1, g2 = np.meshgrid(np.linspace(-1, 1, 30), np.linspace(-1, 1, 30))
    G = np.c_[g1.ravel(), g2.ravel()]
    fig = plt.figure(figsize=(11, 4.5))
    metrics, formula_err = {}, 0.0
    for k, (name, degree) in enumerate((("linear", 1), ("quadratic", 2))):
        phi = PolynomialFeatures(degree, interactions=False).fit(X)
        P = phi.transform(X)
        model = Ridge(alpha=1e-3, fit_intercept=False).fit(P, y)
        direct = np.linalg.solve(P.T @ P + 1e-3 * np.eye(P.shape[1]), P.T @ y)
        formula_err = max(formula_err, float(np.abs(model.coef_ - direct).max()))
        metrics[f"test_mse {name}"] = float(np.mean((model.predict(phi.transform(Xt)) - yt) ** 2))
        metrics[f"n_basis {name}"] = P.shape[1]
        ax = fig.add_subplot(1, 2, k + 1, projection="3d")
        ax.plot_surface(g1, g2, model.predict(phi.transform(G)).reshape(g1.shape), alpha=0.5,
                        cmap="viridis")
        ax.scatter(X[:, 0], X[:, 1], y, c="r", s=8)
        ax.set(xlabel="$x_1$", ylabel="$x_2$", title=f"φ = {phi.powers_.tolist()} "
               f"(test MSE {metrics[f'test_mse {name}']:.3f})")
        ax.title.set_fontsize(8)
    fig_path = savefig(fig, cfg.figure("poly_basis_2d"))
    metrics["ridge_minus_formula"] = formula_err
    return Result(
        metrics,
        expected={"n_basis linear": Expect("==", 3, "[1, x1, x2]", source="text: 001 §5.4"),
                  "n_basis quadratic": Expect("==", 5, "[1, x1, x2, x1², x2²]",
                                              source="text: 001 §5.4"),
                  "ridge_minus_formula": Expect("<=", 1e-10, "θ = (φᵀφ + δ²I)⁻¹ φᵀ y",
                                                source="text: 001 §5.4"),
                  "test_mse quadratic": Expect("<=", 0.0125, "the quadratic basis reaches the "
                                               "noise level 0.01", source="ours"),
                  "test_mse linear": Expect(">=", 0.1, "the plane misses the curvature",
                                            source="ours")},
        figures=[fig_path], headline="test_mse quadratic")
