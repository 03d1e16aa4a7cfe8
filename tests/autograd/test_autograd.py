"""Reverse-mode engine: topological order, accumulation, broadcasting, grad modes, graph freeing."""
import gc
import weakref

import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch import autograd, ops
from nnscratch.autograd import fused


def leaf(a, dtype=np.float64):
    return ns.tensor(np.asarray(a, dtype=dtype), requires_grad=True)


def test_10000_op_chain_backward():
    x = leaf([0.5, -1.0])
    y = x
    for _ in range(5000):           # 10,000 recorded ops: would overflow a recursive sort
        y = y * 1.0001
        y = y + 0.001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.full(2, 1.0001 ** 5000), rtol=1e-12)


def test_tensor_used_twice_accumulates():
    x = leaf([1.0, -2.0, 3.0])
    y = x * x + x                    # x feeds two ops, and mul reads it twice
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.numpy() + 1)


def test_diamond_graph_matches_torch():
    a_np = np.random.default_rng(0).standard_normal((3, 4))
    b_np = np.random.default_rng(1).standard_normal(4)

    def f(a, b, lib):
        h = (a * b).tanh()
        w = (h.exp() + h * a) / (1.0 + (b * b))
        rows = w.sum(axis=1) if lib is ns else w.sum(dim=1)
        return rows.max() + (h * h).mean() - a.abs().sum()

    a, b = leaf(a_np), leaf(b_np)
    f(a, b, ns).backward()
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    f(ta, tb, torch).backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_broadcasting_is_undone():
    a, b, c = leaf(np.ones((3, 1))), leaf(np.ones(4)), leaf(2.0)
    (a * b + c).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,) and c.grad.shape == ()
    np.testing.assert_allclose(a.grad, np.full((3, 1), 4.0))
    np.testing.assert_allclose(b.grad, np.full(4, 3.0))
    assert c.grad == 12.0


def test_unbroadcast_sums_added_and_stretched_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(autograd.unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_allclose(autograd.unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_allclose(autograd.unbroadcast(g, ()), g.sum())
    assert autograd.unbroadcast(g, g.shape) is g


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None


def test_leaf_grad_owns_its_array():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    (x + y).sum().backward()        # add's VJP hands the same g to both parents
    x.grad *= 10
    np.testing.assert_allclose(y.grad, [1.0, 1.0])


def test_no_grad_context_and_nesting():
    x = leaf([1.0])
    with ns.no_grad():
        y = x * 2
        with ns.enable_grad():
            z = x * 2
        w = x * 2
    assert not y.requires_grad and y._node is None
    assert z.requires_grad and z._node is not None
    assert not w.requires_grad
    assert ns.is_grad_enabled()


@ns.no_grad()
def _recursive_no_grad(n):
    assert not ns.is_grad_enabled()
    return 0 if n == 0 else _recursive_no_grad(n - 1)


@ns.no_grad
def _bare_no_grad(x):
    return x * 2


def test_no_grad_as_decorator_restores_mode_after_recursion():
    _recursive_no_grad(3)
    assert ns.is_grad_enabled()
    y = _bare_no_grad(leaf([1.0]))
    assert not y.requires_grad and ns.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ZeroDivisionError):
        with ns.no_grad():
            1 / 0
    assert ns.is_grad_enabled()


def test_detach_shares_memory_and_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d._node is None
    assert np.shares_memory(d.numpy(), y.numpy())
    (d * x).sum().backward()         # only the direct path through x counts
    np.testing.assert_allclose(x.grad, y.numpy())


def test_graph_freed_after_backward_second_backward_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    first = x.grad.copy()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad, first)     # the failed call moved no gradient


def test_backward_through_a_freed_shared_subgraph_raises():
    x = leaf([1.0, 2.0])
    h = x.exp()
    (h * 3).sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (h * 4).sum().backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.numpy())


def test_freed_graph_releases_intermediates():
    x = leaf(np.ones(1000))
    h = x.exp()
    ref = weakref.ref(h.numpy())     # the array: nodes keep values, not tensor objects
    z = (h * 2).sum()
    del h
    gc.collect()
    assert ref() is not None         # the graph holds it until backward
    z.backward()
    gc.collect()
    assert ref() is None
    assert z._node.vjp is None and z._node.parents == ()


def test_backward_argument_checks():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"grad shape \(3,\) != tensor shape \(2,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        ns.tensor([1.0]).backward()


def test_backward_with_explicit_cotangent_and_on_a_leaf():
    x = leaf([1.0, 2.0])
    (x * 3).backward(np.array([1.0, -1.0]))
    np.testing.assert_allclose(x.grad, [3.0, -3.0])
    w = leaf([5.0])
    w.backward()
    np.testing.assert_allclose(w.grad, [1.0])


@fused
def _split(x):
    """Two outputs; the VJP receives zeros for an output that got no gradient."""
    def vjp(gs):
        g1, g2 = gs
        return (g1 * 2 + g2 * 3,)
    return (x * 2, x * 3), vjp


def test_multi_output_op_with_one_output_used():
    x = leaf([1.0, 2.0])
    a, b = _split(x)
    a.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 2.0])
    x.grad = None
    a, b = _split(x)
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad, [5.0, 5.0])


def test_frozen_leaf_gets_no_grad():
    x = leaf([1.0, 2.0])
    w = ns.tensor([3.0, 4.0], dtype=np.float64)
    (x * w).sum().backward()
    assert w.grad is None
    assert not (w * 2).requires_grad


def test_integer_index_branch_gets_no_gradient_and_is_freed():
    x = leaf(np.arange(6.0).reshape(2, 3))
    idx = x.argmax(axis=1)
    assert not idx.requires_grad
    y = x[np.arange(2), idx.numpy()].sum()
    y.backward()
    np.testing.assert_allclose(x.grad, [[0, 0, 1], [0, 0, 1]])


def test_tensors_passed_by_keyword_to_primitives_are_differentiated():
    a = ns.tensor([1.5, 2.0], requires_grad=True)
    b = ns.tensor([3.0, 0.5], requires_grad=True)
    (ops.mul(a, b=b) + ops.power(a=b, b=a)).sum().backward()
    a_grad, b_grad = a.grad, b.grad
    a.zero_grad(), b.zero_grad()
    (ops.mul(a, b) + ops.power(b, a)).sum().backward()
    np.testing.assert_allclose(a_grad, a.grad)
    np.testing.assert_allclose(b_grad, b.grad)
    assert np.all(a_grad != 0) and np.all(b_grad != 0)

