"""Ridge regression: least squares with an L2 penalty on the weights (001 §5.2)."""
from __future__ import annotations

from .._checks import check_param
from .linear_regression import _LeastSquares


class Ridge(_LeastSquares):
    """Minimises ‖y − Xw − b‖² + α‖w‖² (001 eq. 5.1, with α = δ²; the intercept b is not
    penalised, scikit-learn's convention, so shifting y shifts only b).

    Solvers:

    * ``"normal"`` (default): centre X and y, then solve (XᵀX + αI) w = Xᵀy (001 eq. 5.2)
      with ``np.linalg.solve`` (never an explicit inverse; least squares if it is singular);
      b = ȳ − x̄ᵀw.  Matches ``sklearn.linear_model.Ridge``.
    * ``"gd"``: gradient descent on (‖y − Xw − b‖² + α‖w‖²)/2n with the closed-form gradient
      (Xᵀr + αw)/n (NumPy), stepped in place; stops when
      max|∇| <= ``tol``.

    Args:
        alpha: penalty strength α >= 0 (default 1.0).
        fit_intercept, lr, max_iter, tol: as in :class:`LinearRegression`.

    Fitted attributes: ``coef_``, ``intercept_``, ``noise_variance_``, ``loss_curve_``,
    ``n_iter_``, ``n_features_in_``.  Shape: X ``(n, d)``, y ``(n,)`` or ``(n, k)``.
    """

    _solvers = ("normal", "gd")

    def __init__(self, alpha: float = 1.0, solver: str = "normal", fit_intercept: bool = True,
                 lr: float | str = "auto", max_iter: int | None = None, tol: float = 1e-6):
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.lr = lr
        self.max_iter = max_iter
        self.tol = tol

    # the shared least-squares code reads these; ridge has no sgd solver, so they are fixed
    random_state = None
    batch_size = None

    def _check_alpha(self, owner):
        return float(check_param(self.alpha, "alpha", owner, low=0.0))
