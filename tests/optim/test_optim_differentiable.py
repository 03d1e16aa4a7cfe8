"""differentiable=True: the optimizer step recorded for autograd, as torch.optim's.

The meta-gradient (of a loss after two recorded steps, with respect to the initial weights and
to a Tensor learning rate, the optimizer's state included) equals torch 2.13's in float64,
rtol 1e-10.  Where torch refuses its own graph (its in-place momentum/AMSGrad buffers were saved
for backward), the gradient is checked against central differences of the ordinary,
non-recorded optimizer instead."""
import numpy as np
import pytest
import torch

import nnscratch as ns

RNG = np.random.default_rng(33)
A, Y, W0 = RNG.standard_normal((4, 3)), RNG.standard_normal(4), RNG.standard_normal(3)
STATE = {"SGD": ("momentum_buffer",), "Adam": ("exp_avg", "exp_avg_sq"),
         "AdamW": ("exp_avg", "exp_avg_sq"), "NAdam": ("exp_avg", "exp_avg_sq"),
         "RMSprop": ("square_avg", "grad_avg", "momentum_buffer"), "Adagrad": ("sum",),
         "Adamax": ("exp_avg", "exp_inf"), "Adadelta": ("square_avg", "acc_delta")}

# (optimizer, keywords); every one differentiates in torch through 2 steps with a Tensor lr
CASES = [("SGD", {}), ("SGD", dict(momentum=0.9, nesterov=True, weight_decay=0.1)),
         ("Adam", {}), ("Adam", dict(betas=(0.8, 0.9), maximize=True, weight_decay=0.2)),
         ("AdamW", dict(betas=(0.8, 0.9), maximize=True, weight_decay=0.2))]
# ... and these only with a number lr (torch: "modified by an inplace operation" otherwise)
# (torch 2.13 differentiates RMSprop, Adagrad, Adadelta, NAdam only for a number lr)
NUMBER_LR = [("SGD", dict(momentum=0.9)),
             ("SGD", dict(momentum=0.5, dampening=0.3, maximize=True, weight_decay=0.1)),
             ("RMSprop", {}), ("RMSprop", dict(momentum=0.5, maximize=True)),
             ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.5, weight_decay=0.1,
                              maximize=True)),
             ("Adadelta", dict(rho=0.8, weight_decay=0.1, maximize=True)),
             ("NAdam", dict(momentum_decay=0.01, weight_decay=0.1)),
             ("NAdam", dict(decoupled_weight_decay=True, weight_decay=0.1, maximize=True))]
# torch refuses these even with a number lr: ours against central differences
TORCH_REFUSES = [("SGD", dict(momentum=0.5, dampening=0.3, maximize=True)),
                 ("Adam", dict(amsgrad=True, weight_decay=0.1)),
                 ("AdamW", dict(amsgrad=True, weight_decay=0.1)),
                 ("RMSprop", dict(centered=True, momentum=0.9, weight_decay=0.1)),
                 ("Adamax", dict(betas=(0.8, 0.9), weight_decay=0.1, maximize=True))]


@pytest.fixture
def _f64():   # torch's differentiable Adam keeps `step` in the default dtype
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _meta(lib, cls, kw, w0, lr, steps=2):
    """Two steps of ``cls`` from ``w0`` (a leaf) on a least-squares loss, the parameter a
    non-leaf clone; returns the loss at the end plus the sum of the optimizer's state."""
    a, y = lib.tensor(A), lib.tensor(Y)
    p = w0.clone()
    opt = getattr(lib.optim, cls)([p], lr=lr, differentiable=True, **kw)
    for _ in range(steps):
        g, = lib.autograd.grad(((a @ p - y) ** 2).sum(), p, create_graph=True)
        p.grad = g
        opt.step()
    state = opt.state[p]
    return ((a @ p - y) ** 2).sum() + sum(state[k].sum() for k in STATE[cls] if k in state)


def _grads(lib, cls, kw, tensor_lr):
    w0 = lib.tensor(W0, requires_grad=True)
    lr = lib.tensor(0.1, dtype=lib.float64, requires_grad=True) if tensor_lr else 0.1
    meta = _meta(lib, cls, kw, w0, lr)
    meta.backward()
    return meta.item(), w0.grad.numpy(), (lr.grad.item() if tensor_lr else None)


@pytest.mark.parametrize("cls, kw, tensor_lr", [c + (True,) for c in CASES] +
                         [c + (False,) for c in CASES + NUMBER_LR])
def test_meta_gradient_through_two_steps_is_torchs(cls, kw, tensor_lr, _f64):
    ours, theirs = _grads(ns, cls, kw, tensor_lr), _grads(torch, cls, kw, tensor_lr)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10)
    if tensor_lr:
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-10)


def _plain_meta(cls, kw, w0, lr):
    """The same objective with the ordinary (non-recorded) optimizer: a number."""
    a, y = ns.tensor(A), ns.tensor(Y)
    p = ns.tensor(w0, requires_grad=True)
    opt = getattr(ns.optim, cls)([p], lr=lr, **kw)
    for _ in range(2):
        opt.zero_grad()
        ((a @ p - y) ** 2).sum().backward()
        opt.step()
    with ns.no_grad():
        state = opt.state[p]
        return (((a @ p - y) ** 2).sum().item() + sum(float(np.sum(state[k]))
                                                      for k in STATE[cls] if k in state))


