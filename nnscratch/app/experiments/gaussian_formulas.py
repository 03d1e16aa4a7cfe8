"""001 ch. 4 and §11.3's Gaussian formulas, each against SciPy or NumPy: the δ-function
estimator of a density and its moments (eqs. 4.4-4.8, Figures 4.3-4.4), covariance (eqs.
4.9-4.11), the multivariate Gaussian (eq. 4.12, Figure 4.5), its entropy
H(N) = ½ log[(2πe)^d |Σ|] (§4.9) and the KL divergences of the VAE (eqs. 11.2-11.3)."""
from __future__ import annotations

import numpy as np

from ... import random as nsrandom
from ... import stats
from ...nn import functional as F
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


@experiment("gaussian-formulas", source="001 §4.3-4.9, §11.3, eqs. 4.4-4.12, 11.2-11.3",
            summary="moments from the δ-function estimator, covariance, the 2-D Gaussian, "
                    "its entropy and the VAE's KL divergences, against SciPy")
def gaussian_formulas(cfg: Config) -> Result:
    """* eqs. 4.4-4.8: with p(x) ≈ (1/N) Σ δ(x - x⁽ⁱ⁾), E[x] is the sample mean and Var[x]
      the 1/N mean square (``stats.moments``) — against NumPy's mean and ``var(ddof=0)``;
      for a Gaussian they approach μ and σ² (within 4 standard errors).
    * eqs. 4.9-4.11: Cov[x, y] = E[(x - E x)(y - E y)] = E[xy] - E[x]E[y], Σ = Cov[X]:
      ``stats.moments``'s covariance against ``numpy.cov(bias=True)``.
    * eq. 4.12 (Figure 4.5): ``stats.mvn_pdf`` against ``scipy.stats.multivariate_normal``
      on a grid, and its integral over the grid ≈ 1.
    * §4.9: H(N(μ, Σ)) = ½ log[(2πe)^d |Σ|] (``stats.gaussian_entropy``) against SciPy's
      entropy and a Monte Carlo estimate −E[log p(x)] by ``stats.mvn_pdf``.
    * eq. 11.2: ``stats.kl_gaussian`` against a Monte Carlo E_p[log p − log q] by SciPy.  The
      text prints KL(p, q) = −∫ p log(p/q) with a minus sign too many (KL ≥ 0); its right-hand
      side is the usual formula, which is what we check.
    * eq. 11.3: with q = N(0, I) and a diagonal Σ, ½{−log(Σ11 Σ22) − 2 + Σ11 + Σ22 + μ1² + μ2²},
      written out in NumPy, against ``F.kl_div_gaussian`` (the VAE's KL term, a batch mean) and
      ``stats.kl_gaussian``.
    """
    gen = nsrandom.rng(cfg.seed)
    n, mu1, var1, x, moments_gap, mean_in_se, var_in_se = _one_dimensional_moments(cfg, gen)

    mu = np.array([1.0, -0.5])
    Sigma = np.array([[1.0, 0.6], [0.6, 2.0]])
    X = gen.multivariate_normal(mu, Sigma, n)
    mc = stats.moments(X)
    cov_gap = float(np.abs(mc["covariance"] - np.cov(X.T, bias=True)).max())
    exy = float(np.mean(X[:, 0] * X[:, 1]) - X[:, 0].mean() * X[:, 1].mean())
    cov_identity_gap = abs(float(mc["covariance"][0, 1]) - exy)
    cov_in_se = float(np.abs(mc["covariance"] - Sigma).max() / np.sqrt(2 * 2.0 ** 2 / n))

    g1, g2, pdf, pdf_gap, integral = _density_on_grid(mu, Sigma)

    (h, h_formula, h_scipy, h_mc_in_se, kl, kl_mc_in_se, eq_11_3_sum_gap,
     eq_11_3_stats_gap) = _entropy_and_kl(gen, n, mu, Sigma, X)

    fig_path = _gaussian_figure(x, mu1, var1, g1, g2, pdf, cfg)
    scipy_src = "ours: SciPy"
    return Result(
        metrics={"moments_minus_numpy": moments_gap, "mean_error_in_se": mean_in_se,
                 "variance_error_in_se": var_in_se, "covariance_minus_numpy": cov_gap,
                 "cov_minus_exy_identity": cov_identity_gap, "covariance_error_in_se": cov_in_se,
                 "mvn_pdf_minus_scipy": pdf_gap, "mvn_pdf_integral": integral,
                 "entropy": h, "entropy_minus_formula": abs(h - h_formula),
                 "entropy_minus_scipy": abs(h - h_scipy), "entropy_mc_error_in_se": h_mc_in_se,
                 "kl": kl, "kl_mc_error_in_se": kl_mc_in_se,
                 "eq_11_3_minus_vae_kl": eq_11_3_sum_gap,
                 "eq_11_3_minus_kl_gaussian": eq_11_3_stats_gap},
        expected={"moments_minus_numpy": Expect("<=", 1e-12, "eqs. 4.6, 4.8: mean and 1/N "
                                                "variance", source="ours: NumPy"),
                  "mean_error_in_se": Expect("<=", 4, "→ μ", source="ours"),
                  "variance_error_in_se": Expect("<=", 4, "→ σ²", source="ours"),
                  "covariance_minus_numpy": Expect("<=", 1e-12, "Σ = Cov[X] (4.10-4.11)",
                                                   source="ours: numpy.cov"),
                  "cov_minus_exy_identity": Expect("<=", 1e-10, "= E[xy] − E[x]E[y] (4.9)",
                                                   source="ours: eq. 4.9 in NumPy"),
                  "covariance_error_in_se": Expect("<=", 5, "→ Σ", source="ours"),
                  "mvn_pdf_minus_scipy": Expect("<=", 1e-12, "eq. 4.12",
                                                source=scipy_src),
                  "mvn_pdf_integral": Expect(">=", 0.999, "integrates to 1", source="ours"),
                  "entropy_minus_formula": Expect("<=", 1e-12, "½ log[(2πe)^d |Σ|]",
                                                  source="ours: §4.9's formula in NumPy"),
                  "entropy_minus_scipy": Expect("<=", 1e-12, "SciPy's entropy",
                                                source=scipy_src),
                  "entropy_mc_error_in_se": Expect("<=", 4, "−E[log p(x)] by sampling",
                                                   source="ours: Monte Carlo"),
                  "kl_mc_error_in_se": Expect("<=", 4, "eq. 11.2 = E_p[log p − log q] by "
                                              "sampling", source="ours: Monte Carlo by SciPy"),
                  "eq_11_3_minus_vae_kl": Expect("<=", 1e-10, "the VAE's KL term is eq. 11.3, "
                                                 "averaged over the batch",
                                                 source="ours: eq. 11.3 in NumPy"),
                  "eq_11_3_minus_kl_gaussian": Expect("<=", 1e-12, "eq. 11.3 is eq. 11.2 with "
                                                      "q = N(0, I), Σ diagonal",
                                                      source="ours: eq. 11.3 in NumPy")},
        figures=[fig_path], headline="entropy_minus_scipy")


