"""Every op's VJP against central finite differences (float64, random cotangent).

One row per op and per edge case (broadcasting, batched matmul, ties, repeated indices, every
loss reduction); the table is the inventory of what nnscratch can differentiate.
"""
import numpy as np
import pytest
from helpers.gradcheck_cases import CASES

import nnscratch as ns
from nnscratch import ops


@pytest.mark.parametrize("fn, makers", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_vjp_matches_finite_differences(fn, makers):
    rng = np.random.default_rng(0)
    inputs = [m(rng) for m in makers]
    assert ns.gradcheck(fn, inputs)

# the core op modules (conv, pool and recurrent ops have their own test files)
CORE = {"arithmetic", "dropout", "elementwise", "embedding", "linear", "loss", "norm", "reduce",
        "shape", "softmax"}

def test_table_covers_every_op():
    """Each public core op in nnscratch.ops has a row of the table: a row id equal to the op's
    name or starting with ``name_`` (or with the short name the rows use, e.g. ``bce_``)."""
    import inspect
    ids = [c[0] for c in CASES]
    row_prefix = {"power": "pow", "mse_loss": "mse", "nll_loss": "nll",
                  "binary_cross_entropy": "bce", "binary_cross_entropy_with_logits": "bce_logits",
                  "astype": None}
    names = [n for n in dir(ops) if not n.startswith("_")
             and getattr(getattr(ops, n), "__module__", "").rsplit(".", 1)[-1] in CORE]
    assert len(names) >= 30
    for name in names:
        obj = getattr(ops, name)
        if not callable(obj) or inspect.ismodule(obj):
            continue
        prefix = row_prefix.get(name, name)
        if prefix is None:  # casts are checked in test_tensor.py (dtype, not float64 values)
            continue
        assert any(i == prefix or i.startswith(prefix + "_") for i in ids), \
            f"op {name} has no gradcheck row (no row id {prefix!r} or {prefix + '_'!r}...)"
