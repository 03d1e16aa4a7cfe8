"""Multilabel classification: one independent sigmoid per label (000 ch. 6)."""
from __future__ import annotations

import numpy as np

from ..base import check_n_features, check_X_y
from ..numeric import stable_sigmoid
from ._sigmoid import SigmoidClassifier, fit_sigmoid
from .softmax import class_targets


class MultiLabelClassifier(SigmoidClassifier):
    """y_l = σ(w_lᵀx + b_l) for each of L labels (000 eq. 6.1), trained on the summed binary
    cross-entropy (000 eq. 6.3) averaged over samples (+ ‖W‖²/(2Cn) when C is given).

    The labels share nothing, so this equals L separate logistic regressions; it fits them
    together (one GEMM per step for gd/sgd) or one Newton/IRLS problem per label (``"newton"``).
    Solvers and arguments are those of :class:`LogisticRegression`.

    ``predict`` returns the multi-hot matrix [π ≥ threshold]; ``score`` is the subset accuracy
    (every label of a row right), scikit-learn's convention for multilabel targets.

    A 1-D ``y`` of two classes is one label (scikit-learn's convention that a multilabel
    classifier also takes a binary target): predictions are then labels from ``classes_``,
    exactly as :class:`LogisticRegression`'s.

    Fitted attributes: ``coef_`` ``(L, d)``, ``intercept_`` ``(L,)``, ``n_labels_``,
    ``classes_`` ([0, 1] for a multi-hot Y, the two labels of a 1-D y), ``y_ndim_``,
    ``loss_curve_``, ``n_iter_``, ``n_features_in_``.
    Shape: X ``(n, d)``, Y ``(n, L)`` multi-hot -> predict ``(n, L)`` of 0/1 ints.
    """

    _multi_output = True
    _multi_class, _multi_label = False, True

    def fit(self, X, Y) -> "MultiLabelClassifier":
        """Learn one sigmoid per column of the multi-hot Y ``(n, L)``; returns self."""
        owner = "MultiLabelClassifier.fit"
        if np.asarray(Y.numpy() if hasattr(Y, "requires_grad") else Y).ndim == 1:
            X, classes, codes = class_targets(X, Y, owner, est=self)
            if len(classes) != 2:
                raise ValueError(f"{owner}: a 1-D y is one binary label, got {len(classes)} "
                                 f"classes. Only binary classification is supported. Pass a "
                                 f"multi-hot Y (n, L), or use LogisticRegression")
            self._check_threshold(owner)
            self.coef_, self.intercept_ = fit_sigmoid(self, X, codes[:, None].astype(float),
                                                      owner)
            self.classes_, self.n_labels_, self.y_ndim_ = classes, 1, 1
            return self
        X, Y = check_X_y(X, Y, owner, y_ndim=(2,), est=self)
        if not np.isin(Y, (0, 1)).all():
            bad = np.unique(Y[~np.isin(Y, (0, 1))])
            raise ValueError(f"{owner}: Y must be a multi-hot matrix of 0s and 1s, got values "
                             f"{bad[:5].tolist()}")
        self._check_threshold(owner)
        self.coef_, self.intercept_ = fit_sigmoid(self, X, Y, owner)
        self.classes_, self.n_labels_, self.y_ndim_ = np.array([0, 1]), Y.shape[1], 2
        return self

    def decision_function(self, X) -> np.ndarray:
        """Logits Z = X Wᵀ + b.  Shape: ``(n, d)`` -> ``(n, L)`` (``(n,)`` fitted on 1-D y)."""
        self._check_fitted("decision_function")
        X = check_n_features(self, X, "MultiLabelClassifier.decision_function")
        Z = X @ self.coef_.T + self.intercept_
        return Z[:, 0] if self.y_ndim_ == 1 else Z

    def predict_proba(self, X) -> np.ndarray:
        """P(label l present | x) = σ(z_l) per label.  Shape: ``(n, L)``; fitted on a 1-D y,
        the columns [P(classes_[0]), P(classes_[1])] ``(n, 2)``."""
        p = stable_sigmoid(self.decision_function(X))
        return np.stack([1 - p, p], axis=1) if self.y_ndim_ == 1 else p

    def predict(self, X) -> np.ndarray:
        """The multi-hot matrix 1[π ≥ threshold].  Shape: ``(n, L)`` ints (fitted on a 1-D
        y: ``classes_[1]`` where π ≥ threshold, else ``classes_[0]``, shape ``(n,)``)."""
        self._check_threshold("MultiLabelClassifier.predict")
        hot = (stable_sigmoid(self.decision_function(X)) >= self.threshold).astype(np.int64)
        return self.classes_[hot] if self.y_ndim_ == 1 else hot
