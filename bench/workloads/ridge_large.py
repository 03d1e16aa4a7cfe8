"""Least squares and ridge on a 100,000 x 50 problem (float64): nnscratch's LinearRegression
(SVD least squares on centred data) + Ridge (Cholesky-backed solve of (XᵀX + αI)w = Xᵀy)
against scikit-learn's LinearRegression + Ridge(solver="auto"), one fit of each per call.

Target: within 2x of scikit-learn's time with the same coefficients; the ratio is
in the sklearn row.  Threads: the runner's count for both (the GEMM XᵀX is big enough).
"""
import numpy as np

TITLE = "least squares + ridge (alpha=1), 100000x50 float64: one fit each, vs sklearn"
TARGET = 2.0          # nnscratch / scikit-learn time (the project's target)
TARGET_AGAINST = "sklearn"
ROUNDS = 5


def setup():
    g = np.random.default_rng(0)
    X = g.standard_normal((100_000, 50)) @ g.standard_normal((50, 50)) * 0.2
    w = g.standard_normal(50)
    y = X @ w + 3.0 + g.standard_normal(100_000)
    return X, y, w


def _report(ols, ridge, X, y, w):
    r = y - ols.predict(X)
    return {"ols_mse": float(r @ r / len(y)), "ols_coef_err": float(np.abs(ols.coef_ - w).max()),
            "ridge_coef_sum": float(ridge.coef_.sum())}


def run_nnscratch(data):
    from nnscratch.linear_model import LinearRegression, Ridge
    X, y, w = data
    ols = LinearRegression().fit(X, y)
    ridge = Ridge(alpha=1.0).fit(X, y)
    return _report(ols, ridge, X, y, w)


def run_sklearn(data):
    from sklearn.linear_model import LinearRegression, Ridge
    X, y, w = data
    ols = LinearRegression().fit(X, y)
    ridge = Ridge(alpha=1.0).fit(X, y)
    return _report(ols, ridge, X, y, w)
