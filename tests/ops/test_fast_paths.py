"""The speed paths compute what the readable reference does (bench/, issue 18).

* A leaf's first gradient is its own array (graph._accumulate_leaf): it must never alias
  memory that another tensor, another leaf's gradient or the caller's cotangent can see.
* The bench's NumPy floors call the ops' array kernels directly (``op.__wrapped__``): the
  gradients they return are the engine's.
Cost: well under a second.
"""
import numpy as np
import pytest

import nnscratch as ns
from nnscratch.autograd import graph


def test_a_first_gradient_is_the_leafs_own_array(monkeypatch):
    """linear's weight and bias gradients: the VJP declares its arrays new (FreshGrads), so
    each becomes the leaf's .grad as it is, with no copy (no reference-count guess decides
    it; the next test: an array a VJP hands to two leaves is copied)."""
    seen = []
    real = graph._accumulate_leaf

    def spy(p, g, owned=False):
        seen.append((p, g, owned))
        real(p, g, owned)
    monkeypatch.setattr(graph, "_accumulate_leaf", spy)
    lin = ns.nn.Linear(3, 2)
    lin(ns.tensor(np.ones((4, 3), np.float32))).sum().backward()     # no cast: the same dtype
    assert sorted(p.shape for p, _, _ in seen) == [(2,), (2, 3)]
    for p, g, owned in seen:
        assert owned and p.grad.numpy() is g
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_same_array_to_two_leaves_is_not_shared():
    # add's VJP hands the same upstream array to both parents
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = ns.tensor([3.0, 4.0], requires_grad=True)
    (x + y).backward(ns.tensor([1.0, 1.0]))
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    (x * 2 + y).backward(ns.tensor([1.0, 1.0]))        # accumulates in place into each
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(y.grad.numpy(), [2.0, 2.0])


def test_caller_cotangent_is_not_kept():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    seed = np.ones(2, np.float32)
    x.backward(seed)                                    # a leaf: its gradient is the seed
    assert not np.shares_memory(x.grad.numpy(), seed)
    x.backward(seed)
    np.testing.assert_array_equal(seed, [1.0, 1.0])     # accumulation left the seed alone
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_fresh_vjp_result_is_kept_and_accumulates():
    w = ns.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x = ns.tensor(np.ones((4, 3)))
    ns.nn.functional.linear(x, w).sum().backward()
    first = w.grad.numpy()
    np.testing.assert_allclose(first, np.full((2, 3), 4.0))
    ns.nn.functional.linear(x, w).sum().backward()
    assert w.grad.numpy() is first                      # accumulated in place, as torch
    np.testing.assert_allclose(first, np.full((2, 3), 8.0))


