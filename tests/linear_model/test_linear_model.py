"""Classical estimators against closed forms and scikit-learn (the oracle, test-only).

Expected values come from the textbooks' formulas evaluated here with NumPy (normal equations,
eq. 4.15) or from scikit-learn's estimators; never from nnscratch itself.
"""
import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import datasets
from nnscratch.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    MultiLabelClassifier,
    NotFittedError,
    Ridge,
    SoftmaxRegression,
)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """These problems are small: threaded BLAS only adds contention (100x slower under load)."""
    with threadpool_limits(limits=1):
        yield


def _normal_equations(X, T):
    """θ = [b; W] solving X̃ᵀX̃θ = X̃ᵀT (001 eq. 3.5), X̃ = [1, X]."""
    Xt = np.hstack([np.ones((len(X), 1)), X])
    return np.linalg.solve(Xt.T @ Xt, Xt.T @ T)


@pytest.fixture(scope="module")
def table():
    X, T = datasets.linreg_table(dtype=np.float64)
    return X, T


@pytest.fixture(scope="module")
def regression():
    r = np.random.default_rng(7)
    X = r.standard_normal((200, 5))
    y = X @ r.standard_normal(5) + 0.3 + 0.1 * r.standard_normal(200)
    return X, y


@pytest.fixture(scope="module")
def cancer():
    X, y = datasets.load_breast_cancer(dtype=np.float64)
    return (X - X.mean(0)) / X.std(0), y


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.load_digits(dtype=np.float64)
    X = X / 16.0
    r = np.random.default_rng(0).permutation(len(X))
    tr, te = r[:1347], r[1347:]
    return X[tr], y[tr], X[te], y[te]


# ------------------------------------------------------------------ linear regression / ridge
def test_linear_regression_normal_matches_closed_form_and_sklearn(table):
    X, T = table
    theta = _normal_equations(X, T)
    m = LinearRegression().fit(X, T)
    np.testing.assert_allclose(m.intercept_, theta[0], atol=1e-6)
    np.testing.assert_allclose(m.coef_, theta[1:].T, atol=1e-6)
    ref = sk.LinearRegression().fit(X, T)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(m.predict(X), ref.predict(X), atol=1e-6)
    assert m.score(X, T) == pytest.approx(ref.score(X, T), abs=1e-9)
    m1 = LinearRegression().fit(X, T[:, 0])
    assert m1.coef_.shape == (3,) and np.isscalar(m1.intercept_)
    np.testing.assert_allclose(m1.coef_, theta[1:, 0], atol=1e-6)
    m0 = LinearRegression(fit_intercept=False).fit(X, T)
    np.testing.assert_allclose(m0.coef_, sk.LinearRegression(fit_intercept=False)
                               .fit(X, T).coef_, atol=1e-6)


def test_linear_regression_gd_default_reaches_analytical_mse(table):
    """000 Listing 3.1 with default hyper-parameters: same parameters, same MSE."""
    X, T = table
    theta = _normal_equations(X, T)
    gd = LinearRegression(solver="gd").fit(X, T)
    assert gd.n_iter_ < 10_000                            # stopped on convergence
    np.testing.assert_allclose(gd.coef_, theta[1:].T, atol=1e-4)
    np.testing.assert_allclose(gd.intercept_, theta[0], atol=1e-4)
    Xt = np.hstack([np.ones((10, 1)), X])
    mse_exact = np.mean((Xt @ theta - T) ** 2)
    assert np.mean((gd.predict(X) - T) ** 2) == pytest.approx(mse_exact, rel=1e-6)
    assert np.all(np.diff(gd.loss_curve_) <= 1e-15)       # lr = 1/L: monotone descent
    tight = LinearRegression(solver="gd", tol=1e-10).fit(X, T)
    np.testing.assert_allclose(tight.coef_, theta[1:].T, atol=1e-6)


def test_linear_regression_gd_uses_autograd_gradient(regression):
    """The closed-form gradient (000 eq. 3.13) equals autograd's through F.linear/F.mse_loss."""
    X, y = regression
    m = LinearRegression(solver="gd", max_iter=3, lr=0.01).fit(X, y)
    W = ns.tensor(m.coef_[None, :], requires_grad=True, dtype=np.float64)
    b = ns.tensor([m.intercept_], requires_grad=True, dtype=np.float64)
    loss = F.mse_loss(F.linear(ns.tensor(X, dtype=np.float64), W, b),
                      ns.tensor(y[:, None], dtype=np.float64)) * 0.5
    loss.backward()
    R = X @ m.coef_ + m.intercept_ - y
    np.testing.assert_allclose(W.grad[0], R @ X / len(X), rtol=1e-10)
    np.testing.assert_allclose(b.grad, [R.mean()], rtol=1e-10)


