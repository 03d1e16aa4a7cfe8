"""The Julia/Flux notes' worked examples (001): MLE as KL minimisation (§4.10), ridge as the
MAP estimate with δ² = σ²/τ² (§5.3), the 2-D polynomial bases of Figure 5.4, the gradient field
of Figure 6.1, and SGD on least squares (§6.9, §6.12)."""
from __future__ import annotations

import numpy as np

from ... import nn, optim, stats
from ... import random as nsrandom
from ...features import PolynomialFeatures
from ...linear_model import LinearRegression, Ridge
from ...optimize import minimize
from ...tensor import tensor
from ...training import Callback, fit
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _gauss_logpdf(x, mu, logvar):
    """log N(x; μ, e^logvar) on Tensors (μ, logvar) and an array x."""
    return -0.5 * (np.log(2 * np.pi) + logvar + (tensor(x) - mu) ** 2 / logvar.exp())


@experiment("mle-as-kl", source="001 §4.10",
            summary="the MLE minimises the empirical KL divergence from the world to the model; "
                    "as N grows it approaches the true KL, minimised at θ0")
def mle_as_kl(cfg: Config) -> Result:
    """001 §4.10's theorem and proof, on the Gaussian family θ = (μ, σ²) with the world
    θ0 = (2, 1.5²).  Each line of the proof is a statement we check:

    * argmax_θ Σ log p(x_i|θ) = argmin_θ (1/N) Σ log p(x_i|θ0)/p(x_i|θ): we minimise the second
      (BFGS by autograd on (μ, log σ²)) and compare with the closed-form MLE
      ``stats.mle_gaussian`` (the sample mean and the 1/N variance);
    * "→ argmin_θ ∫ p(x|θ0) log p(x|θ0)/p(x|θ) dx as N → ∞": the empirical objective tends to
      KL(θ0‖θ) (``stats.kl_gaussian``) — the largest gap over a grid of θ shrinks — and the
      MLE's KL(θ0‖θ̂) falls towards 0 (about d/2N = 1/N for d = 2 parameters).

    N = 10, 100, ..., 10⁵ (10⁴ in quick mode: the checks are the same).
    """
    gen = nsrandom.rng(cfg.seed)
    mu0, var0 = 2.0, 2.25
    sizes = [10, 100, 1000, 10_000] + ([] if cfg.quick else [100_000])
    mus = np.linspace(0.0, 4.0, 81)
    true_kl = np.array([stats.kl_gaussian(mu0, var0, m, var0) for m in mus])
    rows, curves = [], {}
    for n in sizes:
        x = mu0 + np.sqrt(var0) * gen.standard_normal(n)
        mu_hat, var_hat = stats.mle_gaussian(x)
        log_p0 = _gauss_logpdf(x, tensor(mu0), tensor(np.log(var0))).numpy()

        def empirical_kl(theta, x=x, log_p0=log_p0):
            return (tensor(log_p0) - _gauss_logpdf(x, theta[0], theta[1])).mean()

        res = minimize(empirical_kl, np.array([0.0, 0.0]), method="bfgs", gtol=1e-10)
        theta = res.x
        curves[n] = np.array([empirical_kl(tensor([m, np.log(var0)])).item() for m in mus])
        rows.append({"N": n, "mu_hat": float(mu_hat), "var_hat": float(var_hat),
                     "argmin_mu": float(theta[0]), "argmin_var": float(np.exp(theta[1])),
                     "argmin_minus_mle": float(max(abs(theta[0] - mu_hat),
                                                   abs(np.exp(theta[1]) - var_hat))),
                     "kl_true_to_mle": stats.kl_gaussian(mu0, var0, mu_hat, var_hat),
                     "max_gap_to_true_kl": float(np.abs(curves[n] - true_kl).max())})

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for n in sizes:
        axes[0].plot(mus, curves[n], lw=1, label=f"N = {n:,}")
    axes[0].plot(mus, true_kl, "k--", lw=2, label="KL(θ0 ‖ θ)")
    axes[0].set(xlabel="μ (σ² = σ0²)", ylabel="(1/N) Σ log p(x|θ0)/p(x|θ)",
                title="the empirical objective tends to the KL divergence")
    axes[0].legend(fontsize=8)
    axes[1].loglog(sizes, [r["kl_true_to_mle"] for r in rows], "o-", label="KL(θ0 ‖ θ̂_MLE)")
    axes[1].loglog(sizes, [1 / n for n in sizes], "k:", label="d / 2N")
    axes[1].set(xlabel="N", title="the MLE approaches θ0 in KL")
    axes[1].legend()
    fig_path = savefig(fig, cfg.figure("mle_as_kl"))
    src = "text: 001 §4.10 (the theorem's proof)"
    gaps = [r["max_gap_to_true_kl"] for r in rows]
    # at σ² = σ0² the gap is |x̄ - μ0| |μ - μ0| / σ0²: 4 standard errors of x̄ at the largest N
    bar = 4 * np.sqrt(var0 / sizes[-1]) * np.abs(mus - mu0).max() / var0
    return Result(
        metrics={"argmin_minus_mle_max": max(r["argmin_minus_mle"] for r in rows),
                 "max_gap_to_true_kl_largest_N": gaps[-1],
                 "kl_true_to_mle_largest_N": rows[-1]["kl_true_to_mle"]},
        expected={"argmin_minus_mle_max": Expect("<=", 1e-6, "argmin of the empirical KL = "
                                                 "the MLE", source=src),
                  "max_gap_to_true_kl_largest_N": Expect("<=", float(bar), "→ the KL "
                                                         "divergence as N → ∞: the gap is "
                                                         "within 4 standard errors, O(1/√N)",
                                                         source=src),
                  "kl_true_to_mle_largest_N": Expect("<=", 1e-3, "the MLE is near θ0 for "
                                                     "N >= 10⁴", source="ours")},
        figures=[fig_path], headline="argmin_minus_mle_max", tables={"N": rows})


