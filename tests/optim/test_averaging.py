"""Weight averaging (PolyakAverage, EMA): parity with torch.optim.swa_utils.AveragedModel, the
variance reduction it exists for, swapping, state round trips, bad input."""
import math

import numpy as np
import pytest
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

import nnscratch as ns
import nnscratch.optim as optim
from nnscratch import nn


def _linear_pair(rng):
    ours = nn.Linear(3, 2).double()
    theirs = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    return ours, theirs


@pytest.mark.parametrize("kind", ["polyak", "ema"])
def test_average_matches_torch_averaged_model(rng, kind):
    ours, theirs = _linear_pair(rng)
    if kind == "ema":
        avg, tavg = optim.EMA(ours, decay=0.9), AveragedModel(
            theirs, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    else:
        avg, tavg = optim.PolyakAverage(ours), AveragedModel(theirs)
    for k in range(15):
        for p, tp in zip(ours.parameters(), theirs.parameters()):
            step = rng.normal(size=p.shape)
            p.data += step
            with torch.no_grad():
                tp.add_(torch.tensor(step))
        avg.update()
        tavg.update_parameters(theirs)
        assert avg.n_averaged == int(tavg.n_averaged) == k + 1
        got = avg.average
        np.testing.assert_allclose(got["weight"], tavg.module.weight.detach().numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(got["bias"], tavg.module.bias.detach().numpy(), rtol=1e-12)


def test_polyak_average_is_the_mean_of_the_iterates(rng):
    p = ns.tensor(np.zeros(4), requires_grad=True)
    avg = optim.PolyakAverage([p])
    seen = []
    for _ in range(10):
        p.data[...] = rng.normal(size=4)
        seen.append(p.numpy().copy())
        avg.update()
    np.testing.assert_allclose(avg.average["0"], np.mean(seen, axis=0), rtol=1e-13)


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.02, momentum=0.8),
    lambda ps: optim.Adam(ps, lr=0.02),
], ids=["sgd", "sgd_momentum", "adam"])
def test_averaging_reduces_the_variance_of_noisy_iterates(make_opt):
    """Noisy gradients of a quadratic with minimum c: with a constant step the iterates keep
    fluctuating around c, their averages sit much closer to it (Polyak & Juditsky 1992)."""
    r = np.random.default_rng(3)
    dim, steps, burn_in = 200, 3000, 500
    a = r.uniform(0.5, 2.0, size=dim)           # curvatures
    c = r.normal(size=dim)                      # the minimum
    x = ns.tensor(np.zeros(dim), requires_grad=True)
    opt = make_opt([x])
    polyak, ema = optim.PolyakAverage([x]), optim.EMA([x], decay=0.99)
    ema_track, x_track = [], []
    for k in range(steps):
        x.grad = a * (x.numpy() - c) + r.normal(size=dim)       # gradient plus N(0, 1) noise
        opt.step()
        ema.update()
        if k >= burn_in:
            polyak.update()
        if k >= steps - 200:
            x_track.append(x.numpy().copy())
            ema_track.append(ema.average["0"])
    err_x = np.mean((x.numpy() - c) ** 2)
    err_polyak = np.mean((polyak.average["0"] - c) ** 2)
    err_ema = np.mean((ema.average["0"] - c) ** 2)
    assert err_polyak < 0.05 * err_x
    assert err_ema < 0.5 * err_x
    # the EMA also fluctuates less from step to step than the iterate does
    assert np.var(ema_track, axis=0).mean() < 0.3 * np.var(x_track, axis=0).mean()


