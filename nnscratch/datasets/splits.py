"""The classification data sets ``nnscratch train`` and ``nnscratch evaluate`` offer, each as a
seeded train/validation split of raw (unscaled) features.

``train_validation(name, seed)`` returns ``X_tr, y_tr, X_va, y_va``: the data set's pool of
labelled examples cut by :func:`nnscratch.model_selection.train_test_split` (stratified,
``random_state=seed``), so the same name and seed give the same split (``evaluate``
re-creates the split a model was trained beside).  ``SPLITS[name].scaled`` says whether a
``StandardScaler`` fitted on ``X_tr`` should standardise the features (the tables, whose
columns have unlike units; pixels and MNIST-1D's signals are used as they are).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _digits():
    from .tabular import load_digits
    return load_digits()


def _breast_cancer():
    from .tabular import load_breast_cancer
    return load_breast_cancer()


def _iris():
    from .tabular import load_iris
    return load_iris()


def _mnist():
    """The 60,000 official training images (the slides' 50,000 training + 10,000 validation);
    the official test set stays out of the CLI's splits."""
    from .mnist import load_mnist
    (X_tr, y_tr), (X_va, y_va), _ = load_mnist()
    return np.concatenate([X_tr, X_va]), np.concatenate([y_tr, y_va])


def _mnist1d():
    """MNIST-1D's 4,000 training + 1,000 test signals."""
    from .mnist import load_mnist1d
    (X_tr, y_tr), (X_te, y_te) = load_mnist1d()
    return np.concatenate([X_tr, X_te]), np.concatenate([y_tr, y_te])


@dataclass(frozen=True)
class Split:
    """One data set: ``load() -> (X, y)`` (the pool), how much of it validates, and whether
    its features are standardised."""

    load: Callable[[], tuple]
    validation: float | int          # a fraction of the pool, or a count
    scaled: bool


SPLITS: dict[str, Split] = {
    "digits": Split(_digits, 0.2, scaled=True),
    "breast_cancer": Split(_breast_cancer, 0.2, scaled=True),
    "iris": Split(_iris, 0.2, scaled=True),
    "mnist": Split(_mnist, 10_000, scaled=False),     # the slides' 50,000 / 10,000
    "mnist1d": Split(_mnist1d, 1_000, scaled=False),  # the paper's 4,000 / 1,000
}


def train_validation(name: str, seed: int) -> tuple:
    """``X_tr, y_tr, X_va, y_va`` of the data set ``name`` (a key of :data:`SPLITS`), split
    with ``seed``; a ValueError naming the choices for an unknown name."""
    from ..model_selection import train_test_split
    split = SPLITS.get(name)
    if split is None:
        raise ValueError(f"train_validation: name must be one of {sorted(SPLITS)}, got {name!r}")
    X, y = split.load()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=split.validation,
                                              random_state=seed, stratify=y)
    return X_tr, y_tr, X_va, y_va
