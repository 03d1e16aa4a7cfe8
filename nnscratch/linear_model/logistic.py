"""Binary logistic regression (000 ch. 4, 001 ch. 7)."""
from __future__ import annotations

import numpy as np

from ..numeric import stable_sigmoid
from ._sigmoid import SigmoidClassifier, fit_sigmoid
from .base import check_n_features, check_X_y


def binary_targets(y: np.ndarray, owner: str) -> np.ndarray:
    """Check that ``y`` holds only the labels 0 and 1, both of them; return it as float."""
    values = np.unique(y)
    if not np.isin(values, (0, 1)).all():
        bad = ", ".join(f"{v:g}" for v in values[~np.isin(values, (0, 1))][:5])
        raise ValueError(f"{owner}: y must contain only the labels 0 and 1 (binary logistic "
                         f"regression), got [{bad}]; use SoftmaxRegression for more classes")
    if len(values) < 2:
        raise ValueError(f"{owner}: y has only one class ({values[0]:g}); a classifier "
                         f"needs examples of both 0 and 1")
    return y.astype(np.float64)


class LogisticRegression(SigmoidClassifier):
    """P(t = 1 | x) = σ(wᵀx + b), trained by minimising the mean binary cross-entropy
    (000 eq. 4.3–4.6; 001 eq. 7.1–7.3), optionally with scikit-learn's L2 penalty.

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
        seed: int seed for sgd's shuffling, or None for the library generator.

    Fitted attributes: ``coef_`` ``(1, d)``, ``intercept_`` ``(1,)``, ``classes_`` = [0, 1],
    ``loss_curve_``, ``n_iter_``, ``n_features_in_``.
    Shape: X ``(n, d)``, y ``(n,)`` with labels 0/1.
    """

    def fit(self, X, y) -> "LogisticRegression":
        """Learn w, b from X ``(n, d)`` and 0/1 labels y ``(n,)``; returns self."""
        owner = "LogisticRegression.fit"
        X, y = check_X_y(X, y, owner, y_ndim=(1,))
        t = binary_targets(y, owner)
        self._check_threshold(owner)
        W, b = fit_sigmoid(self, X, t[:, None], owner)
        self.coef_, self.intercept_ = W, b
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X) -> np.ndarray:
        """z = Xw + b (000 eq. 4.3).  Shape: ``(n, d)`` -> ``(n,)``."""
        self._check_fitted("decision_function")
        X = check_n_features(self, X, "LogisticRegression.decision_function")
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        """Columns [P(t=0|x), P(t=1|x)] with P(t=1|x) = σ(z).  Shape: ``(n, 2)``."""
        p = stable_sigmoid(self.decision_function(X))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X) -> np.ndarray:
        """1 where P(t=1|x) >= ``threshold``, else 0 (000 §4.3).  Shape: ``(n,)`` ints."""
        self._check_threshold("LogisticRegression.predict")
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(np.int64)

    def decision_boundary(self, x1=None):
        """The line where P(t=1|x) = ½ for 2-D inputs: x₂ = −b/w₂ − (w₁/w₂) x₁ (000 eq. 4.17).

        Returns ``(slope, intercept)`` of that line, or x₂ at the given ``x1`` values.
        (This is the 0.5 line whatever ``threshold`` is set to.)
        """
        self._check_fitted("decision_boundary")
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
