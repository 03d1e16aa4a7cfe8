"""The playground's six toy data sets on the square [-6, 6]², and its input features.

Each set has ``N_POINTS`` points drawn from ``nnscratch.random.rng(seed)``, so a seed fixes the
picture.  Classification sets label a point 0 or 1; the two regression sets (the plane and the
six signed Gaussian bumps of TensorFlow Playground's "multi-Gaussian") label it with a value in
[-1, 1].  ``noise`` is a percentage (0-50) as on TensorFlow Playground's slider: it scales
the jitter added to the points (classification) or to the labels (regression).

The features are computed from the raw coordinates, as on TensorFlow Playground:
``x1, x2, x1², x2², x1·x2, sin x1, sin x2``.
"""
from __future__ import annotations

import numpy as np

from ... import random as nsrandom

N_POINTS = 500
HALF_WIDTH = 6.0                      # the plane shown is [-HALF_WIDTH, HALF_WIDTH]²
CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
REGRESSION = ("plane", "multigauss")
DATASETS = CLASSIFICATION + REGRESSION

FEATURES = {
    "x1": lambda a, b: a, "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b, "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a), "sin(x2)": lambda a, b: np.sin(b),
}


def _circle(g, n, noise):
    """Half the points inside radius 2.5 (label 1), half on the ring 3.5-5 (label 0)."""
    r = np.concatenate([g.uniform(0, 2.5, n // 2), g.uniform(3.5, 5.0, n - n // 2)])
    angle = g.uniform(0, 2 * np.pi, n)
    xy = np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    xy += g.uniform(-5, 5, (n, 2)) * noise
    return xy, (np.arange(n) < n // 2).astype(np.float64)


def _xor(g, n, noise):
    """Uniform points kept 0.3 away from the axes; label 1 where x1·x2 > 0 (before noise)."""
    xy = g.uniform(-5, 5, (n, 2))
    xy += np.where(xy > 0, 0.3, -0.3)
    label = (xy[:, 0] * xy[:, 1] > 0).astype(np.float64)
    return xy + g.uniform(-5, 5, (n, 2)) * noise, label


def _gauss(g, n, noise):
    """Two Gaussians at (2, 2) (label 1) and (-2, -2) (label 0); noise widens them."""
    label = (np.arange(n) < n // 2).astype(np.float64)
    centre = np.where(label[:, None] > 0, 2.0, -2.0)
    return centre + g.normal(0, 0.5 + 3.5 * noise, (n, 2)), label


def _spiral(g, n, noise):
    """Two interleaved spirals r = 5t, angle 1.75·2πt (+π for the second), t in [0, 1)."""
    label = (np.arange(n) < n // 2).astype(np.float64)
    t = np.concatenate([np.arange(n // 2) / (n // 2), np.arange(n - n // 2) / (n - n // 2)])
    angle = 1.75 * 2 * np.pi * t + np.where(label > 0, 0.0, np.pi)
    xy = 5 * t[:, None] * np.stack([np.sin(angle), np.cos(angle)], 1)
    return xy + g.uniform(-1, 1, (n, 2)) * 5 * noise, label


def _plane(g, n, noise):
    """Uniform points labelled (x1 + x2) / 12 (in [-1, 1]) plus uniform label noise."""
    xy = g.uniform(-HALF_WIDTH, HALF_WIDTH, (n, 2))
    label = (xy[:, 0] + xy[:, 1]) / (2 * HALF_WIDTH) + g.uniform(-1, 1, n) * noise
    return xy, label


# (x1, x2, sign) of the six bumps: two rows of three, the signs alternating like a chequerboard
BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                  [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
BUMP_RADIUS = 2.0


def _multigauss(g, n, noise):
    """Uniform points labelled by the strongest of six signed bumps: bump k is worth
    ``sign_k · max(0, 1 - d_k / 2)`` at distance d_k from its centre, and the label is the value
    of largest magnitude (0 away from every bump).  Noise moves the place where the label is
    read (by up to ±6·noise in each coordinate), not the point drawn."""
    xy = g.uniform(-HALF_WIDTH, HALF_WIDTH, (n, 2))
    read_at = xy + g.uniform(-HALF_WIDTH, HALF_WIDTH, (n, 2)) * noise
    dist = np.linalg.norm(read_at[:, None, :] - BUMPS[None, :, :2], axis=2)        # (n, 6)
    value = BUMPS[:, 2] * np.clip(1 - dist / BUMP_RADIUS, 0, 1)
    return xy, value[np.arange(n), np.abs(value).argmax(axis=1)]


_MAKERS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
           "plane": _plane, "multigauss": _multigauss}


def make_dataset(name: str, noise: float = 0, train_ratio: float = 50, seed: int = 0):
    """``(xy_train, y_train, xy_test, y_test)`` for data set ``name``.

    ``noise`` and ``train_ratio`` are percentages (0-50 and 1-99).  Shapes: ``xy`` is
    ``(n, 2)`` float64 coordinates, ``y`` is ``(n, 1)`` float32 (0/1 labels or regression
    targets).  The points and the split come from one generator seeded with ``seed``.
    """
    if name not in _MAKERS:
        raise ValueError(f"make_dataset: name must be one of {DATASETS}, got {name!r}")
    if not 0 <= noise <= 50:
        raise ValueError(f"make_dataset: noise must be a percentage in [0, 50], got {noise}")
    if not 1 <= train_ratio <= 99:
        raise ValueError(f"make_dataset: train_ratio must be in [1, 99], got {train_ratio}")
    g = nsrandom.rng(seed)
    xy, label = _MAKERS[name](g, N_POINTS, noise / 100)
    order = g.permutation(N_POINTS)
    n_train = int(round(N_POINTS * train_ratio / 100))
    tr, te = order[:n_train], order[n_train:]
    y = label.astype(np.float32)[:, None]
    return xy[tr], y[tr], xy[te], y[te]


def thumbnail(name: str, n: int = 120) -> np.ndarray:
    """``(n, 3)`` rows ``(x1, x2, label)`` rounded to 0.01 (they are drawn a few pixels
    wide): the first ``n`` training points of data set ``name`` at seed 0 without noise, for
    the small picture on its button."""
    xy, y, _, _ = make_dataset(name, noise=0, train_ratio=99, seed=0)
    return np.round(np.hstack([xy[:n], y[:n].astype(np.float64)]), 2)


def feature_matrix(xy, names) -> np.ndarray:
    """The chosen features of points ``xy`` ``(n, 2)`` as a float32 ``(n, len(names))``."""
    unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"feature_matrix: unknown features {unknown}; choose from "
                         f"{list(FEATURES)}")
    a, b = xy[:, 0], xy[:, 1]
    return np.stack([FEATURES[f](a, b) for f in names], 1).astype(np.float32)


def grid(resolution: int) -> np.ndarray:
    """``(resolution², 2)`` cell centres over the plane, row by row from the top (x2 = +6)
    so that value ``k`` of a heat map is pixel ``(k // resolution, k % resolution)``."""
    step = 2 * HALF_WIDTH / resolution
    c = -HALF_WIDTH + step * (np.arange(resolution) + 0.5)
    x1, x2 = np.meshgrid(c, c[::-1])
    return np.stack([x1.ravel(), x2.ravel()], 1)
