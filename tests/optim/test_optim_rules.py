"""Optimizer rules on plain arrays, the one name registry, and torch.optim's state_dict layout."""
import numpy as np
import pytest
import torch
from helpers.optim_cases import CASES, case_data, ns_loss, ns_params, torch_loss

import nnscratch as ns
import nnscratch.optim as optim
from nnscratch.optim import registry
from nnscratch.optim.optimizer import Workspace, apply_rule
from nnscratch.optimize import METHODS, minimize


@pytest.mark.parametrize("cls, kw", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_on_arrays_is_the_optimizer_step(cls, kw):
    """``apply_rule`` on bare arrays gives the optimizer's trajectory exactly: the shell adds
    nothing but the parameter walk (weight decay included, it lives in apply_rule)."""
    d = case_data()
    params = ns_params(d)
    opt = getattr(optim, cls)(params, **kw)
    k = getattr(optim, cls)
    h = k.Settings.of(k.hyperparameters(**kw))
    xs = [d["W"].copy(), d["b"].copy()]
    states = [k.init_state(x, h) for x in xs]
    work = Workspace()
    for _ in range(8):
        opt.zero_grad()
        ns_loss(*params, d).backward()
        grads = [p.grad.numpy().copy() for p in params]
        opt.step()
        for x, g, s in zip(xs, grads, states):
            apply_rule(k.rule, x, g, s, h, work)
        for x, p in zip(xs, params):
            np.testing.assert_array_equal(x, p.numpy())


def test_hyperparameters_are_the_constructors_defaults():
    assert optim.Adam.hyperparameters() == optim.Adam([ns.zeros(1, requires_grad=True)]).defaults
    assert optim.AdamW.hyperparameters()["decoupled_weight_decay"] is True
    with pytest.raises(ValueError, match=r"Adam: unknown hyper-parameters \['momentum'\]"):
        optim.Adam.hyperparameters(momentum=0.9)
    with pytest.raises(ValueError, match="eps"):
        optim.Adam.hyperparameters(eps=-1.0)


def test_one_registry_serves_minimize_and_the_cli():
    from nnscratch.app import cli
    first_order = [m for m in METHODS if m not in ("newton", "newton-cg", "bfgs", "l-bfgs")]
    assert first_order == registry.names(minimize=True) == [
        "gd", "momentum", "adagrad", "rmsprop", "adam"]
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    train = next(a for a in sub.choices["train"]._actions if a.dest == "optimizer")
    assert list(train.choices) == registry.names() + ["sgd"]
    for e in registry.ENTRIES:
        assert e.optimizer_class() is getattr(optim, e.optimizer)
        e.optimizer_class().hyperparameters(**e.options)      # every entry's options are valid
    assert registry.lookup("sgd") is registry.lookup("gd")
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamx'.*'adamax'"):
        registry.lookup("adamx")


def test_minimize_per_variable_rates_are_elementwise():
    """An array lr is applied coordinatewise: the same path as one run per coordinate."""
    f = lambda x: (ns.tensor([1.0, 10.0]) * x * x).sum()        # noqa: E731
    both = minimize(f, [1.0, 1.0], "adam", lr=[0.1, 0.01], maxiter=50, gtol=1e-300)
    for i, lr in enumerate((0.1, 0.01)):
        one = minimize(lambda x, i=i: [1.0, 10.0][i] * x * x, 1.0, "adam", lr=lr, maxiter=50,
                       gtol=1e-300)
        np.testing.assert_allclose(both.path[:, i], one.path, rtol=1e-15)


# --------------------------------------------------------- torch.optim's state_dict layout
def _to_numpy(sd):
    """A torch optimizer state dict with its tensors as arrays (what a checkpoint holds)."""
    def conv(v):
        return v.detach().numpy() if isinstance(v, torch.Tensor) else v
    return {"state": {i: {k: conv(v) for k, v in s.items()} for i, s in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}


def _to_torch(sd):
    def conv(k, v):
        if isinstance(v, np.ndarray):
            return torch.tensor(v)
        return torch.tensor(float(v)) if k == "step" else v
    return {"state": {i: {k: conv(k, v) for k, v in s.items()} for i, s in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}


def _torch_steps(opt, tparams, d, n):
    for _ in range(n):
        opt.zero_grad()
        torch_loss(*tparams, d).backward()
        opt.step()


def _ns_steps(opt, params, d, n):
    for _ in range(n):
        opt.zero_grad()
        ns_loss(*params, d).backward()
        opt.step()


@pytest.fixture
def _f64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("cls, kw", [("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("RMSprop", dict(centered=True, momentum=0.5)),
                                     ("NAdam", dict(lr=0.01)), ("Adagrad", dict(lr=0.1))])
def test_torch_state_dict_loads_into_ours_and_back(cls, kw, _f64):
    """A torch optimizer stopped after 5 steps resumes in nnscratch (and the reverse) on the
    same trajectory as an uninterrupted torch run, within a few ULP."""
    d = case_data()
    tparams = [torch.tensor(d["W"], requires_grad=True), torch.tensor(d["b"], requires_grad=True)]
    topt = getattr(torch.optim, cls)(tparams, **kw)
    _torch_steps(topt, tparams, d, 5)
    params = [ns.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    ours = getattr(optim, cls)(params, **kw)
    ours.load_state_dict(_to_numpy(topt.state_dict()))   # torch's keys (foreach, maximize …)
    _ns_steps(ours, params, d, 5)
    _torch_steps(topt, tparams, d, 5)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)

    # ours -> torch: a fresh torch optimizer takes nnscratch's state and continues alike
    tparams2 = [torch.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    topt2 = getattr(torch.optim, cls)(tparams2, **kw)
    topt2.load_state_dict(_to_torch(ours.state_dict()))
    _torch_steps(topt2, tparams2, d, 3)
    _ns_steps(ours, params, d, 3)
    for p, t in zip(params, tparams2):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                 "Adamax", "NAdam"])
def test_maximize_and_implementation_flags_as_torch(cls, _f64):
    """maximize=True climbs as torch's does; foreach/fused/capturable are accepted and kept in
    the groups (one implementation here), differentiable=True is refused."""
    d = case_data()
    tparams = [torch.tensor(d["W"], requires_grad=True), torch.tensor(d["b"], requires_grad=True)]
    params = [ns.tensor(d["W"].copy(), requires_grad=True), ns.tensor(d["b"].copy(),
                                                                      requires_grad=True)]
    kw = dict(lr=0.01, maximize=True, weight_decay=0.1)
    topt, ours = getattr(torch.optim, cls)(tparams, **kw), getattr(optim, cls)(params, **kw)
    _torch_steps(topt, tparams, d, 4)
    _ns_steps(ours, params, d, 4)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert set(topt.param_groups[0]) - {"params"} == set(ours.param_groups[0]) - {"params"}
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(optim, cls)(params, differentiable=True)
    sd = ours.state_dict()
    sd["param_groups"][0]["foreach"] = True
    ours.load_state_dict(sd)
    assert ours.param_groups[0]["foreach"] is True


def test_frozen_parameters_are_kept_and_skipped_and_non_leaves_refused():
    """The autograd tutorial's fine-tuning: freeze a network, replace its head, give every
    parameter to SGD; torch keeps the frozen ones in the group and never moves them."""
    tnet, net = torch.nn.Linear(3, 2).double(), ns.nn.Linear(3, 2).double()
    net.load_state_dict(tnet.state_dict())
    for m in (tnet, net):
        m.weight.requires_grad_(False)
    x = np.ones((4, 3))
    for lib, m in ((torch, tnet), (ns, net)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        assert len(opt.param_groups[0]["params"]) == 2
        for _ in range(2):
            opt.zero_grad()
            m(lib.tensor(x)).sum().backward()
            opt.step()
    np.testing.assert_array_equal(net.weight.numpy(), tnet.weight.detach().numpy())
    np.testing.assert_allclose(net.bias.numpy(), tnet.bias.detach().numpy(), rtol=1e-14)
    leaf = ns.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([leaf * 2], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([torch.ones(2, requires_grad=True) * 2], lr=0.1)


def test_creating_an_optimizer_is_the_one_malloc_tuning():
    """Importing nnscratch and convolving leave glibc's malloc alone; creating an optimizer
    (every training loop does) keeps freed memory in the process (ops/_allocator.py).  Run in a
    fresh interpreter: other tests create optimizers."""
    import os
    import platform
    import subprocess
    import sys

    expected = (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
                and os.environ.get("NNSCRATCH_RETAIN_MEMORY", "1") != "0")
    code = ("import nnscratch as ns, nnscratch.nn.functional as F\n"
            "from nnscratch.ops import _allocator\n"
            "F.conv2d(ns.randn(1, 1, 4, 4), ns.randn(2, 1, 3, 3))\n"
            "assert _allocator._done is None, 'tuned by import or a convolution'\n"
            "ns.optim.SGD([ns.zeros(1, requires_grad=True)], lr=0.1)\n"
            "print(_allocator._done)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=os.getcwd())
    assert out.stdout.strip() == str(expected)
