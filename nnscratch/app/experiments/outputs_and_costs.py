"""Output layers and costs, from 003's exercises: a layer that turns ten digit outputs into
four bits (Ex. 1.3), the steepest small step (Ex. 1.4), where cross-entropy is minimised and
its gradients without σ' (Ex. 3.1, §3.1.1, §3.2 eqs. 3.4-3.7)."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...nn import functional as F
from ...tensor import tensor
from ._worked import forward, set_linear
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment

# 003 Ex. 1.3: the digits whose bit j is 1, bit 0 the least significant
BITS = {j: [d for d in range(10) if d >> j & 1] for j in range(4)}
PRINTED_BIT1 = [2, 3, 6, 7, 9]      # as the solution prints it: 9 = 1001 has bit 1 = 0


def _bit_layer(ones_per_bit, c):
    """Weights +1 from the digits whose bit is 1, -1 from the others, bias 0, times c."""
    W = -np.ones((4, 10))
    for j, digits in ones_per_bit.items():
        W[j, digits] = 1.0
    return nn.Sequential(set_linear(nn.Linear(10, 4), c * W, np.zeros(4)), nn.Sigmoid()).double()


@experiment("bitwise-output-layer", source="003 Ex. 1.3",
            summary="an extra layer turns the ten digit outputs into the digit's four bits")
def bitwise_output_layer(cfg: Config) -> Result:
    """003 Exercise 1.3: the old output layer gives ≥ 0.99 on the right digit and < 0.01 on
    the others; a new layer with weight +1 from each digit whose bit j is 1, -1 from the
    others and bias 0 has z_j > 0.90 when bit j is 1 and < -0.90 when it is 0 (the
    solution's bounds); times a large constant (c = 10 here) its sigmoids read the bits.
    Inputs: for each digit, 0.99 on it and 0.01 elsewhere, and 200 random inputs within the
    exercise's bounds.  The solution lists 2, 3, 6, 7, 9 for bit 1; 9 = 1001 does not belong
    (we build the layer from the binary digits and report the printed list's errors)."""
    gen = nsrandom.rng(cfg.seed)
    X = np.full((10, 10), 0.01)
    np.fill_diagonal(X, 0.99)
    digits = np.repeat(np.arange(10), 20)
    Xr = gen.uniform(0, 0.01, (200, 10))
    Xr[np.arange(200), digits] = gen.uniform(0.99, 1.0, 200)
    Xr = np.vstack([X, Xr])
    target = np.r_[np.arange(10), digits]
    bits = (target[:, None] >> np.arange(4)) & 1
    z = forward(_bit_layer(BITS, 1.0)[0], Xr)
    margin = float(np.min(np.where(bits == 1, z, -z)))
    W = np.where(bits[:10].T == 1, 1.0, -1.0)          # the same weights, row j: bit j
    z_gap = float(np.abs(z - Xr @ W.T).max())
    out = forward(_bit_layer(BITS, 10.0), Xr)
    wrong = int(((out > 0.5) != bits).any(1).sum())
    printed = forward(_bit_layer({**BITS, 1: PRINTED_BIT1}, 10.0), Xr)
    printed_wrong_digits = sorted({int(d) for d in target[((printed > 0.5) != bits).any(1)]})

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.imshow(out[:10].T, cmap="Greys", vmin=0, vmax=1)
    ax.set(xticks=range(10), yticks=range(4), yticklabels=["0'", "1'", "2'", "3'"],
           xlabel="digit shown to the old output layer", title="the new layer's bits (c = 10)")
    fig_path = savefig(fig, cfg.figure("bitwise_output_layer"))
    return Result(
        metrics={"z_margin": margin, "z_minus_numpy": z_gap, "inputs_decoded_wrong": wrong,
                 "printed_bit1_wrong_digits": printed_wrong_digits,
                 "printed_bit1_number_wrong": len(printed_wrong_digits)},
        expected={"z_margin": Expect(">", 0.90, "|z_j| > 0.90 on the right side",
                                     source="text: 003 Ex. 1.3"),
                  "z_minus_numpy": Expect("<=", 1e-12, "the layer computes z = Wx + b",
                                          source="ours: NumPy"),
                  "inputs_decoded_wrong": Expect("==", 0, "every input reads as its 4 bits",
                                                 source="text: 003 Ex. 1.3"),
                  "printed_bit1_number_wrong": Expect("==", 1, "the printed list for bit 1 "
                                                      "misreads one digit (9)",
                                                      source="ours: binary arithmetic")},
        figures=[fig_path], headline="inputs_decoded_wrong")


@experiment("steepest-step", source="003 Ex. 1.4",
            summary="among steps of length ε, Δv = -ε ∇C/‖∇C‖ lowers C the most")
def steepest_step(cfg: Config) -> Result:
    """003 Exercise 1.4 numerically: on C(v) = Σ log(1 + e^{a·v}) + ½‖v‖² in 10 dimensions
    (gradient by autograd), the change ∇C·Δv over 5,000 random directions of length ε is never
    below -ε‖∇C‖, which Δv = -ε∇C/‖∇C‖ attains (Cauchy-Schwarz); and the true change
    C(v + Δv) - C(v) of the steepest step is the lowest of all, to first order in ε."""
    gen = nsrandom.rng(cfg.seed)
    A = gen.standard_normal((20, 10))
    v0 = gen.standard_normal(10)

    def C(v):
        return (1 + (tensor(A) @ v).exp()).log().sum() + 0.5 * (v * v).sum()

    v = tensor(v0, requires_grad=True)
    C(v).backward()
    g = v.grad.numpy()
    eps = 1e-3
    dirs = gen.standard_normal((5000, 10))
    dirs *= eps / np.linalg.norm(dirs, axis=1, keepdims=True)
    steepest = -eps * g / np.linalg.norm(g)
    linear = dirs @ g
    c0 = C(tensor(v0)).item()
    true_changes = np.array([C(tensor(v0 + d)).item() - c0 for d in dirs[:500]])
    best = C(tensor(v0 + steepest)).item() - c0

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(linear, bins=60, alpha=0.7, label="∇C·Δv, random Δv with ‖Δv‖ = ε")
    ax.axvline(steepest @ g, c="k", label="Δv = -ε∇C/‖∇C‖")
    ax.legend(fontsize=8)
    ax.set(xlabel="∇C·Δv", title="003 Ex. 1.4: the steepest step")
    fig_path = savefig(fig, cfg.figure("steepest_step"))
    bound = -eps * float(np.linalg.norm(g))
    return Result(
        metrics={"steepest_change_minus_bound": abs(float(steepest @ g) - bound),
                 "random_below_bound": int((linear < bound - 1e-15).sum()),
                 "steepest_true_change": best,
                 "random_true_change_min": float(true_changes.min()),
                 "steepest_beats_random": float(best <= true_changes.min())},
        expected={"steepest_change_minus_bound": Expect("<=", 1e-15, "attains -ε‖∇C‖",
                                                        source="text: 003 Ex. 1.4"),
                  "random_below_bound": Expect("==", 0, "no step of length ε does better",
                                               source="text: 003 Ex. 1.4"),
                  "steepest_beats_random": Expect("==", 1.0, "and in the true change of C",
                                                  source="ours")},
        figures=[fig_path], headline="random_below_bound")


@experiment("cross-entropy-gradients", source="003 Ex. 3.1, §3.1.1, §3.2 eqs. 3.4-3.7",
            summary="cross-entropy is smallest where a = y, and its gradients lose the σ' "
                    "factor: ∂C/∂w = x(a − y) for sigmoid and softmax outputs")
def cross_entropy_gradients(cfg: Config) -> Result:
    """* Ex. 3.1: C(a) = -[y ln a + (1 - y) ln(1 - a)] over a grid of a is smallest at a = y
      (for y = 0.2, 0.5, 0.7), where ∂C/∂a = (a - y)/(a(1 - a)) vanishes (autograd).
    * §3.1.1, eqs. 3.1-3.2: for one sigmoid neuron with ``F.binary_cross_entropy``,
      ∂C/∂w_j = x_j (a - y), ∂C/∂b = a - y — no σ'(z) — against autograd.
    * §3.2, eqs. 3.4-3.7: a softmax layer with C = -ln a_r: ∂C/∂b_j = a_j - y_j and
      ∂C/∂w_jk = a_k^(L-1) (a_j - y_j), against autograd of ``F.cross_entropy``."""
    gen = nsrandom.rng(cfg.seed)
    grid = np.linspace(0.001, 0.999, 999)
    argmins, zero_grads = [], []
    for y in (0.2, 0.5, 0.7):
        a = tensor(grid, requires_grad=True)
        C = -(y * a.log() + (1 - y) * (1 - a).log())
        C.sum().backward()
        argmins.append(abs(float(grid[int(np.argmin(C.detach().numpy()))]) - y))
        k = int(np.argmin(np.abs(grid - y)))
        zero_grads.append(abs(float(a.grad.numpy()[k])))
    # one sigmoid neuron
    neuron = nn.Linear(5, 1).double()
    x, y = gen.standard_normal(5), 0.3
    a = neuron(tensor(x[None])).sigmoid()
    F.binary_cross_entropy(a[0], tensor(np.array([y]))).backward()
    av = float(a.detach().numpy()[0, 0])
    neuron_gap = max(float(np.abs(neuron.weight.grad.numpy()[0] - x * (av - y)).max()),
                     abs(float(neuron.bias.grad.numpy()[0]) - (av - y)))
    # a softmax layer
    layer = nn.Linear(6, 4).double()
    h, r = gen.standard_normal(6), 2
    z = layer(tensor(h[None]))
    F.cross_entropy(z, tensor([r])).backward()
    p = np.exp(z.detach().numpy()[0])
    p /= p.sum()
    yv = np.eye(4)[r]
    softmax_gap = max(float(np.abs(layer.bias.grad.numpy() - (p - yv)).max()),
                      float(np.abs(layer.weight.grad.numpy() - np.outer(p - yv, h)).max()))

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for y in (0.2, 0.5, 0.7):
        ax.plot(grid, -(y * np.log(grid) + (1 - y) * np.log(1 - grid)), label=f"y = {y}")
        ax.axvline(y, ls=":", c="gray")
    ax.set(ylim=(0, 3), xlabel="a", ylabel="C", title="003 Ex. 3.1: smallest at a = y")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("cross_entropy_gradients"))
    return Result(
        metrics={"argmin_minus_y": max(argmins), "grad_at_y": max(zero_grads),
                 "sigmoid_neuron_grad_gap": neuron_gap, "softmax_grad_gap": softmax_gap},
        expected={"argmin_minus_y": Expect("<=", 1e-3, "minimised at a = y (grid step 1e-3)",
                                           source="text: 003 Ex. 3.1"),
                  "grad_at_y": Expect("<=", 1e-9, "∂C/∂a = 0 at a = y",
                                      source="text: 003 Ex. 3.1"),
                  "sigmoid_neuron_grad_gap": Expect("<=", 1e-12, "∂C/∂w_j = x_j(a − y), "
                                                    "∂C/∂b = a − y",
                                                    source="ours: eqs. 3.1-3.2 in NumPy"),
                  "softmax_grad_gap": Expect("<=", 1e-12, "∂C/∂b_j = a_j − y_j, ∂C/∂w_jk = "
                                             "a_k(a_j − y_j)",
                                             source="ours: eqs. 3.6-3.7 in NumPy")},
        figures=[fig_path], headline="softmax_grad_gap")
