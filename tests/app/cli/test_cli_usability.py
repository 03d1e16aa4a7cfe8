"""The command line as a new user meets it: --version, progress counts in 'run', a closed pipe,
a missing optional package, saved models used again by 'predict' and 'evaluate'.

Cost: about 5 s (three short subprocesses, one 20-epoch iris training)."""
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT as _ROOT

import nnscratch as ns
from nnscratch.app import cli
from nnscratch.app.experiments import registry
from nnscratch.app.experiments.registry import Expect, Result
from nnscratch.app.experiments.runner import progress_clock
from nnscratch.app.train_spec import TrainSpec
from nnscratch.datasets import splits

ROOT = str(_ROOT)


def _run(code: str, *args: str, stdin=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120, stdin=stdin)


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip().startswith(f"nnscratch {ns.__version__} (numpy ")


def test_run_counts_k_of_n_with_elapsed_and_remaining_time(tmp_path, monkeypatch, capsys):
    def ok(cfg):
        from nnscratch.app.experiments.plotting import plt, savefig
        fig, ax = plt.subplots()
        return Result(metrics={"x": 1.0}, expected={"x": Expect(">=", 1.0, source="ours")},
                      figures=[savefig(fig, cfg.figure("f"))])
    reg = {n: registry.Experiment(n, ok, "000 §0", n) for n in ("a-one", "b-two", "c-three")}
    monkeypatch.setattr(cli, "discover", lambda: (reg, {}))
    assert cli.main(["run", "a-one", "b-two", "c-three", "--out", str(tmp_path)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("[nnscratch]")]
    assert [ln.split()[1] for ln in lines] == ["1/3", "1/3", "2/3", "2/3", "3/3", "3/3"]
    assert "left" in lines[1] and "elapsed 0:0" in lines[1] and "left" not in lines[-1]
    assert progress_clock(90, 1, 3) == "elapsed 1:30, about 3:00 left"
    assert progress_clock(3725, 4, 4) == "elapsed 1:02:05"


def test_list_into_a_closed_pipe_exits_quietly():
    r = subprocess.run(f"{sys.executable} -m nnscratch.app.cli list | true", shell=True,
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.stderr == ""                       # no BrokenPipeError traceback


def test_a_missing_optional_package_is_one_line_naming_the_extra():
    blocker = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'sklearn':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from nnscratch.app import cli\n"
        "sys.exit(cli.main(['train', '--data', 'iris', '--epochs', '1', '--quiet']))\n")
    r = _run(blocker)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "scikit-learn" in r.stderr and "pip install 'nnscratch[data]'" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "iris.ckpt"
    rc = cli.main(["train", "--data", "iris", "--hidden", "16", "--epochs", "20", "--lr",
                   "0.01", "--batch-size", "16", "--save", str(path), "--quiet"])
    assert rc == 0
    return path


def test_load_model_applies_the_saved_scaler_to_raw_features(iris_model):
    X, y = ns.datasets.load_iris()
    model = ns.load_model(iris_model)
    state = ns.load(iris_model)
    assert state["architecture"] == {"builder": "mlp", "sizes": [4, 16, 3],
                                     "activation": "relu"}
    # the saved scaler is the one fitted on the training split, not on all of X
    X_tr = splits.train_validation("iris", 0)[0]
    np.testing.assert_allclose(state["preprocessing"]["mean"], X_tr.mean(0), rtol=1e-6)
    net = TrainSpec(model="mlp", n_in=4, n_out=3, hidden=[16]).build()
    net.load_state_dict(state["model"])
    scaled = (X - X_tr.mean(0)) / X_tr.std(0)
    np.testing.assert_allclose(ns.predict(model, X), ns.predict(net, scaled.astype(np.float32)),
                               rtol=1e-4, atol=1e-5)
    assert (ns.predict(model, X).argmax(1) == y).mean() >= 0.9
    assert model.config["data"] == "iris" and not model.training


def test_predict_and_evaluate_commands(iris_model, tmp_path, capsys):
    X, y = ns.datasets.load_iris()
    rows = tmp_path / "rows.csv"
    np.savetxt(rows, X[::10], delimiter=",")
    capsys.readouterr()
    assert cli.main(["predict", str(iris_model), str(rows)]) == 0
    classes = [int(s) for s in capsys.readouterr().out.split()]
    expected = ns.predict(ns.load_model(iris_model), X[::10]).argmax(1)
    assert classes == list(expected) and np.mean(np.array(classes) == y[::10]) >= 0.9
    np.save(tmp_path / "rows.npy", X[:3])
    assert cli.main(["predict", str(iris_model), str(tmp_path / "rows.npy"), "--proba"]) == 0
    p = np.array([[float(v) for v in ln.split(",")] for ln in capsys.readouterr().out.split()])
    assert p.shape == (3, 3)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
    assert cli.main(["evaluate", str(iris_model)]) == 0
    out = capsys.readouterr().out
    acc = float(out.split("accuracy ")[1].split()[0])
    hist = ns.load(iris_model)["history"]["history"]
    assert abs(acc - hist["val_accuracy"][-1]) < 1e-9        # the same validation split
    assert out.startswith("iris validation split (30 samples, seed 0)")


def test_predict_bad_input_is_named(iris_model, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    np.savetxt(bad, np.ones((2, 5)), delimiter=",")
    assert cli.main(["predict", str(iris_model), str(bad)]) == 2
    assert "must have 4 features per row" in capsys.readouterr().err
    assert cli.main(["predict", str(tmp_path / "none.ckpt"), str(bad)]) == 2
    assert "does not exist" in capsys.readouterr().err
    ns.save({"weights": np.ones(3)}, tmp_path / "other.ckpt")
    assert cli.main(["evaluate", str(tmp_path / "other.ckpt")]) == 2
    assert "holds no saved model" in capsys.readouterr().err
