"""``nnscratch train``/``run``/``report``: unwritable outputs fail fast; Ctrl-C keeps a
checkpoint."""
import os
import re
import signal
import subprocess
import sys
import time

import pytest

import nnscratch as ns
from nnscratch.app import cli
from nnscratch.datasets import splits


@pytest.mark.parametrize("flag", ["--save", "--checkpoint"])
@pytest.mark.parametrize("where", ["proc", "directory"])
def test_train_probes_its_output_before_training(tmp_path, capsys, monkeypatch, flag, where):
    def no_training(name, seed):
        raise AssertionError("the data was loaded before the output path was checked")
    monkeypatch.setattr(splits, "train_validation", no_training)
    path = "/proc/m.ckpt" if where == "proc" else str(tmp_path)  # root cannot write /proc
    rc = cli.main(["train", "--data", "iris", flag, path, "--quiet"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"nnscratch train: {flag} ")
    assert ("not writable" if where == "proc" else "is a directory") in err


def test_train_resume_from_a_missing_file_is_one_line(tmp_path, capsys):
    rc = cli.main(["train", "--resume", str(tmp_path / "none.ckpt"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "does not exist" in err


@pytest.mark.parametrize("command", ["run", "report"])
def test_run_and_report_probe_out(capsys, monkeypatch, command):
    monkeypatch.setattr(cli, "discover", lambda: ({}, {}))
    monkeypatch.setattr("nnscratch.app.report.load_records", lambda out: [{"name": "x"}])
    out = "/proc/nnscratch-runs" if command == "run" else "/proc"  # cannot create / write
    rc = cli.main([command] + (["all"] if command == "run" else []) + ["--out", out])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert err.startswith(f"nnscratch {command}: --out '{out}'")


def test_ctrl_c_in_train_says_where_exits_130_and_resumes(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    cmd = [sys.executable, "-m", "nnscratch.app.cli", "train", "--data", "digits", "--hidden",
           "32", "--quiet", "--seed", "3", "--checkpoint", str(ckpt)]
    # a pytest-xdist worker ignores SIGINT, and a child inherits that: restore the default so
    # that Python installs its KeyboardInterrupt handler, as in a terminal
    proc = subprocess.Popen(cmd + ["--epochs", "1000"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not ckpt.exists():  # at least one epoch finished and was kept
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    m = re.search(r"interrupted in epoch (\d+) of 1000; .* holds the (\d+) finished epoch",
                  err)
    assert m, err
    done = int(m.group(2))
    assert int(m.group(1)) in (done, done + 1) and ns.load(ckpt)["epoch"] == done
    # --resume continues from the kept epoch (fit's own tests show it is bit-exact)
    saved = tmp_path / "model.ckpt"
    subprocess.run(cmd + ["--epochs", str(done + 1), "--resume", str(ckpt), "--save",
                          str(saved)], check=True, capture_output=True, timeout=120)
    assert ns.load(ckpt)["epoch"] == done + 1
    assert len(ns.load(saved)["history"]["history"]["loss"]) == done + 1
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []
