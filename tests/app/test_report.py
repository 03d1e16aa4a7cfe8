"""The report as a gallery: grouping by text and chapter, learner-facing names, captions, code
links, no repeated numbers, a quick run's caveats, embedded figures kept small.

Cost: about 2 s (one tiny fake run, a few matplotlib figures)."""
import json
import pathlib
import re

import numpy as np

from nnscratch.app import report
from nnscratch.app.experiments import _captions, registry
from nnscratch.app.experiments.plotting import plt, savefig
from nnscratch.app.experiments.registry import Expect, Result, claim
from nnscratch.app.experiments.runner import run_experiment

EXPERIMENTS = pathlib.Path(registry.__file__).parent


def test_source_keys_name_the_text_and_chapter():
    assert report.source_place("000 §1.5") == ("000", 1, 5.0)
    assert report.source_place("001 §11.2, Figure 11.3") == ("001", 11, 2.0)
    assert report.source_place("000 ch. 6 (eq. 6.1–6.3)") == ("000", 6, 0.0)
    assert report.source_place("002 Example 6.2") == ("002", 6, 2.0)
    assert report.source_place("MNIST-1D (Greydanus 2020)") == ("", None, 0.0)


def test_metric_names_read_as_words():
    assert report.metric_label("val_bpc") == "validation bits per character"
    assert report.metric_label("book_test_accuracy") == "test accuracy reported in the text"
    assert report.metric_label("rosenbrock_gd_nit") == "Rosenbrock: gradient descent iterations"
    assert report.metric_label("Hamming loss") == "Hamming loss"
    assert "issue" not in report._clean_note("the issue's bar (000 §5.5 assignment)")
    assert report._clean_note("f - f* (rosenbrock_common_tol)") == \
        "f - f* (Rosenbrock: common tolerance)"


def _records(tmp_path, quick):
    def plotted(cfg, name):
        fig, ax = plt.subplots()
        ax.plot([1, 2], [0.5, 0.4])
        ax.set_xlabel("epoch")
        return savefig(fig, cfg.figure(name))

    def early(cfg):
        return Result(metrics={"val_acc": 0.5, "epochs": 2, "book_test_accuracy": 0.55},
                      expected=claim(cfg, "val_acc", Expect(">=", 0.9, source="text: 001 §9.1"),
                                     Expect(">=", 0.3, source="ours: two epochs")),
                      figures=[plotted(cfg, "cnn_digits_curves")])

    def table(cfg):
        rows = [{"method": "gd", "nit": 10}, {"method": "bfgs", "nit": 3}]
        return Result(metrics={"gd_nit": 10, "bfgs_nit": 3},
                      expected={"bfgs_nit": Expect("<=", 5, source="ours")},
                      tables={"race": rows}, figures=[plotted(cfg, "no-caption-here")])

    exps = [registry.Experiment("later-chapter", early, "001 §11.2", "eleven"),
            registry.Experiment("early-chapter", early, "001 §9.4", "nine"),
            registry.Experiment("first-text", table, "000 §1.5", "one"),
            registry.Experiment("baseline", table, "MNIST-1D (Greydanus 2020)", "published")]
    return [run_experiment(e, tmp_path, 0, quick, None) for e in exps]


def test_the_gallery_groups_captions_and_folds(tmp_path):
    recs = _records(tmp_path, quick=True)
    md, page = report.write_report(recs, tmp_path)
    html = page.read_text()
    order = [html.index(f'id="{n}"') for n in ("first-text", "early-chapter",
                                                "later-chapter", "baseline")]
    assert order == sorted(order)                     # texts, then chapters by number
    assert "Chapter 9: Convolutional neural networks" in html and "Published baselines" in html
    for n in ("first-text", "early-chapter", "later-chapter", "baseline"):
        assert f'href="#{n}"' in html                 # the table of contents
    assert _captions.CAPTIONS["cnn_digits_curves"] in html
    assert "<figcaption>one</figcaption>" in html     # no caption written: the summary
    assert "cnn_digits_curves.png</figcaption>" not in html
    assert "book_" not in html and "validation accuracy" in html
    assert "reported in the text" in html
    # the race's unchecked numbers are folded under its table, not shown as a second table
    card = html[html.index('id="first-text"'):html.index('id="early-chapter"')]
    assert card.count("<table>") == 3 and "<details>" in card
    # the quick run says what it cannot show, and that 0.5 is far from the claimed 0.9
    assert "What a quick run shows." in html
    assert "not reached by the quick run" in html and "quick check passed" in html
    assert "<title>nnscratch experiments</title>" in html and "<script" not in html
    assert "## 000 — Data science from scratch" in md.read_text()


