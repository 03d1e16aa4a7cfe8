"""The activations of ``ops/test_torch_ops_activation.py``, also doubled by
``autograd/test_double_backward_ops.py``."""
import numpy as np

from helpers.torch_parity import F  # noqa: E402

R = np.random.default_rng(7)

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

# (not at a zero row: x / max(|x|, eps) has a kink there that finite differences straddle)
SMOOTH = [c for c in OTHERS if "float32" not in c[0] and "zero" not in c[0]]