def _one_dimensional_moments(cfg, gen):
    """The moments of N(1.5, 0.8) samples by stats.moments, against NumPy and, in standard
    errors, the true values."""
    n = 20_000 if cfg.quick else 200_000
    mu1, var1 = 1.5, 0.8
    x = mu1 + np.sqrt(var1) * gen.standard_normal(n)
    m = stats.moments(x)
    moments_gap = float(max(abs(m["mean"] - x.mean()), abs(m["variance"] - x.var())))
    mean_in_se = float(abs(m["mean"] - mu1) / np.sqrt(var1 / n))
    var_in_se = float(abs(m["variance"] - var1) / (var1 * np.sqrt(2 / n)))
    return n, mu1, var1, x, moments_gap, mean_in_se, var_in_se


def _density_on_grid(mu, Sigma):
    """eq. 4.12's density on a grid, against SciPy, and its integral."""
    from scipy.stats import multivariate_normal
    g1, g2 = np.meshgrid(np.linspace(-4, 6, 201), np.linspace(-6, 5, 221))
    grid = np.stack([g1.ravel(), g2.ravel()], 1)
    pdf = stats.mvn_pdf(grid, mu, Sigma)
    pdf_gap = float(np.abs(pdf - multivariate_normal(mu, Sigma).pdf(grid)).max())
    integral = float(pdf.sum() * (g1[0, 1] - g1[0, 0]) * (g2[1, 0] - g2[0, 0]))
    return g1, g2, pdf, pdf_gap, integral