def test_linear_regression_sgd_close_to_closed_form(regression):
    X, y = regression
    exact = LinearRegression().fit(X, y)
    m = LinearRegression(solver="sgd", random_state=0).fit(X, y)
    np.testing.assert_allclose(m.coef_, exact.coef_, atol=1e-2)
    assert m.n_iter_ < 1000


def test_noise_variance_and_sampling(regression):
    """σ² = (1/n) Σ (y − xᵀθ)² (001 eq. 4.15); samples ~ N(xᵀθ, σ²) (001 §4.7)."""
    X, y = regression
    theta = _normal_equations(X, y)
    sigma2 = np.mean((y - np.hstack([np.ones((len(X), 1)), X]) @ theta) ** 2)
    m = LinearRegression().fit(X, y)
    assert m.noise_variance_ == pytest.approx(sigma2, rel=1e-9)
    draws = m.sample(X[:3], n=20000, random_state=1)
    assert draws.shape == (20000, 3)
    np.testing.assert_allclose(draws.mean(0), m.predict(X[:3]), atol=5 * np.sqrt(sigma2 / 2e4))
    np.testing.assert_allclose(draws.std(0), np.sqrt(sigma2), rtol=0.03)
    np.testing.assert_array_equal(m.sample(X[:3], n=2, random_state=5),
                                  m.sample(X[:3], n=2, random_state=5))


@pytest.mark.parametrize("alpha", [0.1, 10.0])
def test_ridge_matches_closed_form_and_sklearn(regression, alpha):
    X, y = regression
    Xc, yc = X - X.mean(0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(5), Xc.T @ yc)     # 001 eq. 5.2
    m = Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(m.coef_, w, atol=1e-6)
    ref = sk.Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-6)
    assert m.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)
    gd = Ridge(alpha=alpha, solver="gd", tol=1e-9).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, atol=1e-6)
    assert gd.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)


def test_ridge_does_not_penalise_intercept(regression):
    X, y = regression
    a, b = Ridge(alpha=50.0).fit(X, y), Ridge(alpha=50.0).fit(X, y + 100.0)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)
    assert b.intercept_ - a.intercept_ == pytest.approx(100.0)
    np.testing.assert_allclose(Ridge(alpha=0.0).fit(X, y).coef_,
                               LinearRegression().fit(X, y).coef_, atol=1e-9)


@pytest.mark.parametrize("alpha", [0.05, 0.5, 3.0])
def test_lasso_matches_sklearn_with_same_zeros(alpha):
    X, y = datasets.load_diabetes(dtype=np.float64)
    y = y.ravel()
    m = Lasso(alpha=alpha, tol=1e-8).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-8, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_array_equal(m.coef_ == 0, ref.coef_ == 0)
    assert m.intercept_ == pytest.approx(ref.intercept_, abs=1e-3)
    assert (Lasso(alpha=1e4).fit(X, y).coef_ == 0).all()


# ------------------------------------------------------------------ logistic regression
def test_logistic_newton_matches_sklearn_unpenalised(cancer):
    X, y = cancer[0][:, :6], cancer[1]
    m = LogisticRegression(solver="newton").fit(X, y)
    ref = sk.LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    assert m.n_iter_ < 30
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, atol=1e-3)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_logistic_penalised_matches_sklearn(cancer, solver):
    X, y = cancer
    m = LogisticRegression(solver=solver, C=1.0, tol=1e-7).fit(X, y)
    ref = sk.LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(m.decision_function(X), ref.decision_function(X), atol=1e-2)
    assert m.score(X, y) == pytest.approx(ref.score(X, y), abs=1 / len(y) + 1e-12)


def test_logistic_gd_gradient_equals_autograd(cancer):
    """The closed-form (π − t)x (000 eq. 4.11) equals autograd through the fused BCE op."""
    X, y = cancer
    m = LogisticRegression(solver="gd", max_iter=5).fit(X, y)
    W = ns.tensor(m.coef_, requires_grad=True, dtype=np.float64)
    b = ns.tensor(m.intercept_, requires_grad=True, dtype=np.float64)
    F.binary_cross_entropy_with_logits(F.linear(ns.tensor(X, dtype=np.float64), W, b),
                                       ns.tensor(y[:, None], dtype=np.float64)).backward()
    pi = 1 / (1 + np.exp(-(X @ m.coef_[0] + m.intercept_[0])))
    np.testing.assert_allclose(W.grad[0], (pi - y) @ X / len(y), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.grad, [np.mean(pi - y)], rtol=1e-9)


