"""Learning-rate schedulers: lr sequences against torch.optim.lr_scheduler, resume, bad input."""
import math

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.optim as optim
from nnscratch.optim import lr_scheduler

EPOCHS = 30
LRS = (0.1, 0.05)


def _optimizers():
    """Our SGD and torch's, each with two parameter groups of different learning rates."""
    ours = optim.SGD([{"params": [ns.tensor([1.0], requires_grad=True)], "lr": LRS[0]},
                      {"params": [ns.tensor([2.0], requires_grad=True)], "lr": LRS[1]}],
                     lr=1.0)
    theirs = torch.optim.SGD([{"params": [torch.ones(1, requires_grad=True)], "lr": LRS[0]},
                              {"params": [torch.ones(1, requires_grad=True)], "lr": LRS[1]}],
                             lr=1.0)
    return ours, theirs


SCHEDULES = [
    ("step", "StepLR", dict(step_size=7, gamma=0.5)),
    ("step_default_gamma", "StepLR", dict(step_size=3)),
    ("exponential", "ExponentialLR", dict(gamma=0.9)),
    ("cosine", "CosineAnnealingLR", dict(T_max=10)),
    ("cosine_eta_min", "CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
]


@pytest.mark.parametrize("cls, kw", [s[1:] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES])
def test_lr_sequence_matches_torch(cls, kw):
    opt, topt = _optimizers()
    ours = getattr(lr_scheduler, cls)(opt, **kw)
    theirs = getattr(torch.optim.lr_scheduler, cls)(topt, **kw)
    assert ours.last_epoch == theirs.last_epoch == 0
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)
    for epoch in range(1, EPOCHS + 1):
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
        assert ours.last_epoch == theirs.last_epoch == epoch
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13,
                                   atol=1e-16, err_msg=f"epoch {epoch}")
        assert [g["lr"] for g in opt.param_groups] == ours.get_last_lr()
    assert ours.base_lrs == list(LRS)


def test_closed_forms():
    """StepLR, ExponentialLR and (within T_max) CosineAnnealingLR follow their formulas."""
    opt, _ = _optimizers()
    s = lr_scheduler.CosineAnnealingLR(opt, T_max=12, eta_min=0.001)
    for t in range(1, 13):
        s.step()
        expect = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 12)) / 2
        assert abs(s.get_last_lr()[0] - expect) < 1e-12
    assert abs(s.get_last_lr()[0] - 0.001) < 1e-12
    opt, _ = _optimizers()
    s = lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    for t in range(1, 13):
        s.step()
        assert abs(s.get_last_lr()[1] - 0.05 * 0.5 ** (t // 4)) < 1e-15


PLATEAU = [
    ("min_rel", dict(patience=2, factor=0.5)),
    ("min_abs_cooldown", dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=2)),
    ("max_rel", dict(mode="max", patience=0, factor=0.3, threshold=0.01)),
    ("min_lr_list_eps", dict(patience=1, factor=0.2, min_lr=[0.01, 0.002], eps=1e-3)),
    ("defaults", dict()),
]
# a scripted metric: improvements, plateaus, small wiggles below the threshold, a spike
METRIC = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69995, 0.6, 0.6, 0.6, 0.6, 0.59, 0.5, 0.5, 0.52, 0.51,
          0.5, 0.49, 0.48, 0.48, 0.48, 0.48, 0.48, 2.0, 0.47, 0.47, 0.47, 0.3, 0.3, 0.3, 0.3]


@pytest.mark.parametrize("kw", [p[1] for p in PLATEAU], ids=[p[0] for p in PLATEAU])
def test_reduce_on_plateau_matches_torch(kw):
    opt, topt = _optimizers()
    ours = lr_scheduler.ReduceLROnPlateau(opt, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    metric = METRIC if kw.get("mode") != "max" else [1.0 - m for m in METRIC]
    cuts = 0
    for epoch, m in enumerate(metric, 1):
        before = ours.get_last_lr()
        ours.step(m)
        theirs.step(m)
        cuts += ours.get_last_lr() != before
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-13), epoch
        assert ours.num_bad_epochs == theirs.num_bad_epochs
        assert ours.best == theirs.best and ours.last_epoch == theirs.last_epoch == epoch
    if kw:
        assert cuts >= 2


def test_reduce_on_plateau_takes_a_tensor_metric():
    opt, _ = _optimizers()
    s = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    s.step(ns.tensor(1.0))
    s.step(ns.tensor(np.array(1.5)))
    assert s.get_last_lr() == pytest.approx([0.01, 0.005])


@pytest.mark.parametrize("make", [
    lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.3),
    lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8),
    lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=9, eta_min=0.002),
    lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=1, cooldown=1, factor=0.5),
], ids=["step", "exponential", "cosine", "plateau"])
def test_state_dict_round_trip(make):
    """Save optimizer and scheduler mid-run, rebuild both, load: the same lrs follow."""
    def advance(sched, k0, k1):
        out = []
        for k in range(k0, k1):
            if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
                sched.step(METRIC[k])
            else:
                sched.step()
            out.append(sched.get_last_lr())
        return out

    opt, _ = _optimizers()
    sched = make(opt)
    advance(sched, 0, 13)
    opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
    assert all(isinstance(v, (int, float, str, bool, list)) for v in sched_sd.values())
    straight = advance(sched, 13, 30)

    opt2, _ = _optimizers()
    opt2.load_state_dict(opt_sd)
    sched2 = make(opt2)                      # constructing does not change the loaded lrs
    sched2.load_state_dict({k: (np.array(v) if isinstance(v, (int, float, list)) else v)
                            for k, v in sched_sd.items()})
    assert advance(sched2, 13, 30) == straight


def test_resume_with_last_epoch_matches_torch():
    opt, topt = _optimizers()
    for g in opt.param_groups + topt.param_groups:
        g["initial_lr"] = g["lr"]
    ours = lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=10, last_epoch=4)
    for _ in range(8):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)
        topt.step()
        ours.step()
        theirs.step()
    opt, _ = _optimizers()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)


def test_works_with_any_optimizer():
    p = ns.tensor([1.0], requires_grad=True)
    s = lr_scheduler.StepLR(optim.Adam([p], lr=0.01), step_size=1, gamma=0.5)
    s.step()
    assert s.optimizer.param_groups[0]["lr"] == 0.005


BAD = [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2.5), TypeError, "step_size"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=-0.1), ValueError, "gamma"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2, last_epoch=-2), ValueError, "last_epoch"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=math.nan), ValueError, "gamma"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=-1.0), ValueError,
     "eta_min"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError,
     "threshold_mode"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError, "patience"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, cooldown=-1), ValueError, "cooldown"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold=-1e-4), ValueError, "threshold"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.0]), ValueError, "min_lr"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=-1.0), ValueError, "min_lr"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, eps=-1.0), ValueError, "eps"),
    (lambda o: lr_scheduler.StepLR("sgd", step_size=2), TypeError, "optimizer"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(None), TypeError, "optimizer"),
]


@pytest.mark.parametrize("make, err, name", BAD, ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)])
def test_bad_input(make, err, name):
    opt, _ = _optimizers()
    with pytest.raises(err, match=name):
        make(opt)


def test_bad_state_dict():
    opt, _ = _optimizers()
    s = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="unexpected keys.*'bogus'"):
        s.load_state_dict({"bogus": 1})
