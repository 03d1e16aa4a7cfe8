"""Data augmentation as regularisation (003 §3.3.2): noise injection, mixup, random shifts.

Each function returns new arrays (inputs are never modified) and draws from
:mod:`nnscratch.random` (``seed=None`` is the library generator, an int a private stream).
"""
from __future__ import annotations

import numpy as np

from .. import random as _random
from .._checks import check_int


def _float_array(x, name) -> np.ndarray:
    a = np.asarray(getattr(x, "_data", x) if not isinstance(x, np.ndarray) else x)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def add_noise(x, sigma: float, seed=None) -> np.ndarray:
    """x + ε with ε ~ N(0, σ² I): for a linear model under squared loss this adds σ² ‖w‖²
    to the expected loss (003 eq. 3.22), i.e. it acts as L2 regularisation."""
    x = _float_array(x, "x")
    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    noise = _random.rng(seed).standard_normal(x.shape)
    return (x + sigma * noise).astype(x.dtype)


def mixup(x, y, alpha: float = 0.2, seed=None):
    """Convex combinations of random pairs (003 eqs. 3.14-3.15; Zhang et al. 2018).

    x̃ = λ x_i + (1 - λ) x_j,  ỹ = λ y_i + (1 - λ) y_j,  λ ~ Beta(α, α) per sample, j a random
    permutation of the batch.  ``y`` must be one-hot or probabilities ``(N, K)`` (or real
    targets); returns ``(x̃, ỹ)``.
    """
    x, y = _float_array(x, "x"), _float_array(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    g = _random.rng(seed)
    lam = g.beta(alpha, alpha, size=len(x))
    j = g.permutation(len(x))
    lx = lam.reshape((-1,) + (1,) * (x.ndim - 1)).astype(x.dtype)
    ly = lam.reshape((-1,) + (1,) * (y.ndim - 1)).astype(y.dtype)
    return lx * x + (1 - lx) * x[j], ly * y + (1 - ly) * y[j]


def random_shift(images, max_shift: int = 2, seed=None) -> np.ndarray:
    """Shift each image by up to ``max_shift`` pixels in each direction, filling with zeros.

    Shape: ``(N, H, W)`` or ``(N, C, H, W)`` -> same.  Labels are unchanged by a small shift.
    """
    x = _float_array(images, "images")
    if x.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, C, H, W), got shape {x.shape}")
    check_int(max_shift, "max_shift", "random_shift", 0)
    h, w = x.shape[-2:]
    p = int(max_shift)
    padded = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])
    shifts = _random.rng(seed).integers(-p, p + 1, size=(len(x), 2))
    out = np.empty_like(x)
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, ..., p - dy:p - dy + h, p - dx:p - dx + w]
    return out
