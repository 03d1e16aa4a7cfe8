"""The compatibility corpus (tests/compat): PyTorch-style programs run unchanged on torch and
on nnscratch, from the same initial weights and the same noise, agree step by step."""
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))   # harness.py, programs*.py
from harness import run_both  # noqa: E402
from programs import PROGRAMS as BASE  # noqa: E402
from programs_nn import PROGRAMS as NN  # noqa: E402

PROGRAMS = BASE + NN


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_program_runs_unchanged_and_matches_torch(program):
    ours, theirs = run_both(program)
    assert len(theirs) > 0 and len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
