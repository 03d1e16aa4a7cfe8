"""``import nnscratch`` stays light: no scikit-learn, SciPy, matplotlib (nor torch, pandas)
until a feature that needs one is used, while every public subpackage is an attribute, as
``import torch`` makes ``torch.nn``, ``torch.utils`` … available.  Cost: two interpreter
starts, about 1 s.

Measured (docs/torch-compat.md): the median ``python -X importtime -c "import nnscratch"``
stays within 10 % of the commit before the torch-semantics engine (4b9a3bf).  Timing never
decides a test, so that is a measurement, not an assertion here."""
import json
import os
import subprocess
import sys

from helpers import ROOT as _ROOT

ROOT = _ROOT
HEAVY = ("sklearn", "scipy", "matplotlib", "torch", "pandas")


def _run(code: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_nnscratch_loads_no_heavy_dependency():
    got = _run(
        "import json, sys, nnscratch\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps({'file': nnscratch.__file__, 'loaded': sorted({m.split('.')[0] "
        "for m in sys.modules if m.split('.')[0] in heavy})}))")
    assert got["file"].startswith(str(ROOT))            # the checkout under test
    assert got["loaded"] == []


def test_every_public_subpackage_is_an_attribute_after_import():
    names = ["nn", "optim", "utils", "autograd", "datasets", "preprocessing", "linear_model",
             "model_selection", "features", "signal", "metrics", "training", "models", "onnx",
             "app"]
    got = _run(
        "import json, nnscratch as ns\n"
        f"names = {names!r}\n"
        "print(json.dumps({n: type(getattr(ns, n)).__name__ for n in names} | "
        "{'utils.data.DataLoader': ns.utils.data.DataLoader.__name__}))")
    assert got == {**{n: "module" for n in names}, "utils.data.DataLoader": "DataLoader"}


def test_onnx_and_the_application_load_on_first_use_only():
    got = _run(
        "import json, sys, nnscratch as ns\n"
        "before = sorted(m for m in ('nnscratch.onnx', 'nnscratch.app', 'nnscratch.app.cli') "
        "if m in sys.modules)\n"
        "ns.onnx, ns.app.cli\n"
        "print(json.dumps({'before': before, 'after': sorted(m for m in sys.modules "
        "if m in ('nnscratch.onnx', 'nnscratch.app', 'nnscratch.app.cli'))}))")
    assert got == {"before": [], "after": ["nnscratch.app", "nnscratch.app.cli", "nnscratch.onnx"]}