@pytest.mark.parametrize("solver", ["lbfgs", "gd", "sgd", "newton"])
def test_logistic_separates_and_gate_with_defaults(solver):
    """000 §4.4: every solver's defaults classify the AND gate; the 0.5 line is eq. 4.17."""
    X, t = datasets.and_gate(dtype=np.float64)
    t = t.ravel()
    m = LogisticRegression(solver=solver, random_state=0).fit(X, t)
    np.testing.assert_array_equal(m.predict(X), t)
    slope, icpt = m.decision_boundary()
    (w1, w2), b = m.coef_[0], m.intercept_[0]
    assert slope == pytest.approx(-w1 / w2) and icpt == pytest.approx(-b / w2)
    x1 = np.linspace(-0.5, 1.5, 5)
    on_line = np.stack([x1, m.decision_boundary(x1)], axis=1)
    np.testing.assert_allclose(m.predict_proba(on_line)[:, 1], 0.5, atol=1e-9)


def test_logistic_probabilities_and_threshold(cancer):
    X, y = cancer
    m = LogisticRegression(C=1.0).fit(X, y)
    p = m.predict_proba(X)
    np.testing.assert_allclose(p.sum(1), 1.0)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-m.decision_function(X))))
    strict = LogisticRegression(C=1.0, threshold=0.9).fit(X, y)
    assert strict.predict(X).sum() < m.predict(X).sum()
    np.testing.assert_array_equal(strict.predict(X), (p[:, 1] >= 0.9).astype(int))


# ------------------------------------------------------------------ softmax / multilabel
def test_softmax_digits_default_and_parity_with_sklearn(digits):
    Xtr, ytr, Xte, yte = digits
    m = SoftmaxRegression().fit(Xtr, ytr)
    acc = m.score(Xte, yte)
    assert acc >= 0.94                                       # the bar for defaults
    ref = sk.LogisticRegression(C=np.inf, max_iter=2000).fit(Xtr, ytr)
    assert abs(acc - ref.score(Xte, yte)) <= 0.01 + 1e-12
    pen = SoftmaxRegression(C=1.0).fit(Xtr, ytr)
    ref1 = sk.LogisticRegression(C=1.0, max_iter=2000).fit(Xtr, ytr)
    assert abs(pen.score(Xte, yte) - ref1.score(Xte, yte)) <= 0.01 + 1e-12
    np.testing.assert_allclose(m.predict_proba(Xte).sum(1), 1.0)


def test_softmax_gradient_equals_autograd(digits):
    """(y − t)x of 000 eq. 5.15 equals autograd through the fused cross-entropy."""
    Xtr, ytr = digits[0][:200], digits[1][:200]
    m = SoftmaxRegression(solver="gd", max_iter=4).fit(Xtr, ytr)
    W = ns.tensor(m.coef_, requires_grad=True, dtype=np.float64)
    b = ns.tensor(m.intercept_, requires_grad=True, dtype=np.float64)
    F.cross_entropy(F.linear(ns.tensor(Xtr, dtype=np.float64), W, b),
                    ns.tensor(ytr.astype(np.int64))).backward()
    Z = Xtr @ m.coef_.T + m.intercept_
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    T = np.eye(10)[ytr]
    np.testing.assert_allclose(W.grad, (P - T).T @ Xtr / len(Xtr), rtol=1e-9, atol=1e-12)


def test_softmax_string_labels_and_solvers():
    X, y = datasets.gaussian_blobs(n_per_class=40, seed=3)
    X = X.astype(np.float64)
    names = np.array(["a", "b", "c"])[y]
    for solver in ("lbfgs", "gd", "sgd"):
        m = SoftmaxRegression(solver=solver, random_state=0).fit(X, names)
        assert list(m.classes_) == ["a", "b", "c"]
        assert m.score(X, names) >= 0.95