@pytest.mark.parametrize("cls, kw", TORCH_REFUSES + NUMBER_LR)
def test_meta_gradient_equals_central_differences(cls, kw):
    """The gradient for the Tensor lr, and for w0 except with SGD's momentum: torch's first
    momentum buffer is a detached copy of the gradient, so that gradient is torch's (tested
    above against torch), not the derivative."""
    value, gw, glr = _grads(ns, cls, kw, tensor_lr=True)
    assert value == pytest.approx(_plain_meta(cls, kw, W0, 0.1), rel=1e-12)
    eps = 1e-6
    fd_lr = (_plain_meta(cls, kw, W0, 0.1 + eps) - _plain_meta(cls, kw, W0, 0.1 - eps)) / (2 * eps)
    np.testing.assert_allclose(glr, fd_lr, rtol=1e-6)
    if cls != "SGD":
        fd_w = [(_plain_meta(cls, kw, W0 + e, 0.1) - _plain_meta(cls, kw, W0 - e, 0.1)) /
                (2 * eps) for e in np.eye(3) * eps]
        np.testing.assert_allclose(gw, fd_w, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls, kw", CASES + NUMBER_LR + TORCH_REFUSES)
def test_recorded_step_moves_the_parameters_as_the_ordinary_step(cls, kw):
    """Same trajectory (values) with differentiable=True as without; the parameter is then a
    node of the graph and the ordinary optimizer's parameter is still a leaf."""
    a, y = ns.tensor(A), ns.tensor(Y)
    ps = [ns.tensor(W0, requires_grad=True), ns.tensor(W0, requires_grad=True).clone()]
    opts = [getattr(ns.optim, cls)([ps[0]], lr=0.1, **kw),
            getattr(ns.optim, cls)([ps[1]], lr=0.1, differentiable=True, **kw)]
    for _ in range(3):
        for p, opt, recorded in zip(ps, opts, (False, True)):
            p.grad = ns.autograd.grad(((a @ p - y) ** 2).sum(), p, create_graph=recorded)[0]
            opt.step()
        np.testing.assert_allclose(ps[1].detach().numpy(), ps[0].detach().numpy(), rtol=1e-13)
    assert ps[0].grad_fn is None and ps[1].grad_fn is not None


def test_leaf_parameter_and_tensor_lr_refused_as_torch():
    """A leaf that requires grad cannot be updated by a recorded in-place op (torch's
    RuntimeError); a Tensor hyper-parameter needs differentiable=True here (torch also takes
    one without);
    a non-leaf needs differentiable=True (torch's ValueError)."""
    w = ns.tensor(W0, requires_grad=True)
    opt = ns.optim.SGD([w], lr=0.1, differentiable=True)
    w.grad = ns.ones(3)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        opt.step()
    with pytest.raises(TypeError, match="Tensor lr needs differentiable=True"):
        ns.optim.SGD([w], lr=ns.tensor(0.1))
    with pytest.raises(TypeError, match="Tensor weight_decay needs differentiable=True"):
        ns.optim.AdamW([w], weight_decay=ns.tensor(0.1))
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        ns.optim.Adam([w], lr=ns.tensor([0.1, 0.2]), differentiable=True)
    with pytest.raises(ValueError, match="non-leaf"):
        ns.optim.SGD([w.clone()], lr=0.1)


def test_an_optimizer_without_a_recorded_rule_refuses_it_by_name():
    """Every torch optimizer provided that takes ``differentiable`` records its step (LBFGS
    has no such argument, in torch either); an optimizer built on the shell with only an
    array rule refuses it by name, also from a state dict."""
    class Sign(ns.optim.Optimizer):
        def __init__(self, params, lr=0.1, differentiable=False):
            super().__init__(params, dict(lr=lr, differentiable=differentiable))

        @staticmethod
        def rule(g, s, h, work):
            return h.lr * np.sign(g)

    p = ns.tensor(W0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="Sign: differentiable=True"):
        Sign([p], differentiable=True)
    opt = Sign([p])
    sd = opt.state_dict()
    sd["param_groups"][0]["differentiable"] = True
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        opt.load_state_dict(sd)


@pytest.mark.parametrize("cls, kw", [
    ("SGD", dict(weight_decay=0.1)), ("SGD", dict(weight_decay=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(weight_decay=0.1)), ("Adam", dict(betas=(0.8, 0.9))),
    ("AdamW", dict(weight_decay=0.1, betas=(0.8, 0.9)))])
def test_tensor_hyperparameters_get_torchs_hypergradients(cls, kw, _f64):
    """weight_decay and betas given as Tensors that require grad (lr a number here)."""
    def run(lib):
        hyper = {k: (tuple(lib.tensor(b, dtype=lib.float64, requires_grad=True) for b in v)
                     if isinstance(v, tuple) else lib.tensor(v, dtype=lib.float64,
                                                             requires_grad=True))
                 for k, v in kw.items() if k in ("weight_decay", "betas")}
        w0 = lib.tensor(W0, requires_grad=True)
        _meta(lib, cls, {**kw, **hyper}, w0, 0.1).backward()
        leaves = [w0] + [t for v in hyper.values() for t in (v if isinstance(v, tuple) else [v])]
        return [t.grad.numpy() for t in leaves]
    for ours, theirs in zip(run(ns), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)
