"""Activations of issue 32 (hardtanh, relu6, hardsigmoid, hardswish, celu, selu, mish,
softsign, logsigmoid), softmin and normalize against torch 2.13: values, dtypes and gradients
on random inputs and on the edge cases (the kinks, zeros, ±inf, NaN, large magnitudes, empty
and 0-d tensors, float32), plus a float64 gradient check of each, and the nn modules.

Tolerances: float64 1e-12 relative (the same formulas; libm's exp/log1p may differ in the last
bits), float32 1e-6.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
import torch.nn.functional as TF  # noqa: E402
from helpers.activation_cases import ACTIVATIONS, OTHERS, SMOOTH, R
from helpers.torch_parity import check_gradcheck, check_parity  # noqa: E402

import nnscratch as ns  # noqa: E402
import nnscratch.nn.functional as NF  # noqa: E402

EDGES = np.array([-np.inf, -30.0, -6.0, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 6.0,
                  30.0, np.inf, np.nan])

INPUTS = {
    "random": lambda: R.standard_normal((3, 5)) * 3,
    "edges": lambda: EDGES.copy(),
    "empty": lambda: np.zeros((0, 3)),
    "0d": lambda: np.array(0.7),
    "float32": lambda: (R.standard_normal(7) * 4).astype(np.float32),
}

CASES = [(f"{a}_{i}", ACTIVATIONS[a], INPUTS[i]) for a in ACTIVATIONS for i in INPUTS]

@pytest.mark.parametrize("name, fn, make", CASES, ids=[c[0] for c in CASES])
def test_activation_matches_torch(name, fn, make):
    x = make()
    if name == "softsign_edges":
        # torch differentiates x / (1 + |x|) as a quotient: inf/inf = NaN at ±inf, where the
        # derivative 1 / (1 + |x|)² is 0 (ours); compared on the finite edges
        x = x[~np.isinf(x)]
    tol = 1e-6 if x.dtype == np.float32 else 1e-12
    if name.startswith("hardsigmoid"):
        tol = max(tol, 1e-7)   # torch's float64 backward multiplies by float32's 1/6
    check_parity(fn, [x], rtol=tol, atol=tol)

@pytest.mark.parametrize("fn", list(ACTIVATIONS.values()), ids=list(ACTIVATIONS))
def test_activation_gradcheck(fn):
    x = R.standard_normal((3, 4)) * 3
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.2     # away from the kinks for finite differences
    check_gradcheck(fn, [x])

@pytest.mark.parametrize("fn, inputs", [c[1:] for c in OTHERS], ids=[c[0] for c in OTHERS])
def test_softmin_normalize_match_torch(fn, inputs):
    tol = 1e-6 if inputs[0].dtype == np.float32 else 1e-12
    check_parity(fn, inputs, rtol=tol, atol=tol)

@pytest.mark.parametrize("fn, inputs", [c[1:] for c in SMOOTH], ids=[c[0] for c in SMOOTH])
def test_softmin_normalize_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)

MODULES = [("Hardtanh", (-2.0, 2.5)), ("ReLU6", ()), ("Hardsigmoid", ()), ("Hardswish", ()),
           ("CELU", (0.7,)), ("SELU", ()), ("Mish", ()), ("Softsign", ()), ("LogSigmoid", ()),
           ("Softmin", (1,))]

@pytest.mark.parametrize("name, args", MODULES, ids=[m[0] for m in MODULES])
def test_modules_match_torch(name, args):
    check_parity(lambda m, x: getattr(m.nn, name)(*args)(x), [R.standard_normal((2, 5)) * 4],
                 rtol={"Hardsigmoid": 1e-7, "CELU": 1e-6}.get(name, 1e-12))

@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardsigmoid", "hardswish", "celu",
                                  "selu", "mish"])
def test_inplace_flag(name):
    """``inplace=True`` overwrites the input with torch's values (and returns it)."""
    x = R.standard_normal(6) * 4
    xt, xn = torch.tensor(x), ns.tensor(x)
    out = getattr(NF, name)(xn, inplace=True)
    getattr(TF, name)(xt, inplace=True)
    assert out is xn
    np.testing.assert_allclose(xn.numpy(), xt.numpy(), rtol=1e-12, atol=1e-12)
