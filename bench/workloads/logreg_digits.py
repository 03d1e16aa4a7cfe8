"""Multinomial (softmax) logistic regression on the UCI digits (1347 train x 64, pixels / 16,
C = 1): nnscratch's SoftmaxRegression (L-BFGS on the closed-form gradient of 000 eq. 5.15)
against scikit-learn's LogisticRegression (multinomial, L-BFGS), 5 fits each.

Target: within 2x of scikit-learn's time at equal test accuracy; the ratio is in the
sklearn row.  One BLAS thread for both (small GEMMs; threads only add contention).
"""
import numpy as np

from ._threads import one_blas_thread

TITLE = "softmax regression, digits 1347x64 -> 10 classes (C=1): 5 fits, vs sklearn lbfgs"
TARGET = 2.0          # nnscratch / scikit-learn time (the project's target)
TARGET_AGAINST = "sklearn"
ROUNDS = 5
FITS = 5


def setup():
    from nnscratch.datasets import load_digits
    from nnscratch.model_selection import train_test_split
    X, y = load_digits(dtype=np.float64)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def run_nnscratch(data):
    from nnscratch.linear_model import SoftmaxRegression
    Xtr, Xte, ytr, yte = data
    with one_blas_thread():
        for _ in range(FITS):
            m = SoftmaxRegression(C=1.0).fit(Xtr, ytr)
    return {"test_accuracy": m.score(Xte, yte), "iterations": m.n_iter_}


def run_sklearn(data):
    from sklearn.linear_model import LogisticRegression
    Xtr, Xte, ytr, yte = data
    with one_blas_thread():
        for _ in range(FITS):
            m = LogisticRegression(C=1.0, max_iter=1000).fit(Xtr, ytr)
    return {"test_accuracy": m.score(Xte, yte), "iterations": int(m.n_iter_[0])}
