"""The scatter/gather/index/put/masked families, diagonals, windows and repeat_interleave
against torch 2.13: values, dtypes and gradients (float64 within 1e-12: these ops move or add
values, so only summation order can differ), plus a float64 gradient check of every row with
a gradient, and the errors torch raises.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
from helpers.scatter_cases import GRAD_ROWS, NO_TORCH_GRAD, ROWS, B, I, N
from helpers.torch_parity import check_gradcheck, check_parity  # noqa: E402

import nnscratch as ns  # noqa: E402


@pytest.mark.parametrize("name, fn, inputs", ROWS, ids=[r[0] for r in ROWS])
def test_matches_torch(name, fn, inputs):
    rtol = 1e-6 if any(getattr(a, "dtype", None) == np.float32 for a in inputs) else 1e-12
    check_parity(fn, inputs, rtol=rtol, atol=rtol, grad=name not in NO_TORCH_GRAD)


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in GRAD_ROWS], ids=[r[0] for r in GRAD_ROWS])
def test_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)

INPLACE = [
    ("scatter_", lambda m, x, i, s: x.scatter_(1, i, s), [N(3, 4), I([[0, 3], [1, 2], [2, 0]]),
                                                          N(3, 2)]),
    ("scatter_add_", lambda m, x, i, s: x.scatter_add_(0, i, s),
     [N(3, 4), I([[0, 1, 2, 0]]), N(1, 4)]),
    ("scatter_reduce_", lambda m, x, i, s: x.scatter_reduce_(0, i, s, "mean"),
     [N(3, 4), I([[0, 1, 2, 0]]), N(1, 4)]),
    ("index_add_", lambda m, x, i, s: x.index_add_(0, i, s), [N(4, 3), I([0, 2, 0]), N(3, 3)]),
    ("index_copy_", lambda m, x, i, s: x.index_copy_(0, i, s), [N(4, 3), I([3, 1]), N(2, 3)]),
    ("index_fill_", lambda m, x, i: x.index_fill_(1, i, 9.0), [N(2, 3), I([2])]),
    ("put_", lambda m, x, i, s: x.put_(i, s), [N(2, 3), I([5, 0]), N(2)]),
    ("masked_scatter_", lambda m, x, k, s: x.masked_scatter_(k, s),
     [N(2, 3), B([[1, 0, 1], [0, 0, 1]]), N(3)]),
]

@pytest.mark.parametrize("fn, inputs", [r[1:] for r in INPLACE], ids=[r[0] for r in INPLACE])
def test_inplace_matches_torch(fn, inputs):
    """In place: the same values in the tensor itself (outside a graph), and inside a graph
    (on a non-leaf) the same gradients."""
    def run(m, *ts):
        return fn(m, ts[0] * 1, *ts[1:])          # a non-leaf, which may be written in place
    check_parity(run, inputs)
    xt, xn = torch.tensor(inputs[0]), ns.tensor(inputs[0])
    rest_t = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in inputs[1:]]
    rest_n = [ns.tensor(a) if isinstance(a, np.ndarray) else a for a in inputs[1:]]
    assert fn(ns, xn, *rest_n) is xn
    fn(torch, xt, *rest_t)
    np.testing.assert_allclose(xn.numpy(), xt.numpy(), rtol=1e-12, atol=1e-12)

ERRORS = [
    ("scatter_index_float", lambda m: m.zeros(3).scatter(0, m.tensor([0.0]), m.ones(1))),
    ("scatter_out_of_range", lambda m: m.zeros(3).scatter(0, m.tensor([3]), m.ones(1))),
    ("scatter_dtype", lambda m: m.zeros(3).scatter(0, m.tensor([0]),
                                                  m.ones(1, dtype=m.float64))),
    ("scatter_index_too_big", lambda m: m.zeros(2, 2).scatter(0, m.tensor([[0, 1, 0]]),
                                                              m.ones(2, 2))),
    ("gather_out_of_range", lambda m: m.zeros(2, 3).gather(1, m.tensor([[5]]))),
    ("gather_index_too_big", lambda m: m.zeros(2, 3).gather(0, m.tensor([[0, 0, 0, 0]]))),
    ("index_add_shape", lambda m: m.zeros(3, 2).index_add(0, m.tensor([0]), m.ones(2, 2))),
    ("take_out_of_range", lambda m: m.zeros(2, 2).take(m.tensor([4]))),
    ("diag_3d", lambda m: m.diag(m.zeros(2, 2, 2))),
    ("unfold_size", lambda m: m.zeros(3).unfold(0, 4, 1)),
    ("repeat_interleave_negative", lambda m: m.zeros(2).repeat_interleave(m.tensor([1, -1]))),
    ("index_copy_out_of_range", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([5]),
                                                                   m.ones(1, 2))),
    ("index_fill_out_of_range", lambda m: m.zeros(3, 2).index_fill(0, m.tensor([5]), 1.0)),
    ("put_out_of_range", lambda m: m.zeros(3).put(m.tensor([3]), m.ones(1))),
]

@pytest.mark.parametrize("call", [r[1] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_errors_are_torchs(call):
    """torch raises RuntimeError or IndexError; nnscratch raises an error of that type (its
    ShapeError is a RuntimeError and a ValueError)."""
    with pytest.raises((RuntimeError, IndexError)) as torch_err:
        call(torch)
    with pytest.raises(torch_err.type):
        call(ns)
