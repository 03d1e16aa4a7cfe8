"""Feature scaling: ``StandardScaler`` and ``MinMaxScaler`` (scikit-learn's semantics)."""
from __future__ import annotations

import numpy as np

from ..base import BaseEstimator, check_array, check_n_features, record_features


def _float_copy(X: np.ndarray) -> np.ndarray:
    """A float copy of ``X``: float32/float64 kept, anything else becomes float64 (sklearn)."""
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return np.array(X, dtype=dtype, copy=True)


class _Scaler(BaseEstimator):
    """The scalers' share of the estimator protocol (:mod:`nnscratch.base`): parameters stored
    unchanged and checked at fit, ``n_features_in_``/``feature_names_in_`` recorded."""

    _fitted_attr = "n_features_in_"

    def _check(self, X, owner: str, fitting: bool = False) -> np.ndarray:
        if not fitting:
            self._check_fitted(owner.rpartition(".")[2])
            return check_n_features(self, X, owner, keep_float=True)
        X_raw, X = X, check_array(X, "X", owner, keep_float=True)
        record_features(self, X_raw, X)
        return X

    def fit_transform(self, X, y=None) -> np.ndarray:
        """``fit(X)`` then ``transform(X)`` (``y`` is ignored)."""
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    """Standardise features: ``z = (x - mean) / std`` per column (matches sklearn's).

    ``mean_`` and ``var_`` (population variance, ``ddof=0``) are accumulated in float64 with the
    corrected two-pass formula; ``scale_ = sqrt(var_)``, except that a column whose variance
    is indistinguishable from zero (``var <= n eps var + (n mean eps)^2``, scikit-learn's test)
    gets ``scale_ = 1`` so it maps to ``x - mean`` (zeros on the training data) instead of
    dividing by ~0.  ``transform`` keeps float32/float64 input dtypes and turns integer input
    into float64.  NaN/inf in ``X`` are refused.

    Args:
        with_mean: subtract the mean (default True).
        with_std: divide by the standard deviation (default True).

    Shape:
        X: ``(N, F)`` -> ``(N, F)``; ``mean_``, ``var_``, ``scale_``: ``(F,)``.
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None) -> "StandardScaler":
        """Compute the per-column mean and standard deviation of ``X`` (``y`` is ignored)."""
        X = self._check(X, "StandardScaler.fit", fitting=True)
        n = X.shape[0]
        mean = X.sum(axis=0, dtype=np.float64) / n
        centred = X - mean  # float64, whatever X's dtype
        # the correction term cancels the rounding error of the mean (Chan, Golub & LeVeque)
        var = ((centred ** 2).sum(axis=0) - centred.sum(axis=0) ** 2 / n) / n
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        self.n_samples_seen_ = n
        self.mean_ = mean if self.with_mean else None
        self.var_ = var if self.with_std else None
        if self.with_std:
            scale = np.sqrt(var)
            scale[constant] = 1.0
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def transform(self, X) -> np.ndarray:
        """``(X - mean_) / scale_`` (a new array)."""
        X = _float_copy(self._check(X, "StandardScaler.transform"))
        if self.with_mean:
            X -= self.mean_.astype(X.dtype)  # type: ignore[union-attr]  # set when with_mean
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X) -> np.ndarray:
        """``X * scale_ + mean_`` (a new array)."""
        X = _float_copy(self._check(X, "StandardScaler.inverse_transform"))
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)  # type: ignore[union-attr]  # set when with_mean
        return X



class MinMaxScaler(_Scaler):
    """Rescale each column linearly onto ``feature_range`` (matches sklearn's MinMaxScaler).

    ``scale_ = (hi - lo) / (max - min)``, ``min_ = lo - min * scale_``, and
    ``transform(X) = X * scale_ + min_``.  A constant column (range below ``10 eps``) is given
    a range of 1, so it maps to ``lo``, as in scikit-learn.  With ``clip=True`` values outside
    the training range are clipped to ``feature_range``.

    Args:
        feature_range: ``(lo, hi)`` with ``lo < hi`` (default ``(0, 1)``).
        clip: clip transformed values to ``feature_range`` (default False).

    Shape:
        X: ``(N, F)`` -> ``(N, F)``; ``data_min_``, ``data_max_``, ``scale_``, ``min_``: ``(F,)``.
    """

    def __init__(self, feature_range: tuple = (0, 1), clip: bool = False):
        self.feature_range = feature_range
        self.clip = clip

    def _range(self, owner):
        try:
            lo, hi = self.feature_range
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise TypeError(f"{owner}: feature_range must be a pair (lo, hi) of numbers, "
                            f"got {self.feature_range!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{owner}: feature_range must satisfy lo < hi (finite), "
                             f"got {self.feature_range!r}")
        return lo, hi

    def fit(self, X, y=None) -> "MinMaxScaler":
        """Record the per-column minimum and maximum of ``X`` (``y`` is ignored)."""
        lo, hi = self._range("MinMaxScaler.fit")
        X = _float_copy(self._check(X, "MinMaxScaler.fit", fitting=True))
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        rng = self.data_range_.copy()
        rng[rng < 10 * np.finfo(rng.dtype).eps] = 1.0
        self.scale_ = (hi - lo) / rng
        self.min_ = lo - self.data_min_ * self.scale_
        return self

    def transform(self, X) -> np.ndarray:
        """``X * scale_ + min_`` (a new array), clipped to ``feature_range`` if ``clip``."""
        X = _float_copy(self._check(X, "MinMaxScaler.transform"))
        X *= self.scale_.astype(X.dtype)
        X += self.min_.astype(X.dtype)
        if self.clip:
            np.clip(X, *self._range("MinMaxScaler.transform"), out=X)
        return X

    def inverse_transform(self, X) -> np.ndarray:
        """``(X - min_) / scale_`` (a new array)."""
        X = _float_copy(self._check(X, "MinMaxScaler.inverse_transform"))
        X -= self.min_.astype(X.dtype)
        X /= self.scale_.astype(X.dtype)
        return X

