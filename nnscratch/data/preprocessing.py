"""Feature scaling: ``StandardScaler`` and ``MinMaxScaler`` (scikit-learn's semantics)."""
from __future__ import annotations

import numpy as np

from .._checks import as_array, check_2d_finite


def _float_copy(X: np.ndarray) -> np.ndarray:
    """A float copy of ``X``: float32/float64 kept, anything else becomes float64 (sklearn)."""
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return np.array(X, dtype=dtype, copy=True)


class _Scaler:
    def _check(self, X, owner: str, fitting: bool = False) -> np.ndarray:
        X = check_2d_finite(as_array(X, "X", owner), "X", owner)
        if not fitting:
            if self.n_features_in_ is None:
                raise RuntimeError(f"{owner}: this {type(self).__name__} is not fitted yet; "
                                   f"call fit(X) first")
            if X.shape[1] != self.n_features_in_:
                raise ValueError(f"{owner}: X has {X.shape[1]} features, but "
                                 f"{type(self).__name__} was fitted with {self.n_features_in_}")
        return X

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
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
        self.with_mean = bool(with_mean)
        self.with_std = bool(with_std)
        self.mean_ = self.var_ = self.scale_ = None
        self.n_features_in_ = None
        self.n_samples_seen_ = 0

    def fit(self, X) -> "StandardScaler":
        """Compute the per-column mean and standard deviation of ``X``."""
        X = self._check(X, "StandardScaler.fit", fitting=True)
        n = X.shape[0]
        mean = X.sum(axis=0, dtype=np.float64) / n
        centred = X - mean  # float64, whatever X's dtype
        # the correction term cancels the rounding error of the mean (Chan, Golub & LeVeque)
        var = ((centred ** 2).sum(axis=0) - centred.sum(axis=0) ** 2 / n) / n
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        self.n_features_in_ = X.shape[1]
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
            X -= self.mean_.astype(X.dtype)
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X) -> np.ndarray:
        """``X * scale_ + mean_`` (a new array)."""
        X = _float_copy(self._check(X, "StandardScaler.inverse_transform"))
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)
        return X

    def __repr__(self) -> str:
        return f"StandardScaler(with_mean={self.with_mean}, with_std={self.with_std})"


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
        try:
            lo, hi = feature_range
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise TypeError(f"MinMaxScaler: feature_range must be a pair (lo, hi) of numbers, "
                            f"got {feature_range!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"MinMaxScaler: feature_range must satisfy lo < hi (finite), "
                             f"got {feature_range!r}")
        self.feature_range = (lo, hi)
        self.clip = bool(clip)
        self.scale_ = self.min_ = self.data_min_ = self.data_max_ = self.data_range_ = None
        self.n_features_in_ = None

    def fit(self, X) -> "MinMaxScaler":
        """Record the per-column minimum and maximum of ``X``."""
        X = _float_copy(self._check(X, "MinMaxScaler.fit", fitting=True))
        lo, hi = self.feature_range
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        rng = self.data_range_.copy()
        rng[rng < 10 * np.finfo(rng.dtype).eps] = 1.0
        self.scale_ = (hi - lo) / rng
        self.min_ = lo - self.data_min_ * self.scale_
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """``X * scale_ + min_`` (a new array), clipped to ``feature_range`` if ``clip``."""
        X = _float_copy(self._check(X, "MinMaxScaler.transform"))
        X *= self.scale_.astype(X.dtype)
        X += self.min_.astype(X.dtype)
        if self.clip:
            np.clip(X, *self.feature_range, out=X)
        return X

    def inverse_transform(self, X) -> np.ndarray:
        """``(X - min_) / scale_`` (a new array)."""
        X = _float_copy(self._check(X, "MinMaxScaler.inverse_transform"))
        X -= self.min_.astype(X.dtype)
        X /= self.scale_.astype(X.dtype)
        return X

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={self.feature_range}, clip={self.clip})"
