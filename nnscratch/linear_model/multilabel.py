"""Multilabel classification: one independent sigmoid per label (000 ch. 6)."""
from __future__ import annotations

import numpy as np

from ..numeric import stable_sigmoid
from ._sigmoid import SigmoidClassifier, fit_sigmoid
from .base import check_n_features, check_X_y


class MultiLabelClassifier(SigmoidClassifier):
    """y_l = σ(w_lᵀx + b_l) for each of L labels (000 eq. 6.1), trained on the summed binary
    cross-entropy (000 eq. 6.3) averaged over samples (+ ‖W‖²/(2Cn) when C is given).

    The labels share nothing, so this equals L separate logistic regressions; it fits them
    together (one GEMM per step for gd/sgd) or one Newton/IRLS problem per label (``"newton"``).
    Solvers and arguments are those of :class:`LogisticRegression`.

    ``predict`` returns the multi-hot matrix [π ≥ threshold]; ``score`` is the subset accuracy
    (every label of a row right), scikit-learn's convention for multilabel targets.

    Fitted attributes: ``coef_`` ``(L, d)``, ``intercept_`` ``(L,)``, ``n_labels_``,
    ``loss_curve_``, ``n_iter_``, ``n_features_in_``.
    Shape: X ``(n, d)``, Y ``(n, L)`` multi-hot -> predict ``(n, L)`` of 0/1 ints.
    """

    _multi_output = True

    def fit(self, X, Y) -> "MultiLabelClassifier":
        """Learn one sigmoid per column of the multi-hot Y ``(n, L)``; returns self."""
        owner = "MultiLabelClassifier.fit"
        X, Y = check_X_y(X, Y, owner, y_ndim=(2,))
        if not np.isin(Y, (0, 1)).all():
            bad = np.unique(Y[~np.isin(Y, (0, 1))])
            raise ValueError(f"{owner}: Y must be a multi-hot matrix of 0s and 1s, got values "
                             f"{bad[:5].tolist()}")
        self._check_threshold(owner)
        self.coef_, self.intercept_ = fit_sigmoid(self, X, Y, owner)
        self.n_labels_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X) -> np.ndarray:
        """Logits Z = X Wᵀ + b.  Shape: ``(n, d)`` -> ``(n, L)``."""
        self._check_fitted("decision_function")
        X = check_n_features(self, X, "MultiLabelClassifier.decision_function")
        return X @ self.coef_.T + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """P(label l present | x) = σ(z_l) per label.  Shape: ``(n, L)``."""
        return stable_sigmoid(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """The multi-hot matrix 1[π ≥ threshold].  Shape: ``(n, L)`` ints."""
        self._check_threshold("MultiLabelClassifier.predict")
        return (self.predict_proba(X) >= self.threshold).astype(np.int64)
