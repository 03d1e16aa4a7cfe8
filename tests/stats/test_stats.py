import numpy as np
import pytest
import scipy.stats as ss

from nnscratch import stats


def test_gaussian_pdf_cdf_ppf_match_scipy():
    x = np.linspace(-6, 8, 57)
    np.testing.assert_allclose(stats.gaussian_pdf(x, 1.0, 4.0), ss.norm.pdf(x, 1, 2),
                               rtol=1e-12)
    np.testing.assert_allclose(stats.gaussian_cdf(x, 1.0, 4.0), ss.norm.cdf(x, 1, 2),
                               rtol=1e-12, atol=1e-300)
    p = np.concatenate([[1e-300, 1e-20, 1e-8], np.linspace(0.001, 0.999, 41), [1 - 1e-9]])
    np.testing.assert_allclose(stats.gaussian_ppf(p, 1.0, 4.0), ss.norm.ppf(p, 1, 2), rtol=1e-8)
    assert stats.gaussian_ppf(0.0) == -np.inf and stats.gaussian_ppf(1.0) == np.inf
    # a scalar in, a scalar out (0-d), as for the pdf
    assert float(stats.gaussian_cdf(1.0, 1.0, 4.0)) == 0.5 and np.ndim(stats.gaussian_cdf(0.3)) == 0


def test_sample_inverse_cdf_gives_the_distribution():
    x = stats.sample_inverse_cdf(lambda r: stats.gaussian_ppf(r, 2.0, 9.0), 20000, seed=1)
    assert ss.kstest(x, ss.norm(2, 3).cdf).pvalue > 0.01
    again = stats.sample_inverse_cdf(lambda r: stats.gaussian_ppf(r, 2.0, 9.0), 20000, seed=1)
    np.testing.assert_array_equal(x, again)


def test_mvn_pdf_and_entropy_match_scipy():
    g = np.random.default_rng(0)
    A = g.standard_normal((3, 3))
    S = A @ A.T + 0.5 * np.eye(3)
    mu = g.standard_normal(3)
    X = g.standard_normal((7, 3))
    np.testing.assert_allclose(stats.mvn_pdf(X, mu, S), ss.multivariate_normal(mu, S).pdf(X),
                               rtol=1e-12)
    assert stats.mvn_pdf(X[0], mu, S) == pytest.approx(ss.multivariate_normal(mu, S).pdf(X[0]))
    assert stats.gaussian_entropy(S) == pytest.approx(ss.multivariate_normal(mu, S).entropy(),
                                                      rel=1e-12)


def test_moments_and_mle():
    g = np.random.default_rng(0)
    x = g.standard_normal((500, 2))
    m = stats.moments(x)
    np.testing.assert_allclose(m["mean"], x.mean(0))
    np.testing.assert_allclose(m["covariance"], np.cov(x.T, bias=True))
    mu, var = stats.mle_gaussian(x[:, 0])
    assert mu == pytest.approx(x[:, 0].mean()) and var == pytest.approx(x[:, 0].var())


def test_entropy_and_kl_match_scipy():
    p, q = np.array([0.1, 0.2, 0.7]), np.array([0.3, 0.3, 0.4])
    assert stats.entropy(p) == pytest.approx(ss.entropy(p, base=2))
    assert stats.entropy(p, base=None) == pytest.approx(ss.entropy(p))
    assert stats.kl_divergence(p, q) == pytest.approx(ss.entropy(p, q, base=2))
    assert stats.kl_divergence(p, p) == 0.0
    assert stats.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert stats.entropy([1.0, 0.0]) == 0.0
    h = stats.bernoulli_entropy(np.array([0.0, 0.25, 0.5, 1.0]))
    np.testing.assert_allclose(h, [0, ss.entropy([0.25, 0.75], base=2), 1, 0])


def test_kl_gaussian_matches_closed_form_and_monte_carlo():
    g = np.random.default_rng(0)
    A, B = g.standard_normal((2, 2)), g.standard_normal((2, 2))
    Sp, Sq = A @ A.T + np.eye(2), B @ B.T + np.eye(2)
    mp, mq = np.array([0.5, -1.0]), np.array([0.0, 0.3])
    kl = stats.kl_gaussian(mp, Sp, mq, Sq)
    x = g.multivariate_normal(mp, Sp, size=400_000)
    mc = np.mean(np.log(ss.multivariate_normal(mp, Sp).pdf(x))
                 - np.log(ss.multivariate_normal(mq, Sq).pdf(x)))
    assert kl == pytest.approx(mc, rel=0.01)
    assert stats.kl_gaussian(mp, Sp, mp, Sp) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: stats.gaussian_pdf(0.0, 0.0, -1.0), "sigma2"),
    (lambda: stats.mvn_pdf([0, 0], [0, 0], [[1, 2], [2, 1]]), "positive definite"),
    (lambda: stats.mvn_pdf([0, 0], [0, 0], [[1, 0.5], [0.2, 1]]), "symmetric"),
    (lambda: stats.entropy([0.5, 0.6]), "sum to 1"),
    (lambda: stats.entropy([1.5, -0.5]), "non-negative"),
    (lambda: stats.kl_divergence([0.5, 0.5], [0.2, 0.2, 0.6]), "same length"),
    (lambda: stats.bernoulli_entropy(1.5), "theta"),
    (lambda: stats.gaussian_ppf([0.5, 1.2]), "probabilities"),
    (lambda: stats.sample_inverse_cdf(stats.gaussian_ppf, 0), "n must be"),
    (lambda: stats.gaussian_entropy([[1.0, 0.0], [0.0, -1.0]]), "positive definite"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
