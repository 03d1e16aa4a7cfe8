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
from torch_parity import F, check_gradcheck, check_parity  # noqa: E402

import nnscratch as ns  # noqa: E402
import nnscratch.nn.functional as NF  # noqa: E402

R = np.random.default_rng(7)
EDGES = np.array([-np.inf, -30.0, -6.0, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 6.0,
                  30.0, np.inf, np.nan])



ACTIVATIONS = {
    "hardtanh": lambda m, x: F(m).hardtanh(x),
    "hardtanh_range": lambda m, x: F(m).hardtanh(x, -0.5, 3.0),
    "relu6": lambda m, x: F(m).relu6(x),
    "hardsigmoid": lambda m, x: F(m).hardsigmoid(x),
    "hardswish": lambda m, x: F(m).hardswish(x),
    "celu": lambda m, x: F(m).celu(x),
    "celu_alpha": lambda m, x: F(m).celu(x, alpha=0.5),
    "selu": lambda m, x: F(m).selu(x),
    "mish": lambda m, x: F(m).mish(x),
    "softsign": lambda m, x: F(m).softsign(x),
    "logsigmoid": lambda m, x: F(m).logsigmoid(x),
}
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


OTHERS = [
    ("softmin", lambda m, x: F(m).softmin(x, dim=1), [R.standard_normal((3, 4))]),
    ("softmin_dim0", lambda m, x: F(m).softmin(x, 0), [R.standard_normal((3, 4))]),
    ("normalize", lambda m, x: F(m).normalize(x), [R.standard_normal((3, 4))]),
    ("normalize_p1_dim0", lambda m, x: F(m).normalize(x, p=1, dim=0),
     [R.standard_normal((3, 4))]),
    ("normalize_p3_last", lambda m, x: F(m).normalize(x, 3.0, -1), [R.standard_normal((2, 5))]),
    ("normalize_zero_row", lambda m, x: F(m).normalize(x),
     [np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])]),
    ("normalize_eps", lambda m, x: F(m).normalize(x, eps=10.0), [R.standard_normal((2, 3))]),
    ("normalize_float32", lambda m, x: F(m).normalize(x, dim=-1),
     [R.standard_normal((2, 3)).astype(np.float32)]),
]


@pytest.mark.parametrize("fn, inputs", [c[1:] for c in OTHERS], ids=[c[0] for c in OTHERS])
def test_softmin_normalize_match_torch(fn, inputs):
    tol = 1e-6 if inputs[0].dtype == np.float32 else 1e-12
    check_parity(fn, inputs, rtol=tol, atol=tol)


# (not at a zero row: x / max(|x|, eps) has a kink there that finite differences straddle)
SMOOTH = [c for c in OTHERS if "float32" not in c[0] and "zero" not in c[0]]


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
    # (torch's float64 kernels use float32 constants here: 1/6, and celu's alpha = 0.7)


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