@experiment("ridge-as-map", source="001 §5.3",
            summary="the MAP estimate under a N(0, τ² I) prior and N(Xθ, σ² I) noise is ridge "
                    "regression with δ² = σ²/τ², the best δ² on average")
def ridge_as_map(cfg: Config) -> Result:
    """001 §5.3: with Gaussian noise of variance σ² and a zero-mean Gaussian prior of variance
    τ² on θ, argmax P(θ|X, y) = argmin (y - Xθ)ᵀ(y - Xθ) + (σ²/τ²) θᵀθ: ridge regression with
    δ² = σ²/τ².  We take σ = 1, τ = 0.5 (δ² = 4), n = 30 rows and d = 5 features, draw θ from
    the prior and y from the model, and

    * maximise the log posterior directly (BFGS by autograd on -log P(y|X,θ) - log P(θ)) and
      compare with ``Ridge(alpha=σ²/τ², fit_intercept=False)``;
    * over 400 such draws (200 quick), measure E‖θ̂_δ² - θ‖² for ridge at 25 values of δ²:
      the prior's own δ² = σ²/τ² is the best on average (the posterior mean is the Bayes
      estimate under squared error), so the minimum falls at log δ² ≈ log 4.
    """
    gen = nsrandom.rng(cfg.seed)
    sigma, tau, n, d = 1.0, 0.5, 30, 5
    delta2 = sigma ** 2 / tau ** 2
    X = gen.standard_normal((n, d))
    theta = tau * gen.standard_normal(d)
    y = X @ theta + sigma * gen.standard_normal(n)

    def neg_log_posterior(t):
        r = tensor(y) - tensor(X) @ t
        return (r * r).sum() / (2 * sigma ** 2) + (t * t).sum() / (2 * tau ** 2)

    map_theta = minimize(neg_log_posterior, np.zeros(d), method="bfgs", gtol=1e-12).x
    ridge = Ridge(alpha=delta2, fit_intercept=False).fit(X, y).coef_
    map_err = float(np.abs(map_theta - ridge).max())

    grid = np.logspace(-2, 3, 25)
    draws = 200 if cfg.quick else 400
    sq_err = np.zeros(len(grid))
    for _ in range(draws):
        Xk = gen.standard_normal((n, d))
        tk = tau * gen.standard_normal(d)
        yk = Xk @ tk + sigma * gen.standard_normal(n)
        for j, a in enumerate(grid):
            sq_err[j] += ((Ridge(alpha=a, fit_intercept=False).fit(Xk, yk).coef_ - tk) ** 2).sum()
    sq_err /= draws
    best = float(grid[sq_err.argmin()])

    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.semilogx(grid, sq_err, "o-", label=f"ridge, mean of {draws} draws")
    ax.axvline(delta2, c="k", ls=":", label="δ² = σ²/τ² = 4")
    ax.set(xlabel="δ²", ylabel="E ‖θ̂ - θ‖²", title="ridge = MAP: the prior's δ² is the best")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("ridge_as_map"))
    return Result(
        metrics={"map_minus_ridge": map_err, "best_delta2": best,
                 "abs_log10_best_over_sigma2_tau2": float(abs(np.log10(best / delta2))),
                 "error_at_sigma2_tau2": float(np.interp(np.log(delta2), np.log(grid), sq_err)),
                 "error_least_squares_end": float(sq_err[0])},
        expected={"map_minus_ridge": Expect("<=", 1e-8, "MAP = ridge with δ² = σ²/τ²",
                                            source="text: 001 §5.3"),
                  "abs_log10_best_over_sigma2_tau2": Expect(
                      "<=", 0.3, "the best δ² within a factor 2 of σ²/τ²",
                      source="ours: 001 §5.3's equivalence, on average")},
        figures=[fig_path], headline="map_minus_ridge")


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


