"""The texts' worked examples (nnscratch/app/experiments/, one file per topic), run in quick mode,
reach the texts' numbers (each experiment's docstring quotes them and their place)."""

import numpy as np
from helpers.experiments import run_quick


# ---------------------------------------------------------------- 002
def test_xor_relu_by_hand(tmp_path):
    m = run_quick("xor-relu-by-hand", tmp_path).metrics
    assert [m["y_00"], m["y_01"], m["y_10"], m["y_11"]] == [0.0, 1.0, 1.0, 0.0]
    assert m["q_of_01"] == m["q_of_10"] == [1.0, 0.0]


def test_bishop_curve_fits(tmp_path):
    r = run_quick("bishop-curve-fits", tmp_path)
    mse = {k.split(" ", 1)[1]: v for k, v in r.metrics.items() if k.startswith("train_mse")}
    assert set(mse) == {"x^2", "sin x", "|x|", "H(x)"}
    assert max(mse.values()) < 1e-2 and mse["x^2"] < 1e-4


def test_bishop_two_unit_classifier(tmp_path):
    m = run_quick("bishop-two-unit-classifier", tmp_path).metrics
    assert m["bayes_accuracy"] - m["test_accuracy"] <= 0.02
    assert m["linear_accuracy"] < m["test_accuracy"] - 0.02


def test_mnist_parameter_counts(tmp_path):
    m = run_quick("mnist-parameter-counts", tmp_path).metrics
    assert (m["logistic_parameters"], m["two_layer_parameters"]) == (7850, 159010)


# ---------------------------------------------------------------- 004
def test_xor_backprop_by_hand(tmp_path):
    r = run_quick("xor-backprop-by-hand", tmp_path)
    m = r.metrics
    assert r.status == "needs the full run"       # the 8 printed decimals need 30,000 epochs
    assert m["table_max_abs_error"] <= 5e-4
    rows = r.tables["forward table"]
    assert [row["y"] for row in rows] == [0.743, 0.183, 0.743, 0.334]
    assert [row["y pre"] for row in rows] == [1.06, -1.495, 1.06, -0.69]
    assert m["relu_printed_outputs"] == [57.0, 32.0, 67.0, 92.0]
    assert m["update_max_abs_error"] <= 1e-12 and m["u_after_one_step_on_10"] == [-275, -331, -54]
    assert m["weights_max_abs_error_to_printed"] <= 0.05
    np.testing.assert_allclose(m["trained_relu_outputs"], [1, 0, 1, 0], atol=1e-7)
    assert m["trained_sigmoid_accuracy"] <= 0.5


# ---------------------------------------------------------------- 003
def test_cross_entropy_slowdown(tmp_path):
    m = run_quick("cross-entropy-slowdown", tmp_path).metrics
    assert m["grad_error_cross_entropy"] <= 1e-12 and m["grad_error_quadratic"] <= 1e-12
    # the saturated neuron: the quadratic cost is still far from the target after 300 epochs
    assert m["output_after_300_quadratic"] > 0.1 > 0.05 > m["output_after_300_cross_entropy"]
    assert m["epochs_to_below_half_quadratic"] >= 3 * m["epochs_to_below_half_cross_entropy"]


def test_sigmoid_to_perceptron(tmp_path):
    r = run_quick("sigmoid-to-perceptron", tmp_path)
    gaps = [row["max gap"] for row in r.tables["c"]]
    assert gaps[0] > 0.01 and gaps[-1] <= 1e-12
    assert r.metrics["stuck_unit_c_1000"] == 0.5 and r.metrics["stuck_perceptron"] == 0.0


def test_softmax_to_argmax(tmp_path):
    m = run_quick("softmax-to-argmax", tmp_path).metrics
    assert m["gap_c_1"] > 0.1 and m["gap_c_1000"] <= 1e-12
    np.testing.assert_allclose(m["tie_top_two"], [0.5, 0.5], atol=1e-12)


def test_step_and_bump(tmp_path):
    m = run_quick("step-and-bump", tmp_path).metrics
    assert m["step_at_s"] == 0.5 and m["bump_at_s1"] == 0.5
    assert m["bump_inside_min"] > 1 - 1e-6 and m["bump_outside_max"] < 1e-6


def test_towers_m_variables(tmp_path):
    r = run_quick("towers-m-variables", tmp_path)
    for m in (1, 2, 3, 4):
        assert r.metrics[f"inside_min m={m}"] > 1 - 1e-6 > 1e-6 > r.metrics[f"one_out_max m={m}"]
    assert r.metrics["one_out_max m=3, bias -3h/2"] > 0.5


# ---------------------------------------------------------------- 001
def test_mle_as_kl(tmp_path):
    r = run_quick("mle-as-kl", tmp_path)
    rows = r.tables["N"]
    assert max(row["argmin_minus_mle"] for row in rows) <= 1e-6
    assert rows[-1]["kl_true_to_mle"] < rows[0]["kl_true_to_mle"]


def test_ridge_as_map(tmp_path):
    m = run_quick("ridge-as-map", tmp_path).metrics
    assert m["map_minus_ridge"] <= 1e-8
    assert 2.0 <= m["best_delta2"] <= 8.0          # σ²/τ² = 4
    assert m["error_at_sigma2_tau2"] < m["error_least_squares_end"]


def test_poly_basis_2d(tmp_path):
    m = run_quick("poly-basis-2d", tmp_path).metrics
    assert m["test_mse quadratic"] <= 0.0125 < 0.1 <= m["test_mse linear"]


def test_gradient_field(tmp_path):
    m = run_quick("gradient-field", tmp_path).metrics
    assert m["autograd_minus_closed_form"] <= 1e-12 and m["descent_end_f"] <= -4 + 1e-10


def test_sgd_least_squares(tmp_path):
    m = run_quick("sgd-least-squares", tmp_path).metrics
    assert m["mean_of_batch_gradients_minus_full"] <= 1e-12
    assert max(m["online_minus_least_squares"], m["minibatch_minus_least_squares"]) <= 0.02


# ---------------------------------------------------------------- 000
def test_dnn_4333(tmp_path):
    m = run_quick("dnn-4-3-3-3", tmp_path).metrics
    assert m["n_parameters"] == 39
    assert max(m["softmax_jacobian_error"], m["dE_dz_error"], m["backprop_error"]) <= 1e-12
    assert m["test_accuracy"] >= 0.9
