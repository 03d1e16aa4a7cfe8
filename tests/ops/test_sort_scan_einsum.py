"""sort, topk, index_select, cumsum, logsumexp, roll, tril/triu, movedim, outer, log1p, expm1
and einsum against torch 2.13: values, integer indices and dtypes, and the gradient of a random
cotangent.  Float64 values agree within 4 ULP-scale relative error (rtol 1e-13): NumPy and
torch sum and exponentiate with different kernels; the selecting ops agree exactly."""
import numpy as np
import pytest
import torch

import nnscratch as ns

TOL = dict(rtol=1e-13, atol=1e-14)


def _both(ours, theirs, *arrays, rng):
    """Run ``ours`` on nnscratch tensors and ``theirs`` on torch tensors of the same float64
    arrays; compare each output and the inputs' gradients for a random cotangent."""
    X = [ns.tensor(a, requires_grad=True) for a in arrays]
    T = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*X), theirs(*T)
    if isinstance(ty, tuple):            # (values, indices): indices exactly, dtype included
        y, idx = y
        ty, tidx = ty
        assert idx.dtype == tidx.numpy().dtype == np.int64
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    for x, t in zip(X, T):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **TOL)


CASES = [
    ("sort", lambda x: x.sort(1), lambda x: x.sort(1), [(3, 6)]),
    ("sort_descending", lambda x: ns.sort(x, 0, descending=True),
     lambda x: torch.sort(x, 0, descending=True), [(5, 2)]),
    ("topk", lambda x: x.topk(3), lambda x: x.topk(3), [(4, 7)]),
    ("topk_smallest_dim0", lambda x: ns.topk(x, 2, dim=0, largest=False),
     lambda x: torch.topk(x, 2, dim=0, largest=False), [(5, 3)]),
    ("index_select", lambda x: x.index_select(1, ns.tensor([3, 0, 3])),
     lambda x: x.index_select(1, torch.tensor([3, 0, 3])), [(2, 4)]),
    ("index_select_negative", lambda x: ns.index_select(x, -1, ns.tensor([-1, 0])),
     lambda x: torch.index_select(x, -1, torch.tensor([3, 0])), [(3, 4)]),
    ("cumsum", lambda x: x.cumsum(-1), lambda x: x.cumsum(-1), [(3, 5)]),
    ("cumsum_dim0", lambda x: ns.cumsum(x, dim=0), lambda x: torch.cumsum(x, dim=0), [(4, 2)]),
    ("logsumexp", lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), [(3, 5)]),
    ("logsumexp_dims_keepdim", lambda x: ns.logsumexp(x * 300, (0, 2), keepdim=True),
     lambda x: torch.logsumexp(x * 300, (0, 2), keepdim=True), [(2, 3, 4)]),
    ("roll", lambda x: x.roll((1, -2), (0, 1)), lambda x: x.roll((1, -2), (0, 1)), [(3, 4)]),
    ("roll_flat", lambda x: ns.roll(x, 7), lambda x: torch.roll(x, 7), [(3, 4)]),
    ("tril", lambda x: x.tril(), lambda x: x.tril(), [(2, 4, 4)]),
    ("triu_offset", lambda x: ns.triu(x, -1), lambda x: torch.triu(x, -1), [(3, 5)]),
    ("movedim", lambda x: x.movedim((0, 2), (2, 0)), lambda x: x.movedim((0, 2), (2, 0)),
     [(2, 3, 4)]),
    ("outer", lambda a, b: ns.outer(a, b), lambda a, b: torch.outer(a, b), [(3,), (4,)]),
    ("log1p", lambda x: (x * 1e-9).log1p(), lambda x: (x * 1e-9).log1p(), [(3, 4)]),
    ("expm1", lambda x: ns.expm1(x * 1e-9), lambda x: torch.expm1(x * 1e-9), [(3, 4)]),
    ("einsum_bilinear", lambda a, w, b: ns.einsum("bi,oij,bj->bo", a, w, b),
     lambda a, w, b: torch.einsum("bi,oij,bj->bo", a, w, b), [(2, 3), (5, 3, 4), (2, 4)]),
    ("einsum_attention", lambda q, k: ns.einsum("bhqd,bhkd->bhqk", q, k),
     lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("einsum_implicit", lambda a, b: ns.einsum("ij,jk", a, b),
     lambda a, b: torch.einsum("ij,jk", a, b), [(3, 4), (4, 2)]),
    ("einsum_ellipsis", lambda a, b: ns.einsum("...ij,...jk->...ik", a, b),
     lambda a, b: torch.einsum("...ij,...jk->...ik", a, b), [(2, 3, 4), (4, 5)]),
    ("einsum_diagonal_sum", lambda a: ns.einsum("bii->b", a),
     lambda a: torch.einsum("bii->b", a), [(3, 4, 4)]),
    ("einsum_transpose", lambda a: ns.einsum("ijk->kij", a),
     lambda a: torch.einsum("ijk->kij", a), [(2, 3, 4)]),
]


