"""Probability and information theory of 001 chapter 4: the Gaussian's maximum-likelihood
estimates (§4.2-4.7), the Bernoulli's entropy (§4.8-4.10) and maximum likelihood as the
minimisation of a KL divergence (§4.10)."""
from __future__ import annotations

import numpy as np

from ... import random as nsrandom
from ... import stats
from ...optimize import minimize
from ...tensor import tensor
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

@experiment("gaussian-mle", source="001 §4.2-4.7",
            summary="sample a Gaussian by its inverse CDF; maximum-likelihood mean and variance")
def gaussian_mle(cfg):
    from scipy.stats import norm as scipy_norm
    mu, sigma2, n = 2.0, 2.25, 500 if cfg.quick else 5000
    x = stats.sample_inverse_cdf(lambda r: stats.gaussian_ppf(r, mu, sigma2), n, seed=cfg.seed)
    mu_hat, var_hat = stats.mle_gaussian(x)
    se_mu, se_var = np.sqrt(sigma2 / n), sigma2 * np.sqrt(2 / n)
    # 001 §4.6: three draws from N(θ, 1); which θ makes them most likely?
    ys = np.array([1.0, 0.5, 1.5])
    thetas = np.linspace(-1, 4, 501)
    lik = np.array([np.exp(stats.gaussian_log_likelihood(ys, t, 1.0)) for t in thetas])
    theta_best = float(thetas[lik.argmax()])

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].hist(x, bins=40, density=True, alpha=0.5, label=f"{n} samples (inverse CDF)")
    grid = np.linspace(x.min(), x.max(), 300)
    ax[0].plot(grid, stats.gaussian_pdf(grid, mu, sigma2), "k", label="true N(2, 1.5²)")
    ax[0].plot(grid, stats.gaussian_pdf(grid, mu_hat, var_hat), "r--",
               label=f"MLE N({mu_hat:.2f}, {np.sqrt(var_hat):.2f}²)")
    ax[0].legend()
    ax[0].set_title("Maximum-likelihood fit")
    ax[1].plot(thetas, lik)
    for t in (1.0, 2.5):
        ax[1].axvline(t, ls=":", c="gray")
    ax[1].set_xlabel("θ")
    ax[1].set_ylabel("likelihood of y = (1, 0.5, 1.5)")
    ax[1].set_title(f"likelihood is largest at θ = {theta_best:.2f}")
    fig_path = savefig(fig, cfg.figure("gaussian_mle"))
    metrics = {"mu_hat": float(mu_hat), "var_hat": float(var_hat),
               "mu_error_in_se": float(abs(mu_hat - mu) / se_mu),
               "var_error_in_se": float(abs(var_hat - sigma2) / se_var),
               "likelihood_argmax": theta_best, "n": n,
               "mle_minus_numpy": float(max(abs(mu_hat - x.mean()), abs(var_hat - x.var()))),
               "log_likelihood_minus_scipy": abs(
                   stats.gaussian_log_likelihood(ys, 0.7, 1.0)
                   - float(scipy_norm.logpdf(ys, 0.7, 1.0).sum()))}
    expected = {"mle_minus_numpy": Expect("<=", 1e-12, "the sample mean and 1/N variance "
                                          "(001 eqs. 4.6, 4.8)", source="ours: NumPy"),
                "log_likelihood_minus_scipy": Expect("<=", 1e-12, "Σ log N(y; θ, 1)",
                                                     source="ours: SciPy"),
                "mu_error_in_se": Expect("<=", 3.0, "MLE within 3 standard errors", source="ours"),
                "var_error_in_se": Expect("<=", 3.0, "MLE within 3 standard errors", source="ours"),
                "likelihood_argmax": Expect("==", 1.0, "sample mean of (1, 0.5, 1.5)",
                                            source="text: 001 §4.6")}
    return Result(metrics, expected, [fig_path], headline="mu_error_in_se")

@experiment("entropy-bernoulli", source="001 §4.8-4.10",
            summary="Bernoulli entropy curve (1 bit at θ = 0.5); KL(p‖q) >= 0, 0 iff p = q")
def entropy_bernoulli(cfg):
    theta = np.linspace(0, 1, 1001)
    h = stats.bernoulli_entropy(theta)
    g = nsrandom.rng(cfg.seed)
    from scipy.stats import entropy as scipy_entropy
    kls, kl_gaps = [], []
    for _ in range(200 if cfg.quick else 2000):
        k = int(g.integers(2, 8))
        p, q = g.dirichlet(np.ones(k)), g.dirichlet(np.ones(k))
        kls.append(stats.kl_divergence(p, q))
        kl_gaps.append(abs(kls[-1] - scipy_entropy(p, q, base=2)))
    h_gap = float(np.abs(h[1:-1] - [scipy_entropy([t, 1 - t], base=2)
                                    for t in theta[1:-1]]).max())
    q_grid = np.linspace(0.01, 0.99, 99)
    kl_curve = [stats.kl_divergence([0.3, 0.7], [q, 1 - q]) for q in q_grid]

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].plot(theta, h)
    ax[0].set_xlabel("θ")
    ax[0].set_ylabel("H(θ) [bits]")
    ax[0].set_title("Entropy of a Bernoulli variable")
    ax[1].plot(q_grid, kl_curve)
    ax[1].axvline(0.3, ls=":", c="gray")
    ax[1].set_xlabel("q")
    ax[1].set_ylabel("KL(Bern(0.3) ‖ Bern(q)) [bits]")
    ax[1].set_title("KL divergence is zero only at q = p")
    fig_path = savefig(fig, cfg.figure("entropy_bernoulli"))
    metrics = {"max_entropy_bits": float(h.max()), "theta_at_max": float(theta[h.argmax()]),
               "min_kl_random_pairs": float(min(kls)),
               "kl_minus_scipy": float(max(kl_gaps)), "entropy_minus_scipy": h_gap,
               "kl_curve_argmin": float(q_grid[int(np.argmin(kl_curve))])}
    fig48 = "text: 001 Figure 4.8"
    expected = {"max_entropy_bits": Expect("==", 1.0, "the maximum", source=fig48),
                "theta_at_max": Expect("==", 0.5, "where it is", source=fig48),
                "min_kl_random_pairs": Expect(">", 0.0, "Gibbs' inequality, p != q",
                                              source="text: 001 §4.10"),
                "kl_minus_scipy": Expect("<=", 1e-12, "KL(p‖q) in bits = scipy.stats.entropy"
                                         "(p, q, base=2)", source="ours: SciPy"),
                "entropy_minus_scipy": Expect("<=", 1e-12, "H(θ) in bits = scipy.stats."
                                              "entropy", source="ours: SciPy"),
                "kl_curve_argmin": Expect("==", 0.3, "minimum at q = p", source="ours")}
    return Result(metrics, expected, [fig_path], headline="max_entropy_bits")
