"""optim.LBFGS against torch.optim.LBFGS in float64: same parameters after 20 closures, with
and without the strong-Wolfe line search, and across steps with a short history."""
import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch import optim


def _problem(lib, rng_seed=0):
    """A small non-quadratic least-squares fit: params W (3, 4), b (3,); both libraries get
    the same data and starting point."""
    r = np.random.default_rng(rng_seed)
    A, Y = r.normal(size=(10, 4)), r.normal(size=(10, 3))
    W0, b0 = r.normal(size=(3, 4)) * 0.5, r.normal(size=3) * 0.1
    W = lib.tensor(W0, dtype=lib.float64, requires_grad=True)
    b = lib.tensor(b0, dtype=lib.float64, requires_grad=True)
    A_t, Y_t = lib.tensor(A, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)

    def loss():
        pred = lib.tanh(A_t @ W.t() + b)
        return ((pred - Y_t) ** 2).mean() + 0.01 * (W ** 4).sum()
    return [W, b], loss


def _run(lib, opt_cls, steps, **kw):
    params, loss_fn = _problem(lib)
    opt = opt_cls(params, **kw)
    losses = []

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        losses.append(loss.item())
        return loss
    for _ in range(steps):
        opt.step(closure)
    return [np.array(p.detach().numpy()) for p in params], losses


@pytest.mark.parametrize("kw,steps", [
    (dict(), 1),                                           # 20 iterations, 20 closures
    (dict(line_search_fn="strong_wolfe"), 1),              # max_eval = 25
    (dict(line_search_fn="strong_wolfe", max_iter=20, max_eval=20), 1),
    (dict(lr=0.5, max_iter=4, history_size=3), 5),         # state carried across steps
    (dict(max_iter=4, history_size=2, line_search_fn="strong_wolfe"), 5),
])
def test_trajectory_equals_torch_in_float64(kw, steps):
    ours, our_losses = _run(ns, optim.LBFGS, steps, **kw)
    ref, ref_losses = _run(torch, torch.optim.LBFGS, steps, **kw)
    assert len(our_losses) == len(ref_losses) >= 10
    if kw == {}:
        assert len(our_losses) == 20
    np.testing.assert_allclose(our_losses, ref_losses, rtol=1e-10)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, atol=1e-8, rtol=0)
    assert our_losses[-1] < 0.5 * our_losses[0]            # it really optimises


def test_stops_at_a_minimum_and_refuses_bad_options():
    x = ns.tensor([0.0, 0.0], dtype=ns.float64, requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe")
    calls = []

    def closure():
        opt.zero_grad()
        loss = ((x - ns.tensor([1.0, -2.0], dtype=ns.float64)) ** 2).sum()
        loss.backward()
        calls.append(1)
        return loss
    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, -2.0], atol=1e-7)
    n = len(calls)
    opt.step(closure)              # already optimal: one closure, no move
    assert len(calls) == n + 1
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [x]}, {"params": [ns.zeros(1, requires_grad=True)]}])
    with pytest.raises(TypeError, match="closure"):
        opt.step(None)
