"""The small data sets the textbooks work through, with their numbers as printed.

Conventions (shared by every loader in :mod:`nnscratch.datasets`): features are float32 by
default (``dtype=`` changes it); one-class-per-sample labels are int64 vectors ``(N,)``;
targets that a network regresses onto or scores with binary cross-entropy (regression
outputs, logic-gate truth values, multi-label indicator rows) are float 2-D ``(N, K)``, the
shape of the output layer that predicts them.

The tables are transcribed from the textbooks in ``shared/seeds`` ("000" = *Data science from
scratch*, "001" = *Deep Learning Notes using Julia with Flux*); they are a few facts each
(truth tables and small numeric tables), quoted here as data for teaching and testing.
"""
from __future__ import annotations

import numpy as np

from .. import random as _random
from .._checks import check_seed, positive_int


def _float_dtype(dtype, owner: str) -> np.dtype:
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{owner}: dtype must be a float dtype, got {d}")
    return d


def and_gate(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The two-input AND gate (000 Table 4.1, the logistic-regression example of §4.4).

    Source: 000 §4.4, Table 4.1 (a truth table; public domain logic).

    Returns:
        ``X`` ``(4, 2)`` rows ``00, 01, 10, 11`` and ``t`` ``(4, 1)`` = ``0, 0, 0, 1``.
    """
    d = _float_dtype(dtype, "and_gate")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=d)
    return X, np.array([[0], [0], [0], [1]], dtype=d)


def xor(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem that needs a hidden layer (000 §7.4, Listing 7.1's data).

    Source: 000 §7.4 (a truth table; public domain logic).

    Returns:
        ``X`` ``(4, 2)`` rows ``00, 01, 10, 11`` and ``t`` ``(4, 1)`` = ``0, 1, 1, 0``.
    """
    d = _float_dtype(dtype, "xor")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=d)
    return X, np.array([[0], [1], [1], [0]], dtype=d)


BLOB_CENTRES = ((0.0, 0.0), (3.0, 3.0), (-3.0, 3.0))


def gaussian_blobs(n_per_class: int = 100, seed: int | np.random.Generator | None = 42,
                   dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Three 2-D Gaussian classes for softmax regression (000 §5.4, Listing 5.1's data).

    Class ``k`` is ``N(c_k, I)`` with centres ``c = (0, 0), (3, 3), (-3, 3)`` and identity
    covariance, ``n_per_class`` points each, stacked class 0, then 1, then 2 (as the book does).

    With an int ``seed`` the points come from NumPy's legacy Mersenne-Twister stream
    (``np.random.RandomState(seed)``), which is the stream the book's ``np.random.seed(42)``
    drives: the default ``seed=42`` reproduces the book's 300 points exactly.  ``seed=None``
    draws from the library generator (``ns.manual_seed`` makes it repeat); a
    ``np.random.Generator`` is used as given.

    Source: 000 §5.4 (synthetic; no licence needed).

    Returns:
        ``X`` ``(3 n_per_class, 2)`` and labels ``y`` ``(3 n_per_class,)`` int64 in {0, 1, 2}.
    """
    owner = "gaussian_blobs"
    n = positive_int(n_per_class, "n_per_class", owner)
    seed = check_seed(seed, owner, "seed")
    d = _float_dtype(dtype, owner)
    if isinstance(seed, int):
        legacy = np.random.RandomState(seed)
        # multivariate_normal with identity covariance is mean + standard normal draws
        # (its SVD of I is exact), consumed class by class like the book's three calls
        draw = lambda: legacy.standard_normal((n, 2))  # noqa: E731
    else:
        gen = _random.rng(seed)
        draw = lambda: gen.standard_normal((n, 2))  # noqa: E731
    X = np.concatenate([np.asarray(c) + draw() for c in BLOB_CENTRES])
    y = np.repeat(np.arange(3, dtype=np.int64), n)
    return X.astype(d), y


def multilabel_toy(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The four-sample, three-label example of multi-label classification (000 §6.3).

    The third input is a constant 1 (the book's way of carrying a bias in the inputs).

    Source: 000 §6.3, Listing 6.1's data (synthetic; no licence needed).

    Returns:
        ``X`` ``(4, 3)`` and multi-hot targets ``T`` ``(4, 3)``, both float.
    """
    d = _float_dtype(dtype, "multilabel_toy")
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=d)
    T = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 1, 1]], dtype=d)
    return X, T


