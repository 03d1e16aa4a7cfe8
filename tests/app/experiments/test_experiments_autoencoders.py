"""001 chapter 11 experiments in quick mode: each must reach its (quick) expected value."""

from helpers.experiments import run_quick


def test_vae_digits(tmp_path):
    r = run_quick("vae-digits", tmp_path, must_pass=False)
    assert r.passed, (r.checks, r.metrics)
    assert r.metrics["test_accuracy"] >= 0.5 and r.metrics["final_kl"] > 0


def test_autoencoder_mnist_nearest_centroid(tmp_path):
    r = run_quick("autoencoder-mnist", tmp_path, must_pass=False)
    assert r.passed, (r.checks, r.metrics)
    assert r.metrics["n_train"] == 5000 and r.metrics["test_accuracy"] >= 0.5
    # 5 of 30 epochs: the text's 53 % is stated, left to the full run
    assert r.status == "needs the full run"
    assert r.expected["test_accuracy (full run)"].source == "text: 001 Figure 11.3"
    # 001 Figure 11.2: most decoded class centroids look like their class (the text: all but
    # 2, 4 and 5); seed 0, quick: 8 of 10 nearest to their own class mean
    assert r.metrics["decoded_centroids_recognised"] >= 5


def test_ssvae_separates_classes_far_better_than_the_vae(tmp_path):
    ss = run_quick("ssvae-mnist", tmp_path / "ss", must_pass=False)
    assert ss.passed, (ss.checks, ss.metrics)
    assert ss.metrics["train_accuracy"] >= 0.9 and ss.metrics["test_accuracy"] >= 0.8
    assert len(ss.figures) == 4          # latent, decoded lattice, class samples, losses


def test_vae_mnist_nearest_centroid_and_separate_loss_terms(tmp_path):
    r = run_quick("vae-mnist", tmp_path, must_pass=False)
    assert r.passed, (r.checks, r.metrics)
    # the text's 55 % after 30 epochs, as printed: the quick run's 10 epochs decide it only
    # when they already reach it
    assert r.expected["test_accuracy (full run)"].value == 0.55
    assert r.checks["test_accuracy (full run)"] in ("pass", "needs the full run")
    rows = r.tables["losses per epoch"]
    assert len(rows) == r.metrics["epochs"] and all(row["kl"] > 0 for row in rows)
    assert rows[-1]["reconstruction"] < rows[0]["reconstruction"]
