"""The probability, universal-approximation, linear-collapse and regularisation experiments
(nnscratch/app/experiments/), run in quick mode, must reach their real outcomes."""

from helpers.experiments import run_quick


def test_gaussian_mle(tmp_path):
    r = run_quick("gaussian-mle", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert abs(r.metrics["mu_hat"] - 2.0) < 3 * (2.25 / r.metrics["n"]) ** 0.5
    assert r.metrics["likelihood_argmax"] == 1.0


def test_entropy_bernoulli(tmp_path):
    r = run_quick("entropy-bernoulli", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert r.metrics["max_entropy_bits"] == 1.0 and r.metrics["min_kl_random_pairs"] > 0


def test_universal_approximation(tmp_path):
    r = run_quick("universal-approximation", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert r.metrics["max_error_50_bumps"] < r.metrics["max_error_10_bumps"] / 2
    assert r.metrics["max_error_trained"] < r.metrics["max_error_10_bumps"]


def test_linear_collapse(tmp_path):
    r = run_quick("linear-collapse", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert r.metrics["collapse_max_error"] < 1e-10
    assert r.metrics["linear_accuracy"] <= 0.75 and r.metrics["tanh_accuracy"] == 1.0


def test_l2_shrinkage(tmp_path):
    r = run_quick("l2-shrinkage", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert r.metrics["max_abs_error"] < 1e-8


def test_regularisation(tmp_path):
    r = run_quick("regularisation", tmp_path, must_pass=False)
    assert r.passed, r.checks
    assert r.metrics["overfit_gap_none"] >= 0.05
    assert r.metrics["noise_penalty_error_in_se"] <= 4
    assert len(r.tables["regularisers"]) == 6
    # 003 §3.3's penalty on the over-parameterised net: it fits the noise less and the curve
    # better (seed 0, quick: test MSE 0.084 -> 0.036)
    m = r.metrics
    assert m["penalty_train_mse_l2"] > m["penalty_train_mse_none"]
    assert m["penalty_test_mse_l2"] <= 0.5 * m["penalty_test_mse_none"]