def test_each_experiment_links_its_code(tmp_path, monkeypatch):
    from nnscratch.app.experiments import runner
    recs = _records(tmp_path, quick=False)
    reg = {"first-text": registry.Experiment("first-text", _records, "000 §1.5", "x")}
    monkeypatch.setattr(runner, "discover", lambda: (reg, {}))
    html = report._html(recs, tmp_path, "t")
    href = re.search(r'code: <a href="([^"]+)">tests/app/test_report.py, line \d+ \(_records\)',
                     html)
    assert href and (tmp_path / href[1]).resolve() == pathlib.Path(__file__).resolve()
    assert "What a quick run shows." not in html and "quick check" not in html


def test_two_epoch_curves_are_points_on_integer_epochs(tmp_path):
    recs = _records(tmp_path, quick=True)
    fig, ax = plt.subplots()
    two, = ax.plot([1, 2], [0.5, 0.4], label="train")
    ref = ax.axhline(0.45, ls=":")
    ax.set_xlabel("epoch")
    legend = ax.legend()
    savefig(fig, tmp_path / "two.png")
    assert two.get_linestyle() == "None" and two.get_marker() == "o"
    key = next(h for h in legend.legend_handles if h.get_label() == "train")
    assert key.get_linestyle() == "None" and key.get_marker() == "o"
    assert ref.get_linestyle() == ":"                 # a reference line stays a line
    assert all(float(t).is_integer() for t in ax.get_xticks())
    assert recs[0]["figures"]


def test_embedded_figures_are_compressed(tmp_path):
    fig, ax = plt.subplots(figsize=(10, 6))
    for k in range(8):
        ax.plot(np.linspace(0, 1, 400), np.sin(np.linspace(0, 6 + k, 400)), label=str(k))
    ax.legend()
    path = savefig(fig, tmp_path / "f.png")
    embedded = len(report._png_data(pathlib.Path(path))) * 3 / 4
    assert embedded < 0.6 * pathlib.Path(path).stat().st_size


def test_every_literal_figure_name_has_a_caption():
    names = set()
    for src in EXPERIMENTS.glob("*.py"):
        names |= set(re.findall(r'cfg\.figure\("([^"{}]+)"\)', src.read_text()))
    assert names and not names - set(_captions.CAPTIONS), names - set(_captions.CAPTIONS)


def test_record_status_words(tmp_path):
    recs = _records(tmp_path, quick=False)
    assert [r["status"] for r in recs] == ["fail", "fail", "pass", "pass"]
    assert report._status_view(recs[0]) == ("failed", "FAIL")
    assert json.loads((tmp_path / "first-text" / "metrics.json").read_text())["tables"]


def test_a_claim_left_to_the_full_run_is_named_by_where_its_number_comes_from():
    def rec(*sources):
        return {"status": "needs the full run", "quick": True, "expected": {
            f"c{i}": {"source": s, "status": "needs the full run"} for i, s in enumerate(sources)}}
    assert report._status_view(rec("ours")) == (
        "quick check passed; our full-run bar needs the full run", "needs")
    assert report._status_view(rec("text: 001 Figure 11.7", "paper: Greydanus 2020"))[0] == (
        "quick check passed; the text's number and the published number need the full run")
