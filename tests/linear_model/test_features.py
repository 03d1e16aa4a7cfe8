"""Basis-function transformers: PolynomialFeatures against scikit-learn, RBFFeatures against
the kernel k(x, μ, λ) = exp(−‖x − μ‖²/λ) of 001 §5.5 evaluated here directly."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures as SkPoly

from nnscratch.features import PolynomialFeatures, RBFFeatures
from nnscratch.linear_model import LinearRegression, NotFittedError, Ridge


@pytest.mark.parametrize("degree, bias", [(0, True), (1, False), (2, True), (3, False)])
def test_polynomial_matches_sklearn(rng, degree, bias):
    X = rng.standard_normal((7, 3))
    ours = PolynomialFeatures(degree, include_bias=bias).fit_transform(X)
    ref = SkPoly(degree, include_bias=bias).fit_transform(X)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_polynomial_without_interactions_is_textbook_basis(rng):
    """001 §5.4: φ(x) = [1, x1, x2, x1², x2²]."""
    X = rng.standard_normal((5, 2))
    phi = PolynomialFeatures(2, interactions=False).fit_transform(X)
    expected = np.column_stack([np.ones(5), X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2])
    np.testing.assert_allclose(phi, expected)


def test_polynomial_fit_recovers_parabola(rng):
    x = rng.uniform(-2, 2, (60, 1))
    y = 1.0 - 2.0 * x[:, 0] + 0.5 * x[:, 0] ** 2
    model = make_pipeline(PolynomialFeatures(2, include_bias=False), LinearRegression())
    model.fit(x, y)
    np.testing.assert_allclose(model[-1].coef_, [-2.0, 0.5], atol=1e-10)
    assert model[-1].intercept_ == pytest.approx(1.0)


def test_rbf_is_the_kernel_of_001(rng):
    X = rng.standard_normal((6, 2))
    centers = rng.standard_normal((4, 2))
    phi = RBFFeatures(centers=centers, width=0.7, include_bias=True).fit_transform(X)
    k = np.exp(-((X[:, None, :] - centers[None, :, :]) ** 2).sum(-1) / 0.7)
    np.testing.assert_allclose(phi[:, 1:], k, rtol=1e-12)
    np.testing.assert_allclose(phi[:, 0], 1.0)


def test_rbf_centres_from_data(rng):
    x = np.linspace(0, 4, 9)[:, None]
    f = RBFFeatures(centers=5).fit(x)
    np.testing.assert_allclose(f.centers_.ravel(), [0, 1, 2, 3, 4])
    X = rng.standard_normal((30, 3))
    g = RBFFeatures(centers=4, random_state=0).fit(X)
    assert g.centers_.shape == (4, 3)
    assert all(any(np.array_equal(c, row) for row in X) for c in g.centers_)
    np.testing.assert_array_equal(RBFFeatures(centers=4, random_state=0).fit(X).centers_,
                                  g.centers_)


def test_rbf_width_controls_fit(rng):
    """Figure 5.6: a tiny width interpolates the training points, a huge one underfits."""
    x = np.sort(rng.uniform(0, 6, 40))[:, None]
    y = np.sin(x[:, 0]) + 0.2 * rng.standard_normal(40)
    errs = {}
    for width in (1e-3, 1.0, 1e3):
        model = make_pipeline(RBFFeatures(centers=20, width=width), Ridge(alpha=1e-6))
        errs[width] = np.mean((model.fit(x, y).predict(x) - y) ** 2)
    assert errs[1e3] > errs[1.0] and errs[1e3] > 0.1


def test_transformers_follow_sklearn_protocol():
    for t in (PolynomialFeatures(3, include_bias=False), RBFFeatures(centers=3, width=2.0)):
        c = clone(t)
        assert c.get_params() == t.get_params()
        with pytest.raises(NotFittedError, match="not fitted"):
            c.transform(np.zeros((2, 1)))


def test_bad_input():
    with pytest.raises(ValueError, match="degree must be >= 0, got -1"):
        PolynomialFeatures(-1).fit(np.zeros((2, 1)))
    with pytest.raises(TypeError, match="degree must be an int"):
        PolynomialFeatures(1.5).fit(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="width must be > 0, got 0"):
        RBFFeatures(width=0.0).fit(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="centers must have 2 columns"):
        RBFFeatures(centers=np.zeros((3, 3))).fit(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="X contains NaN at row 1, column 0"):
        PolynomialFeatures(2).fit(np.array([[1.0], [np.nan]]))
    f = PolynomialFeatures(2).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but PolynomialFeatures is "
                                         "expecting 2 features"):
        f.transform(np.zeros((3, 3)))
