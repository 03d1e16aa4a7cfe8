"""bench/run.py's report: a missed target is followed by what it is made of, quoted from the
measurements ``make profile`` leaves in bench/profile.json and bench/gemm.json (issue 18: an
explained, profiled gap), and a met target by nothing.  Pure functions on made-up numbers;
no benchmark runs.  Cost: milliseconds."""
import importlib.util

import pytest
from helpers import ROOT as _ROOT

_RUN = _ROOT / "bench" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", _RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _workload(ns_seconds, torch_seconds, numpy_seconds):
    rounds = lambda s: [{"seconds": s}, {"seconds": s}]   # noqa: E731
    return {"title": "toy", "target": 1.0, "against": "torch", "floor_target": 1.1,
            "gap": "the GEMMs\n  and the copies.", "gemm_rows": "MLP",
            "results": {"nnscratch": rounds(ns_seconds), "torch": rounds(torch_seconds),
                        "numpy": rounds(numpy_seconds)}}


PROFILE = {"date": "2026-12-02", "fixed_us_per_step": {"nnscratch": 215.0, "numpy": 54.0},
           "ms_per_step": {"toy": {
               "nnscratch": {"total": 1.0, "GEMM": 0.6, "engine": 0.1},
               "numpy": {"total": 0.7, "GEMM": 0.6, "engine": 0.0}}}}
GEMM = {"date": "2026-12-02", "us": {
    "MLP fwd": {"numpy_1": 300.0, "numpy_2": 200.0, "torch": 160.0, "used": True},
    "MLP alt": {"numpy_1": 900.0, "numpy_2": 900.0, "torch": 100.0, "used": False},
    "CNN fwd": {"numpy_1": 900.0, "numpy_2": 900.0, "torch": 100.0, "used": True}}}
INFO = {"cpu": "cpu", "cores": 2, "versions": {}}


def test_a_missed_target_quotes_the_profile_the_gemms_and_the_owner(run):
    text = run.report({"toy": _workload(1.2, 1.0, 0.9)}, 2, INFO, PROFILE, GEMM)
    assert "measured 1.20 (1.20–1.20; misses the target)" in text
    assert ("share of the sampled step, nnscratch / floor): GEMM 60% / 86%, "
            "engine 10% / 0%.") in text
    # only the workload's own GEMMs that nnscratch runs: 200 / 160
    assert "Its 1 GEMM shapes against torch's (`bench/gemm.md`, 2026-12-02): NumPy at its " \
           "best thread count takes 1.25–1.25× torch's time." in text
    assert "Fixed cost per training step (`bench/profile.md`): nnscratch 215 µs, numpy 54 µs." \
        in text                                   # the floor (1.33 > 1.1) is missed too
    assert "Why: the GEMMs and the copies." in text


def test_a_met_target_says_nothing_more_and_missing_profiles_are_no_error(run):
    met = run.report({"toy": _workload(0.9, 1.0, 0.9)}, 2, INFO, PROFILE, GEMM)
    assert "meets the target" in met and "Why:" not in met and "Where a step" not in met
    bare = run.report({"toy": _workload(1.2, 1.0, 1.0)}, 2, INFO, {}, {})
    assert "misses the target" in bare and "Why: the GEMMs and the copies." in bare
    assert "Where a step" not in bare and "Fixed cost" not in bare   # floor met, no profile
