"""Universal approximation (003 ch. 4): the step and bump constructions of Figures 4.1-4.3,
the towers of §4.3 in m variables, and the constructions against trained networks
(Figures 4.1-4.7)."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...autograd import no_grad
from ...models import universal
from ...nn import functional as F
from ...tensor import tensor
from ._worked import forward, set_linear, train_steps
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


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

@experiment("universal-approximation", source="003 ch. 4 (Figures 4.1-4.7)",
            summary="hand-built bump networks (10 and 50 bumps), a trained net, a 2-D tower")
def universal_approximation(cfg):
    f = universal.nielsen_function
    x = np.linspace(0, 1, 2001)[:, None]
    errors, curves = {}, {}
    for n in (10, 50):
        net = universal.approximate_1d(f, n)
        with no_grad():
            curves[n] = net(tensor(x)).numpy()
        errors[n] = float(np.abs(curves[n] - f(x)).max())

    # the same function learnt by gradient descent: one hidden layer of 50 tanh units
    nsrandom.manual_seed(cfg.seed)
    net = nn.Sequential(nn.Linear(1, 50), nn.Tanh(), nn.Linear(50, 1)).double()
    xt = np.linspace(0, 1, 256)[:, None]
    steps = 1500 if cfg.quick else 6000
    train_steps(net, xt, f(xt), F.mse_loss, steps, lr=1e-2, seed=cfg.seed)
    with no_grad():
        trained = net(tensor(x)).numpy()
    trained_err = float(np.abs(trained - f(x)).max())

    tower = universal.tower_network((1.0, 2.0), (-2.0, 0.0))
    gx, gy = np.meshgrid(np.linspace(0, 3, 121), np.linspace(-3, 1, 121))
    with no_grad():
        tz = tower(tensor(np.stack([gx.ravel(), gy.ravel()], 1))).numpy().reshape(gx.shape)

    fig = plt.figure(figsize=(14, 4))
    for i, n in enumerate((10, 50)):
        ax = fig.add_subplot(1, 4, i + 1)
        ax.plot(x, f(x), "k", lw=1, label="f(x)")
        ax.plot(x, curves[n], "r", lw=1, label=f"{n} bumps")
        ax.set_title(f"{n} hand-built bumps: max error {errors[n]:.3f}")
        ax.legend(fontsize=8)
    ax = fig.add_subplot(1, 4, 3)
    ax.plot(x, f(x), "k", lw=1, label="f(x)")
    ax.plot(x, trained, "b", lw=1, label="trained, 50 tanh units")
    ax.set_title(f"trained: max error {trained_err:.3f}")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(1, 4, 4, projection="3d")
    ax.plot_surface(gx, gy, tz, cmap="viridis")
    ax.set_title("tower on (1, 2) × (-2, 0)")
    fig_path = savefig(fig, cfg.figure("universal_approximation"))
    with no_grad():
        inside = tower(tensor(np.array([[1.5, -1.0]]))).item()
        outside = tower(tensor(np.array([[0.5, -1.0], [1.5, 0.5]]))).numpy().max()
    metrics = {"max_error_10_bumps": errors[10], "max_error_50_bumps": errors[50],
               "error_ratio_50_to_10": errors[50] / errors[10],
               "max_error_trained": trained_err,
               "tower_inside": float(inside), "tower_outside_max": float(outside)}
    expected = {"error_ratio_50_to_10": Expect("<", 0.5, "more bumps, smaller error",
                                               source="text: 003 Figure 4.5"),
                "max_error_50_bumps": Expect("<", 0.1, "003 Figure 4.5 draws the fit, "
                                             "prints no error", source="ours"),
                "max_error_trained": Expect("<", errors[10], "50 trained tanh units beat 10 "
                                            "hand-built bumps (Adam"
                                            + (", quick: 1,500 steps)" if cfg.quick
                                               else ", 6,000 steps)"), source="ours"),
                "tower_inside": Expect(">", 0.99, "tower ≈ 1 inside the rectangle", source="ours"),
                "tower_outside_max": Expect("<", 0.01, "≈ 0 outside", source="ours")}
    return Result(metrics, expected, [fig_path], headline="max_error_50_bumps")