@experiment("gradient-field", source="001 §6.2, Figure 6.1",
            summary="the gradient vector field of f(x, y) = -((cos x)² + (cos y)²)² by "
                    "autograd, against its closed form")
def gradient_field(cfg: Config) -> Result:
    """001 Figure 6.1: the gradient field ∇f of f(x, y) = -((cos x)² + (cos y)²)² (eq. 6.1),
    computed by ``backward()`` on a 25 × 25 grid over [-π, π]² and drawn as arrows over f's
    contours.  Checked against the closed form ∂f/∂x = 4 (cos²x + cos²y) cos x sin x (and the
    same in y), and by following -∇f (gradient descent, ``minimize(method="gd")``) from
    (0.5, -0.4) to the minimum f = -4 at the origin.
    """
    t = np.linspace(-np.pi, np.pi, 25)
    gx, gy = np.meshgrid(t, t)
    P = tensor(np.c_[gx.ravel(), gy.ravel()], requires_grad=True)

    def f(p):
        c = p.reshape(-1, 2).cos()
        return -(((c * c).sum(-1)) ** 2)

    f(P).sum().backward()
    grad = P.grad.numpy()
    s = np.cos(gx.ravel()) ** 2 + np.cos(gy.ravel()) ** 2
    closed = np.c_[4 * s * np.cos(gx.ravel()) * np.sin(gx.ravel()),
                   4 * s * np.cos(gy.ravel()) * np.sin(gy.ravel())]
    res = minimize(lambda p: f(p).sum(), np.array([0.5, -0.4]), method="gd", lr=0.05,
                   gtol=1e-8)
    fig, ax = plt.subplots(figsize=(6, 5.5))
    fine = np.linspace(-np.pi, np.pi, 201)
    fx, fy = np.meshgrid(fine, fine)
    cs = ax.contourf(fx, fy, -((np.cos(fx) ** 2 + np.cos(fy) ** 2) ** 2), levels=20,
                     cmap="viridis")
    fig.colorbar(cs, ax=ax, label="f(x, y)")
    ax.quiver(gx, gy, grad[:, 0].reshape(gx.shape), grad[:, 1].reshape(gx.shape), color="w")
    ax.set(xlabel="x", ylabel="y", title="Figure 6.1: ∇f for f = -((cos x)² + (cos y)²)²")
    fig_path = savefig(fig, cfg.figure("gradient_field"))
    return Result(
        metrics={"autograd_minus_closed_form": float(np.abs(grad - closed).max()),
                 "descent_end_f": float(res.fun), "descent_end_norm": float(np.abs(res.x).max())},
        expected={"autograd_minus_closed_form": Expect("<=", 1e-12, "∇f of eq. 6.1 for the "
                                                       "printed f",
                                                       source="text: 001 Figure 6.1"),
                  "descent_end_f": Expect("<=", -4 + 1e-10, "-∇f leads to the minimum -4",
                                          source="ours")},
        figures=[fig_path], headline="autograd_minus_closed_form")


@experiment("sgd-least-squares", source="001 §6.9, §6.12, eqs. 6.12-6.14",
            summary="SGD on least squares: the mini-batch gradient averages to the full one; "
                    "online (n = 1) and mini-batch (n = 20) SGD reach the normal equations")
