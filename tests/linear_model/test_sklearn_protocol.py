"""scikit-learn's protocol, checked by scikit-learn itself: its whole estimator-check battery
on every estimator and transformer nnscratch ships, and the behaviours it cannot see (labels of
any type, the shared multinomial fit, pickling, feature names, random_state)."""
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.exceptions
import sklearn.linear_model as sk
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnscratch.features import PolynomialFeatures, RBFFeatures
from nnscratch.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    MultiLabelClassifier,
    NotFittedError,
    Ridge,
    SoftmaxRegression,
)
from nnscratch.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split
from nnscratch.preprocessing import MinMaxScaler, StandardScaler

ESTIMATORS = [LinearRegression(), Ridge(), Lasso(), LogisticRegression(), SoftmaxRegression(),
              MultiLabelClassifier(), PolynomialFeatures(), RBFFeatures(centers=3),
              StandardScaler(), MinMaxScaler(),
              GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3),
              GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)]


def _expected_failures(est):
    if isinstance(est, MultiLabelClassifier):
        return {"check_classifier_multioutput":
                "unpenalised (C=None, the textbook default) fits of the check's separable "
                "labels push logits past 37, where sigma(z) rounds to 1.0: the tied "
                "probabilities rank differently from the distinct logits"}
    return {}


with warnings.catch_warnings():     # "does not inherit from sklearn.base.BaseEstimator": by design
    warnings.simplefilter("ignore", UserWarning)
    _CHECKS = parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)


@_CHECKS
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_at_most_a_handful_of_checks_are_expected_to_fail():
    assert sum(len(_expected_failures(e)) for e in ESTIMATORS) <= 3


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def test_logistic_regression_takes_string_labels_like_sklearn(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    mask = y > 0                                   # two classes, as strings
    ours = LogisticRegression(C=1.0, tol=1e-8).fit(X[mask], names[mask])
    ref = sk.LogisticRegression(C=1.0, tol=1e-10).fit(X[mask], names[mask])
    assert list(ours.classes_) == list(ref.classes_) == ["versicolor", "virginica"]
    np.testing.assert_array_equal(ours.predict(X[mask]), ref.predict(X[mask]))
    np.testing.assert_allclose(ours.predict_proba(X[mask]), ref.predict_proba(X[mask]),
                               atol=1e-4)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3)


def test_multiclass_logistic_regression_is_sklearn_multinomial_and_softmax_regression(iris):
    X, y = iris
    labels = np.array(["a", "b", "c"])[y]
    ours = LogisticRegression(C=1.0, tol=1e-8).fit(X, labels)
    ref = sk.LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, labels)
    assert ours.coef_.shape == (3, 4) and list(ours.classes_) == ["a", "b", "c"]
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # one implementation: the same hyper-parameters give the same model, bit for bit
    soft = SoftmaxRegression(C=1.0, tol=1e-8).fit(X, labels)
    np.testing.assert_array_equal(soft.coef_, ours.coef_)
    np.testing.assert_array_equal(soft.intercept_, ours.intercept_)
    with pytest.raises(ValueError, match="newton.*two classes"):
        LogisticRegression(solver="newton").fit(X, labels)


@pytest.mark.parametrize("est", [LogisticRegression(C=1.0), SoftmaxRegression(solver="sgd",
                                                                             random_state=0),
                                 Ridge(alpha=0.5), StandardScaler(), RBFFeatures(centers=4)],
                         ids=repr)
def test_fitted_estimators_pickle_with_their_predictions(est, iris):
    X, y = iris
    fitted = est.fit(X, y)
    back = pickle.loads(pickle.dumps(fitted))
    method = "predict" if hasattr(est, "predict") else "transform"
    np.testing.assert_array_equal(getattr(back, method)(X), getattr(fitted, method)(X))
    assert back.get_params() == fitted.get_params()


def test_feature_names_are_recorded_and_checked(iris):
    X, y = iris
    df = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    for est in (LogisticRegression(), StandardScaler(), PolynomialFeatures(2)):
        est.fit(df, y)
        assert list(est.feature_names_in_) == ["sl", "sw", "pl", "pw"]
        assert est.n_features_in_ == 4
        method = getattr(est, "predict", None) or est.transform
        with pytest.raises(ValueError, match="Feature names must be in the same order"):
            method(df[["sw", "sl", "pl", "pw"]])
        est.fit(X, y)                       # refitting on an array forgets the names
        assert not hasattr(est, "feature_names_in_")


def test_not_fitted_error_is_sklearns():
    with pytest.raises(sklearn.exceptions.NotFittedError) as info:
        LogisticRegression().predict(np.zeros((1, 2)))
    assert isinstance(info.value, NotFittedError)


def test_random_state_is_the_one_name(iris):
    X, y = iris
    for cls in (LinearRegression, LogisticRegression, SoftmaxRegression, MultiLabelClassifier,
                RBFFeatures):
        assert "random_state" in cls().get_params() and "seed" not in cls().get_params()
        with pytest.raises(TypeError, match="seed"):
            cls(seed=0)
    a = SoftmaxRegression(solver="sgd", random_state=3, max_iter=5).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    folds = [list(KFold(3, shuffle=True, random_state=1).split(X)),
             list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))]
    for f in folds:
        assert all(len(tr) + len(te) == len(X) for tr, te in f)
    np.testing.assert_array_equal(train_test_split(X, random_state=4)[1],
                                  train_test_split(X, random_state=4)[1])
