"""The ``nnscratch`` command: list, run (metrics.json, report, exit status), train, help."""
import json
import sys

import numpy as np
import pytest
from helpers.fake_experiments import fake_registry

import nnscratch as ns
from nnscratch.app import cli
from nnscratch.app.experiments import registry
from nnscratch.app.experiments.registry import Expect, Result
from nnscratch.app.train_spec import TrainSpec


def test_run_all_writes_metrics_report_and_fails_loudly(tmp_path, monkeypatch, capsys):
    reg = fake_registry(tmp_path)
    monkeypatch.setattr(cli, "discover", lambda: (reg, {"brokenmod": "Traceback\nImportError: "
                                                                      "no module x"}))
    out = tmp_path / "runs"
    rc = cli.main(["run", "all", "--quick", "--out", str(out)])
    assert rc == 1
    printed = capsys.readouterr().out
    for name, status in (("good", "pass"), ("missed", "FAIL"), ("crashes", "ERROR"),
                         ("module:brokenmod", "ERROR")):
        assert any(name in line and status in line for line in printed.splitlines()), name
    assert ("1/4 experiments pass every check they run (1 of them check a text's or a "
            "paper's number), 3 fail; 1/2 checks against a text's number met") in printed
    rec = json.loads((out / "good" / "metrics.json").read_text())
    assert rec["status"] == "pass" and rec["metrics"]["acc"] == 1.0 and rec["quick"] is True
    assert rec["expected"]["acc"] == {"metric": "acc", "op": ">=", "value": 0.9,
                                      "note": "a note", "source": "text: 000 §0",
                                      "status": "pass"}
    assert (out / rec["figures"][0]).is_file()
    crashed = json.loads((out / "crashes" / "metrics.json").read_text())
    assert crashed["status"] == "error" and "boom inside the experiment" in crashed["error"]
    md = (out / "report.md").read_text()
    assert "| good | 000 §0 | acc | 1 | >= 0.9 [text: 000 §0] | pass |" in md
    assert "| missed | 000 §0 | acc | 0.5 | >= 0.9 [text: 000 §0] | FAIL |" in md
    assert "](good/line.png)" in md and "ImportError: no module x" in md
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "boom inside the experiment" in page