def test_swapped_puts_the_average_in_and_the_live_weights_back(rng):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    ema = optim.EMA(model, decay=0.5)
    ema.update()
    for p in model.parameters():
        p.data += 1.0
    ema.update()
    live = [p.numpy().copy() for p in model.parameters()]
    ids = [id(p.numpy()) for p in model.parameters()]
    with ema.swapped():
        for p, w, name in zip(model.parameters(), live, ema.names):
            np.testing.assert_allclose(p.numpy(), w - 0.5, rtol=1e-6)
            assert name in ema.average
    for p, w, i in zip(model.parameters(), live, ids):
        assert np.array_equal(p.numpy(), w) and id(p.numpy()) == i      # restored, in place
    with pytest.raises(ZeroDivisionError):
        with ema.swapped():
            1 / 0
    assert all(np.array_equal(p.numpy(), w) for p, w in zip(model.parameters(), live))
    ema.apply()
    with pytest.raises(RuntimeError, match="already applied"):
        ema.apply()
    with pytest.raises(RuntimeError, match="restore"):
        ema.update()
    ema.restore()
    with pytest.raises(RuntimeError, match="apply"):
        ema.restore()


def test_buffers_are_averaged_with_use_buffers(rng):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ema = optim.EMA(model, decay=0.75, use_buffers=True)
    assert "1.running_mean" in ema.names and "1.num_batches_tracked" in ema.names
    means = []
    for _ in range(4):
        model(ns.tensor(rng.normal(size=(8, 3)).astype(np.float32)))
        means.append(model[1].running_mean.copy())
        ema.update()
    expect = means[0]
    for m in means[1:]:
        expect = 0.75 * expect + 0.25 * m
    with ema.swapped():
        np.testing.assert_allclose(model[1].running_mean, expect, rtol=1e-5)
        assert int(model[1].num_batches_tracked) == 4
    np.testing.assert_array_equal(model[1].running_mean, means[-1])
    plain = optim.EMA(model)
    assert not any("running" in n for n in plain.names)


def test_state_dict_round_trip_continues_identically(rng):
    def run(ema, p, k0, k1):
        for k in range(k0, k1):
            p.data[...] = np.sin(np.arange(5) * (k + 1))
            ema.update()
        return ema.average["0"]

    p = ns.tensor(np.zeros(5), requires_grad=True)
    ema = optim.EMA([p], decay=0.8)
    run(ema, p, 0, 6)
    sd = ema.state_dict()
    assert isinstance(sd["n_averaged"], int) and isinstance(sd["average"]["0"], np.ndarray)
    straight = run(ema, p, 6, 12)
    q = ns.tensor(np.zeros(5), requires_grad=True)
    ema2 = optim.EMA([q], decay=0.1)
    ema2.load_state_dict({"n_averaged": np.array(6), "decay": np.array(0.8),
                          "average": {"0": sd["average"]["0"]}})
    assert ema2.decay == 0.8
    assert np.array_equal(run(ema2, q, 6, 12), straight)
    with pytest.raises(ValueError, match="shape"):
        optim.EMA([ns.tensor(np.zeros(4), requires_grad=True)]).load_state_dict(sd)
    with pytest.raises(ValueError, match="names"):
        optim.PolyakAverage([p, q]).load_state_dict(sd)


@pytest.mark.parametrize("call, err, name", [
    (lambda p: optim.EMA([p], decay=-0.1), ValueError, "decay"),
    (lambda p: optim.EMA([p], decay=1.5), ValueError, "decay"),
    (lambda p: optim.EMA([p], decay=math.nan), ValueError, "decay"),
    (lambda p: optim.EMA([p], decay="high"), TypeError, "decay"),
    (lambda p: optim.PolyakAverage([]), ValueError, "no parameters"),
    (lambda p: optim.PolyakAverage([p, np.ones(3)]), TypeError, "position 1"),
    (lambda p: optim.PolyakAverage([p], use_buffers=True), ValueError, "use_buffers"),
    (lambda p: optim.PolyakAverage([p]).apply(), RuntimeError, "update"),
    (lambda p: optim.PolyakAverage([p]).average, RuntimeError, "update"),
    (lambda p: optim.EMA([p]).load_state_dict({"average": {}}), ValueError, "n_averaged"),
])
def test_bad_input(call, err, name):
    p = ns.tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(err, match=name):
        call(p)
