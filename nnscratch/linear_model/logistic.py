"""Logistic regression for any labels: sigmoid for two classes, softmax for more (000 ch. 4–5,
001 ch. 7)."""
from __future__ import annotations

import numpy as np

from ..base import check_n_features
from ..numeric import softmax_array, stable_sigmoid
from ._sigmoid import SigmoidClassifier, fit_sigmoid
from .softmax import class_targets, fit_softmax


class LogisticRegression(SigmoidClassifier):
    """P(t = 1 | x) = σ(wᵀx + b), trained by minimising the mean binary cross-entropy
    (000 eq. 4.3–4.6; 001 eq. 7.1–7.3), optionally with scikit-learn's L2 penalty.

    Labels may be any two values (ints, strings, ...): t = 1 means ``classes_[1]``, the larger
    in sorted order, as in scikit-learn.  With more than two classes the model is the
    multinomial one, P(k | x) = softmax(Wx + b)_k, fitted by the same code as
    :class:`SoftmaxRegression` (scikit-learn's multiclass LogisticRegression does the same);
    ``threshold`` then plays no part and the ``"newton"`` solver is not available.

    Objective: (1/n) Σ BCE + ‖w‖²/(2Cn) — the minimiser of sklearn's ``C·Σ BCE + ½‖w‖²``;
    ``C=None`` (default) means no penalty, as in the textbooks.  Solvers:

    * ``"lbfgs"`` (default, as scikit-learn's): L-BFGS with a strong Wolfe line search
      (:func:`nnscratch.optimize.minimize`) on the same closed-form gradient; stops when
      max|∇E| <= ``tol`` or the loss stops falling (by 1e-10).
    * ``"gd"``: full-batch gradient descent with the closed-form gradient (π − t)x of
      000 eq. 4.11–4.13 (NumPy), stepped by :class:`nnscratch.optim.SGD`; stops when
      max|∇E| <= ``tol``.
    * ``"sgd"``: mini-batches of ``batch_size`` rows, scikit-learn's adaptive step schedule.
    * ``"newton"``: Newton's method = IRLS, H = Xᵀ S X (001 eq. 7.5–7.6), a handful of
      iterations; matches ``sklearn.linear_model.LogisticRegression(penalty=None)`` (C=None) or
      ``LogisticRegression(C=C)``.

    Args:
        threshold: predict 1 when P(t = 1 | x) >= threshold (default 0.5, 000 §4.3).
        C: inverse penalty strength (> 0) or None for none.
        fit_intercept: learn the bias b (default True).
        lr: step size or ``"auto"`` = 1 / the curvature bound λmax(X̃ᵀX̃/n)/4 (gd) or
            max‖x̃ᵢ‖²/4 (sgd).
        max_iter: None -> lbfgs 1000, gd 10000 steps, sgd 1000 epochs, newton 100.
        batch_size: rows per sgd step (32).   tol: gradient tolerance (1e-4).
        random_state: int seed for sgd's shuffling, or None for the library generator.

    Fitted attributes: ``coef_`` ``(1, d)`` (``(K, d)`` for K > 2 classes), ``intercept_``
    ``(1,)`` (``(K,)``), ``classes_`` (the sorted labels), ``loss_curve_``, ``n_iter_``,
    ``n_features_in_``, ``feature_names_in_`` (fitted on a DataFrame with string columns).
    Shape: X ``(n, d)``, y ``(n,)`` with K >= 2 distinct labels.
    """

    def fit(self, X, y) -> "LogisticRegression":
        """Learn w, b from X ``(n, d)`` and labels y ``(n,)``; returns self."""
        owner = "LogisticRegression.fit"
        X, classes, codes = class_targets(X, y, owner, est=self)
        self._check_threshold(owner)
        if len(classes) == 2:
            W, b = fit_sigmoid(self, X, codes[:, None].astype(np.float64), owner)
        elif self.solver == "newton":
            raise ValueError(f"{owner}: solver='newton' fits two classes only, y has "
                             f"{len(classes)}; use 'lbfgs', 'gd' or 'sgd' (multinomial)")
        else:
            W, b = fit_softmax(self, X, codes, len(classes), owner)
        self.coef_, self.intercept_, self.classes_ = W, b, classes
        return self

    def decision_function(self, X) -> np.ndarray:
        """z = Xw + b (000 eq. 4.3), > 0 meaning ``classes_[1]``: shape ``(n, d)`` -> ``(n,)``;
        the logits ``(n, K)`` for K > 2 classes."""
        self._check_fitted("decision_function")
        X = check_n_features(self, X, "LogisticRegression.decision_function")
        z = X @ self.coef_.T + self.intercept_
        return z[:, 0] if self.coef_.shape[0] == 1 else z

    def predict_proba(self, X) -> np.ndarray:
        """Columns P(classes_[k] | x): [1 − σ(z), σ(z)] for two classes, softmax(z) for more.
        Shape: ``(n, K)``."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return softmax_array(z, axis=1)
        p = stable_sigmoid(z)
        return np.stack([1 - p, p], axis=1)

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where P(classes_[1] | x) >= ``threshold`` (000 §4.3), else
        ``classes_[0]``; the most probable class for K > 2.  Shape: ``(n,)``."""
        self._check_threshold("LogisticRegression.predict")
        proba = self.predict_proba(X)
        if proba.shape[1] > 2:
            return self.classes_[np.argmax(proba, axis=1)]
        return self.classes_[(proba[:, 1] >= self.threshold).astype(np.int64)]

    def decision_boundary(self, x1=None):
        """The line where P(t=1|x) = ½ for 2-D inputs: x₂ = −b/w₂ − (w₁/w₂) x₁ (000 eq. 4.17).

        Returns ``(slope, intercept)`` of that line, or x₂ at the given ``x1`` values.
        (This is the 0.5 line whatever ``threshold`` is set to.)
        """
        self._check_fitted("decision_boundary")
        if self.coef_.shape[0] != 1:
            raise ValueError(f"LogisticRegression.decision_boundary: needs a two-class model, "
                             f"this one has {len(self.classes_)} classes")
        if self.n_features_in_ != 2:
            raise ValueError(f"LogisticRegression.decision_boundary: needs a model of 2 "
                             f"features, this one has {self.n_features_in_}")
        (w1, w2), b = self.coef_[0], self.intercept_[0]
        if w2 == 0:
            raise ValueError("LogisticRegression.decision_boundary: w2 = 0, the boundary is "
                             f"the vertical line x1 = {-b / w1 if w1 else float('nan')}")
        slope, icpt = -w1 / w2, -b / w2
        if x1 is None:
            return float(slope), float(icpt)
        return icpt + slope * np.asarray(x1, dtype=np.float64)