def _entropy_and_kl(gen, n, mu, Sigma, X):
    """The Gaussian's entropy (closed form, SciPy, Monte Carlo), the KL between two Gaussians,
    and 001 eq. 11.3's KL of the VAE."""
    from scipy.stats import multivariate_normal
    S3 = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
    h = stats.gaussian_entropy(S3)
    h_formula = 0.5 * np.log((2 * np.pi * np.e) ** 3 * np.linalg.det(S3))
    h_scipy = float(multivariate_normal(np.zeros(3), S3).entropy())
    s3 = gen.multivariate_normal(np.zeros(3), S3, n)
    logp = np.log(stats.mvn_pdf(s3, np.zeros(3), S3))
    h_mc_in_se = float(abs(-logp.mean() - h) / (logp.std() / np.sqrt(n)))

    mu_q, Sq = np.array([0.5, 0.0]), np.array([[1.5, -0.4], [-0.4, 0.7]])
    kl = stats.kl_gaussian(mu, Sigma, mu_q, Sq)
    lp = multivariate_normal(mu, Sigma).logpdf(X) - multivariate_normal(mu_q, Sq).logpdf(X)
    kl_mc_in_se = float(abs(lp.mean() - kl) / (lp.std() / np.sqrt(n)))

    mu_e = gen.standard_normal((8, 2))
    logvar = 0.5 * gen.standard_normal((8, 2))
    s11, s22 = np.exp(logvar[:, 0]), np.exp(logvar[:, 1])
    eq_11_3 = 0.5 * (-np.log(s11 * s22) - 2 + s11 + s22 + mu_e[:, 0] ** 2 + mu_e[:, 1] ** 2)
    vae_kl = float(F.kl_div_gaussian(tensor(mu_e), tensor(logvar)).item())
    eq_11_3_sum_gap = abs(vae_kl - float(eq_11_3.mean()))
    eq_11_3_stats_gap = float(max(abs(stats.kl_gaussian(mu_e[i], np.diag(np.exp(logvar[i])),
                                                         np.zeros(2), np.eye(2)) - eq_11_3[i])
                                  for i in range(8)))
    return h, h_formula, h_scipy, h_mc_in_se, kl, kl_mc_in_se, eq_11_3_sum_gap, eq_11_3_stats_gap


def _gaussian_figure(x, mu1, var1, g1, g2, pdf, cfg):
    """Figure 4.4 (a density from samples) and Figure 4.5 (a 2-D Gaussian's contours)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].hist(x[:200], bins=60, density=True, alpha=0.6, label="δ functions, binned")
    xs = np.linspace(-2, 5, 200)
    axes[0].plot(xs, stats.gaussian_pdf(xs, mu1, var1), "k", label="N(1.5, 0.8)")
    axes[0].set(title="Figure 4.4: a density from samples", xlabel="x")
    axes[0].legend()
    axes[1].contour(g1, g2, pdf.reshape(g1.shape), levels=10)
    axes[1].set(title="Figure 4.5: a 2-D Gaussian (eq. 4.12)", xlabel="x1", ylabel="x2")
    return savefig(fig, cfg.figure("gaussian_formulas"))
