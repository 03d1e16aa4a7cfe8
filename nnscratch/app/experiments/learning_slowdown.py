"""The learning slowdown of a saturated sigmoid neuron under the quadratic cost, and the
cross-entropy cost's answer to it (003 Ex. 3.2)."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as nsrandom
from ...nn import functional as F
from ...tensor import tensor
from ._worked import set_linear
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