def test_hook_result_held_elsewhere_is_copied():
    kept = []
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: kept.append(g * 3) or kept[-1])
    (x * 1.0).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), kept[0].numpy())
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_floor_kernel_matches_layer_gradients(cell):
    """The bench floor's direct call of the recurrent kernel gives the layer's gradients."""
    from nnscratch.ops import recurrent
    ns.manual_seed(0)
    rnn = getattr(ns.nn, cell)(5, 4, batch_first=True)
    x = np.random.default_rng(0).standard_normal((3, 6, 5)).astype(np.float32)
    out, _ = rnn(ns.Tensor._wrap(x))
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(ns.Tensor._wrap(g))
    kernel = {"LSTM": recurrent.lstm_sequence, "GRU": recurrent.gru_sequence}[cell].__wrapped__
    ws = [p.numpy() for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0,
                              rnn.bias_hh_l0)]
    states = (None, None) if cell == "LSTM" else (None,)
    n_in = 8 if cell == "LSTM" else 6
    outs, vjp = kernel(x, *states, *ws, batch_first=True,
                       needs_input_grad=(False,) * (len(states) + 1) + (True,) * 4
                       + (False,) * (n_in - len(states) - 5))
    np.testing.assert_allclose(outs[0], out.numpy(), rtol=1e-6)
    grads = vjp((g,) + tuple(np.zeros_like(o) for o in outs[1:]))
    k = len(states) + 1
    for got, p in zip(grads[k:k + 4], (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0,
                                       rnn.bias_hh_l0)):
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("number", [2, -3, 0.5, 1e30, 10**40])
def test_number_operand_hot_path_matches_the_promotion_rule(dtype, number):
    """A float tensor ⊕ a Python number skips ``result_type``: the result (dtype and values,
    on both sides of every binary op) is what the general promotion path gives."""
    from nnscratch._tensor import arithmetic
    from nnscratch.dtype import result_type
    t = ns.tensor(np.array([1.5, -2.0, 4.0], dtype=dtype))
    expected = result_type(t, number, default_float=ns.get_default_dtype())
    assert np.dtype(expected) == np.dtype(dtype)     # torch keeps the tensor's float dtype
    for a, b in ((t, number), (number, t)):
        hot = arithmetic.promoted(a, b)
        general = (arithmetic._cast(a, expected), arithmetic._cast(b, expected))
        # the hot path casts nothing, and neither would the general path
        assert all(x is y for x, y in zip(hot, (a, b))) and all(
            x is y for x, y in zip(general, (a, b)))
    with np.errstate(over="ignore"):
        for op in ("__add__", "__sub__", "__mul__", "__truediv__", "__radd__", "__rsub__",
                   "__rmul__", "__rtruediv__"):
            got = getattr(t, op)(number)
            assert got.dtype == t.dtype, op
            ref = getattr(t.numpy(), op)(np.asarray(number, dtype=dtype)
                                         if abs(number) < np.finfo(dtype).max else
                                         np.asarray(np.inf * np.sign(number), dtype=dtype))
            np.testing.assert_array_equal(got.numpy(), ref, err_msg=op)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_plain_cross_entropy_matches_the_weighted_path(reduction):
    """Labels all in range with no weight take the one-gather path; unit class weights take
    the general (weighted, masked) path: loss and gradient agree exactly."""
    g = np.random.default_rng(3)
    z = g.standard_normal((7, 5)).astype(np.float32)
    y = g.integers(0, 5, 7)
    cot = g.standard_normal(7).astype(np.float32) if reduction == "none" else None
    results = []
    for weight in (None, np.ones(5, np.float32)):
        zt = ns.tensor(z, requires_grad=True)
        loss = ns.nn.functional.cross_entropy(zt, y, reduction=reduction, weight=weight)
        loss.backward(None if cot is None else ns.tensor(cot))
        results.append((loss.numpy(), zt.grad.numpy()))
    (l0, g0), (l1, g1) = results
    np.testing.assert_array_equal(l0, l1)
    np.testing.assert_array_equal(g0, g1)


def test_plain_cross_entropy_leaves_bad_and_ignored_labels_to_the_general_path():
    z = ns.tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 4\), got 4"):
        ns.nn.functional.cross_entropy(z, np.array([0, 4, 1]))
    # ignore_index inside [0, K): class 2 is ignored, not taken as a label
    loss = ns.nn.functional.cross_entropy(z, np.array([0, 2, 1]), ignore_index=2)
    np.testing.assert_allclose(loss.numpy(), np.log(4), rtol=1e-6)
    loss.backward()
    np.testing.assert_array_equal(z.grad.numpy()[1], 0)


def test_fresh_gradients_share_no_memory_and_accumulate_apart():
    """x, w and b of one linear call all take their first gradient uncopied: the three arrays
    are distinct, so a second backward adds exactly the first gradient to each."""
    rng = np.random.default_rng(3)
    x, w, b = (ns.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((4, 3), (2, 3), (2,)))
    ns.nn.functional.linear(x, w, b).sum().backward()
    first = [t.grad.numpy().copy() for t in (x, w, b)]
    assert not any(np.shares_memory(p.grad.numpy(), q.grad.numpy())
                   for p, q in ((x, w), (x, b), (w, b)))
    ns.nn.functional.linear(x, w, b).sum().backward()
    for t, g in zip((x, w, b), first):
        np.testing.assert_array_equal(t.grad.numpy(), 2 * g)
