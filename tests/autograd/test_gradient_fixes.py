"""Gradients that were silently wrong (or refused) before issue 31, each against torch 2.13.

Values are compared with rtol 1e-6 in float32 (the cases are exact in float arithmetic);
infinities must match exactly.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)

import nnscratch as ns


def _both(values, dtype=np.float32):
    a = ns.tensor(np.array(values, dtype=dtype), requires_grad=True)
    t = torch.tensor(np.array(values, dtype=dtype), requires_grad=True)
    return a, t


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_minimum_split_ties_as_torch(fn):
    x, xt = _both([1.0, 0.0, 3.0, -4.0])
    y, yt = _both(3.0)
    getattr(ns, fn)(x, y).sum().backward()
    getattr(torch, fn)(xt, yt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), yt.grad.numpy(), rtol=1e-6)
    assert x.grad.numpy()[2] == 0.5      # the tie, split evenly


def test_max_of_two_tensors_and_relu_like_maximum_split_ties():
    x, xt = _both([-1.0, 0.0, 2.0, 0.0])
    (x.max(ns.zeros_like(x)) * ns.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (torch.max(xt, torch.zeros_like(xt)) * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_zero_base_power_gradient_is_minus_inf_as_torch():
    x, xt = _both([-2.0, -1.0, 0.0, 0.5, 2.0])
    (0 ** x).sum().backward()
    (0 ** xt).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    assert np.isneginf(x.grad.numpy()[:2]).all()


def test_power_at_zero_base_negative_exponent_as_torch():
    x, xt = _both([0.0, 0.0, 1.5])
    y, yt = _both([-0.3, 0.7, -0.3])
    (x ** y).sum().backward()
    (xt ** yt).sum().backward()
    np.testing.assert_array_equal(np.isinf(y.grad.numpy()), np.isinf(yt.grad.numpy()))
    np.testing.assert_allclose(y.grad.numpy(), yt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_mul_by_a_number_saves_no_tensor():
    """``d += d * 2`` after ``d = a * 3``: the VJP of ``d * 2`` never reads d, so changing d in
    place must not make backward refuse (torch: a.grad = 9)."""
    a = ns.tensor(2.0, requires_grad=True)
    d = a * 3
    d += d * 2
    d.backward()
    at = torch.tensor(2.0, requires_grad=True)
    dt = at * 3
    dt += dt * 2
    dt.backward()
    assert a.grad.item() == at.grad.item() == 9.0


def test_mul_still_refuses_when_the_read_operand_changed():
    a = ns.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1.0
    c = a * b            # the VJP of a reads b
    b += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()


_AT_ZERO = {   # smooth functions whose stable forms have kinks at 0 (|z|, relu) in their VJPs
    "sigmoid": (lambda m, z: m.sigmoid(z).sum()),
    "logsigmoid": (lambda m, z: m.nn.functional.logsigmoid(z).sum()),
    "silu": (lambda m, z: m.nn.functional.silu(z).sum()),
    "bce_with_logits": (lambda m, z: m.nn.functional.binary_cross_entropy_with_logits(
        z, m.ones_like(z) * 0.75, reduction="sum")),
    "bce_with_logits_pos_weight": (lambda m, z: m.nn.functional.binary_cross_entropy_with_logits(
        z, m.ones_like(z) * 0.75, reduction="sum", pos_weight=m.ones_like(z) * 3.0)),
}


@pytest.mark.parametrize("name", sorted(_AT_ZERO))
def test_first_and_second_derivatives_at_zero_under_create_graph(name):
    """At z = 0 exactly: the gradient recorded under create_graph, and its derivative, as
    torch's (a kink of -|z| or relu(z) in the recorded VJP gave σ'(0) = 0 and a BCE gradient
    of -1 where torch's is σ(0) - t)."""
    fn = _AT_ZERO[name]
    z, zt = _both([0.0, -0.0, 1.5], dtype=np.float64)
    (g,) = ns.autograd.grad(fn(ns, z), z, create_graph=True)
    (h,) = ns.autograd.grad(g.sum(), z)
    (gt,) = torch.autograd.grad(fn(torch, zt), zt, create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), zt)
    np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-12, atol=1e-15)
