"""Optimizers: float64 trajectory parity with torch.optim, state_dict round trips, bad input."""
import math

import numpy as np
import pytest
import torch
from helpers.optim_cases import CASES, case_data, ns_loss, ns_params, torch_loss

import nnscratch as ns
import nnscratch.optim as optim

STEPS = 20

@pytest.fixture(autouse=True)
def _torch_float64():
    # torch keeps scalar optimizer state (NAdam's mu_product) in the default dtype
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)

def _ns_run(opt, params, d, steps):
    out = []
    for _ in range(steps):
        opt.zero_grad()
        ns_loss(*params, d).backward()
        opt.step()
        out.append([p.numpy().copy() for p in params])
    return out

def _torch_run(opt, params, d, steps):
    out = []
    for _ in range(steps):
        opt.zero_grad()
        torch_loss(*params, d).backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out

def _assert_same_trajectory(ours, theirs):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-12,
                                       err_msg=f"parameters differ after step {k + 1}")

@pytest.mark.parametrize("cls, kw", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_trajectory_matches_torch(cls, kw):
    d = case_data()
    params = ns_params(d)
    tparams = [torch.tensor(d["W"], requires_grad=True), torch.tensor(d["b"], requires_grad=True)]
    ours = _ns_run(getattr(optim, cls)(params, **kw), params, d, STEPS)
    theirs = _torch_run(getattr(torch.optim, cls)(tparams, **kw), tparams, d, STEPS)
    assert ours[0][0].dtype == np.float64
    assert not np.allclose(ours[-1][0], d["W"])          # the parameters really moved
    _assert_same_trajectory(ours, theirs)

@pytest.mark.parametrize("cls, kw", [("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("RMSprop", dict(momentum=0.5, centered=True))])
def test_param_groups_match_torch(cls, kw):
    """Per-group hyper-parameters override the defaults, as in torch.optim."""
    d = case_data()
    params = ns_params(d)
    tparams = [torch.tensor(d["W"], requires_grad=True), torch.tensor(d["b"], requires_grad=True)]
    over = dict(lr=0.003, weight_decay=0.2)
    ours = getattr(optim, cls)([{"params": [params[0]], **over}, {"params": [params[1]]}], **kw)
    theirs = getattr(torch.optim, cls)([{"params": [tparams[0]], **over},
                                        {"params": [tparams[1]]}], **kw)
    _assert_same_trajectory(_ns_run(ours, params, d, STEPS),
                            _torch_run(theirs, tparams, d, STEPS))
    assert ours.param_groups[0]["lr"] == 0.003 and ours.param_groups[1]["lr"] == kw.get(
        "lr", theirs.defaults["lr"])

@pytest.mark.parametrize("cls", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta",
                                 "Adamax", "NAdam"])
def test_defaults_match_torch(cls):
    p = ns.tensor([1.0], requires_grad=True)
    ours = getattr(optim, cls)([p]).defaults
    theirs = getattr(torch.optim, cls)([torch.zeros(1, requires_grad=True)]).defaults
    for k, v in ours.items():
        assert theirs[k] == v, f"{cls} default {k}: ours {v}, torch {theirs[k]}"

# ---------------------------------------------------------------------- state_dict round trips
STATEFUL = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
            ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
            ("RMSprop", dict(momentum=0.5, centered=True)),
            ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
            ("AdamW", dict(lr=0.05)),
            ("Adadelta", dict()),
            ("Adamax", dict(lr=0.01)),
            ("NAdam", dict(lr=0.01))]

def _through_checkpoint(obj):
    """What a no-pickle checkpoint format gives back: string keys, arrays for numbers and
    tuples/lists, copies everywhere."""
    if isinstance(obj, dict):
        return {str(k): _through_checkpoint(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)) and all(isinstance(x, (int, float)) for x in obj):
        return np.array(obj)
    if isinstance(obj, (tuple, list)):
        return [_through_checkpoint(x) for x in obj]
    if isinstance(obj, (bool, str)):
        return obj
    return np.array(obj)

def _leaves(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj

@pytest.mark.parametrize("cls, kw", STATEFUL, ids=[c[0] for c in STATEFUL])
def test_state_dict_round_trip_is_bit_identical(cls, kw):
    d = case_data()
    params = ns_params(d)
    opt = getattr(optim, cls)(params, **kw)
    _ns_run(opt, params, d, 7)
    sd = opt.state_dict()
    assert all(x is None or isinstance(x, (np.ndarray, int, float, bool, str))
               for x in _leaves(sd))
    saved_params = [p.numpy().copy() for p in params]
    uninterrupted = _ns_run(opt, params, d, 8)

    params2 = [ns.tensor(a, requires_grad=True) for a in saved_params]
    opt2 = getattr(optim, cls)(params2)            # default hyper-parameters: loaded below
    opt2.load_state_dict(_through_checkpoint(sd))
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    resumed = _ns_run(opt2, params2, d, 8)
    for a, b in zip(uninterrupted, resumed):
        for pa, pb in zip(a, b):
            assert np.array_equal(pa, pb)

def test_state_dict_is_a_copy():
    p = ns.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = np.array([1.0, -1.0], dtype=np.float32)
    opt.step()
    sd = opt.state_dict()
    opt.step()
    assert sd["state"][0]["step"] == 1
    assert not np.array_equal(sd["state"][0]["exp_avg"], opt.state[id(p)]["exp_avg"])

def test_load_state_dict_rejects_mismatches():
    p = ns.tensor(np.ones((2, 3)), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = np.ones((2, 3))
    opt.step()
    sd = opt.state_dict()
    q = ns.tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(ValueError, match=r"exp_avg.*shape \(2, 3\).*\(3, 2\)"):
        optim.Adam([q]).load_state_dict(sd)
    with pytest.raises(ValueError, match="unexpected state key 'step'"):
        optim.SGD([p], lr=0.1, momentum=0.9).load_state_dict(sd)
    two = optim.Adam([p, ns.tensor([1.0], requires_grad=True)]).state_dict()
    with pytest.raises(ValueError, match="2 parameters in the state dict, 1 in the optimizer"):
        optim.Adam([p]).load_state_dict(two)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})

# ---------------------------------------------------------------------- behaviour
def test_parameters_without_grad_are_left_alone():
    a = ns.tensor([1.0, 2.0], requires_grad=True)
    b = ns.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0, 1.0], dtype=np.float32)
    opt.step()
    assert b.numpy().tolist() == [3.0] and id(b) not in opt.state
    assert np.all(a.numpy() < [1.0, 2.0])

