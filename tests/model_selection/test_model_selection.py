"""K-fold CV and grid search against scikit-learn's (same folds, same scores)."""
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn import model_selection as skms

from nnscratch.linear_model import LogisticRegression, NotFittedError, Ridge, SoftmaxRegression
from nnscratch.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    clone,
    cross_val_score,
    train_test_split,
)


@pytest.fixture(scope="module")
def data():
    r = np.random.default_rng(11)
    X = r.standard_normal((53, 4))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.5 * r.standard_normal(53)
    return X, y


@pytest.mark.parametrize("n, k", [(10, 3), (53, 5), (5, 5)])
def test_kfold_matches_sklearn(n, k):
    ours = list(KFold(k).split(np.zeros(n)))
    ref = list(skms.KFold(k).split(np.zeros(n)))
    assert len(ours) == k == KFold(k).get_n_splits()
    for (a, b), (c, d) in zip(ours, ref):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_kfold_shuffle_partitions_every_sample():
    folds = list(KFold(4, shuffle=True, random_state=2).split(np.zeros(22)))
    tests = np.concatenate([t for _, t in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(22))
    for train, test in folds:
        assert not set(train) & set(test) and len(train) + len(test) == 22
    again = list(KFold(4, shuffle=True, random_state=2).split(np.zeros(22)))
    np.testing.assert_array_equal(folds[0][1], again[0][1])


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error", "r2",
                                     "neg_mean_absolute_error"])
def test_cross_val_score_matches_sklearn(data, scoring):
    X, y = data
    ours = cross_val_score(sk.Ridge(alpha=0.3), X, y, cv=5, scoring=scoring)
    ref = skms.cross_val_score(sk.Ridge(alpha=0.3), X, y, cv=5, scoring=scoring)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    mine = cross_val_score(Ridge(alpha=0.3), X, y, cv=KFold(5), scoring=scoring)
    np.testing.assert_allclose(mine, ref, rtol=1e-8)