@pytest.mark.parametrize("ours, theirs, shapes", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_values_indices_and_gradients_match_torch(ours, theirs, shapes, rng):
    _both(ours, theirs, *(rng.standard_normal(s) for s in shapes), rng=rng)


def test_ties_and_nan_sort_and_topk_as_torch(rng):
    """Ties keep their order (stable) and NaN sorts as the largest value, as in torch."""
    x = rng.integers(0, 3, (4, 8)).astype(np.float64)
    x[rng.random(x.shape) < 0.2] = np.nan
    for kw in [dict(dim=1, stable=True), dict(dim=0, descending=True, stable=True)]:
        (v, i), (tv, ti) = ns.tensor(x).sort(**kw), torch.tensor(x).sort(**kw)
        np.testing.assert_array_equal(v.numpy(), tv.numpy())
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
    v, i = ns.tensor(x).topk(3)
    tv, ti = torch.tensor(x).topk(3)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())      # which tie torch picks may vary
    np.testing.assert_array_equal(x[np.arange(4)[:, None], i.numpy()], v.numpy())


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.int64])
def test_integer_cumsum_is_int64_sort_keeps_dtype(dtype, rng):
    x = rng.integers(0, 2 if dtype is np.bool_ else 9, (3, 5)).astype(dtype)
    c, tc = ns.tensor(x).cumsum(1), torch.tensor(x).cumsum(1)
    assert c.dtype == tc.numpy().dtype == np.int64
    np.testing.assert_array_equal(c.numpy(), tc.numpy())
    v, tv = ns.tensor(x).sort(1).values, torch.tensor(x).sort(1).values
    assert v.dtype == tv.numpy().dtype
    np.testing.assert_array_equal(v.numpy(), tv.numpy())


def test_zero_d_and_edge_values_as_torch():
    for name in ("sort", "topk"):
        args = (1,) if name == "topk" else ()
        (v, i), (tv, ti) = getattr(ns.tensor(3.0), name)(*args), \
            getattr(torch.tensor(3.0), name)(*args)
        assert (v.shape, i.shape, v.item(), i.item()) == (tuple(tv.shape), tuple(ti.shape),
                                                           tv.item(), ti.item())
    assert ns.tensor(5.0).index_select(0, ns.tensor([0])).shape == ()
    assert ns.tensor(2.0).cumsum(0).shape == () and ns.tensor(2.0).logsumexp(0).item() == 2.0
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    np.testing.assert_array_equal(ns.tensor(x).logsumexp(1).numpy(),
                                  torch.tensor(x).logsumexp(1).numpy())     # [-inf, 0]
    assert ns.tensor([1, 2, 3]).logsumexp(0).dtype == ns.get_default_dtype()
    assert ns.tensor(np.ones((0, 3))).topk(0, dim=0).values.shape == (0, 3)


def test_float32_stays_float32():
    x = ns.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    outs = [x.sort(1).values, x.topk(2).values, x.cumsum(1), x.logsumexp(1), x.roll(1),
            x.tril(), x.index_select(1, ns.tensor([0])), x.log1p(), x.expm1(),
            ns.einsum("ij,kj->ik", x, x)]
    assert all(o.dtype == np.float32 for o in outs)
    sum(o.sum() for o in outs).backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, match", [
    (lambda: ns.tensor([1.0, 2.0]).topk(3), ValueError, r"topk: k must be an int in \[0, 2\]"),
    (lambda: ns.tensor([1.0, 2.0]).topk(-1), ValueError, "got -1"),
    (lambda: ns.tensor([1.0, 2.0]).topk(1.5), ValueError, "got 1.5"),
    (lambda: ns.tensor([1.0, 2.0]).sort(2), IndexError, "sort: dimension out of range"),
    (lambda: ns.tensor([1.0, 2.0]).index_select(0, ns.tensor([2])), IndexError,
     "dim 0 has size 2, got indices from 2 to 2"),
    (lambda: ns.tensor([1.0, 2.0]).index_select(0, ns.tensor([0.0])), TypeError,
     "1-D integer tensor"),
    (lambda: ns.tensor([1.0, 2.0]).index_select(0, ns.tensor([[0]])), TypeError, "got 2-D"),
    (lambda: ns.tensor([1.0, 2.0]).tril(), RuntimeError, "at least 2 dimensions"),
    (lambda: ns.tensor([1.0]).roll((1, 2), (0,)), RuntimeError, "same length"),
    (lambda: ns.ones(2, 3).movedim((0, 0), (1, 0)), RuntimeError, "repeated dim"),
    (lambda: ns.outer(ns.ones(2, 2), ns.ones(2)), RuntimeError, "expected 1-D"),
    (lambda: ns.einsum("ij,jk", ns.ones(2, 3)), ValueError, "names 2 operand"),
    (lambda: ns.einsum("ijk", ns.ones(2, 3)), ValueError, "do not fit an operand of 2"),
    (lambda: ns.einsum("i1", ns.ones(2, 3)), ValueError, "must be letters"),
    (lambda: ns.einsum(3, ns.ones(2)), TypeError, "equation must be a str"),
])
def test_bad_arguments_are_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
