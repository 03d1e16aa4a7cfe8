"""The classical-model experiments in quick mode: each must reach its textbook outcome.

Reference numbers are computed here independently of nnscratch (NumPy normal equations,
scikit-learn) or are facts of the mathematics."""
import numpy as np
import pytest
from helpers.experiments import run_quick
from threadpoolctl import threadpool_limits

from nnscratch import datasets
from nnscratch.app.experiments import Config


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    return Config(seed=0, quick=True, out=tmp_path_factory.mktemp("classical"))


def test_linreg_table(cfg):
    res = run_quick("linreg-table", cfg.out)
    X, T = datasets.linreg_table(dtype=np.float64)
    Xt = np.hstack([np.ones((10, 1)), X])
    theta = np.linalg.solve(Xt.T @ Xt, Xt.T @ T)
    assert res.metrics["mse_analytical"] == pytest.approx(np.mean((Xt @ theta - T) ** 2))
    assert res.metrics["max_param_diff"] <= 1e-4
    assert res.metrics["mse_gd"] == pytest.approx(res.metrics["mse_analytical"], rel=1e-8)


def test_linreg_energy(cfg):
    m = run_quick("linreg-energy", cfg.out).metrics
    X, y = datasets.energy_table(dtype=np.float64)
    Xt = np.hstack([np.ones((4, 1)), X])
    theta = np.linalg.solve(Xt.T @ Xt, Xt.T @ y[:, 0])
    assert [m["bias"], m["w_wind"], m["w_people"]] == pytest.approx(theta, rel=1e-8)
    assert m["prediction_50_20"] == pytest.approx(theta @ [1, 50, 20], rel=1e-8)


def test_linreg_mle(cfg):
    m = run_quick("linreg-mle", cfg.out).metrics
    assert abs(m["sigma2_mle"] - 0.25) <= 0.35 * 0.25
    assert 0.92 <= m["band_coverage"] <= 0.98


def test_house_prices(cfg):
    from sklearn.linear_model import LinearRegression as SkLR

    from nnscratch.model_selection import train_test_split
    from nnscratch.preprocessing import StandardScaler
    res = run_quick("house-prices", cfg.out)
    X, y = datasets.load_boston(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    s = StandardScaler().fit(Xtr)
    ref = SkLR().fit(s.transform(Xtr), ytr)
    rmse = np.sqrt(np.mean((ref.predict(s.transform(Xte)) - yte) ** 2))
    assert res.metrics["linreg_rmse"] == pytest.approx(rmse, rel=1e-6)
    assert res.metrics["mlp_rmse"] < res.metrics["linreg_rmse"]
    assert len(res.tables["test RMSE"]) == 3


def test_poly_basis(cfg):
    m = run_quick("poly-basis", cfg.out).metrics
    assert m["test_mse_deg2"] < m["test_mse_deg1"] and m["test_mse_deg2"] < m["test_mse_deg15"]


def test_rbf_kernel(cfg):
    m = run_quick("rbf-kernel", cfg.out).metrics
    assert m["test_mse_good"] < m["test_mse_small"] and m["test_mse_good"] < m["test_mse_large"]
    assert m["train_mse_small"] < 1e-3              # spikes through every training point


def test_ridge_cv(cfg):
    m = run_quick("ridge-cv", cfg.out).metrics
    assert -8 < m["best_log10_delta2"] < 4             # interior minimum of Figure 5.8
    assert m["grid_search_agrees"] == 1.0


def test_lasso_path(cfg):
    m = run_quick("lasso-path", cfg.out).metrics
    X, y = datasets.load_diabetes(dtype=np.float64)
    Xs = (X - X.mean(0)) / X.std(0)
    yc = y.ravel() - y.mean()
    assert m["alpha_max"] == pytest.approx(np.abs(Xs.T @ yc).max() / len(yc), rel=1e-6)
    assert m["zeros_at_largest_alpha"] == 10 and m["zeros_at_smallest_alpha"] == 0


def test_logreg_newton(cfg):
    m = run_quick("logreg-newton", cfg.out).metrics
    assert m["newton_iterations"] <= 12 and m["gd_iterations"] >= 1000
    assert m["max_weight_diff"] <= 0.01


def test_softmax_digits(cfg):
    m = run_quick("softmax-digits", cfg.out).metrics
    assert m["accuracy"] >= 0.95 and m["accuracy_unpenalised"] >= 0.94


def test_multilabel_yeast(cfg):
    m = run_quick("multilabel-yeast", cfg.out).metrics
    assert m["hamming_loss"] <= 0.22
    assert abs(m["hamming_loss"] - m["sklearn_hamming_loss"]) <= 0.005
    assert abs(m["micro_f1"] - m["sklearn_micro_f1"]) <= 0.01
