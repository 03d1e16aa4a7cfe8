"""Limits of scaled networks (003): as c → ∞, a sigmoid network becomes a perceptron network
(Ex. 1.1-1.2) and softmax becomes argmax (Ex. 3.3)."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...autograd import no_grad
from ...nn import functional as F
from ...tensor import tensor
from ._worked import forward, set_linear
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _step(z):
    """The perceptron's output: 1 if w·x + b > 0, else 0 (003 Ex. 1.2)."""
    return (z > 0).astype(np.float64)

@experiment("sigmoid-to-perceptron", source="003 Ex. 1.1-1.2",
            summary="a sigmoid network with weights and biases scaled by c tends to the "
                    "perceptron network as c → ∞, unless some w·x + b = 0 (stuck at ½)")
def sigmoid_to_perceptron(cfg: Config) -> Result:
    """003 Exercises 1.1-1.2: a network of perceptrons (integer weights and biases in
    [-3, 3], sizes 4-6-5-3, a fixed 0/1 input, every w·x + b ≠ 0) is rebuilt with sigmoid
    neurons and all weights and biases multiplied by c > 0.  As c grows the sigmoid network's
    outputs tend to the perceptron network's; scaling by c leaves the perceptron network
    itself unchanged (Ex. 1.1).  Then one first-layer bias is set to -w·x, so that its
    w·x + b = 0: the sigmoid neuron is "stuck at 1/2 irrespective of c" while the perceptron
    outputs 0.  Exact in quick mode too (a few forward passes).
    """
    gen = nsrandom.rng(cfg.seed)
    sizes = [4, 6, 5, 3]
    x = gen.integers(0, 2, (1, 4)).astype(np.float64)
    while True:   # resample until no perceptron sits exactly on its threshold
        params = [(gen.integers(-3, 4, (o, i)).astype(float), gen.integers(-3, 4, o).astype(float))
                  for i, o in zip(sizes[:-1], sizes[1:])]
        a, zs = x, []
        for W, b in params:
            zs.append(a @ W.T + b)
            a = _step(zs[-1])
        if all((z != 0).all() for z in zs):
            break
    perceptron_out = a

    def sigmoid_net(params, c):
        layers = []
        for W, b in params:
            layers += [set_linear(nn.Linear(W.shape[1], W.shape[0]), c * W, c * b), nn.Sigmoid()]
        return nn.Sequential(*layers).double()

    def perceptron_net(params, c):
        """The perceptrons as nnscratch layers: Linear with c·W, c·b, then the step (z > 0);
        compared below with the NumPy network above (no nnscratch in it)."""
        a = tensor(x)
        with no_grad():
            for W, b in params:
                lin = set_linear(nn.Linear(W.shape[1], W.shape[0]).double(), c * W, c * b)
                a = (lin(a) > 0).double()
        return a.numpy()

    cs = [1, 3, 10, 30, 100, 1000]
    gaps = [float(np.abs(forward(sigmoid_net(params, c), x) - perceptron_out).max()) for c in cs]
    scale_invariant = all(np.array_equal(perceptron_net(params, c), perceptron_out) for c in cs)
    stuck = [(W.copy(), b.copy()) for W, b in params]
    stuck[0][1][0] = -float(x[0] @ stuck[0][0][0])       # w·x + b = 0 for the first unit
    stuck_unit = [float(forward(nn.Sequential(sigmoid_net(stuck, c)[:2]), x)[0, 0]) for c in cs]
    stuck_perceptron = float(_step(x @ stuck[0][0].T + stuck[0][1])[0, 0])

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].loglog(cs, gaps, "o-")
    axes[0].set(xlabel="c", ylabel="max |sigmoid net - perceptron net|",
                title="all w·x + b ≠ 0: the sigmoid network tends to the perceptrons")
    axes[1].semilogx(cs, stuck_unit, "o-", label="sigmoid neuron with w·x + b = 0")
    axes[1].axhline(stuck_perceptron, c="k", ls=":", label="the perceptron it replaced")
    axes[1].set(xlabel="c", ylim=(-0.1, 1.1), title="w·x + b = 0: stuck at 1/2")
    axes[1].legend()
    fig_path = savefig(fig, cfg.figure("sigmoid_to_perceptron"))
    src = "text: 003 Ex. 1.2"
    return Result(
        metrics={"gap_c_1": gaps[0], "gap_c_1000": gaps[-1],
                 "gaps_decrease": float(all(b < a for a, b in zip(gaps, gaps[1:]))),
                 "perceptrons_scale_invariant": float(scale_invariant),
                 "stuck_unit_c_1000": stuck_unit[-1], "stuck_perceptron": stuck_perceptron},
        expected={"gap_c_1000": Expect("<=", 1e-12, "the limit c → ∞ is the perceptron "
                                       "network", source=src),
                  "gaps_decrease": Expect("==", 1.0, "closer as c grows", source=src),
                  "perceptrons_scale_invariant": Expect("==", 1.0, "scaling by c > 0 changes "
                                                        "no perceptron",
                                                        source="text: 003 Ex. 1.1"),
                  "stuck_unit_c_1000": Expect("==", 0.5, "stuck at 1/2 irrespective of c",
                                              source=src)},
        figures=[fig_path], headline="gap_c_1000",
        tables={"c": [{"c": c, "max gap": g, "stuck unit": s}
                      for c, g, s in zip(cs, gaps, stuck_unit)]})