def test_multilabel_matches_sklearn_multioutput():
    r = np.random.default_rng(3)
    X = r.standard_normal((300, 4))
    Y = (X @ r.standard_normal((4, 3)) + r.standard_normal((300, 3)) > 0).astype(float)
    m = MultiLabelClassifier(solver="newton", C=1.0).fit(X, Y)
    ref = MultiOutputClassifier(sk.LogisticRegression(C=1.0, tol=1e-10)).fit(X, Y)
    np.testing.assert_allclose(m.coef_, np.vstack([e.coef_ for e in ref.estimators_]),
                               atol=1e-3)
    pred = m.predict(X)
    assert pred.shape == (300, 3) and set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, ref.predict(X))
    joint = MultiLabelClassifier(C=1.0, tol=1e-8).fit(X, Y)       # all labels at once
    np.testing.assert_allclose(joint.coef_, m.coef_, atol=1e-3)


# ------------------------------------------------------------------ scikit-learn protocol
ESTIMATORS = [LinearRegression(solver="gd", tol=1e-5), Ridge(alpha=2.0), Lasso(alpha=0.1),
              LogisticRegression(C=3.0), SoftmaxRegression(C=1.0),
              MultiLabelClassifier(threshold=0.4)]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_get_params_clone_and_set_params(est):
    params = est.get_params()
    c = clone(est)
    assert type(c) is type(est) and c is not est
    assert c.get_params() == params
    assert not hasattr(c, "coef_")
    name = next(iter(params))
    c.set_params(**{name: params[name]})
    with pytest.raises(ValueError, match="invalid parameter 'nope'"):
        c.set_params(nope=1)
    assert type(est).__name__ in repr(est)


def test_sklearn_grid_search_cross_val_and_pipeline(regression, cancer):
    X, y = regression
    grid = GridSearchCV(Ridge(), {"alpha": [0.01, 1.0, 100.0]}, cv=4).fit(X, y)
    ref = GridSearchCV(sk.Ridge(), {"alpha": [0.01, 1.0, 100.0]}, cv=4).fit(X, y)
    assert grid.best_params_ == ref.best_params_
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"], atol=1e-8)
    Xc, yc = cancer
    ours = cross_val_score(LogisticRegression(solver="newton", C=1.0), Xc, yc, cv=3)
    theirs = cross_val_score(sk.LogisticRegression(C=1.0), Xc, yc, cv=3)
    np.testing.assert_allclose(ours, theirs, atol=0.02)
    pipe = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y)
    assert pipe.score(X, y) == pytest.approx(LinearRegression().fit(X, y).score(X, y))


# ------------------------------------------------------------------ bad input
def test_bad_input_messages(regression):
    X, y = regression
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN at row 3, column 2"):
        LinearRegression().fit(Xn, y)
    yi = y.copy()
    yi[7] = np.inf
    with pytest.raises(ValueError, match="y contains inf at row 7"):
        Ridge().fit(X, yi)
    with pytest.raises(ValueError, match="mismatched lengths: X has 200 rows, y has 199"):
        LinearRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="alpha must be >= 0, got -1"):
        Ridge(alpha=-1).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        Lasso(alpha=-0.5).fit(X, y)
    with pytest.raises(ValueError, match="solver must be one of"):
        LinearRegression(solver="qr").fit(X, y)
    with pytest.raises(ValueError, match="lr must be a positive finite number, got -0.1"):
        LinearRegression(solver="gd", lr=-0.1).fit(X, y)
    with pytest.raises(FloatingPointError, match="diverged"):
        LinearRegression(solver="gd", lr=100.0).fit(X, y)
    labels = (y > 0).astype(int)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, np.ones(200))
    with pytest.raises(ValueError, match="only one class"):
        SoftmaxRegression().fit(X, np.zeros(200, dtype=int))
    with pytest.raises(ValueError, match="C must be > 0"):
        LogisticRegression(C=0.0).fit(X, labels)
    with pytest.raises(ValueError, match="threshold must be in \\(0, 1\\)"):
        LogisticRegression(threshold=1.5).fit(X, labels)
    with pytest.raises(ValueError, match="multi-hot"):
        MultiLabelClassifier().fit(X, np.full((200, 2), 2.0))
    with pytest.raises(ValueError, match="X must be 2-D"):
        LinearRegression().fit(X[:, 0], y)
    fitted = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but LinearRegression is "
                                         "expecting 5 features"):
        fitted.predict(X[:, :4])


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, Lasso, LogisticRegression,
                                 SoftmaxRegression, MultiLabelClassifier])
def test_predict_before_fit_is_not_fitted_error(cls):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        cls().predict(np.zeros((2, 3)))