@pytest.mark.parametrize("cls", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta",
                                 "Adamax", "NAdam"])
def test_float32_stays_float32_and_grad_untouched(cls):
    p = ns.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
    opt = getattr(optim, cls)([p], lr=np.float64(0.01), weight_decay=np.float64(0.1))
    for _ in range(3):
        g = np.linspace(0.5, -0.5, 6).astype(np.float32)
        p.grad = g.copy()
        opt.step()
        assert np.array_equal(p.grad, g)
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[id(p)].values()
               if isinstance(v, np.ndarray))

def test_zero_grad():
    p = ns.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones(2, dtype=np.float32)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None

def test_closure_is_called_and_returned():
    p = ns.tensor([3.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == 9.0 and p.numpy().tolist() == [1.5]

@pytest.mark.parametrize("cls, kw", [("Adam", dict(lr=0.1)), ("NAdam", dict(lr=0.1)),
                                     ("RMSprop", dict(lr=0.01)), ("Adamax", dict(lr=0.1)),
                                     ("SGD", dict(lr=0.02, momentum=0.9)),
                                     ("Adagrad", dict(lr=0.5)), ("Adadelta", dict())])
def test_reaches_minimum_of_elongated_bowl(cls, kw):
    """000 §1.5: find the minimum (2, -3) of (x1 - 2)^2 + 10 (x2 + 3)^2."""
    x = ns.tensor([0.0, 0.0], dtype=np.float64, requires_grad=True)
    opt = getattr(optim, cls)([x], **kw)
    for _ in range(1000):
        opt.zero_grad()
        ((x[0] - 2) ** 2 + 10 * (x[1] + 3) ** 2).backward()
        opt.step()
    np.testing.assert_allclose(x.numpy(), [2.0, -3.0], atol=1e-3)

# ---------------------------------------------------------------------- bad input
BAD = [
    ("SGD", dict(lr=-0.1), "lr"), ("SGD", dict(lr=math.nan), "lr"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "momentum"),
    ("SGD", dict(lr=0.1, weight_decay=-1.0), "weight_decay"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    ("SGD", dict(lr=0.1, nesterov=True), "nesterov"),
    ("Adagrad", dict(lr=-1.0), "lr"), ("Adagrad", dict(lr_decay=-1.0), "lr_decay"),
    ("Adagrad", dict(weight_decay=-1.0), "weight_decay"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    ("Adagrad", dict(eps=-1.0), "eps"),
    ("RMSprop", dict(lr=math.nan), "lr"), ("RMSprop", dict(alpha=-0.1), "alpha"),
    ("RMSprop", dict(eps=-1e-8), "eps"), ("RMSprop", dict(momentum=-0.1), "momentum"),
    ("RMSprop", dict(weight_decay=math.nan), "weight_decay"),
    ("Adam", dict(lr=-1e-3), "lr"), ("Adam", dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    ("Adam", dict(betas=(0.9, -0.1)), r"betas\[1\]"), ("Adam", dict(betas=(0.9,)), "betas"),
    ("Adam", dict(eps=-1.0), "eps"), ("Adam", dict(weight_decay=-0.1), "weight_decay"),
    ("AdamW", dict(lr=math.nan), "lr"), ("AdamW", dict(betas=(0.9, 1.5)), r"betas\[1\]"),
    ("AdamW", dict(weight_decay=-0.01), "weight_decay"),
    ("Adadelta", dict(lr=-1.0), "lr"), ("Adadelta", dict(rho=1.1), "rho"),
    ("Adadelta", dict(eps=-1.0), "eps"), ("Adadelta", dict(weight_decay=-1.0), "weight_decay"),
    ("Adamax", dict(lr=-1.0), "lr"), ("Adamax", dict(betas=(math.nan, 0.9)), r"betas\[0\]"),
    ("Adamax", dict(eps=-1.0), "eps"), ("Adamax", dict(weight_decay=-1.0), "weight_decay"),
    ("NAdam", dict(lr=-1.0), "lr"), ("NAdam", dict(betas=(0.9, 1.0)), r"betas\[1\]"),
    ("NAdam", dict(momentum_decay=-1.0), "momentum_decay"),
    ("NAdam", dict(weight_decay=-1.0), "weight_decay"),
]

@pytest.mark.parametrize("cls, kw, name", BAD, ids=[f"{c}-{n}" for c, _, n in BAD])
def test_bad_hyper_parameters(cls, kw, name):
    p = ns.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=name):
        getattr(optim, cls)([p], **kw)

def test_bad_params_and_groups():
    p = ns.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.Adam([p], lr="fast")
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="got a Tensor"):
        optim.Adam(p)
    with pytest.raises(TypeError, match="model.parameters()"):
        optim.Adam(ns.nn.Linear(2, 1))
    with pytest.raises(TypeError, match="parameters must be Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([ns.tensor([1.0], requires_grad=True) + 1], lr=0.1)
    with pytest.raises(ValueError, match="more than one group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="lr=-0.5"):
        optim.SGD([{"params": [p], "lr": -0.5}], lr=0.1)
    with pytest.raises(ValueError, match="momentum=-1"):
        optim.SGD([{"params": [p], "momentum": -1}], lr=0.1)
    with pytest.raises(ValueError, match=r"betas\[0\]"):
        optim.Adam([{"params": [p], "betas": (2.0, 0.9)}])

# ---------------------------------------------------------------------- Adam, then SGD
def _switch_pair(d, switch_at):
    params = ns_params(d)
    opt = optim.SwitchOptimizer(optim.Adam(params, lr=0.05),
                                optim.SGD(params, lr=0.1, momentum=0.9), switch_at=switch_at)
    return params, opt

def test_switch_matches_torch_adam_then_sgd():
    """000 §1.4.1's recipe: the trajectory is torch's Adam for 8 steps, then torch's SGD
    started fresh (empty momentum buffer) from where Adam stopped."""
    d = case_data()
    params, opt = _switch_pair(d, switch_at=8)
    ours = _ns_run(opt, params, d, STEPS)
    tparams = [torch.tensor(d["W"], requires_grad=True), torch.tensor(d["b"], requires_grad=True)]
    theirs = _torch_run(torch.optim.Adam(tparams, lr=0.05), tparams, d, 8)
    theirs += _torch_run(torch.optim.SGD(tparams, lr=0.1, momentum=0.9), tparams, d, STEPS - 8)
    _assert_same_trajectory(ours, theirs)

def test_switch_happens_at_the_given_step_and_frees_the_first_state():
    d = case_data()
    params, opt = _switch_pair(d, switch_at=5)
    adam, sgd = opt.first, opt.second
    _ns_run(opt, params, d, 4)
    assert not opt.switched and opt.active is adam and opt.param_groups is adam.param_groups
    assert adam.state[id(params[0])]["step"] == 4 and not sgd.state
    _ns_run(opt, params, d, 1)                       # step 5: Adam's last
    assert opt.switched and opt.active is sgd and opt.steps == 5
    assert not adam.state and not sgd.state          # Adam's moments are dropped
    _ns_run(opt, params, d, 1)                       # step 6: SGD's first
    assert set(sgd.state[id(params[0])]) == {"momentum_buffer"} and not adam.state
    params, opt = _switch_pair(d, switch_at=100)
    _ns_run(opt, params, d, 3)
    opt.switch()
    assert opt.switched and opt.switch_at == 3 and not opt.first.state
    assert "SwitchOptimizer(first=Adam, second=SGD, switch_at=3" in repr(opt)

@pytest.mark.parametrize("save_at", [3, 6, 9])
def test_switch_state_dict_round_trip(save_at):
    """Saved before, at or after the switch, a resumed run is bit-identical."""
    d = case_data()
    params, opt = _switch_pair(d, switch_at=6)
    _ns_run(opt, params, d, save_at)
    sd, saved = opt.state_dict(), [p.numpy().copy() for p in params]
    straight = _ns_run(opt, params, d, 12 - save_at)
    params2 = [ns.tensor(a, requires_grad=True) for a in saved]
    opt2 = optim.SwitchOptimizer(optim.Adam(params2), optim.SGD(params2, momentum=0.5),
                                 switch_at=1)
    opt2.load_state_dict(_through_checkpoint(sd))
    assert opt2.switch_at == 6 and opt2.second.param_groups[0]["momentum"] == 0.9
    resumed = _ns_run(opt2, params2, d, 12 - save_at)
    assert all(np.array_equal(a, b) for sa, sb in zip(straight, resumed)
               for a, b in zip(sa, sb))

def test_switch_finishes_the_elongated_bowl():
    """Adam gets close to (2, -3) quickly; SGD then converges linearly to the exact minimum."""
    x = ns.tensor([0.0, 0.0], dtype=np.float64, requires_grad=True)
    opt = optim.SwitchOptimizer(optim.Adam([x], lr=0.1), optim.SGD([x], lr=0.04), 100)
    for _ in range(400):
        opt.zero_grad()
        ((x[0] - 2) ** 2 + 10 * (x[1] + 3) ** 2).backward()
        opt.step()
    np.testing.assert_allclose(x.numpy(), [2.0, -3.0], atol=1e-10)

def test_switch_bad_input():
    a = ns.tensor([1.0], requires_grad=True)
    b = ns.tensor([2.0], requires_grad=True)
    adam = optim.Adam([a])
    with pytest.raises(ValueError, match="switch_at"):
        optim.SwitchOptimizer(adam, optim.SGD([a]), switch_at=-1)
    with pytest.raises(ValueError, match="switch_at"):
        optim.SwitchOptimizer(adam, optim.SGD([a]), switch_at=2.5)
    with pytest.raises(TypeError, match="second must be an Optimizer"):
        optim.SwitchOptimizer(adam, torch.optim.SGD([torch.zeros(1, requires_grad=True)]), 3)
    with pytest.raises(ValueError, match="same parameters"):
        optim.SwitchOptimizer(adam, optim.SGD([a, b]), switch_at=3)
    with pytest.raises(ValueError, match="same optimizer"):
        optim.SwitchOptimizer(adam, adam, switch_at=3)
    with pytest.raises(ValueError, match="expected keys"):
        optim.SwitchOptimizer(adam, optim.SGD([a]), 3).load_state_dict({"steps": 1})

def test_state_dicts_survive_a_real_checkpoint(tmp_path):
    """Every optimizer, a scheduler, an EMA and the switch through ns.save / ns.load (no
    pickle), then training continues bit-identically."""
    from nnscratch.optim import lr_scheduler

    d = case_data()
    params = ns_params(d)
    opts = [getattr(optim, cls)(params, **kw) for cls, kw in STATEFUL]
    switch = optim.SwitchOptimizer(optim.Adam(params), optim.SGD(params, momentum=0.9), 3)
    sched = lr_scheduler.CosineAnnealingLR(opts[0], T_max=5)
    ema = optim.EMA(params, decay=0.9)

    def run(opts, switch, sched, ema, params, steps):
        out = []
        for _ in range(steps):
            for o in opts + [switch]:
                o.zero_grad()
                ns_loss(*params, d).backward()
                o.step()
            sched.step()
            ema.update()
            out.append([p.numpy().copy() for p in params] + list(ema.average.values()))
        return out

    run(opts, switch, sched, ema, params, 4)
    state = {"params": [p.numpy() for p in params], "opts": [o.state_dict() for o in opts],
             "switch": switch.state_dict(), "sched": sched.state_dict(),
             "ema": ema.state_dict()}
    ns.save(state, tmp_path / "ckpt")
    straight = run(opts, switch, sched, ema, params, 4)

    back = ns.load(tmp_path / "ckpt")
    params2 = [ns.tensor(a, requires_grad=True) for a in back["params"]]
    opts2 = [getattr(optim, cls)(params2) for cls, _ in STATEFUL]
    for o, sd in zip(opts2, back["opts"]):
        o.load_state_dict(sd)
    switch2 = optim.SwitchOptimizer(optim.Adam(params2), optim.SGD(params2), 1)
    switch2.load_state_dict(back["switch"])
    sched2 = lr_scheduler.CosineAnnealingLR(opts2[0], T_max=5)
    sched2.load_state_dict(back["sched"])
    ema2 = optim.EMA(params2)
    ema2.load_state_dict(back["ema"])
    resumed = run(opts2, switch2, sched2, ema2, params2, 4)
    assert all(np.array_equal(a, b) for sa, sb in zip(straight, resumed)
               for a, b in zip(sa, sb))
