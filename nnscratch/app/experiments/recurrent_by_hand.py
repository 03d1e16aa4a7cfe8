"""000 ch. 9's recurrent equations written out in NumPy and checked against nnscratch's layers
and autograd: backpropagation through time (eqs. 9.12-9.24), the bound on the activation
derivatives behind vanishing gradients (Figure 9.3) and the bias-free LSTM and GRU cells
(eqs. 9.33-9.42)."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...autograd import no_grad
from ...nn import functional as F
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def bptt_by_hand(x, labels, Wx, Wh, bh, Wy, by):
    """000 eqs. 9.1-9.24 in NumPy: z_tʰ = W_x x_t + W_h h_(t-1) + b_h, h_t = tanh(z_tʰ),
    y_t = softmax(W_y h_t + b_y), E = Σ_t -log y_t[l_t]; δ_tʸ = y_t - l_t (9.14),
    δ_tʰ = (W_yᵀ δ_tʸ + W_hᵀ δ_(t+1)ʰ) ⊙ (1 - tanh²(z_tʰ)) (9.17), and the sums 9.18-9.22.
    Returns (E, {name: gradient})."""
    T, H = len(x), len(bh)
    h = np.zeros((T + 1, H))                 # h[0] = h_0 = 0
    ys, E = [], 0.0
    for t in range(T):
        h[t + 1] = np.tanh(Wx @ x[t] + Wh @ h[t] + bh)
        ys.append(_softmax(Wy @ h[t + 1] + by))
        E -= np.log(ys[-1][labels[t]])
    g = {k: np.zeros_like(v) for k, v in (("Wx", Wx), ("Wh", Wh), ("bh", bh), ("Wy", Wy),
                                           ("by", by))}
    dh_next = np.zeros(H)
    for t in reversed(range(T)):
        dy = ys[t].copy()
        dy[labels[t]] -= 1                                   # (9.14)
        dh = (Wy.T @ dy + Wh.T @ dh_next) * (1 - h[t + 1] ** 2)   # (9.17)
        g["Wy"] += np.outer(dy, h[t + 1])                    # (9.18)
        g["by"] += dy                                        # (9.19)
        g["Wh"] += np.outer(dh, h[t])                        # (9.20)
        g["Wx"] += np.outer(dh, x[t])                        # (9.21)
        g["bh"] += dh                                        # (9.22)
        dh_next = dh
    return E, g


def lstm_by_hand(x, W, U):
    """000 eqs. 9.33-9.38, no biases: W[g] (H, H) acts on h_(t-1), U[g] (H, D) on x_t."""
    H = W["i"].shape[0]
    h, c, hs = np.zeros(H), np.zeros(H), []
    for xt in x:
        i = _sigmoid(W["i"] @ h + U["i"] @ xt)
        f = _sigmoid(W["f"] @ h + U["f"] @ xt)
        o = _sigmoid(W["o"] @ h + U["o"] @ xt)
        c_tilde = np.tanh(W["c"] @ h + U["c"] @ xt)
        c = f * c + i * c_tilde
        h = o * np.tanh(c)
        hs.append(h)
    return np.array(hs)


def lstm_003(x, W, U, b):
    """003 eqs. 5.1-5.6 (with biases): rem (forget), ltm' (candidate), save (input), focus
    (output); ltm the long-term memory (the cell), wm the working memory (the state).
    W[g] (d, p) acts on x_t, U[g] (d, d) on wm_(t-1)."""
    d = U["r"].shape[0]
    ltm, wm, out = np.zeros(d), np.zeros(d), []
    for xt in x:
        rem = _sigmoid(W["r"] @ xt + U["r"] @ wm + b["r"])           # (5.1)
        cand = np.tanh(W["l"] @ xt + U["l"] @ wm + b["l"])           # (5.2)
        save = _sigmoid(W["s"] @ xt + U["s"] @ wm + b["s"])          # (5.3)
        ltm = rem * ltm + save * cand                                # (5.4)
        focus = _sigmoid(W["f"] @ xt + U["f"] @ wm + b["f"])         # (5.5)
        wm = focus * np.tanh(ltm)                                    # (5.6)
        out.append(wm)
    return np.array(out)


def gru_by_hand(x, W, U):
    """000 eqs. 9.39-9.42, no biases; eq. 9.41's h_t inside the reset is h_(t-1) (the state
    the candidate is computed from), and eq. 9.42 keeps h_(t-1) by z: h_t = z ⊙ h_(t-1) +
    (1 - z) ⊙ h̃_t."""
    H = W["z"].shape[0]
    h, hs = np.zeros(H), []
    for xt in x:
        z = _sigmoid(W["z"] @ h + U["z"] @ xt)
        r = _sigmoid(W["r"] @ h + U["r"] @ xt)
        h_tilde = np.tanh(W["h"] @ (h * r) + U["h"] @ xt)
        h = z * h + (1 - z) * h_tilde
        hs.append(h)
    return np.array(hs)


@experiment("recurrent-equations", source="000 §9.2-9.4, eqs. 9.12-9.42, Figure 9.3; "
                                          "003 §5.2",
            summary="BPTT (eqs. 9.12-9.24), the derivative bounds of Figure 9.3 and the LSTM "
                    "and GRU cells (eqs. 9.33-9.42) by hand against nnscratch")
def recurrent_equations(cfg: Config) -> Result:
    """* BPTT: a tanh RNN (3 inputs, 5 units, 4 classes, T = 6) with a softmax output and the
      summed cross-entropy (9.8-9.11); the gradients of eqs. 9.14-9.22 in NumPy against
      ``nn.RNN`` + ``nn.Linear`` + ``F.cross_entropy(reduction="sum")`` and ``backward()``;
      one step of (9.23)-(9.24) against ``optim.SGD``.
    * Figure 9.3: tanh' ≤ 1 (= 1 at 0) and σ' ≤ 1/4 (= 1/4 at 0), the γ that bounds each
      factor of the product in eq. 9.32: the maximum over a grid of the derivatives autograd
      gives, against the closed forms.
    * §9.4: the bias-free LSTM (9.33-9.38) and GRU (9.39-9.42) in NumPy against ``nn.LSTM``
      and ``nn.GRU(reset_after=False)`` built with ``bias=False`` and the same weights
      (PyTorch's stacking: LSTM rows i, f, g, o; GRU rows r, z, n).
    * 003 §5.2, eqs. 5.1-5.6: the LSTM in 003's names (rem, save, focus, ltm', ltm, wm), with
      biases, against ``nn.LSTM``.  003 gives W_r ∈ ℝ^(p×d) where W_r·x_t needs d × p.
    """
    from ... import optim
    gen = nsrandom.rng(cfg.seed)
    D, H, K, T = 3, 5, 4, 6
    x = gen.standard_normal((T, D))
    labels = gen.integers(0, K, T)
    Wx, Wh, bh = (0.5 * gen.standard_normal(s) for s in ((H, D), (H, H), (H,)))
    Wy, by = 0.5 * gen.standard_normal((K, H)), 0.5 * gen.standard_normal(K)
    E_hand, g_hand = bptt_by_hand(x, labels, Wx, Wh, bh, Wy, by)

    rnn, head = nn.RNN(D, H, batch_first=True).double(), nn.Linear(H, K).double()
    with no_grad():
        rnn.weight_ih_l0.data[...] = Wx
        rnn.weight_hh_l0.data[...] = Wh
        rnn.bias_ih_l0.data[...] = bh
        rnn.bias_hh_l0.data[...] = 0.0
        head.weight.data[...] = Wy
        head.bias.data[...] = by
    out, _ = rnn(tensor(x[None]))
    E = F.cross_entropy(head(out[0]), tensor(labels), reduction="sum")
    E.backward()
    auto = {"Wx": rnn.weight_ih_l0.grad, "Wh": rnn.weight_hh_l0.grad, "bh": rnn.bias_ih_l0.grad,
            "Wy": head.weight.grad, "by": head.bias.grad}
    grad_gap = max(float(np.abs(auto[k].numpy() - g_hand[k]).max()) for k in g_hand)
    eta = 0.1
    optim.SGD(list(rnn.parameters()) + list(head.parameters()), lr=eta).step()
    step_gap = float(max(np.abs(rnn.weight_hh_l0.numpy() - (Wh - eta * g_hand["Wh"])).max(),
                         np.abs(head.weight.numpy() - (Wy - eta * g_hand["Wy"])).max()))

    dtanh, dsig, zz, closed_gap = _activation_derivatives()

    lstm_gap, lstm_003_gap, gru_gap = _gated_cells(gen, H, D, x)

    fig_path = _recurrent_figure(zz, dtanh, dsig, g_hand, auto, cfg)
    return Result(
        metrics={"loss_by_hand": float(E_hand), "loss_minus_hand": abs(E.item() - E_hand),
                 "bptt_grad_minus_autograd": grad_gap, "sgd_step_minus_eq_9_23": step_gap,
                 "max_dtanh": float(dtanh.max()), "max_dsigmoid": float(dsig.max()),
                 "derivatives_minus_closed_form": closed_gap,
                 "lstm_minus_eqs_9_33_9_38": lstm_gap, "gru_minus_eqs_9_39_9_42": gru_gap,
                 "lstm_minus_003_eqs_5_1_5_6": lstm_003_gap},
        expected={"loss_minus_hand": Expect("<=", 1e-12, "E = Σ_t E_t (9.9-9.11)",
                                            source="ours: eqs. 9.8-9.11 in NumPy"),
                  "bptt_grad_minus_autograd": Expect("<=", 1e-12, "eqs. 9.14-9.22 = autograd",
                                                     source="ours: eqs. 9.14-9.22 in NumPy"),
                  "sgd_step_minus_eq_9_23": Expect("<=", 1e-12, "W − η ∂E/∂W (9.23-9.24)",
                                                   source="ours: eqs. 9.23-9.24 in NumPy"),
                  "max_dtanh": Expect("==", 1.0, "tanh' peaks at 1", source="text: 000 "
                                      "Figure 9.3"),
                  "max_dsigmoid": Expect("==", 0.25, "σ' peaks at 1/4",
                                         source="text: 000 Figure 9.3"),
                  "derivatives_minus_closed_form": Expect("<=", 1e-12, "1 − tanh², σ(1 − σ)",
                                                          source="ours: closed form"),
                  "lstm_minus_eqs_9_33_9_38": Expect("<=", 1e-12, "nn.LSTM(bias=False) = "
                                                     "eqs. 9.33-9.38",
                                                     source="ours: eqs. 9.33-9.38 in NumPy"),
                  "lstm_minus_003_eqs_5_1_5_6": Expect("<=", 1e-12, "nn.LSTM = 003's rem, "
                                                       "save, focus, ltm, wm (eqs. 5.1-5.6)",
                                                       source="ours: 003 eqs. 5.1-5.6 in "
                                                       "NumPy"),
                  "gru_minus_eqs_9_39_9_42": Expect("<=", 1e-12, "nn.GRU(bias=False, "
                                                    "reset_after=False) = eqs. 9.39-9.42",
                                                    source="ours: eqs. 9.39-9.42 in NumPy")},
        figures=[fig_path], headline="bptt_grad_minus_autograd")


def _activation_derivatives():
    """tanh' and σ' by autograd on a grid, against their closed forms (Figure 9.3)."""
    z = tensor(np.linspace(-6, 6, 1201), requires_grad=True)
    z.tanh().sum().backward()
    dtanh = z.grad.numpy()
    z2 = tensor(np.linspace(-6, 6, 1201), requires_grad=True)
    z2.sigmoid().sum().backward()
    dsig = z2.grad.numpy()
    zz = np.linspace(-6, 6, 1201)
    closed_gap = float(max(np.abs(dtanh - (1 - np.tanh(zz) ** 2)).max(),
                           np.abs(dsig - _sigmoid(zz) * (1 - _sigmoid(zz))).max()))
    return dtanh, dsig, zz, closed_gap


def _gated_cells(gen, H, D, x):
    """§9.4's LSTM and GRU cells (bias-free) and 003 §5.2's LSTM in its own names, by hand
    against nn.LSTM / nn.GRU."""
    # §9.4: the cells, bias-free
    W = {g: 0.5 * gen.standard_normal((H, H)) for g in "ifoc"}
    U = {g: 0.5 * gen.standard_normal((H, D)) for g in "ifoc"}
    lstm = nn.LSTM(D, H, bias=False, batch_first=True).double()
    lstm.weight_hh_l0.data[...] = np.vstack([W[g] for g in "ifco"])
    lstm.weight_ih_l0.data[...] = np.vstack([U[g] for g in "ifco"])
    Wg = {g: 0.5 * gen.standard_normal((H, H)) for g in "zrh"}
    Ug = {g: 0.5 * gen.standard_normal((H, D)) for g in "zrh"}
    gru = nn.GRU(D, H, bias=False, batch_first=True, reset_after=False).double()
    gru.weight_hh_l0.data[...] = np.vstack([Wg[g] for g in "rzh"])
    gru.weight_ih_l0.data[...] = np.vstack([Ug[g] for g in "rzh"])
    with no_grad():
        lstm_out = lstm(tensor(x[None]))[0].numpy()[0]
        gru_out = gru(tensor(x[None]))[0].numpy()[0]
    lstm_gap = float(np.abs(lstm_out - lstm_by_hand(x, W, U)).max())
    # 003 §5.2: the same cell with biases, in its own names (PyTorch rows: i, f, g, o =
    # save, rem, ltm', focus)
    W3 = {g: 0.5 * gen.standard_normal((H, D)) for g in "rlsf"}
    U3 = {g: 0.5 * gen.standard_normal((H, H)) for g in "rlsf"}
    b3 = {g: 0.5 * gen.standard_normal(H) for g in "rlsf"}
    lstm3 = nn.LSTM(D, H, batch_first=True).double()
    lstm3.weight_ih_l0.data[...] = np.vstack([W3[g] for g in "srlf"])
    lstm3.weight_hh_l0.data[...] = np.vstack([U3[g] for g in "srlf"])
    lstm3.bias_ih_l0.data[...] = np.concatenate([b3[g] for g in "srlf"])
    lstm3.bias_hh_l0.data[...] = 0.0
    with no_grad():
        lstm3_out = lstm3(tensor(x[None]))[0].numpy()[0]
    lstm_003_gap = float(np.abs(lstm3_out - lstm_003(x, W3, U3, b3)).max())
    gru_gap = float(np.abs(gru_out - gru_by_hand(x, Wg, Ug)).max())
    return lstm_gap, lstm_003_gap, gru_gap


def _recurrent_figure(zz, dtanh, dsig, g_hand, auto, cfg):
    """Figure 9.3's derivative bounds (left) and the BPTT gaps per parameter (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(zz, dtanh, label="tanh' (autograd)")
    axes[0].plot(zz, dsig, label="σ' (autograd)")
    axes[0].axhline(1, ls=":", c="C0")
    axes[0].axhline(0.25, ls=":", c="C1")
    axes[0].set(xlabel="z", title="Figure 9.3: tanh' ≤ 1, σ' ≤ 1/4")
    axes[0].legend()
    names = list(g_hand)
    axes[1].bar(names, [float(np.abs(auto[k].numpy() - g_hand[k]).max()) + 1e-18
                        for k in names])
    axes[1].set_yscale("log")
    axes[1].set(title="BPTT by hand (9.18-9.22) − autograd", ylabel="max |difference|")
    return savefig(fig, cfg.figure("recurrent_equations"))
