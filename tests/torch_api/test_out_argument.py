"""torch's ``out=`` on the top-level functions (nnscratch/_out.py), against torch 2.13."""
import warnings

import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch._out import OUT_NAMES

A = np.arange(1.0, 7.0).reshape(2, 3)
B = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
CASES = [("matmul", (A, B), {}), ("mul", (A, A), {}), ("add", (A, A), {"alpha": 2}),
         ("sub", (A, 1.5), {}), ("div", (A, 3.0), {}), ("exp", (A,), {}), ("sqrt", (A,), {}),
         ("sum", (A, 1), {}), ("mean", (A, 0), {}), ("cat", ([A, A],), {}),
         ("stack", ([A, A], 1), {}), ("clamp", (A, 2.0, 4.0), {}), ("tril", (A,), {}),
         ("cumsum", (A, 1), {}), ("where", (A > 3, A, -A), {}), ("pow", (A, 2), {}),
         ("logsumexp", (A, 1), {}), ("maximum", (A, 3.5 * np.ones_like(A)), {})]


def _args(lib, args):
    def one(a):
        if isinstance(a, list):
            return [one(x) for x in a]
        return lib.tensor(a) if isinstance(a, np.ndarray) else a
    return [one(a) for a in args]


@pytest.mark.parametrize("name,args,kw", CASES, ids=[c[0] for c in CASES])
def test_out_is_written_and_returned_as_torch_does(name, args, kw):
    want = torch.zeros(0, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # both resize the empty out silently anyway
        got_t = getattr(torch, name)(*_args(torch, args), **kw, out=want)
    out = ns.zeros(0, dtype=ns.float64)
    got = getattr(ns, name)(*_args(ns, args), **kw, out=out)
    assert got is out and got_t is want
    assert out.dtype == ns.float64
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-12)


def test_out_keeps_the_object_casts_and_refuses_what_torch_refuses():
    c, ct = ns.zeros(2, 2), torch.zeros(2, 2)
    old = id(c)
    assert ns.rand(2, 2, out=c) is c and id(c) == old and torch.rand(2, 2, out=ct) is ct
    i, it = ns.zeros(3, dtype=ns.float64), torch.zeros(3, dtype=torch.float64)
    ns.add(ns.tensor([1, 2, 3]), 1, out=i)                    # int result into a float out
    torch.add(torch.tensor([1, 2, 3]), 1, out=it)
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    with pytest.raises(RuntimeError, match="can't be cast"):
        ns.add(ns.ones(2), 0.5, out=ns.zeros(2, dtype=ns.int64))
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.add(torch.ones(2), 0.5, out=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ns.mul(ns.ones(2, requires_grad=True), 2, out=ns.zeros(2))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(torch.ones(2, requires_grad=True), 2, out=torch.zeros(2))
    with ns.no_grad():                                        # no graph: allowed, as in torch
        ns.mul(ns.ones(2, requires_grad=True), 2, out=ns.zeros(2))
    with pytest.warns(UserWarning, match="resized"):
        ns.add(ns.ones(3), 1, out=ns.zeros(1))
    with pytest.raises(TypeError, match="out"):
        ns.add(ns.ones(3), 1, out=np.zeros(3))
    v, k = ns.zeros(2), ns.zeros(2, dtype=ns.int64)
    res = ns.max(ns.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(v, k))
    assert res.values is v and res.indices is k
    np.testing.assert_array_equal(k.numpy(), [1, 0])


def test_every_listed_name_takes_out():
    missing = [n for n in OUT_NAMES if hasattr(ns, n)
               and "out" not in getattr(ns, n).__code__.co_varnames]
    assert not missing, missing
