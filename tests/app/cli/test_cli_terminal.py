"""The terminal side of ``nnscratch``: tables fitted to the width and in the texts' order, a
legend of the source keys, Ctrl-C in ``run`` keeping what finished, suggestions for mistyped
names, where a run's files went, and ``predict`` reading any table of numbers."""
import io
import sys

import numpy as np
import pytest
from helpers.fake_experiments import fake_registry

from nnscratch._terminal import clip, did_you_mean, fitted_widths, format_table, terminal_width
from nnscratch.app import cli
from nnscratch.app.experiments import registry, runner
from nnscratch.app.report import in_book_order, summary_table


def _rec(name, source, status="pass"):
    return {"name": name, "source": source, "status": status, "metrics": {"acc": 0.91234},
            "expected": {}, "seconds": 1.0, "summary": "a long summary " * 8}


def test_tables_fit_the_width_and_cut_with_an_ellipsis():
    rows = [["a" * 40, "b" * 5, "c" * 90], ["x", "y", "z"]]
    text = format_table(["one", "two", "three"], rows, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" in text and "b" * 5 in text             # the widest column gave way first
    assert format_table(["one", "two", "three"], rows, None).count("c" * 90) == 1
    assert clip("abcdef", 4) == "abc…" and clip("abc", 4) == "abc"
    assert fitted_widths([50, 50], 20) == [9, 9]
    assert fitted_widths([50, 50], 10) == [8, 8]        # never below the floor: let it wrap


def test_terminal_width_reads_columns_and_leaves_pipes_uncut(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setenv("COLUMNS", "77")
    assert terminal_width(Tty()) == 77
    assert terminal_width(io.StringIO()) is None          # a pipe or a log keeps everything


def test_summary_goes_book_by_book_with_a_legend_and_fits():
    recs = [_rec("zeta", "000 §1.5"), _rec("alpha", "001 §9.3"), _rec("mid", "000 §9.1"),
            _rec("paper", "published: Greydanus 2020"), _rec("early", "000 §1.2")]
    assert [r["name"] for r in in_book_order(recs)] == ["early", "zeta", "mid", "alpha", "paper"]
    text = summary_table(recs, width=100)
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    names = [line.split()[0] for line in lines[2:7]]
    assert names == ["early", "zeta", "mid", "alpha", "paper"]
    legend = [line for line in lines if line.startswith("texts:")]
    assert legend[0].startswith("texts: 000 Hifny · 001 Murrell")


def test_list_fits_a_100_column_terminal(monkeypatch, capsys):
    monkeypatch.setattr("nnscratch._terminal.terminal_width", lambda stream=None: 100)
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) > 40 and max(len(line) for line in out) <= 100
    assert out[-1].startswith("texts: 000 Hifny · 001 Murrell, de Freitas · 002 Peña · ")


def test_ctrl_c_in_run_all_prints_what_finished_and_exits_130(tmp_path, monkeypatch, capsys):
    reg = fake_registry(tmp_path)
    calls = []

    def interrupted(cfg):
        calls.append(1)
        raise KeyboardInterrupt
    reg["zz-interrupted"] = registry.Experiment("zz-interrupted", interrupted, "000 §9",
                                                "Ctrl-C arrives here")
    del reg["crashes"]
    monkeypatch.setattr(cli, "discover", lambda: (reg, {}))
    rc = cli.main(["run", "all", "--quick", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert rc == 130 and calls == [1]
    assert "good" in out and "missed" in out and "zz-interrupted" not in out.split("\n\n")[-1]
    assert "interrupted after 2 of 3 experiment(s)" in err and "Traceback" not in err
    assert not (tmp_path / "report.html").exists()


def test_run_many_keeps_the_finished_records_on_ctrl_c(tmp_path):
    def ok(cfg):
        return fake_registry(tmp_path)["good"](cfg)

    def stop(cfg):
        raise KeyboardInterrupt
    exps = [registry.Experiment("ok", ok, "000 §0", "s"),
            registry.Experiment("stop", stop, "000 §0", "s"),
            registry.Experiment("never", ok, "000 §0", "s")]
    with pytest.raises(runner.RunInterrupted) as info:
        runner.run_many(exps, tmp_path, log=lambda line: None)
    assert [r["name"] for r in info.value.records] == ["ok"]
    assert isinstance(info.value, KeyboardInterrupt)


def test_mistyped_names_get_suggestions(tmp_path, monkeypatch, capsys):
    assert did_you_mean("mlp-xorr", ["mlp-xor", "cnn-digits"]) == " (did you mean 'mlp-xor'?)"
    assert did_you_mean("zzzz", ["mlp-xor"]) == ""
    assert cli.main(["run", "mlp-xorr", "--out", str(tmp_path)]) == 2
    assert "(did you mean 'mlp-xor'?)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["run", "mlp-xor", "--quik"])
    assert "--quick" in capsys.readouterr().err          # argparse's own suggestion


def test_a_single_run_says_where_its_files_went(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "discover", lambda: (fake_registry(tmp_path), {}))
    assert cli.main(["run", "good", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"good: metrics in {tmp_path / 'good' / 'metrics.json'}" in out
    assert str(tmp_path / "good" / "line.png") in out


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "iris.ckpt"
    assert cli.main(["train", "--data", "iris", "--hidden", "8", "--epochs", "2",
                     "--save", str(path), "--quiet"]) == 0
    return path


@pytest.mark.parametrize("sep, name", [(",", "rows.txt"), (" ", "rows.csv"), ("\t", "rows"),
                                       (",", "-"), ("  ", "-")])
def test_predict_reads_csv_or_whitespace_from_a_file_or_stdin(iris_model, tmp_path, sep, name,
                                                              monkeypatch, capsys):
    X = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])
    text = "# sepal and petal sizes\n" + "\n".join(sep.join(map(str, r)) for r in X) + "\n\n"
    if name == "-":
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    else:
        (tmp_path / name).write_text(text)
    assert cli.main(["predict", str(iris_model), name if name == "-" else
                     str(tmp_path / name)]) == 0
    got = capsys.readouterr().out.split()
    np.save(tmp_path / "rows.npy", X)
    assert cli.main(["predict", str(iris_model), str(tmp_path / "rows.npy")]) == 0
    assert got == capsys.readouterr().out.split() and len(got) == 2


def test_predict_on_empty_stdin_is_one_clear_line(iris_model, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with _no_warnings():              # no NumPy warning leaks out
        assert cli.main(["predict", str(iris_model), "-"]) == 2
    err = capsys.readouterr().err
    assert err == "nnscratch predict: INPUT '-' is not a table of numbers (it holds no rows " \
                  "of numbers)\n"


class _no_warnings:
    def __enter__(self):
        import warnings
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
