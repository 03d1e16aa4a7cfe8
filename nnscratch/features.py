"""Basis-function expansions that make a linear model non-linear in x (001 §5.4–5.5).

Both are transformers with the scikit-learn protocol (``fit``/``transform``/``fit_transform``,
``get_params``/``set_params``), so they go in front of a regressor in a ``Pipeline``.
"""
from __future__ import annotations

import itertools
from typing import Iterable

import numpy as np

from . import random as _random
from ._checks import check_param
from .base import BaseEstimator, check_array, check_n_features, record_features


class _Transformer(BaseEstimator):
    _fitted_attr = "n_features_in_"

    def fit_transform(self, X, y=None) -> np.ndarray:
        """``fit(X).transform(X)``."""
        return self.fit(X, y).transform(X)


class PolynomialFeatures(_Transformer):
    """All monomials of the inputs up to ``degree``: φ(x) = [1, x₁, x₂, x₁², x₁x₂, x₂², …].

    With ``interactions=True`` (default) the columns and their order are scikit-learn's
    ``PolynomialFeatures`` (degree by degree, combinations with replacement); with
    ``interactions=False`` only the powers of each input, [1, x₁, x₂, x₁², x₂², …], as in
    001 §5.4 (Figure 5.4).

    Args:
        degree: highest total degree, >= 0 (default 2).
        include_bias: start with the constant column 1 (default True).
        interactions: include products of different inputs (default True).

    Fitted attributes: ``powers_`` ``(m, d)`` (exponent of each input in each column),
    ``n_features_in_``, ``n_output_features_``.
    Shape: ``(n, d)`` -> ``(n, m)``.
    """

    def __init__(self, degree: int = 2, include_bias: bool = True, interactions: bool = True):
        self.degree = degree
        self.include_bias = include_bias
        self.interactions = interactions

    def fit(self, X, y=None) -> "PolynomialFeatures":
        """Enumerate the monomials for X's ``d`` columns (``y`` is ignored); returns self."""
        owner = "PolynomialFeatures.fit"
        degree = check_param(self.degree, "degree", owner, low=0, integer=True)
        X_raw, X = X, check_array(X, "X", owner)
        record_features(self, X_raw, X)
        d = X.shape[1]
        powers = []
        for k in range(0 if self.include_bias else 1, degree + 1):
            if self.interactions:
                combos: Iterable[tuple[int, ...]] = itertools.combinations_with_replacement(
                    range(d), k)
            else:
                combos = [(j,) * k for j in range(d)] if k else [()]
            for combo in combos:
                p = np.zeros(d, dtype=np.int64)
                for j in combo:
                    p[j] += 1
                powers.append(p)
        if not powers:
            raise ValueError(f"{owner}: degree=0 with include_bias=False gives no features")
        self.powers_ = np.array(powers)
        self.n_output_features_ = len(powers)
        return self

    def transform(self, X) -> np.ndarray:
        """The monomial columns ∏_j x_j^p_j, one per row of ``powers_``."""
        self._check_fitted("transform")
        X = check_n_features(self, X, "PolynomialFeatures.transform")
        out = np.empty((len(X), len(self.powers_)))
        for c, p in enumerate(self.powers_):
            col = np.ones(len(X))
            for j in np.flatnonzero(p):
                col = col * X[:, j] ** p[j]
            out[:, c] = col
        return out


class RBFFeatures(_Transformer):
    """Radial basis functions φ(x) = [k(x, μ₁, λ), …, k(x, μ_m, λ)] with
    k(x, μ, λ) = exp(−‖x − μ‖² / λ) (001 §5.5, Figure 5.5–5.6); λ is the kernel ``width``.

    Args:
        centers: an int m — m centres chosen at fit time: evenly spaced over the range of a
            single input, or m distinct training rows drawn with ``random_state`` for several
            inputs — or an array ``(m, d)`` (or ``(m,)`` for one input) of centres used as given.
            Default 10.
        width: λ > 0 (default 1.0).  Too small overfits, too large underfits (Figure 5.6).
        include_bias: prepend a constant column 1, as 001's φ(x) = [1, k(x, 1, λ), …]
            (default False: the estimators fit their own intercept).
        random_state: int (default 0, so refitting gives the same centres) or None (the library
            generator) for choosing centres among several inputs.

    Fitted attributes: ``centers_`` ``(m, d)``, ``n_features_in_``.
    Shape: ``(n, d)`` -> ``(n, m)`` (``m + 1`` with the bias).
    """

    def __init__(self, centers=10, width: float = 1.0, include_bias: bool = False,
                 random_state: int | None = 0):
        self.centers = centers
        self.width = width
        self.include_bias = include_bias
        self.random_state = random_state

    def fit(self, X, y=None) -> "RBFFeatures":
        """Fix the centres (given, or chosen from X; ``y`` is ignored); returns self."""
        owner = "RBFFeatures.fit"
        check_param(self.width, "width", owner, low=0.0, low_open=True)
        X_raw, X = X, check_array(X, "X", owner)
        n, d = X.shape
        if isinstance(self.centers, (int, np.integer)) and not isinstance(self.centers, bool):
            m = check_param(self.centers, "centers", owner, low=1, integer=True)
            if d == 1:
                centers = np.linspace(X.min(), X.max(), m)[:, None]
            else:
                if m > n:
                    raise ValueError(f"{owner}: centers={m} is more than the {n} sample(s) "
                                     f"of X to choose them from")
                centers = X[_random.rng(self.random_state).choice(n, m, replace=False)]
        else:
            c = np.asarray(self.centers, dtype=np.float64)
            c = c[:, None] if c.ndim == 1 and d == 1 else c
            centers = check_array(c, "centers", owner)
            if centers.shape[1] != d:
                raise ValueError(f"{owner}: centers must have {d} columns like X, got shape "
                                 f"{centers.shape}")
        self.centers_ = centers
        record_features(self, X_raw, X)
        return self

    def transform(self, X) -> np.ndarray:
        """exp(−‖x − μ_i‖²/λ) for every row x and centre μ_i (+ the bias column)."""
        self._check_fitted("transform")
        X = check_n_features(self, X, "RBFFeatures.transform")
        # ‖x − μ‖² = ‖x‖² − 2xᵀμ + ‖μ‖², one GEMM instead of an (n, m, d) difference array
        sq = ((X * X).sum(1)[:, None] - 2 * X @ self.centers_.T
              + (self.centers_ ** 2).sum(1)[None, :])
        phi = np.exp(-np.maximum(sq, 0.0) / self.width)
        if self.include_bias:
            phi = np.hstack([np.ones((len(X), 1)), phi])
        return phi
