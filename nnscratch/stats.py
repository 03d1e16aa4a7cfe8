"""Probability and information theory of 001 chapter 4 (and the KL divergences of chapter 11).

Gaussians (density, CDF, inverse CDF, multivariate density, entropy), sampling by the inverse
CDF, moments, maximum-likelihood estimates, discrete entropy and Kullback-Leibler divergence.
Plain NumPy functions on arrays; every argument is checked.
"""
from __future__ import annotations

import math

import numpy as np

from . import random as _random
from ._checks import check_int, check_positive_entries

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _array(x, name) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {a[~np.isfinite(a)].ravel()[0]}")
    return a


def _variance(sigma2) -> np.ndarray:
    """A variance (or one per element): finite and > 0."""
    return check_positive_entries(_array(sigma2, "sigma2 (variance)"), "sigma2 (variance)")


def gaussian_pdf(x, mu=0.0, sigma2=1.0):
    """N(x; μ, σ²) = exp(-(x - μ)² / (2σ²)) / sqrt(2πσ²)   (001 §4.2). ``sigma2`` is a variance."""
    x, mu, s2 = _array(x, "x"), _array(mu, "mu"), _variance(sigma2)
    return np.exp(-0.5 * (x - mu) ** 2 / s2) / np.sqrt(2 * np.pi * s2)


def gaussian_cdf(x, mu=0.0, sigma2=1.0):
    """Φ((x - μ)/σ) = ½ (1 + erf((x - μ) / (σ √2)))."""
    x, mu, s2 = _array(x, "x"), _array(mu, "mu"), _variance(sigma2)
    z = (x - mu) / np.sqrt(2 * s2)
    return 0.5 * (1 + np.asarray(_erf(z), dtype=np.float64))   # a 0-d z gives a Python float


def _ndtri(p):
    """Standard normal quantile: Acklam's rational approximation (relative error 1.2e-9),
    then one Halley step on Φ(x) - p, which brings it to double precision."""
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
         3.754408661907416e+00)
    p = np.asarray(p, dtype=np.float64)
    x = np.empty_like(p)
    lo, hi = p < 0.02425, p > 1 - 0.02425
    mid = ~(lo | hi)
    q = p[mid] - 0.5
    r = q * q
    x[mid] = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
             (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    for mask, sign, tail in ((lo, 1, p[lo]), (hi, -1, 1 - p[hi])):
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.sqrt(-2 * np.log(tail))
        num = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
        den = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        with np.errstate(invalid="ignore"):  # p = 0 or 1: inf / inf, fixed up below
            x[mask] = sign * num / den
    x[p == 0], x[p == 1] = -np.inf, np.inf
    finite = np.isfinite(x)
    xf = x[finite]
    e = 0.5 * _erfc(-xf / np.sqrt(2)).astype(np.float64) - p[finite]
    u = e * np.sqrt(2 * np.pi) * np.exp(xf * xf / 2)
    x[finite] = xf - u / (1 + xf * u / 2)
    return x


def gaussian_ppf(p, mu=0.0, sigma2=1.0):
    """Inverse CDF (quantile function) of N(μ, σ²); p in [0, 1] (0 and 1 map to ∓inf)."""
    pa = np.asarray(p, dtype=np.float64)
    if pa.size and (np.any(np.isnan(pa)) or np.any(pa < 0) or np.any(pa > 1)):
        raise ValueError(f"p must be probabilities in [0, 1], got values in "
                         f"[{np.nanmin(pa)}, {np.nanmax(pa)}]")
    mu, s2 = _array(mu, "mu"), _variance(sigma2)
    return mu + np.sqrt(s2) * _ndtri(pa)


def sample_inverse_cdf(ppf, n: int, seed=None) -> np.ndarray:
    """Draw ``n`` samples by pushing uniform r ~ U(0, 1) through the inverse CDF (001 §4.2)."""
    check_int(n, "n", "sample_inverse_cdf")
    if not callable(ppf):
        raise TypeError(f"ppf must be callable, got {type(ppf).__name__}")
    r = _random.rng(seed).random(int(n))
    return np.asarray(ppf(r), dtype=np.float64)


def _covariance_matrix(sigma, d, name) -> np.ndarray:
    s = _array(sigma, name)
    if s.shape != (d, d):
        raise ValueError(f"{name} must be a ({d}, {d}) matrix, got shape {s.shape}")
    if not np.allclose(s, s.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    return s


def _cholesky(sigma, name) -> np.ndarray:
    try:
        return np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite; its smallest eigenvalue is "
                         f"{np.linalg.eigvalsh(sigma).min():.3g}") from None


def mvn_pdf(x, mu, Sigma):
    """Multivariate normal density (001 eq. 4.12), via a Cholesky factor Σ = L Lᵀ.

    Shape: x ``(d,)`` or ``(n, d)``, mu ``(d,)``, Sigma ``(d, d)`` -> scalar or ``(n,)``.
    """
    mu = _array(mu, "mu").reshape(-1)
    d = mu.size
    x = _array(x, "x")
    if x.shape[-1:] != (d,):
        raise ValueError(f"x must have last dimension {d} (the length of mu), got {x.shape}")
    L = _cholesky(_covariance_matrix(Sigma, d, "Sigma"), "Sigma")
    z = np.linalg.solve(L, (x - mu).reshape(-1, d).T)          # L z = x - μ
    log_det = 2 * np.log(np.diag(L)).sum()
    logp = -0.5 * (z * z).sum(axis=0) - 0.5 * (d * np.log(2 * np.pi) + log_det)
    out = np.exp(logp)
    return out[0] if x.ndim == 1 else out


def moments(samples) -> dict:
    """Sample estimates of the first two moments (001 eqs. 4.6, 4.8, 4.10).

    Returns ``{"mean", "variance", "covariance"}`` with the 1/N (maximum-likelihood)
    normalisation; for ``(n, d)`` samples the covariance is ``(d, d)``.
    """
    x = _array(samples, "samples")
    if x.ndim not in (1, 2) or x.shape[0] < 1:
        raise ValueError(f"samples must be (n,) or (n, d) with n >= 1, got shape {x.shape}")
    mean = x.mean(axis=0)
    xc = x - mean
    cov = (xc.T @ xc) / x.shape[0] if x.ndim == 2 else np.array(xc @ xc / x.shape[0])
    return {"mean": mean, "variance": (xc * xc).mean(axis=0), "covariance": cov}


def mle_gaussian(samples):
    """Maximum-likelihood (μ̂, σ̂²) of a Gaussian: the sample mean and the 1/N variance.

    For ``(n, d)`` samples, returns (μ̂, Σ̂) with Σ̂ the 1/N covariance.
    """
    m = moments(samples)
    return m["mean"], (m["covariance"] if np.ndim(samples) == 2 else m["variance"])


def gaussian_log_likelihood(samples, mu, sigma2) -> float:
    """log Π_i N(x_i; μ, σ²) (001 §4.6)."""
    x = _array(samples, "samples")
    s2 = float(_variance(sigma2))
    return float(-0.5 * x.size * np.log(2 * np.pi * s2) - ((x - mu) ** 2).sum() / (2 * s2))


def _distribution(p, name) -> np.ndarray:
    a = _array(p, name)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D probability vector, got shape "
                         f"{a.shape}")
    if np.any(a < 0):
        raise ValueError(f"{name} must be non-negative, got {a[a < 0][0]}")
    if not abs(a.sum() - 1) <= 1e-8:
        raise ValueError(f"{name} must sum to 1, got sum {a.sum():.10g}")
    return a


