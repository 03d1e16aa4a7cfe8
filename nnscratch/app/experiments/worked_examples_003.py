"""003's worked exercises: the cross-entropy cost's answer to the learning slowdown (Ex. 3.2),
the limits c → ∞ of sigmoid networks (Ex. 1.2) and of softmax (Ex. 3.3), the step and bump
constructions drawn as Figures 4.1-4.3, and the towers of §4.3 in m variables."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as nsrandom
from ...autograd import no_grad
from ...models import universal
from ...nn import functional as F
from ...tensor import tensor
from ._worked import forward, set_linear
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _last_layer_gradient(cost, seed):
    """∂C/∂W^L of a 3-5-4 network with a sigmoid output layer, by autograd and by Ex. 3.2's
    formulas: (1/n) Σ_x a^{L-1}_k (a^L_j - y_j) for cross-entropy, the same times σ'(z^L_j)
    for the quadratic cost ½ Σ_j (y_j - a^L_j)².  Returns the largest difference."""
    gen = nsrandom.rng(seed)
    nsrandom.manual_seed(seed)
    body, last = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid()).double(), nn.Linear(5, 4).double()
    X, Y = gen.standard_normal((8, 3)), gen.integers(0, 2, (8, 4)).astype(np.float64)
    a_prev = body(tensor(X))
    a = F.sigmoid(last(a_prev))
    n = len(X)
    if cost == "cross-entropy":
        loss = F.binary_cross_entropy(a, tensor(Y), reduction="sum") / n
    else:
        loss = 0.5 * F.mse_loss(a, tensor(Y), reduction="sum") / n
    loss.backward()
    a, a_prev = a.numpy(), a_prev.numpy()
    err = a - Y if cost == "cross-entropy" else (a - Y) * a * (1 - a)
    return float(np.abs(last.weight.grad.numpy() - err.T @ a_prev / n).max())


def _one_neuron(cost, epochs, lr=0.15):
    """Nielsen's ch. 3 demonstration: one sigmoid neuron, input x = 1, target y = 0, started
    saturated at w = b = 2 (output 0.88), plain gradient descent with η = 0.15."""
    neuron = set_linear(nn.Linear(1, 1), [[2.0]], [2.0]).double()
    opt = optim.SGD(neuron.parameters(), lr=lr)
    x, y = tensor(np.ones((1, 1))), tensor(np.zeros((1, 1)))
    outputs = []
    for _ in range(epochs):
        a = F.sigmoid(neuron(x))
        loss = (F.binary_cross_entropy(a, y) if cost == "cross-entropy"
                else 0.5 * F.mse_loss(a, y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        outputs.append(a.item())
    return np.array(outputs)


@experiment("cross-entropy-slowdown", source="003 Ex. 3.2",
            summary="∂C/∂w = a^{L-1}(a - y) for cross-entropy, times σ'(z) for the quadratic "
                    "cost: a saturated neuron learns fast with the first, slowly with the second")
def cross_entropy_slowdown(cfg: Config) -> Result:
    """003 Exercise 3.2: for a sigmoid output layer the cross-entropy cost gives
    ``∂C/∂w^L_jk = (1/n) Σ_x a^{L-1}_k (a^L_j - y_j)``, while the quadratic cost gives the same
    "times σ'(z^L_j)".  We check both formulas against autograd on a two-layer network (to
    1e-12), then show what the σ' factor does: one neuron started badly wrong and saturated
    (Nielsen's ch. 3 demo: x = 1, y = 0, w = b = 2, η = 0.15; 003 does not give a setting),
    trained for 300 epochs with each cost.  The quadratic cost's gradient is damped by
    σ'(4) ≈ 0.018 and the output stays high for the first epochs; cross-entropy's is not.
    The run is the same in quick mode (it takes a fraction of a second).
    """
    errors = {c: _last_layer_gradient(c, cfg.seed) for c in ("cross-entropy", "quadratic")}
    epochs = 300
    out = {c: _one_neuron(c, epochs) for c in ("cross-entropy", "quadratic")}
    # the first epoch at which the output has fallen below 0.5
    below = {c: int(np.argmax(o < 0.5)) + 1 if (o < 0.5).any() else epochs + 1
             for c, o in out.items()}

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for c, o in out.items():
        axes[0].plot(np.arange(1, epochs + 1), o, label=c)
    axes[0].set(xlabel="epoch", ylabel="output a", title="one saturated neuron, target 0")
    axes[0].legend()
    z = np.linspace(-6, 6, 301)
    s = 1 / (1 + np.exp(-z))
    axes[1].plot(z, s * (1 - s), label="σ'(z): the quadratic cost's extra factor")
    axes[1].axvline(4.0, ls=":", c="gray", label="the neuron's start, z = 4")
    axes[1].set(xlabel="z", title="why the quadratic cost learns slowly")
    axes[1].legend(fontsize=8)
    fig_path = savefig(fig, cfg.figure("cross_entropy_slowdown"))
    src = "text: 003 Ex. 3.2"
    ours = "ours: Nielsen ch. 3's setting (x = 1, y = 0, w = b = 2, η = 0.15)"
    return Result(
        metrics={"grad_error_cross_entropy": errors["cross-entropy"],
                 "grad_error_quadratic": errors["quadratic"],
                 "output_after_300_cross_entropy": float(out["cross-entropy"][-1]),
                 "output_after_300_quadratic": float(out["quadratic"][-1]),
                 "epochs_to_below_half_cross_entropy": below["cross-entropy"],
                 "epochs_to_below_half_quadratic": below["quadratic"],
                 "speedup_to_below_half": below["quadratic"] / below["cross-entropy"]},
        expected={"grad_error_cross_entropy": Expect("<=", 1e-12, "(1/n) Σ a^{L-1}(a - y)",
                                                     source=src),
                  "grad_error_quadratic": Expect("<=", 1e-12, "... · σ'(z^L)", source=src),
                  "speedup_to_below_half": Expect(">=", 3.0, "cross-entropy leaves the "
                                                  "saturated start several times sooner",
                                                  source=ours),
                  "output_after_300_cross_entropy": Expect("<", 0.05, "close to the target 0",
                                                           source=ours)},
        figures=[fig_path], headline="speedup_to_below_half")


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


@experiment("step-and-bump", source="003 §4.1, Figures 4.1-4.3",
            summary="a sigmoid neuron with w = 1000, b = -s w steps at s (Fig. 4.1); two of "
                    "them and an output neuron make the bump of Figs. 4.2-4.3")
def step_and_bump(cfg: Config) -> Result:
    """003 §4.1 as its three figures.  Figure 4.1: ``σ(w x + b)`` with ``b = -s w`` steps from
    0 to 1 at x = s, the sharper the larger w ("say w = 1000.0").  Figure 4.2: the network
    that outputs 1 iff x ∈ (s1, s2), ``σ(h a1 - h a2 - h/2)`` with ``a_i = σ(w_i x - s_i w_i)``
    (drawn as a diagram).  Figure 4.3: its output for w1 = w2 = 10000.0 and h = 10000.0 (the
    text does not give s1, s2; we take 0.4 and 0.6).  The text's claims, checked on a grid:
    σ(-h/2) ≈ 0 left of s1 and right of s2, σ(h/2) ≈ 1 inside, "a number between 0 and 1" at
    the boundary points (exactly 1/2 at s1: a1 = 1/2, a2 ≈ 0).
    """
    s1, s2, w, h = 0.4, 0.6, 1e4, 1e4
    x = np.linspace(0, 1, 2001)[:, None]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
    for ww in (10.0, 100.0, 1000.0):
        axes[0].plot(x, forward(universal.step_network(0.5, ww), x), label=f"w = {ww:g}, "
                     f"b = {-0.5 * ww:g}")
    axes[0].plot(x, forward(universal.step_network(0.3, 1000.0), x), "--",
                 label="w = 1000, b = -300 (s = 0.3)")
    axes[0].set(xlabel="x", ylabel="σ(w x + b)", title="Figure 4.1: steps at s = -b / w")
    axes[0].legend(fontsize=8)
    ax = axes[1]
    nodes = {"x": (0, 0.5), "a1": (1, 0.8), "a2": (1, 0.2), "out": (2, 0.5)}
    for (p, q, label) in (("x", "a1", "w1"), ("x", "a2", "w2"), ("a1", "out", "h"),
                          ("a2", "out", "-h")):
        (x0, y0), (x1, y1) = nodes[p], nodes[q]
        ax.annotate("", (x1 - 0.12, y1 + (y0 - y1) * 0.12), (x0 + 0.12, y0),
                    arrowprops={"arrowstyle": "->"})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.04, label, ha="center")
    for name, (nx, ny) in nodes.items():
        ax.add_patch(plt.Circle((nx, ny), 0.1, fill=False))
        ax.text(nx, ny, name, ha="center", va="center")
    ax.text(1, 0.95, "b1 = -s1·w1", ha="center", fontsize=8)
    ax.text(1, 0.03, "b2 = -s2·w2", ha="center", fontsize=8)
    ax.text(2, 0.35, "bias -h/2", ha="center", fontsize=8)
    ax.set(xlim=(-0.3, 2.3), ylim=(-0.05, 1.05), title="Figure 4.2: the bump network")
    ax.set_aspect("equal")
    ax.axis("off")
    bump = universal.bump_network(s1, s2, w=w, h=h)
    y = forward(bump, x).ravel()
    axes[2].plot(x, y)
    axes[2].set(xlabel="x", title="Figure 4.3: output, w1 = w2 = 10000, h = 10000")
    fig_path = savefig(fig, cfg.figure("step_and_bump"))
    xs = x.ravel()
    inside = (xs > s1 + 1e-3) & (xs < s2 - 1e-3)
    outside = (xs < s1 - 1e-3) | (xs > s2 + 1e-3)
    step = universal.step_network(0.5, 1000.0)
    src = "text: 003 §4.1"
    return Result(
        metrics={"step_at_s": float(forward(step, [[0.5]])[0, 0]),
                 "step_below_s_by_0.01": float(forward(step, [[0.49]])[0, 0]),
                 "step_above_s_by_0.01": float(forward(step, [[0.51]])[0, 0]),
                 "bump_inside_min": float(y[inside].min()),
                 "bump_outside_max": float(y[outside].max()),
                 "bump_at_s1": float(forward(bump, [[s1]])[0, 0])},
        expected={"step_at_s": Expect("==", 0.5, "the step is at s", source=src),
                  "step_below_s_by_0.01": Expect("<", 1e-4, "w = 1000: σ(-10)", source=src),
                  "step_above_s_by_0.01": Expect(">", 1 - 1e-4, "σ(10)", source=src),
                  "bump_inside_min": Expect(">", 1 - 1e-6, "σ(h/2) ≈ 1 on (s1, s2)",
                                            source=src),
                  "bump_outside_max": Expect("<", 1e-6, "σ(-h/2) ≈ 0 outside", source=src),
                  "bump_at_s1": Expect("==", 0.5, "between 0 and 1 at the boundary",
                                       source=src)},
        figures=[fig_path], headline="bump_inside_min")


def tower(intervals, w: float = 1e4, h: float = 1e4, bias=None) -> nn.Sequential:
    """003 §4.3's tower in m = len(intervals) variables: a pair of step neurons per axis
    (``σ(w x_i - w s_i^1)`` and ``σ(w x_i - w s_i^2)``), weights +h and -h into one output
    neuron with bias -(2m - 1) h / 2 (the text: -3h/2 for m = 2, -5h/2 for m = 3).
    Inside the box its input is ≈ m h, with one coordinate outside ≈ (m - 1) h."""
    m = len(intervals)
    W1 = np.zeros((2 * m, m))
    b1 = np.zeros(2 * m)
    for i, (lo, hi) in enumerate(intervals):
        W1[2 * i: 2 * i + 2, i] = w
        b1[2 * i: 2 * i + 2] = (-lo * w, -hi * w)
    b2 = -(2 * m - 1) * h / 2 if bias is None else bias
    return nn.Sequential(set_linear(nn.Linear(m, 2 * m), W1, b1), nn.Sigmoid(),
                         set_linear(nn.Linear(2 * m, 1), np.tile([h, -h], m)[None], [b2]),
                         nn.Sigmoid()).double()  # type: ignore[return-value]


@experiment("towers-m-variables", source="003 §4.3, Figures 4.6-4.7",
            summary="a tower ≈ 1 on a box in m = 1..4 variables, ≈ 0 off it, with the output "
                    "bias -(2m - 1)h/2; the 2-D bias -3h/2 fails for m = 3")
def towers_m_variables(cfg: Config) -> Result:
    """003 §4.3: m sub-networks, each an indicator of an interval on one axis, feed one output
    neuron; with h large it outputs 1 iff every coordinate is inside, when its bias is
    between -(m - 1) h and -m h: the text takes -3h/2 for m = 2 and -5h/2 for m = 3, i.e.
    -(2m - 1) h / 2 (its general formula, printed as "-(h+h-1)/2 = -(2h-1)/2", has h where m
    belongs).  We check m = 1..4 on points inside the box and on the hardest outside points,
    one coordinate out and all others in (box (1, 2) × (-2, 0) × (0, 1) × (0, 1), the first
    two the text's Figure 4.7 rectangle), and that reusing the 2-D bias -3h/2 with m = 3 turns
    those outside points on.  The figure is the text's Figure 4.7, the 2-D tower.
    """
    box = [(1.0, 2.0), (-2.0, 0.0), (0.0, 1.0), (0.0, 1.0)]
    gen = nsrandom.rng(cfg.seed)
    h = 1e4
    metrics = {}
    for m in (1, 2, 3, 4):
        lo, hi = np.array(box[:m]).T
        inside = lo + (hi - lo) * gen.uniform(0.05, 0.95, (200, m))
        one_out = inside.copy()
        axis = gen.integers(0, m, 200)
        side = gen.integers(0, 2, 200)
        one_out[np.arange(200), axis] = np.where(side == 1, hi[axis] + 0.1, lo[axis] - 0.1)
        net = tower(box[:m], h=h)
        metrics[f"inside_min m={m}"] = float(forward(net, inside).min())
        metrics[f"one_out_max m={m}"] = float(forward(net, one_out).max())
        if m == 3:
            wrong = tower(box[:m], h=h, bias=-1.5 * h)
            metrics["one_out_max m=3, bias -3h/2"] = float(forward(wrong, one_out).max())
    g1, g2 = np.meshgrid(np.linspace(0, 3, 121), np.linspace(-3, 1, 121))
    tz = forward(tower(box[:2]), np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
    fig = plt.figure(figsize=(6, 4.5))
    ax = fig.add_subplot(1, 1, 1, projection="3d")
    ax.plot_surface(g1, g2, tz, cmap="viridis")
    ax.set(xlabel="x", ylabel="y", title="Figure 4.7: the tower on (1, 2) × (-2, 0)")
    fig_path = savefig(fig, cfg.figure("towers_m_variables"))
    src = "text: 003 §4.3"
    expected = {}
    for m in (1, 2, 3, 4):
        expected[f"inside_min m={m}"] = Expect(">", 1 - 1e-6, "σ(h/2) ≈ 1 in the box",
                                               source=src)
        expected[f"one_out_max m={m}"] = Expect("<", 1e-6, "σ(-h/2) ≈ 0 off it", source=src)
    expected["one_out_max m=3, bias -3h/2"] = Expect(">", 1 - 1e-6, "the 2-D bias is wrong "
                                                     "for m = 3 (the text: -5h/2)", source=src)
    return Result(metrics, expected, [fig_path], headline="one_out_max m=4")
