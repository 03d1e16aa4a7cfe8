"""``train_test_split``: a random (optionally stratified) train/test split, as scikit-learn's."""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from .._checks import as_array, check_bool, check_seed
from ..tensor import Tensor
from ..tensor import as_tensor as _as_tensor


def _n_test(test_size, n: int) -> int:
    owner = "train_test_split"
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer,
                                                                  np.floating)):
        raise TypeError(f"{owner}: test_size must be a float in (0, 1) or an int, "
                        f"got {type(test_size).__name__} {test_size!r}")
    if isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"{owner}: test_size as a fraction must be in (0, 1), "
                             f"got {test_size}")
        n_test = math.ceil(test_size * n)  # scikit-learn rounds the test side up
    else:
        if not 1 <= test_size < n:
            raise ValueError(f"{owner}: test_size as a count must be in [1, {n - 1}] for "
                             f"{n} samples, got {test_size}")
        n_test = int(test_size)
    if n - n_test < 1:
        raise ValueError(f"{owner}: test_size={test_size} leaves no training sample out of {n}")
    return n_test


def _approximate_mode(counts: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Per-class counts summing to ``n_draws``, as close as possible to proportional.

    The floor of each class's share, then one more for the classes with the largest
    remainders (ties broken at random): scikit-learn's ``_approximate_mode``.
    """
    share = counts / counts.sum() * n_draws
    taken = np.floor(share).astype(np.int64)
    need = n_draws - int(taken.sum())
    if need > 0:
        remainder = share - taken
        for value in np.sort(np.unique(remainder))[::-1]:
            candidates = np.flatnonzero(remainder == value)
            add = min(len(candidates), need)
            taken[rng.choice(candidates, size=add, replace=False)] += 1
            need -= add
            if need == 0:
                break
    return taken


def _stratified(labels: np.ndarray, n_test: int, rng: np.random.Generator):
    owner = "train_test_split"
    classes, y_idx = np.unique(labels, axis=0, return_inverse=True)
    y_idx = y_idx.reshape(-1)
    counts = np.bincount(y_idx)
    if counts.min() < 2:
        raise ValueError(f"{owner}: stratify needs at least 2 samples of every class, class "
                         f"{classes[np.argmin(counts)]!r} has {counts.min()}")
    n = len(labels)
    n_train = n - n_test
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"{owner}: with stratify, train ({n_train}) and test ({n_test}) must "
                         f"each hold at least one sample of each of the {len(classes)} classes")
    take_train = _approximate_mode(counts, n_train, rng)
    take_test = _approximate_mode(counts - take_train, n_test, rng)
    train, test = [], []
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(y_idx == c))
        train.append(members[:take_train[c]])
        test.append(members[take_train[c]:take_train[c] + take_test[c]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _take(a, a_arr: np.ndarray, idx: np.ndarray):
    part = a_arr[idx]
    return _as_tensor(part) if isinstance(a, Tensor) else part


def train_test_split(*arrays, test_size: float | int = 0.25,
                     random_state: int | np.random.Generator | None = None, stratify=None,
                     shuffle: bool = True) -> list:
    """Split arrays into random train and test subsets (like scikit-learn's).

    ``n_test = ceil(test_size * N)`` for a fraction, or ``test_size`` itself for an int; the
    rest is the training set.  With ``stratify=labels`` every class keeps its proportion in both
    parts (per-class counts allocated as scikit-learn does); ``shuffle=False`` takes the first
    ``N - n_test`` samples for training and the rest for testing.

    Args:
        *arrays: one or more ``np.ndarray``/``Tensor``/list with the same length ``N``.
        test_size: fraction in (0, 1) or count in [1, N-1] (default 0.25).
        random_state: None (library generator, repeatable after ``ns.manual_seed``), an int, or an
            ``np.random.Generator``.
        stratify: class labels ``(N,)`` (or ``(N, k)`` rows, e.g. one-hot) to stratify by.
        shuffle: shuffle before splitting (default True); stratify requires it.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, each part of the type of its input
        (list input gives arrays).
    """
    owner = "train_test_split"
    if not arrays:
        raise ValueError(f"{owner}: at least one array is required")
    shuffle = check_bool(shuffle, "shuffle", owner)
    random_state = check_seed(random_state, owner, "random_state")
    data = [as_array(a, f"arrays[{i}]", owner) for i, a in enumerate(arrays)]
    for i, a in enumerate(data):
        if a.ndim == 0:
            raise ValueError(f"{owner}: arrays[{i}] must have a sample axis, got a 0-d array")
    n = len(data[0])
    if n < 2:
        raise ValueError(f"{owner}: need at least 2 samples to split, got {n}")
    for i, a in enumerate(data[1:], start=1):
        if len(a) != n:
            raise ValueError(f"{owner}: all arrays must have the same length, arrays[0] has {n}"
                             f" and arrays[{i}] has {len(a)}")
    n_test = _n_test(test_size, n)
    rng = _random.rng(random_state)
    if stratify is not None:
        if not shuffle:
            raise ValueError(f"{owner}: stratify requires shuffle=True (as in scikit-learn)")
        labels = as_array(stratify, "stratify", owner)
        if len(labels) != n:
            raise ValueError(f"{owner}: stratify must have {n} labels, got {len(labels)}")
        train, test = _stratified(labels, n_test, rng)
    elif shuffle:
        order = rng.permutation(n)
        train, test = order[:n - n_test], order[n - n_test:]
    else:
        train, test = np.arange(n - n_test), np.arange(n - n_test, n)
    out = []
    for a, arr in zip(arrays, data):
        out += [_take(a, arr, train), _take(a, arr, test)]
    return out