def _log(base):
    if base is None:
        return np.log
    if base <= 0 or base == 1:
        raise ValueError(f"base must be > 0 and != 1, got {base}")
    return lambda v: np.log(v) / np.log(base)


def entropy(p, base: float | None = 2) -> float:
    """H(p) = -Σ p_i log p_i (001 eq. 4.16), in bits by default; 0 log 0 = 0."""
    p = _distribution(p, "p")
    nz = p > 0
    return float(-(p[nz] * _log(base)(p[nz])).sum())


def bernoulli_entropy(theta, base: float | None = 2):
    """H(θ) = -[θ log θ + (1 - θ) log(1 - θ)] (001 eq. 4.18); 1 bit at θ = ½."""
    t = _array(theta, "theta")
    if t.size and (np.any(t < 0) or np.any(t > 1)):
        raise ValueError(f"theta must be in [0, 1], got values in [{t.min()}, {t.max()}]")
    log = _log(base)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(t > 0, t * log(np.where(t > 0, t, 1)), 0.0)
              + np.where(t < 1, (1 - t) * log(np.where(t < 1, 1 - t, 1)), 0.0))
    h = h + 0.0  # turn -0.0 into 0.0
    return h if h.ndim else float(h)


def kl_divergence(p, q, base: float | None = 2) -> float:
    """KL(p ‖ q) = Σ p_i log(p_i / q_i) ≥ 0 (001 §4.10); inf where q_i = 0 < p_i."""
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same length, got {p.size} and {q.size}")
    nz = p > 0
    if np.any(q[nz] == 0):
        return float("inf")
    log = _log(base)
    return float((p[nz] * (log(p[nz]) - log(q[nz]))).sum())


def gaussian_entropy(Sigma) -> float:
    """Differential entropy of N(μ, Σ) in nats: ½ log((2πe)^d |Σ|) (001 §4.9)."""
    s = np.atleast_2d(_array(Sigma, "Sigma"))
    L = _cholesky(_covariance_matrix(s, s.shape[0], "Sigma"), "Sigma")
    d = s.shape[0]
    return float(0.5 * d * np.log(2 * np.pi * np.e) + np.log(np.diag(L)).sum())


def kl_gaussian(mu_p, Sigma_p, mu_q, Sigma_q) -> float:
    """KL(N(μ_p, Σ_p) ‖ N(μ_q, Σ_q)) for full covariances (001 eq. 11.2), in nats:

        ½ [tr(Σ_q⁻¹ Σ_p) + (μ_q - μ_p)ᵀ Σ_q⁻¹ (μ_q - μ_p) - d + log(|Σ_q| / |Σ_p|)]
    """
    mu_p, mu_q = _array(mu_p, "mu_p").reshape(-1), _array(mu_q, "mu_q").reshape(-1)
    if mu_p.shape != mu_q.shape:
        raise ValueError(f"mu_p and mu_q must have the same length, got {mu_p.size} and "
                         f"{mu_q.size}")
    d = mu_p.size
    Lp = _cholesky(_covariance_matrix(np.atleast_2d(Sigma_p), d, "Sigma_p"), "Sigma_p")
    Lq = _cholesky(_covariance_matrix(np.atleast_2d(Sigma_q), d, "Sigma_q"), "Sigma_q")
    A = np.linalg.solve(Lq, Lp)               # tr(Σq⁻¹ Σp) = ‖Lq⁻¹ Lp‖_F²
    z = np.linalg.solve(Lq, mu_q - mu_p)
    log_det = 2 * (np.log(np.diag(Lq)).sum() - np.log(np.diag(Lp)).sum())
    return float(0.5 * ((A * A).sum() + z @ z - d + log_det))