def test_run_by_name_exit_status_and_unknown_names(tmp_path, monkeypatch, capsys):
    reg = fake_registry(tmp_path)
    monkeypatch.setattr(cli, "discover", lambda: (reg, {}))
    assert cli.main(["run", "good", "--out", str(tmp_path), "--seed", "3"]) == 0
    assert json.loads((tmp_path / "good" / "metrics.json").read_text())["seed"] == 3
    assert not (tmp_path / "report.html").exists()      # only 'run all' writes the report
    assert cli.main(["run", "good", "missed", "--out", str(tmp_path)]) == 1
    capsys.readouterr()
    assert cli.main(["run", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "nnscratch run: unknown experiment 'nope'; see 'nnscratch list'\n"
    assert cli.main(["run", "godo", "--out", str(tmp_path)]) == 2
    assert "unknown experiment 'godo' (did you mean 'good'?)" in capsys.readouterr().err

def test_report_rebuilds_from_metrics_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "discover", lambda: (fake_registry(tmp_path), {}))
    assert cli.main(["run", "good", "--out", str(tmp_path)]) == 0
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    assert "| good | 000 §0 | acc | 1 | >= 0.9 [text: 000 §0] | pass |" in \
        (tmp_path / "report.md").read_text()
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    assert cli.main(["report", "--out", str(tmp_path / "empty")]) == 2
    assert "no " in capsys.readouterr().err

def test_real_experiment_runs_through_the_cli(tmp_path, capsys):
    assert cli.main(["run", "logreg-and", "--quick", "--out", str(tmp_path)]) == 0
    rec = json.loads((tmp_path / "logreg-and" / "metrics.json").read_text())
    assert rec["status"] == "needs the full run" and rec["metrics"]["accuracy"] == 1.0
    assert (tmp_path / rec["figures"][0]).stat().st_size > 1000
    cli.main(["list"])
    listing = capsys.readouterr().out
    assert "mnist-lecture" in listing and "002 Example 6.2" in listing

def test_a_broken_experiment_module_is_reported_not_fatal(tmp_path, monkeypatch):
    pkg = tmp_path / "fakeexps"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "registry.py").write_text("")
    (pkg / "good.py").write_text(
        "from nnscratch.app.experiments.registry import experiment\n"
        "@experiment('fake-good', source='x', summary='y')\n"
        "def f(cfg):\n    return None\n")
    (pkg / "bad.py").write_text(
        "from nnscratch.app.experiments.registry import experiment\n"
        "@experiment('fake-half', source='x', summary='registered before the crash')\n"
        "def f(cfg):\n    return None\n"
        "import a_module_that_does_not_exist_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "__file__", str(pkg / "registry.py"))
    monkeypatch.setattr(registry, "__package__", "fakeexps")
    monkeypatch.setattr(registry, "REGISTRY", {})
    try:
        reg, errors = cli.discover()
    finally:
        for m in ("fakeexps", "fakeexps.good", "fakeexps.bad", "fakeexps.registry"):
            sys.modules.pop(m, None)
    assert "fake-good" in reg and "fake-half" not in reg
    assert list(errors) == ["bad"] and "a_module_that_does_not_exist_anywhere" in errors["bad"]

def test_train_command_saves_a_loadable_model(tmp_path, capsys):
    path = tmp_path / "iris.ckpt"
    rc = cli.main(["train", "--data", "iris", "--model", "mlp", "--hidden", "16",
                   "--epochs", "30", "--lr", "0.01", "--batch-size", "16",
                   "--optimizer", "adam", "--save", str(path), "--quiet"])
    assert rc == 0
    assert "validation accuracy" in capsys.readouterr().out
    state = ns.load(path)
    assert state["config"]["data"] == "iris" and state["config"]["hidden"] == [16]
    model = TrainSpec.from_config(state["config"]).build()
    model.load_state_dict(state["model"])
    assert state["history"]["history"]["val_accuracy"][-1] >= 0.8
    assert np.isfinite(state["model"]["0.weight"]).all()

@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "imagenet"], "invalid choice: 'imagenet' (choose from"),
    (["train", "--model", "transformer"], "invalid choice: 'transformer'"),
    (["train", "--optimizer", "lion"], "invalid choice: 'lion'"),
    (["train", "--epochs", "0"], "must be > 0"),
    (["train", "--hidden", "a,b"], "--hidden must be comma-separated ints"),
    (["run"], "the following arguments are required: NAME"),
])
def test_bad_arguments_exit_2_with_the_valid_choices(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err

def test_train_save_in_a_missing_directory_creates_it(tmp_path, capsys):
    path = tmp_path / "new" / "dirs" / "m.ckpt"
    rc = cli.main(["train", "--data", "iris", "--epochs", "1", "--save", str(path), "--quiet"])
    assert rc == 0 and path.is_file()
    (tmp_path / "a_file").write_text("in the way")
    rc = cli.main(["train", "--save", str(tmp_path / "a_file" / "m.ckpt"), "--quiet"])
    assert rc == 2 and "cannot be created" in capsys.readouterr().err

def test_help_documents_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for word in ("list", "run", "train", "report", "run all --quick", "Exit status"):
        assert word in text
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for opt in ("--data", "--model", "--epochs", "--lr", "--batch-size", "--optimizer",
                "--save", "mnist1d"):
        assert opt in text

def test_quick_run_leaves_the_full_claim_unchecked_and_says_so(tmp_path, monkeypatch, capsys):
    """A quick run checks its own bar and reports "needs the full run" for the text's claim,
    in the record, the terminal table and the report alike; the full run checks the claim."""
    from nnscratch.app.experiments.plotting import plt, savefig
    from nnscratch.app.experiments.registry import claim

    def short(cfg):
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        acc = 0.9 if cfg.quick else 0.95
        return Result(metrics={"acc": acc},
                      expected=claim(cfg, "acc", Expect(">=", 0.99, source="text: 000 §1"),
                                     Expect(">=", 0.8, "short run", source="ours")),
                      figures=[savefig(fig, cfg.figure("f"))], headline="acc")

    reg = {"short": registry.Experiment("short", short, "000 §1", "a short one")}
    monkeypatch.setattr(cli, "discover", lambda: (reg, {}))
    assert cli.main(["run", "all", "--quick", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    rec = json.loads((tmp_path / "short" / "metrics.json").read_text())
    assert rec["status"] == "needs the full run"
    assert rec["expected"]["acc"]["status"] == "pass"
    assert rec["expected"]["acc (full run)"] == {
        "metric": "acc", "op": ">=", "value": 0.99, "note": "", "source": "text: 000 §1",
        "status": "needs the full run"}
    row = next(line for line in printed.splitlines() if line.startswith("short"))
    assert "needs the full run" in row and ">= 0.99 [text: 000 §1]" in row
    md = (tmp_path / "report.md").read_text()
    assert "| accuracy | 0.9 | >= 0.99 [text: 000 §1] | needs the full run |" in md
    page = (tmp_path / "report.html").read_text()       # a quick result far from the claim
    assert "What a quick run shows." in page and "not reached by the quick run" in page
    assert "accuracy is 0.9 here; the full run's claim is" in " ".join(page.split())
    assert cli.main(["run", "short", "--out", str(tmp_path)]) == 1      # 0.95 < 0.99: fails
    assert json.loads((tmp_path / "short" / "metrics.json").read_text())["status"] == "fail"

def test_an_expected_value_must_say_where_it_comes_from():
    for bad in ("", "000 §4.4", "text:", "mine"):
        with pytest.raises(ValueError, match="source must be"):
            Expect(">=", 1.0, source=bad)
    for good in ("text: 000 §4.4", "paper: Greydanus 2020", "ours", "ours: a bar"):
        assert Expect(">=", 1.0, source=good).source == good

def test_train_spec_is_the_one_description_printed_saved_and_reloaded():
    """One TrainSpec gives the header line, the network, the saved architecture and config,
    and comes back equal from the config; its lr default is the registry's."""
    from nnscratch.optim import registry as optimizer_names
    spec = TrainSpec(data="iris", hidden=[16, 8], optimizer="sgd", n_in=4, n_out=3)
    assert spec.lr == optimizer_names.lookup("sgd").lr
    assert spec.describe() == f"mlp 4-16-8-3 relu, sgd lr={spec.lr}, 10 epochs of batch 64"
    assert spec.architecture == {"builder": "mlp", "sizes": [4, 16, 8, 3], "activation": "relu"}
    assert TrainSpec.from_config(spec.to_config()) == spec
    assert [p.shape for p in spec.build().parameters()] == [(16, 4), (16,), (8, 16), (8,),
                                                            (3, 8), (3,)]
    assert TrainSpec(model="linear", hidden=[16], n_in=4, n_out=3).sizes == [4, 3]

def test_every_cli_data_set_split_uses_its_seed():
    from nnscratch.datasets import splits
    a, b = splits.train_validation("iris", 0), splits.train_validation("iris", 1)
    assert not np.array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0], splits.train_validation("iris", 0)[0])
    assert len(a[2]) == 30 and np.bincount(a[3]).tolist() == [10, 10, 10]   # stratified