def sgd_least_squares(cfg: Config) -> Result:
    """001 §6.9 and its notebook (§6.12): SGD estimates ∇J by the mean gradient of n random
    rows (eq. 6.12) and steps θ_{k+1} = θ_k - η_k (that estimate) (eq. 6.13); for least
    squares the per-row gradient is -2 X_iᵀ (y_i - X_i θ).  (Eq. 6.14 as printed reads
    "θ_k - η_k (1/n) Σ X_iᵀ (y_i - X_i θ_k)", which would climb: the minus sign belongs to the
    gradient, with its factor 2.)  Our data: 1,000 rows, y = 2 - 3 x1 + 0.5 x2 + N(0, 0.5²).

    * Eq. 6.12: the mean over a partition of the rows into batches of n = 20 of the batch
      gradients (``loss.backward()`` on ``nn.Linear``) equals the full gradient.
    * Online learning (n = 1, η_0 = 0.01) and mini-batch learning (n = 20, η_0 = 0.1) with
      ``optim.SGD`` through ``fit``, η_k halved every epoch (``ExponentialLR(gamma=0.5)``),
      end close to the least-squares solution ``LinearRegression`` computes from the normal
      equations.
    Quick mode trains 5 epochs, the full run 20.
    """
    gen = nsrandom.rng(cfg.seed)
    N = 1000
    X = gen.standard_normal((N, 2))
    y = 2 - 3 * X[:, 0] + 0.5 * X[:, 1] + 0.5 * gen.standard_normal(N)
    ls = LinearRegression().fit(X, y)
    theta_ls = np.r_[ls.intercept_, ls.coef_]

    def linear_at(theta):
        layer = nn.Linear(2, 1).double()
        layer.weight.data[...] = theta[1:][None]
        layer.bias.data[...] = theta[:1]
        return layer

    def grad(layer, rows):
        layer.zero_grad()
        r = tensor(y[rows, None]) - layer(tensor(X[rows]))
        (r * r).mean().backward()
        return np.r_[layer.bias.grad.numpy(), layer.weight.grad.numpy().ravel()]

    start = np.zeros(3)
    layer = linear_at(start)
    full = grad(layer, np.arange(N))
    batches = np.split(gen.permutation(N), N // 20)
    mean_of_batches = np.mean([grad(layer, b) for b in batches], axis=0)
    closed = -2 * np.r_[np.mean(y - 0.0), X.T @ y / N]           # at θ = 0

    epochs = cfg.epochs or (5 if cfg.quick else 20)
    finals, paths = {}, {}
    for n, lr in ((1, 0.01), (20, 0.1)):
        layer = linear_at(start)
        opt = optim.SGD(layer.parameters(), lr=lr)
        path: list = []

        class Record(Callback):                         # θ after each epoch, for the figure
            def on_epoch_end(self, epoch, logs, path=path, layer=layer):
                path.append(np.r_[layer.bias.numpy(), layer.weight.numpy().ravel()])

        fit(layer, X, y[:, None], loss="mse", optimizer=opt, epochs=epochs, batch_size=n,
            progress=False, seed=cfg.seed, callbacks=[Record()],
            scheduler=optim.lr_scheduler.ExponentialLR(opt, gamma=0.5))
        finals[n] = np.r_[layer.bias.numpy(), layer.weight.numpy().ravel()]
        paths[n] = np.array([start] + path)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for n, p in paths.items():
        kind = "online" if n == 1 else "mini-batch"
        axes[0].plot(p[:, 1], p[:, 2], "o-", label=f"n = {n} ({kind})")
    axes[0].plot(*theta_ls[1:], "k*", ms=14, label="normal equations")
    axes[0].set(xlabel="θ1", ylabel="θ2", title="θ after each epoch")
    axes[0].legend()
    for n, p in paths.items():
        axes[1].semilogy(np.arange(len(p)), np.abs(p - theta_ls).max(1), "o-", label=f"n = {n}")
    axes[1].set(xlabel="epoch", ylabel="max |θ - θ_LS|", title="distance to least squares")
    axes[1].legend()
    fig_path = savefig(fig, cfg.figure("sgd_least_squares"))
    src = "text: 001 §6.9, eqs. 6.12-6.13"
    return Result(
        metrics={"mean_of_batch_gradients_minus_full": float(np.abs(mean_of_batches
                                                                     - full).max()),
                 "autograd_minus_closed_form_gradient": float(np.abs(full - closed).max()),
                 "online_minus_least_squares": float(np.abs(finals[1] - theta_ls).max()),
                 "minibatch_minus_least_squares": float(np.abs(finals[20] - theta_ls).max()),
                 "epochs": epochs},
        expected={"mean_of_batch_gradients_minus_full": Expect("<=", 1e-12, "eq. 6.12: the "
                                                               "batch means average to ∇J",
                                                               source=src),
                  "autograd_minus_closed_form_gradient": Expect("<=", 1e-12, "∇J = -2Xᵀ(y - "
                                                                "Xθ) (per row, averaged)",
                                                                source="text: 001 §6.9"),
                  "online_minus_least_squares": Expect("<=", 0.02, "online SGD ends near "
                                                       "θ_LS", source="ours"),
                  "minibatch_minus_least_squares": Expect("<=", 0.02, "mini-batch SGD too",
                                                          source="ours")},
        figures=[fig_path], headline="minibatch_minus_least_squares")
