"""Classical models as scikit-learn-style estimators (000 ch. 3–6, 001 ch. 3–5 and 7)."""
from .base import BaseEstimator, NotFittedError
from .linear_regression import LinearRegression
from .ridge import Ridge

__all__ = ["BaseEstimator", "NotFittedError", "LinearRegression", "Ridge"]
from .logistic import LogisticRegression
from .multilabel import MultiLabelClassifier
from .softmax import SoftmaxRegression

__all__ += ["LogisticRegression", "MultiLabelClassifier", "SoftmaxRegression"]
from .lasso import Lasso

__all__ += ["Lasso"]
