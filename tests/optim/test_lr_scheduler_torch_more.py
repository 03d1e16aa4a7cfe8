"""LambdaLR, MultiStepLR, LinearLR, CosineAnnealingWarmRestarts and OneCycleLR: the whole
lr (and momentum) trajectory against torch.optim.lr_scheduler, rtol 1e-12."""
import math

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.optim as optim
from nnscratch.optim import lr_scheduler

LRS = (0.1, 0.05)


def _pair(kind="sgd"):
    """Our optimizer and torch's, two parameter groups with different learning rates."""
    ours_cls, torch_cls, kw = {"sgd": (optim.SGD, torch.optim.SGD, dict(momentum=0.9)),
                               "adam": (optim.Adam, torch.optim.Adam, {})}[kind]
    ours = ours_cls([{"params": [ns.tensor([1.0], requires_grad=True)], "lr": LRS[0]},
                     {"params": [ns.tensor([2.0], requires_grad=True)], "lr": LRS[1]}],
                    lr=1.0, **kw)
    theirs = torch_cls([{"params": [torch.ones(1, requires_grad=True)], "lr": LRS[0]},
                        {"params": [torch.ones(1, requires_grad=True)], "lr": LRS[1]}],
                       lr=1.0, **kw)
    return ours, theirs


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


class Warmup:
    """A callable object (its __dict__ goes into state_dict, as torch)."""

    def __init__(self, n):
        self.n = n

    def __call__(self, t):
        return min(1.0, (t + 1) / self.n) * 0.97 ** t


SCHEDULES = [
    ("lambda", "LambdaLR", lambda: dict(lr_lambda=lambda t: 0.95 ** t), 30),
    ("lambda_per_group", "LambdaLR",
     lambda: dict(lr_lambda=[Warmup(5), lambda t: 1 / (1 + t)]), 30),
    ("multistep", "MultiStepLR", lambda: dict(milestones=[3, 7, 7, 20], gamma=0.5), 30),
    ("multistep_default", "MultiStepLR", lambda: dict(milestones=[10, 2]), 30),
    ("linear", "LinearLR", lambda: {}, 30),
    ("linear_down", "LinearLR", lambda: dict(start_factor=1.0, end_factor=0.1, total_iters=13),
     30),
    ("warm_restarts", "CosineAnnealingWarmRestarts", lambda: dict(T_0=5), 40),
    ("warm_restarts_mult", "CosineAnnealingWarmRestarts",
     lambda: dict(T_0=3, T_mult=2, eta_min=0.001), 60),
    ("onecycle", "OneCycleLR", lambda: dict(max_lr=1.0, total_steps=50), 50),
    ("onecycle_per_group_linear", "OneCycleLR",
     lambda: dict(max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=9, anneal_strategy="linear",
                  pct_start=0.25), 36),
    ("onecycle_three_phase", "OneCycleLR",
     lambda: dict(max_lr=0.3, total_steps=41, three_phase=True, div_factor=10.0,
                  base_momentum=0.8, max_momentum=0.9), 41),
]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("cls,make_kw,steps", [s[1:] for s in SCHEDULES],
                         ids=[s[0] for s in SCHEDULES])
def test_trajectory_equals_torch(kind, cls, make_kw, steps):
    opt, topt = _pair(kind)
    ours = getattr(lr_scheduler, cls)(opt, **make_kw())
    theirs = getattr(torch.optim.lr_scheduler, cls)(topt, **make_kw())
    for t in range(steps):
        if t:
            opt.step()
            topt.step()
            ours.step()
            theirs.step()
        assert ours.last_epoch == theirs.last_epoch == t
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12,
                                   atol=0, err_msg=f"step {t}")
        assert [g["lr"] for g in opt.param_groups] == ours.get_last_lr()
        np.testing.assert_allclose(_momenta(opt), _momenta(topt), rtol=1e-12, atol=0,
                                   err_msg=f"momentum at step {t}")
    if cls == "OneCycleLR":
        with pytest.raises(ValueError, match="total steps"):
            ours.step()
            ours.step()


def test_warm_restarts_with_fractional_epochs_equals_torch():
    opt, topt = _pair()
    ours = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.01)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, T_0=4, T_mult=2,
                                                                   eta_min=0.01)
    for epoch in range(15):
        for i in range(3):
            ours.step(epoch + i / 3)
            theirs.step(epoch + i / 3)
            np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
            assert (ours.T_i, ours.last_epoch) == (theirs.T_i, theirs.last_epoch)


def test_closed_forms():
    opt, _ = _pair()
    s = lr_scheduler.LinearLR(opt, start_factor=0.25, end_factor=0.75, total_iters=8)
    for t in range(1, 12):
        s.step()
        assert math.isclose(s.get_last_lr()[0], 0.1 * (0.25 + 0.5 * min(t, 8) / 8), rel_tol=1e-13)
    opt, _ = _pair()
    s = lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5)
    for t in range(1, 8):
        s.step()
        assert math.isclose(s.get_last_lr()[1], 0.05 * 0.5 ** sum(m <= t for m in [2, 5, 5]))


def test_state_dict_resumes_lambda_and_onecycle():
    for make in [lambda o: lr_scheduler.LambdaLR(o, [Warmup(4), Warmup(6)]),
                 lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.4, total_steps=20),
                 lambda o: lr_scheduler.MultiStepLR(o, [3, 6])]:
        opt, _ = _pair()
        s = make(opt)
        for _ in range(7):
            s.step()
        state = s.state_dict()
        opt2, _ = _pair()
        opt2.load_state_dict(opt.state_dict())
        s2 = make(opt2)
        s2.load_state_dict(state)
        for _ in range(5):
            s.step()
            s2.step()
            assert s.get_last_lr() == s2.get_last_lr()


@pytest.mark.parametrize("cls,kw,err", [
    ("LinearLR", dict(start_factor=0.0), ValueError),
    ("LinearLR", dict(end_factor=1.5), ValueError),
    ("CosineAnnealingWarmRestarts", dict(T_0=0), ValueError),
    ("OneCycleLR", dict(max_lr=1.0), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=2.0), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError),
    ("LambdaLR", dict(lr_lambda=[lambda t: 1.0]), ValueError),
])
def test_bad_arguments_refused_as_torch(cls, kw, err):
    opt, topt = _pair()
    with pytest.raises(err):
        getattr(lr_scheduler, cls)(opt, **kw)
    with pytest.raises(err):
        getattr(torch.optim.lr_scheduler, cls)(topt, **kw)


def test_onecycle_needs_momentum_when_cycling():
    opt = optim.Adagrad([ns.tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
    s = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5, cycle_momentum=False)
    assert math.isclose(s.get_last_lr()[0], 1.0 / 25, rel_tol=1e-13)
