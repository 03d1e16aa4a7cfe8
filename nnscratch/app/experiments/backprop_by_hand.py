"""Backpropagation as the texts write it, in NumPy, against nnscratch's autograd: 002's
Algorithm 6.1 (mini-batch, eqs. 6.24-6.28, regression and classification), 001's "bricks"
(§8.6, eqs. 8.7-8.10), 003's BP1-BP4
(eq. 2.9) through every layer, 003 §5.1's product of weights in an L-layer diagonal network,
and 004's Theorem 1.5.1 recurrence."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...nn import functional as F
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _net(sizes, act):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act()]
    return nn.Sequential(*layers[:-1]).double()


def _linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def algorithm_6_1(Ws, bs, X, y, regression):
    """002 Algorithm 6.1 line by line (h = ReLU): returns J and [(dW, db)] per layer."""
    Q, Zs, Qs = X, [], [X]
    for k, (W, b) in enumerate(zip(Ws, bs)):
        Z = Q @ W.T + b                                    # line 4
        Zs.append(Z)
        Q = np.maximum(Z, 0) if k < len(Ws) - 1 else Z     # line 5, not for l = L
        Qs.append(Q)
    nb, ZL = len(X), Zs[-1]
    if regression:
        J = float(np.mean((y - ZL[:, 0]) ** 2))            # line 9
        dZ = (-2 * (y - ZL[:, 0]))[:, None]                # line 10
    else:
        lse = np.log(np.exp(ZL).sum(1))
        J = float(np.mean(-ZL[np.arange(nb), y] + lse))    # line 12
        dZ = np.exp(ZL) / np.exp(ZL).sum(1, keepdims=True)  # line 13
        dZ[np.arange(nb), y] -= 1
    grads, dQ = [], None
    for k in reversed(range(len(Ws))):
        if k < len(Ws) - 1:
            dZ = dQ * (Zs[k] > 0)                          # line 16
        dQ = dZ @ Ws[k]                                    # line 17
        grads.append((dZ.T @ Qs[k] / nb, dZ.sum(0) / nb))  # lines 18-19
    return J, grads[::-1]


@experiment("backprop-equations", source="002 Algorithm 6.1; 001 §8.6; 003 §2.1, §5.1; 004 §1.5",
            summary="the texts' backpropagation equations written out in NumPy, against "
                    "autograd: every layer, every parameter")
def backprop_equations(cfg: Config) -> Result:
    """* 002 Algorithm 6.1 (eqs. 6.24-6.28): a 4-8-6-1 ReLU network for regression and a
      4-8-6-3 one for classification, on a mini-batch of 16, the cost and every dW, db
      against ``F.mse_loss`` / ``F.cross_entropy`` and ``backward()``.
    * 001 §8.6, eqs. 8.7-8.10: each brick's δˡ (and the linear brick's ∂L/∂θ_ij = x_i δ_j)
      from a random δˡ⁺¹, against the VJP autograd uses.
    * 003 §2.1, eq. 2.9 (BP1-BP4): a 3-5-4-2 sigmoid network with the quadratic cost
      C = ½‖y − aᴸ‖²: δᴸ = (aᴸ − y) ⊙ σ'(zᴸ), δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), ∂C/∂b = δ,
      ∂C/∂w_jk = a_k^(l-1) δ_j, through every layer.
    * 003 §5.1: the diagonal linear network of L = 12 layers: ∂L/∂w₁₁⁽¹⁾ = (ŷ − y) w₁₁⁽ᴸ⁾
      w₁₁⁽ᴸ⁻¹⁾ ⋯ w₁₁⁽²⁾ x₁; with every weight 0.9 it is 0.9¹¹ of the 1-layer value (the
      vanishing gradient).  The text's second row writes w₁₁⁽²⁾ where w₂₂⁽²⁾ is meant.
    * 004 Theorem 1.5.1: ∂h_kˡ/∂w_ij⁽ⁿ⁾ = h'(s) Σ_t w_kt⁽ˡ⁾ ∂h_t⁽ˡ⁻¹⁾/∂w_ij⁽ⁿ⁾, run forward
      from layer n, against autograd of every unit of the last layer.  Its ℓ = n case prints
      h_iⁿ · h_j⁽ⁿ⁻¹⁾ where h'(s_i) · h_j⁽ⁿ⁻¹⁾ is meant (the derivative of h_i = h(s_i) with
      respect to w_ij): we check the corrected case, and report how far the printed one is.
    """
    gen = nsrandom.rng(cfg.seed)
    metrics: dict = {}
    rows: list[dict] = []
    _algorithm_6_1_checks(gen, metrics, rows)

    rows = _bp1_to_bp4(gen, metrics, rows)

    _diagonal_network(gen, metrics)

    _theorem_1_5_1(gen, metrics)

    rows = _bricks_eqs_8_7_to_8_10(gen, metrics, rows)

    fig_path = _gaps_figure(rows, metrics, cfg)
    hand = "ours: the text's equations in NumPy"
    return Result(
        metrics=metrics,
        expected={"algorithm_6_1_regression_grad_gap": Expect("<=", 1e-12, "002 Algorithm 6.1",
                                                              source=hand),
                  "algorithm_6_1_regression_cost_gap": Expect("<=", 1e-12, "its cost, line 9",
                                                              source=hand),
                  "algorithm_6_1_classification_grad_gap": Expect("<=", 1e-12, "002 Algorithm "
                                                                  "6.1, lines 12-13",
                                                                  source=hand),
                  "algorithm_6_1_classification_cost_gap": Expect("<=", 1e-12, "its cost",
                                                                  source=hand),
                  "bricks_eqs_8_7_8_10_gap": Expect("<=", 1e-12, "001 §8.6: the linear, "
                                                    "sigmoid, tanh, ReLU and softmax bricks",
                                                    source=hand),
                  "bp1_bp4_grad_gap": Expect("<=", 1e-12, "003 eq. 2.9, every layer",
                                             source=hand),
                  "bp1_bp4_layers_checked": Expect("==", 3, "all three layers", source="ours"),
                  "diagonal_dw11_gap": Expect("<=", 1e-12, "003 §5.1's product of weights",
                                              source=hand),
                  "diagonal_vanishing_ratio_minus_0.9^11": Expect(
                      "<=", 1e-12, "weights 0.9 over 12 layers: the gradient shrinks by "
                      "0.9¹¹", source="ours: 003 §5.1's product, closed form"),
                  "theorem_1_5_1_gap": Expect("<=", 1e-12, "004 Theorem 1.5.1 with the "
                                              "ℓ = n case corrected", source=hand),
                  "theorem_1_5_1_printed_case_gap": Expect(
                      ">", 1e-3, "the ℓ = n case as printed (h_i h_j) is not the derivative",
                      source="ours: 004 Theorem 1.5.1 as printed")},
        figures=[fig_path], headline="bp1_bp4_grad_gap",
        tables={"by hand against autograd": rows})


def _algorithm_6_1_checks(gen, metrics, rows):
    """002 Algorithm 6.1 on a 4-8-6-1 regression and a 4-8-6-3 classification ReLU network: cost
    and every dW, db against autograd."""
    for task, sizes in (("regression", [4, 8, 6, 1]), ("classification", [4, 8, 6, 3])):
        model = _net(sizes, nn.ReLU)
        X = gen.standard_normal((16, 4))
        y = gen.standard_normal(16) if task == "regression" else gen.integers(0, 3, 16)
        lin = _linears(model)
        J, grads = algorithm_6_1([m.weight.numpy() for m in lin], [m.bias.numpy() for m in lin],
                                 X, y, task == "regression")
        out = model(tensor(X))
        loss = F.mse_loss(out[:, 0], tensor(y)) if task == "regression" else \
            F.cross_entropy(out, tensor(y))
        loss.backward()
        gap = max(max(float(np.abs(m.weight.grad.numpy() - dW).max()),
                      float(np.abs(m.bias.grad.numpy() - db).max()))
                  for m, (dW, db) in zip(lin, grads))
        metrics[f"algorithm_6_1_{task}_grad_gap"] = gap
        metrics[f"algorithm_6_1_{task}_cost_gap"] = abs(loss.item() - J)
        rows.append({"check": f"002 Algorithm 6.1, {task}", "max |by hand − autograd|": gap})


def _bp1_to_bp4(gen, metrics, rows):
    """003 eq. 2.9 (BP1-BP4) through every layer of a 3-5-4-2 sigmoid network with the quadratic
    cost."""
    model = _net([3, 5, 4, 2], nn.Sigmoid)
    lin = _linears(model)
    x, y = gen.standard_normal(3), gen.uniform(0, 1, 2)
    a, zs, acts = x, [], [x]
    for m in lin:
        zs.append(m.weight.numpy() @ a + m.bias.numpy())
        a = _sigmoid(zs[-1])
        acts.append(a)
    dsig = [_sigmoid(z) * (1 - _sigmoid(z)) for z in zs]
    delta = (acts[-1] - y) * dsig[-1]                                   # BP1
    bp: list = [None] * len(lin)
    for k in reversed(range(len(lin))):
        bp[k] = (np.outer(delta, acts[k]), delta)                       # BP4, BP3
        if k:
            delta = (lin[k].weight.numpy().T @ delta) * dsig[k - 1]     # BP2
    C = 0.5 * ((y - model(tensor(x[None]))[0].sigmoid()) ** 2).sum()   # aᴸ = σ(zᴸ)
    C.backward()
    per_layer = [max(float(np.abs(m.weight.grad.numpy() - dw).max()),
                     float(np.abs(m.bias.grad.numpy() - db).max()))
                 for m, (dw, db) in zip(lin, bp)]
    metrics["bp1_bp4_grad_gap"] = max(per_layer)
    metrics["bp1_bp4_layers_checked"] = len(per_layer)
    rows += [{"check": f"003 BP1-BP4, layer {k + 1}", "max |by hand − autograd|": g}
             for k, g in enumerate(per_layer)]
    return rows


def _diagonal_network(gen, metrics):
    """003 §5.1: the diagonal linear network's ∂L/∂w₁₁⁽¹⁾ as a product of weights, and its
    vanishing at w = 0.9."""
    L = 12

    def diagonal_grad(w_value, n_layers):
        Ws = [tensor(np.diag([w_value, w_value]), requires_grad=True)
              for _ in range(n_layers - 1)]
        WL = tensor(np.array([[w_value, w_value]]), requires_grad=True)
        h = tensor(np.array([[1.5], [-0.5]]))
        for W in Ws:
            h = W @ h
        y_hat = (WL @ h)[0, 0]
        loss = 0.5 * (tensor(2.0) - y_hat) ** 2
        loss.backward()
        grad = Ws[0].grad.numpy()[0, 0] if Ws else WL.grad.numpy()[0, 0]
        return float(grad), float(y_hat.item())
    rng_w = gen.uniform(0.5, 1.5, (L - 1, 2))
    Ws = [tensor(np.diag(r), requires_grad=True) for r in rng_w]
    WL = tensor(gen.uniform(0.5, 1.5, (1, 2)), requires_grad=True)
    x0 = np.array([1.5, -0.5])
    h = tensor(x0[:, None])
    for W in Ws:
        h = W @ h
    y_hat = (WL @ h)[0, 0]
    (0.5 * (tensor(2.0) - y_hat) ** 2).backward()
    by_hand = (y_hat.item() - 2.0) * WL.numpy()[0, 0] * np.prod(rng_w[1:, 0]) * x0[0]
    metrics["diagonal_dw11_gap"] = abs(float(Ws[0].grad.numpy()[0, 0]) - by_hand)
    g_deep, y_deep = diagonal_grad(0.9, L)
    # the same product formula at w = 0.9: (ŷ − y)·0.9^(L-1)·x1
    metrics["diagonal_vanishing_ratio"] = g_deep / ((y_deep - 2.0) * x0[0])
    metrics["diagonal_vanishing_ratio_minus_0.9^11"] = abs(metrics["diagonal_vanishing_ratio"]
                                                           - 0.9 ** (L - 1))


def _theorem_1_5_1(gen, metrics):
    """004 Theorem 1.5.1: the forward recurrence for one weight w_ij of a tanh network's first
    layer, corrected and as printed, against autograd."""
    model = _net([3, 4, 4, 2], nn.Tanh)
    lin = _linears(model)
    x = gen.standard_normal(3)
    hs, ss = [x], []
    for m in lin:
        ss.append(m.weight.numpy() @ hs[-1] + m.bias.numpy())
        hs.append(np.tanh(ss[-1]) if len(ss) < len(lin) else ss[-1])
    n, i, j = 0, 2, 1                              # the weight w_ij of the first layer

    def dh(k, z):
        return (1 - np.tanh(z) ** 2) if k < len(lin) - 1 else np.ones_like(z)
    d = np.zeros(4)
    d[i] = dh(n, ss[n])[i] * hs[n][j]              # ℓ = n, corrected: h'(s_i) h_j
    printed = np.zeros(4)
    printed[i] = hs[n + 1][i] * hs[n][j]           # ℓ = n as printed: h_i h_j
    for k in range(n + 1, len(lin)):
        d = dh(k, ss[k]) * (lin[k].weight.numpy() @ d)
        printed = dh(k, ss[k]) * (lin[k].weight.numpy() @ printed)
    auto = []
    for unit in range(2):
        model.zero_grad()
        model(tensor(x[None]))[0, unit].backward()
        auto.append(float(lin[n].weight.grad.numpy()[i, j]))
    metrics["theorem_1_5_1_gap"] = float(np.abs(np.array(auto) - d).max())
    metrics["theorem_1_5_1_printed_case_gap"] = float(np.abs(np.array(auto) - printed).max())


def _bricks_eqs_8_7_to_8_10(gen, metrics, rows):
    """001 §8.6, eqs. 8.7-8.10: each brick's layer equations against the VJP autograd uses."""
    xb = gen.standard_normal(5)
    theta = gen.standard_normal((5, 4))          # θ_ij: input i, output j
    dlin = gen.standard_normal(4)                # δ^(l+1) of the linear brick's output
    dsq = gen.standard_normal(5)                 # δ^(l+1) of the element-wise bricks
    xt, tt = tensor(xb, requires_grad=True), tensor(theta, requires_grad=True)
    ((xt @ tt) * tensor(dlin)).sum().backward()
    bricks = {"8.7 linear": max(float(np.abs(xt.grad.numpy() - theta @ dlin).max()),
                                float(np.abs(tt.grad.numpy() - np.outer(xb, dlin)).max()))}
    sig, th = _sigmoid(xb), np.tanh(xb)
    sm = np.exp(xb) / np.exp(xb).sum()
    for name, fn, by_hand in (("8.8 sigmoid", lambda t: t.sigmoid(), dsq * sig * (1 - sig)),
                              ("8.8 tanh", lambda t: t.tanh(), dsq * (1 - th ** 2)),
                              ("8.9 relu", lambda t: t.relu(), dsq * (xb > 0)),
                              ("8.10 softmax", lambda t: F.softmax(t, dim=0),
                               sm * (dsq - sm @ dsq))):
        t = tensor(xb, requires_grad=True)
        (fn(t) * tensor(dsq)).sum().backward()
        bricks[name] = float(np.abs(t.grad.numpy() - by_hand).max())
    metrics["bricks_eqs_8_7_8_10_gap"] = max(bricks.values())
    rows += [{"check": f"001 eq. {k}", "max |by hand − autograd|": v} for k, v in bricks.items()]
    return rows


def _gaps_figure(rows, metrics, cfg):
    """Every check's gap as a bar (log scale)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [r["check"] for r in rows] + ["003 §5.1 ∂L/∂w₁₁⁽¹⁾", "004 Thm 1.5.1"]
    vals: list = [r["max |by hand − autograd|"] for r in rows] + [metrics["diagonal_dw11_gap"],
                                                          metrics["theorem_1_5_1_gap"]]
    ax.barh(labels, [float(v) + 1e-18 for v in vals])
    ax.set_xscale("log")
    ax.set(xlabel="max |by hand − autograd|", title="the texts' backprop equations vs autograd")
    return savefig(fig, cfg.figure("backprop_equations"))
