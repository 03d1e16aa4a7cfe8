"""Binary logistic regression on breast cancer (569 x 30, standardised, C = 1): nnscratch's
Newton/IRLS solver (001 eq. 7.6) against scikit-learn's default L-BFGS, 50 fits each.

Target: within 2x of scikit-learn's time at equal test accuracy.  The runner's
"target" line compares with PyTorch only; read the ratio in the sklearn row.  One BLAS thread
for both (threadpoolctl): a 569 x 31 problem gains nothing from threads and loses a lot to
a busy machine.
"""
import numpy as np

from ._threads import one_blas_thread

TITLE = "logistic regression, breast cancer 569x30 (C=1): 50 fits, Newton/IRLS vs sklearn lbfgs"
TARGET = 2.0          # nnscratch / scikit-learn time (the project's bar)
TARGET_AGAINST = "sklearn"
ROUNDS = 5
FITS = 50


def setup():
    from nnscratch.datasets import load_breast_cancer
    from nnscratch.model_selection import train_test_split
    from nnscratch.preprocessing import StandardScaler
    X, y = load_breast_cancer(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    s = StandardScaler().fit(Xtr)
    return s.transform(Xtr), s.transform(Xte), ytr, yte


def run_nnscratch(data):
    from nnscratch.linear_model import LogisticRegression
    Xtr, Xte, ytr, yte = data
    with one_blas_thread():
        for _ in range(FITS):
            m = LogisticRegression(solver="newton", C=1.0).fit(Xtr, ytr)
    return {"test_accuracy": m.score(Xte, yte), "iterations": m.n_iter_}


def run_sklearn(data):
    from sklearn.linear_model import LogisticRegression
    Xtr, Xte, ytr, yte = data
    with one_blas_thread():
        for _ in range(FITS):
            m = LogisticRegression(C=1.0).fit(Xtr, ytr)
    return {"test_accuracy": m.score(Xte, yte), "iterations": int(m.n_iter_[0])}
