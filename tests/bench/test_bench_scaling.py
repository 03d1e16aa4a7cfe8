"""bench/scaling.py (``make bench-scaling``) on its smallest sizes: every model's training step
runs in both frameworks, and the summary, table and plots come out of made-up
timings as stated.  No timing is asserted.  Cost: about 2 s."""
import sys

import numpy as np
import pytest
from helpers import ROOT as _ROOT

sys.path.insert(0, str(_ROOT))   # bench/ is a package
from bench import scaling as _scaling  # noqa: E402


@pytest.fixture(scope="module")
def scaling():
    return _scaling


@pytest.mark.parametrize("model", ["mlp", "cnn", "lstm"])
def test_each_models_step_runs_in_both_frameworks_at_the_quick_sizes(scaling, model):
    import torch  # noqa: F401  (a declared test dependency: fail, never skip, without it)
    p = scaling.QUICK_MIDDLE[model]
    assert set(p) == set(scaling.QUICK_SWEEPS[model]) == set(scaling.SWEEPS[model])
    for make in (scaling.step_nnscratch, scaling.step_torch):
        step = make(model, p)
        seconds = scaling.time_step(step, 0.0, 1, 1)
        assert seconds > 0


def test_the_summary_forms_per_round_ratios_and_the_table_names_the_fixed_axes(scaling):
    results = {"mlp": {"batch": {"nnscratch": [{"16": 2.0, "32": 3.0}, {"16": 4.0, "32": 3.0}],
                                 "torch": [{"16": 1.0, "32": 3.0}, {"16": 1.0, "32": 1.0}]}}}
    rows = scaling.summary(results)
    assert [(r["value"], r["ratio"], r["ratio_min"], r["ratio_max"]) for r in rows] == [
        (16, 3.0, 2.0, 4.0), (32, 2.0, 1.0, 3.0)]
    assert rows[0]["nnscratch_ms"] == 3000.0 and rows[0]["torch_ms"] == 1000.0
    lines = scaling.table(rows, {"mlp": {"batch": 128, "width": 256}})
    assert lines[2] == "| mlp | batch (width 256) | 16 | 3000.00 | 1000.00 | 3.00 (2.00–4.00) |"


def test_the_plots_are_written_one_png_per_model(scaling, tmp_path):
    rows = [{"model": m, "axis": a, "value": v, "nnscratch_ms": 2.0 * v, "torch_ms": float(v),
             "ratio": 2.0, "ratio_min": 1.5, "ratio_max": 2.5}
            for m, a in (("mlp", "batch"), ("mlp", "width"), ("lstm", "seq")) for v in (16, 64)]
    paths = scaling.plot(rows, tmp_path)
    assert [p.name for p in paths] == ["scaling_mlp.png", "scaling_lstm.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["scaling_lstm.png", "scaling_mlp.png"]


def test_the_sweeps_cover_the_issues_ranges(scaling):
    for model, axes in scaling.SWEEPS.items():
        assert axes["batch"][0] == 16 and axes["batch"][-1] == 1024
        assert scaling.MIDDLE[model].keys() == axes.keys()
    assert scaling.SWEEPS["mlp"]["width"] == [64, 128, 256, 512, 1024]
    assert scaling.SWEEPS["lstm"]["hidden"] == [64, 128, 256, 512, 1024]
    assert scaling.SWEEPS["lstm"]["seq"] == [16, 32, 64, 128, 256]
    assert np.all(np.diff(scaling.SWEEPS["cnn"]["channels"]) > 0)