@pytest.mark.parametrize("labels", ["ints", "strings", "float_codes"])
@pytest.mark.parametrize("n, k", [(30, 3), (47, 5), (12, 4)])
def test_stratified_kfold_matches_sklearn(n, k, labels):
    r = np.random.default_rng(n + k)
    y = r.choice(3, n, p=[0.6, 0.3, 0.1])
    y[:k] = 0                                           # the largest class fills every fold
    y = {"ints": y, "strings": np.array(["cat", "dog", "emu"])[y],
         "float_codes": y.astype(float)}[labels]
    X = np.zeros((n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # sklearn warns when a class has fewer than k rows
        ref = list(skms.StratifiedKFold(k).split(X, y))
    ours = list(StratifiedKFold(k).split(X, y))
    assert len(ours) == k
    for (a, b), (c, d) in zip(ours, ref):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    shuffled = list(StratifiedKFold(k, shuffle=True, random_state=1).split(X, y))
    np.testing.assert_array_equal(np.sort(np.concatenate([t for _, t in shuffled])),
                                  np.arange(n))
    for _, test in shuffled:     # each fold's class counts are the unshuffled ones
        assert sorted(y[test].tolist()) in [sorted(y[t].tolist()) for _, t in ours]


def test_integer_cv_stratifies_for_classifiers_as_sklearn(data):
    X, y = data
    t = np.digitize(y, [-1.0, 1.0])                      # three classes, unevenly sized
    order = np.argsort(t, kind="stable")                 # sorted labels: plain K-fold would
    X, t = X[order], t[order]                            # leave classes out of training
    ours = cross_val_score(SoftmaxRegression(C=1.0), X, t, cv=4)
    ref = skms.cross_val_score(SoftmaxRegression(C=1.0), X, t, cv=4)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    ref_sk = skms.cross_val_score(sk.LogisticRegression(C=1.0), X, t, cv=4)
    np.testing.assert_allclose(ours, ref_sk, atol=0.1)  # same folds: scores agree closely
    assert ours.min() > 0.5
    # a regressor, or float targets, keep plain K-fold
    assert isinstance(_splitter(Ridge(), y), KFold) and not isinstance(_splitter(Ridge(), y),
                                                                        StratifiedKFold)
    assert isinstance(_splitter(LogisticRegression(), t > 0), StratifiedKFold)
    g = GridSearchCV(SoftmaxRegression(), {"C": [0.1, 1.0]}, cv=4).fit(X, t)
    gr = skms.GridSearchCV(SoftmaxRegression(), {"C": [0.1, 1.0]}, cv=4).fit(X, t)
    np.testing.assert_allclose(g.cv_results_["mean_test_score"],
                               gr.cv_results_["mean_test_score"], rtol=1e-12)


def _splitter(est, y):
    from nnscratch.model_selection._validation import _check_cv
    return _check_cv(5, "test", est, np.asarray(y))


def test_grid_search_matches_sklearn(data):
    X, y = data
    grid = {"alpha": [1e-3, 0.1, 1.0, 30.0], "fit_intercept": [True, False]}
    ours = GridSearchCV(Ridge(), grid, cv=4, scoring="neg_mean_squared_error").fit(X, y)
    ref = skms.GridSearchCV(sk.Ridge(), grid, cv=4, scoring="neg_mean_squared_error").fit(X, y)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    means = {tuple(sorted(p.items())): s for p, s in
             zip(ref.cv_results_["params"], ref.cv_results_["mean_test_score"])}
    for p, s in zip(ours.cv_results_["params"], ours.cv_results_["mean_test_score"]):
        assert s == pytest.approx(means[tuple(sorted(p.items()))], rel=1e-8)
    assert ours.best_estimator_.alpha == ours.best_params_["alpha"]
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)
    assert ours.cv_results_["rank_test_score"][ours.best_index_] == 1


def test_grid_search_classifier_and_clone(data):
    X, y = data
    t = (y > 0).astype(int)
    g = GridSearchCV(LogisticRegression(solver="newton"), {"C": [0.01, 1.0]}, cv=3,
                     scoring="accuracy").fit(X, t)
    assert g.score(X, t) >= 0.8
    assert g.predict_proba(X).shape == (53, 2)
    c = clone(g)
    assert c.get_params()["estimator__solver"] == "newton" and not hasattr(c, "best_params_")


def test_train_test_split_is_exported(data):
    X, y = data
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    assert len(Xtr) + len(Xte) == 53 and len(Xte) == 11


def test_bad_input(data):
    X, y = data
    with pytest.raises(ValueError, match="n_splits=60 is larger than the number of samples 53"):
        list(KFold(60).split(X))
    with pytest.raises(ValueError, match="n_splits must be >= 2, got 1"):
        KFold(1)
    with pytest.raises(ValueError, match="mismatched lengths: X has 53 rows, y has 52"):
        cross_val_score(Ridge(), X, y[:-1])
    with pytest.raises(ValueError, match="scoring must be"):
        cross_val_score(Ridge(), X, y, scoring="accuracyy")
    with pytest.raises(ValueError, match="'beta' is not a parameter of Ridge"):
        GridSearchCV(Ridge(), {"beta": [1]}).fit(X, y)
    with pytest.raises(ValueError, match="must be a non-empty list"):
        GridSearchCV(Ridge(), {"alpha": []}).fit(X, y)
    with pytest.raises(NotFittedError, match="not fitted"):
        GridSearchCV(Ridge(), {"alpha": [1.0]}).predict(X)


def test_cross_val_score_of_our_estimators_does_not_import_sklearn():
    """Deciding whether cv=5 means stratified folds reads our estimator's own type: asking
    scikit-learn's tag protocol first imported scikit-learn (seconds of the docs' tutorial 03)."""
    import subprocess
    import sys
    code = ("import sys, numpy as np\n"
            "from nnscratch.linear_model import LogisticRegression, Ridge\n"
            "from nnscratch.model_selection import cross_val_score\n"
            "from nnscratch.model_selection._validation import _check_cv\n"
            "X = np.random.default_rng(0).normal(size=(40, 3)); y = X @ [1.0, -1.0, 0.5]\n"
            "cross_val_score(Ridge(alpha=1.0), X, y, cv=5)\n"
            "labels = (y > 0).astype(int)\n"
            "cross_val_score(LogisticRegression(), X, labels, cv=4)\n"
            "kinds = [type(_check_cv(4, 'o', est, t)).__name__ for est, t in "
            "((Ridge(), y), (LogisticRegression(), labels))]\n"
            "print(kinds, 'sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['KFold',", "'StratifiedKFold']", "False"], out.stdout
