"""``t[idx]`` and ``t[idx] = v`` against torch 2.13 over a few hundred index expressions.

Every mix of ints, slices, ``None``, ``...``, bool scalars, 0-d index tensors, index tensors,
lists and bool masks, drawn from one pool (tuples of 1 to 4 entries on a ``(3, 3, 3, 3)`` input,
where every entry is in range on every axis).  For each expression: the shape, the values, the
gradient of ``<u, x[idx]>`` for a random cotangent ``u``, and for assignment the values and the
gradients of both ``x`` and the assigned value.  Exact equality (indexing moves values, it does
not compute them), gradients within 1e-12 (float64; sums of the same terms).  An expression
torch refuses must be refused here too, with an IndexError or a RuntimeError (torch's types).
"""
import itertools

import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)

import nnscratch as ns  # noqa: E402

SHAPE = (3, 3, 3, 3)


def _pool():
    """(label, maker) pairs: the maker builds the entry for a library (``T`` is its tensor)."""
    return [
        ("0", lambda T: 0), ("-1", lambda T: -1),
        (":", lambda T: slice(None)), ("1:", lambda T: slice(1, None)),
        ("::2", lambda T: slice(None, None, 2)), ("None", lambda T: None),
        ("...", lambda T: Ellipsis), ("True", lambda T: True), ("False", lambda T: False),
        ("t(1)", lambda T: T(1)), ("t(True)", lambda T: T(True)),
        ("t([0,2])", lambda T: T([0, 2])), ("t([[1],[0]])", lambda T: T([[1], [0]])),
        ("[2,0,1]", lambda T: [2, 0, 1]),
        ("mask", lambda T: T([True, False, True])),
        ("mask2d", lambda T: T([[True, False, True], [False, True, False], [True, True, False]])),
    ]


def _expressions():
    pool = _pool()
    rng = np.random.default_rng(32)
    singles = [(p,) for p in pool]
    pairs = list(itertools.product(pool, repeat=2))
    triples = list(itertools.product(pool, repeat=3))
    quads = list(itertools.product(pool, repeat=4))
    picks = ([triples[i] for i in rng.choice(len(triples), 160, replace=False)]
             + [quads[i] for i in rng.choice(len(quads), 80, replace=False)])
    # two ellipses: torch 2.13 lets the second one shift later entries past the last axis
    # (x[..., 0, ...] is x[..., 0], x[0, ..., 1, ..., 2] an IndexError); refused here
    return [e for e in singles + pairs + picks if sum(lbl == "..." for lbl, _ in e) < 2]


EXPRESSIONS = _expressions()


def _label(expr):
    return "[" + ", ".join(lbl for lbl, _ in expr) + "]"


def _index(expr, T):
    parts = tuple(make(T) for _, make in expr)
    return parts[0] if len(parts) == 1 else parts


def _torch_tensor(v):
    return torch.tensor(v)


def _ns_tensor(v):
    return ns.tensor(v)


def _torch_get(x, expr):
    xt = torch.tensor(x, requires_grad=True)
    y = xt[_index(expr, _torch_tensor)]
    return xt, y


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=[_label(e) for e in EXPRESSIONS])
def test_getitem_matches_torch(expr):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE)
    try:
        xt, yt = _torch_get(x, expr)
    except (IndexError, RuntimeError, TypeError, ValueError) as e:
        with pytest.raises(type(e) if isinstance(e, IndexError) else (IndexError, RuntimeError)):
            ns.tensor(x)[_index(expr, _ns_tensor)]
        return
    _compare_get(x, xt, yt, lambda T: _index(expr, T), rng)


def _compare_get(x, xt, yt, index, rng):
    """nnscratch's x[index(ns.tensor)] against torch's result ``yt`` of ``xt``: shape, values
    (exactly) and the gradient of <u, x[idx]> for a random u (1e-12)."""
    xn = ns.tensor(x, requires_grad=True)
    yn = xn[index(_ns_tensor)]
    assert tuple(yn.shape) == tuple(yt.shape)
    np.testing.assert_array_equal(yn.detach().numpy(), yt.detach().numpy())
    u = rng.standard_normal(tuple(yt.shape))
    (yt * torch.tensor(u)).sum().backward()
    (yn * ns.tensor(u)).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("expr", EXPRESSIONS[::2], ids=[_label(e) for e in EXPRESSIONS[::2]])