@experiment("softmax-to-argmax", source="003 Ex. 3.3",
            summary="softmax(c z) tends to the one-hot of argmax z as c → ∞ (a tie splits)")
def softmax_to_argmax(cfg: Config) -> Result:
    """003 Exercise 3.3: ``a_j = e^{c z_j} / Σ_i e^{c z_i}`` tends to 1 for the largest z_j and
    to 0 for the others as c → ∞ — the "soft" maximum becomes the hard one.  We take ten
    standard-normal scores and ``F.softmax(c z)`` for c from 1 to 10⁴ (the stable shift by
    max z of the exercise's own solution keeps large c finite), and show where the argument
    needs a unique maximum: with a tie the two largest entries both tend to 1/2.
    """
    gen = nsrandom.rng(cfg.seed)
    z = gen.standard_normal(10)
    onehot = np.eye(10)[z.argmax()]
    cs = [1, 10, 100, 1000, 10_000]
    probs = [F.softmax(tensor(c * z), dim=-1).numpy() for c in cs]
    gaps = [float(np.abs(p - onehot).max()) for p in probs]
    z_tie = z.copy()
    z_tie[np.argsort(z)[-2]] = z.max()
    tie = F.softmax(tensor(1000 * z_tie), dim=-1).numpy()

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / 3
    for k, c in enumerate([1, 10, 100]):
        axes[0].bar(np.arange(10) + (k - 1) * width, probs[k], width, label=f"c = {c}")
    axes[0].set(xlabel="j", ylabel="softmax(c z)_j", title="softmax(c z) for ten scores z")
    axes[0].legend()
    axes[1].loglog(cs, gaps, "o-")
    axes[1].set(xlabel="c", ylabel="max |softmax(c z) - onehot(argmax z)|",
                title="the limit is argmax")
    fig_path = savefig(fig, cfg.figure("softmax_to_argmax"))
    src = "text: 003 Ex. 3.3"
    return Result(
        metrics={"gap_c_1": gaps[0], "gap_c_1000": gaps[3], "gap_c_10000": gaps[4],
                 "all_finite": float(all(np.isfinite(p).all() for p in probs)),
                 "tie_top_two": sorted(float(v) for v in tie)[-2:],
                 "tie_max": float(tie.max())},
        expected={"gap_c_1000": Expect("<=", 1e-12, "a_j → 1 at the max, 0 elsewhere",
                                       source=src),
                  "all_finite": Expect("==", 1.0, "no overflow at c = 10⁴ (the shift by max z)",
                                       source=src),
                  "tie_max": Expect("<=", 0.5 + 1e-12, "with a tie the limit splits: the "
                                    "exercise needs a unique maximum", source="ours")},
        figures=[fig_path], headline="gap_c_1000")
