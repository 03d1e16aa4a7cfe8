"""Sorting and the k largest entries (``torch.sort``, ``torch.topk``).

Both pick entries by index and then gather them, so their gradient is the gather's: each
output's gradient goes back to the entry it came from.  NaN sorts as the largest value, as in
PyTorch; equal values keep their order (a stable sort).
"""
from __future__ import annotations

import numpy as np


def sort_indices(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The int64 indices that sort ``x`` along ``dim``, stably in either direction."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable").astype(np.int64)
    # sort the reversed array ascending, reverse, map the indices back: stable, and without
    # negating (which would wrap unsigned integers and booleans)
    n = x.shape[dim]
    idx = np.flip(np.argsort(np.flip(x, axis=dim), axis=dim, kind="stable"), axis=dim)
    return (n - 1 - idx).astype(np.int64)


def topk_indices(x: np.ndarray, k: int, dim: int, largest: bool) -> np.ndarray:
    """The indices of the ``k`` largest (or smallest) entries along ``dim``, best first."""
    n = x.shape[dim] if x.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int in [0, {n}] (the size of dim {dim}), "
                         f"got {k!r}")
    idx = sort_indices(x, dim, descending=largest)
    return np.take(idx, np.arange(k), axis=dim)