def test_setitem_matches_torch(expr):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(SHAPE)
    try:
        shape = tuple(torch.tensor(x)[_index(expr, _torch_tensor)].shape)
    except (IndexError, RuntimeError, TypeError, ValueError):
        return                                    # the getitem test covers refusals
    v = rng.standard_normal(shape)
    u = rng.standard_normal(SHAPE)
    xt = torch.tensor(x, requires_grad=True)
    vt = torch.tensor(v, requires_grad=True)
    yt = xt.clone()
    yt[_index(expr, _torch_tensor)] = vt
    (yt * torch.tensor(u)).sum().backward()
    xn = ns.tensor(x, requires_grad=True)
    vn = ns.tensor(v, requires_grad=True)
    yn = xn.clone()
    yn[_index(expr, _ns_tensor)] = vn
    (yn * ns.tensor(u)).sum().backward()
    np.testing.assert_array_equal(yn.detach().numpy(), yt.detach().numpy())
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=0, atol=1e-12)
    if vt.grad is None:       # x[False] = v: torch leaves the empty v without a gradient
        assert v.size == 0 and (vn.grad is None or vn.grad.numel() == 0)
    else:
        np.testing.assert_allclose(vn.grad.numpy(), vt.grad.numpy(), rtol=0, atol=1e-12)
    # the no-graph path writes in place with the same rule
    zn = ns.tensor(x)
    zn[_index(expr, _ns_tensor)] = ns.tensor(v)
    np.testing.assert_array_equal(zn.numpy(), yt.detach().numpy())


SPECIAL = [
    # the issue's example: the int selects first, so the indexed axis stays in place
    (lambda T: (0, slice(None), T([0, 1])), (2, 3, 4)),
    # repeated indices accumulate their gradients
    (lambda T: (T([0, 0, 2]),), (3, 2)),
    (lambda T: (slice(None), T([[1, 1], [0, 1]])), (3, 2)),
    # empty index tensors and empty masks
    (lambda T: (T(np.zeros(0, dtype=np.int64)),), (3, 2)),
    (lambda T: (T([False, False, False]),), (3, 2)),
    # an index on a 1-D and on an empty tensor
    (lambda T: (T([2, 0]),), (4,)),
    (lambda T: (slice(None), T([0])), (0, 2)),
    # a list is an index tensor, a full 2-D mask selects elements
    (lambda T: ([1, 0], [0, 1]), (2, 2)),
    (lambda T: (T([[True, False], [True, True]]),), (2, 2)),
]


@pytest.mark.parametrize("case", range(len(SPECIAL)))
def test_special_index_cases(case):
    make, shape = SPECIAL[case]
    rng = np.random.default_rng(case)
    x = rng.standard_normal(shape)
    xt = torch.tensor(x, requires_grad=True)
    _compare_get(x, xt, xt[make(_torch_tensor)], make, rng)


def test_issue_example_shape():
    assert tuple(ns.zeros(2, 3, 4)[0, :, ns.tensor([0, 1])].shape) == (3, 2)


def test_integer_and_float32_dtypes_kept():
    for dt, tdt in ((ns.int32, torch.int32), (ns.float32, torch.float32), (ns.bool, torch.bool)):
        a = np.arange(24).reshape(2, 3, 4) % 3
        yn = ns.tensor(a).to(dt)[1, :, ns.tensor([0, 3])]
        yt = torch.tensor(a).to(tdt)[1, :, torch.tensor([0, 3])]
        assert str(yn.dtype).split(".")[-1] == str(yt.dtype).split(".")[-1]
        np.testing.assert_array_equal(yn.numpy(), yt.numpy())


def test_two_ellipses_refused():
    with pytest.raises(IndexError, match="single ellipsis"):
        ns.zeros(2, 3)[..., 0, ...]
    with pytest.raises(IndexError, match="single ellipsis"):
        ns.zeros(2, 3)[..., ns.tensor([0]), ...]


def test_basic_index_is_a_view():
    x = ns.zeros(2, 3)
    y = x[0]
    y[1] = 5.0
    assert x[0, 1].item() == 5.0