def sine_wave(n: int = 100, step: float = 0.1, dtype=np.float32) -> np.ndarray:
    """The sampled sine ``s_t = sin(step * t)``, ``t = 0 .. n-1`` (000 §9.5, Listing 9.1).

    The book predicts ``s_{t+1}`` from ``s_t`` with an Elman RNN over ``n = 100`` samples of
    ``sin(0.1 t)``; :func:`windows` turns the series into (window -> next value) pairs.

    Source: 000 §9.5 (synthetic; no licence needed).

    Shape:
        ``(n,)``.
    """
    owner = "sine_wave"
    n = positive_int(n, "n", owner)
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)) \
            or not np.isfinite(step) or step <= 0:
        raise ValueError(f"{owner}: step must be a positive finite number, got {step!r}")
    d = _float_dtype(dtype, owner)
    return np.sin(step * np.arange(n, dtype=np.float64)).astype(d)


def windows(series, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Sliding (window -> next value) pairs from a series, batch-first for the RNN layers.

    Pair ``i`` is ``X[i] = series[i : i + window]`` and ``y[i] = series[i + window + horizon
    - 1]``; ``window=1`` gives the book's ``(s_t -> s_{t+1})`` pairs of Listing 9.1.

    Shape:
        series ``(T,)`` or ``(T, F)`` -> X ``(T - window - horizon + 1, window, F)``,
        y ``(T - window - horizon + 1, F)`` (``F = 1`` for a 1-D series).
    """
    owner = "windows"
    s = np.asarray(series)
    if s.ndim == 1:
        s = s[:, None]
    if s.ndim != 2:
        raise ValueError(f"{owner}: series must be 1-D (T,) or 2-D (T, F), got shape {s.shape}")
    window = positive_int(window, "window", owner)
    horizon = positive_int(horizon, "horizon", owner)
    m = len(s) - window - horizon + 1
    if m < 1:
        raise ValueError(f"{owner}: a series of length {len(s)} is too short for window="
                         f"{window} and horizon={horizon}")
    idx = np.arange(m)[:, None] + np.arange(window)[None, :]
    return s[idx], s[window + horizon - 1:window + horizon - 1 + m]


def linreg_table(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The 10-row table of three inputs and two outputs for linear regression (000 Table 3.1).

    Source: 000 §3.3, Table 3.1 ("synthesized data"; numbers transcribed as printed).

    Returns:
        ``X`` ``(10, 3)`` columns ``x1, x2, x3`` and ``T`` ``(10, 2)`` columns ``t1, t2``.
    """
    d = _float_dtype(dtype, "linreg_table")
    table = np.array([
        # x1    x2    x3    t1    t2
        [0.23, 0.87, 0.95, 2.74, 1.82],
        [0.34, 0.56, 0.29, 1.42, 2.61],
        [0.98, 0.68, 0.05, 3.12, 2.49],
        [0.51, 0.24, 0.64, 1.63, 1.95],
        [0.42, 0.75, 0.49, 2.84, 2.37],
        [0.89, 0.11, 0.93, 2.17, 1.68],
        [0.14, 0.91, 0.25, 1.96, 2.55],
        [0.76, 0.41, 0.53, 2.29, 2.24],
        [0.66, 0.04, 0.08, 1.27, 1.35],
        [0.45, 0.82, 0.76, 2.86, 2.74],
    ])
    return table[:, :3].astype(d), table[:, 3:].astype(d)


def energy_table(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Four instances of (wind, people) -> energy (001 Table 3.1).

    Source: 001 §3.2, Table 3.1 (numbers transcribed as printed).

    Returns:
        ``X`` ``(4, 2)`` columns ``wind, people`` and ``y`` ``(4, 1)`` energy.
    """
    d = _float_dtype(dtype, "energy_table")
    X = np.array([[100, 2], [50, 42], [45, 31], [60, 35]], dtype=d)
    return X, np.array([[5], [25], [22], [18]], dtype=d)
