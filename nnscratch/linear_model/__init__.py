"""Classical models as scikit-learn-style estimators (000 ch. 3–6, 001 ch. 3–5 and 7).

Closed forms where the mathematics has one (least squares and ridge by linear solves, Newton /
IRLS for logistic regression), gradient descent and L-BFGS on the textbooks' closed-form
gradients elsewhere, and coordinate descent for the lasso.  Every estimator follows the
scikit-learn protocol (see :mod:`nnscratch.base`) without depending on scikit-learn (it is
imported only when an error or warning that subclasses its own is raised).
"""
from ..base import BaseEstimator, NotFittedError
from .lasso import Lasso
from .linear_regression import LinearRegression
from .logistic import LogisticRegression
from .multilabel import MultiLabelClassifier
from .ridge import Ridge
from .softmax import SoftmaxRegression

__all__ = ["BaseEstimator", "NotFittedError", "LinearRegression", "Ridge", "Lasso",
           "LogisticRegression", "SoftmaxRegression", "MultiLabelClassifier"]
