"""Model selection, scikit-learn's names: ``train_test_split``, K-fold cross-validation
and exhaustive grid search (001 §5.6).

``cross_val_score`` and ``GridSearchCV`` work with any estimator that has ``get_params`` /
``set_params`` / ``fit`` / ``score`` — ours or scikit-learn's.
"""
from ._split import train_test_split
from ._validation import (GridSearchCV, KFold, StratifiedKFold, clone, cross_val_score,
                          get_scorer)

__all__ = ["KFold", "StratifiedKFold", "train_test_split", "cross_val_score", "GridSearchCV",
           "clone", "get_scorer"]
