"""000 §7.2-7.3: the deep network of Figure 7.2 (4 inputs, two sigmoid hidden layers of 3,
3 softmax outputs) and its backpropagation equations (7.10)-(7.22), checked against autograd
and trained on a 4-feature, 3-class data set (Iris)."""
from __future__ import annotations

import numpy as np

from ... import datasets, metrics, nn, optim
from ... import random as nsrandom
from ...nn import functional as F
from ...tensor import tensor
from ...training import fit, predict
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _backprop_by_hand(layers, X, T):
    """Eqs. (7.12)-(7.22) of 000 §7.3, written out for a batch (rows are samples, so the text's
    column vectors are our rows): forward a1 = σ(W1 x + b1), a2 = σ(W2 a1 + b2),
    a3 = softmax(W3 a2 + b3); δ3 = a3 - t; δ2 = W3ᵀ δ3 ∘ a2 ∘ (1 - a2);
    δ1 = W2ᵀ δ2 ∘ a1 ∘ (1 - a1); ∂E/∂W_l = δ_l a_{l-1}ᵀ, ∂E/∂b_l = δ_l, each averaged over
    the N samples as in the updates (7.21)-(7.22).  Returns [(dW, db)] per layer."""
    (W1, b1), (W2, b2), (W3, b3) = [(lin.weight.numpy(), lin.bias.numpy()) for lin in layers]
    a1 = _sigmoid(X @ W1.T + b1)
    a2 = _sigmoid(a1 @ W2.T + b2)
    a3 = _softmax(a2 @ W3.T + b3)
    d3 = a3 - T
    d2 = (d3 @ W3) * a2 * (1 - a2)
    d1 = (d2 @ W2) * a1 * (1 - a1)
    n = len(X)
    return [(d.T @ a / n, d.mean(0)) for d, a in ((d1, X), (d2, a1), (d3, a2))]


@experiment("dnn-4-3-3-3", source="000 §7.2-7.3, Figure 7.2",
            summary="Figure 7.2's 4-3-3-3 network (sigmoid hidden layers, softmax output): eqs. "
                    "7.10-7.22 against autograd, then trained on Iris by eq. 7.21")
def dnn_4333(cfg: Config) -> Result:
    """000 Figure 7.2: "2 hidden layers (each layer has 3 nodes) with ... sigmoid", "the output
    layer has 3 nodes and a softmax activation", "the input layer has 4 nodes", i.e.
    ``Linear(4, 3) → Sigmoid → Linear(3, 3) → Sigmoid → Linear(3, 3) → softmax`` with the
    cross-entropy E = -Σ t_i log a_i (eq. 7.7); 4·3 + 3 + 3·3 + 3 + 3·3 + 3 = 39 parameters.

    * Eq. 7.10: the softmax Jacobian ∂a/∂z = diag(a) - a aᵀ, against autograd row by row;
      eq. 7.11: ∂E/∂z = a - t.
    * Eqs. 7.12-7.20 with the averaging of 7.21-7.22, by hand, against ``loss.backward()`` on
      the library's network (``F.cross_entropy`` on the logits is softmax + eq. 7.7 fused).
    * Training by eq. 7.21 (full-batch gradient descent, η = 0.5; the text gives no data or
      η for this network): Iris has 4 features and 3 classes, the figure's shape; 120 rows
      to train, 30 to test, standardised.  2,000 epochs (quick 500).
    """
    nsrandom.manual_seed(cfg.seed)
    layers = [nn.Linear(4, 3), nn.Linear(3, 3), nn.Linear(3, 3)]
    net = nn.Sequential(layers[0], nn.Sigmoid(), layers[1], nn.Sigmoid(), layers[2]).double()
    n_params = sum(p.numel() for p in net.parameters())
    gen = nsrandom.rng(cfg.seed)

    jac_err, dedz_err = _softmax_jacobian(gen)

    # eqs. 7.12-7.22 on a batch
    Xb = gen.standard_normal((16, 4))
    yb = gen.integers(0, 3, 16)
    net.zero_grad()
    F.cross_entropy(net(tensor(Xb)), yb).backward()
    hand = _backprop_by_hand(layers, Xb, np.eye(3)[yb])
    backprop_err = max(max(float(np.abs(lin.weight.grad.numpy() - dW).max()),
                           float(np.abs(lin.bias.grad.numpy() - db).max()))
                       for lin, (dW, db) in zip(layers, hand))

    epochs, hist, test_acc = _train_on_iris(gen, cfg, net)

    fig_path = _network_figure(n_params, epochs, hist, test_acc, cfg)
    return Result(
        metrics={"n_parameters": n_params, "softmax_jacobian_error": jac_err,
                 "dE_dz_error": dedz_err, "backprop_error": backprop_err,
                 "train_accuracy": hist.last("accuracy"), "test_accuracy": test_acc,
                 "epochs": epochs},
        expected={"n_parameters": Expect("==", 39, "counted from Figure 7.2's layers",
                                         source="text: 000 Figure 7.2"),
                  "softmax_jacobian_error": Expect("<=", 1e-15, "diag(a) - a aᵀ",
                                                   source="text: 000 eq. 7.10"),
                  "dE_dz_error": Expect("<=", 1e-15, "a - t", source="text: 000 eq. 7.11"),
                  "backprop_error": Expect("<=", 1e-12, "δ's and gradients by hand = "
                                           "autograd", source="text: 000 eqs. 7.12-7.22"),
                  "test_accuracy": Expect(">=", 0.9, "the network learns the 3 classes",
                                          source="ours: Iris stands in for the text's "
                                                 "unspecified data")},
        figures=[fig_path], headline="backprop_error")


def _softmax_jacobian(gen):
    """eqs. 7.10-7.11 on one random logit vector: softmax's Jacobian and ∂E/∂z = a − t, against
    autograd."""
    # eq. 7.10 and 7.11 on one random logit vector
    z = tensor(gen.standard_normal(3), requires_grad=True)
    a = F.softmax(z, dim=-1)
    jac = np.zeros((3, 3))
    for i in range(3):
        z.grad = None
        a[i].backward(retain_graph=True) if i < 2 else a[i].backward()
        jac[i] = z.grad.numpy()
    a_np = a.detach().numpy()
    jac_err = float(np.abs(jac - (np.diag(a_np) - np.outer(a_np, a_np))).max())
    z2 = tensor(z.detach().numpy(), requires_grad=True)
    F.cross_entropy(z2[None], np.array([1])).backward()
    dedz_err = float(np.abs(z2.grad.numpy() - (a_np - np.eye(3)[1])).max())
    return jac_err, dedz_err


def _train_on_iris(gen, cfg, net):
    """Training by eq. 7.21 (SGD on the cross-entropy) on 120 Iris flowers, tested on the other
    30."""
    # training by eq. 7.21 on Iris
    X, y = datasets.load_iris(dtype=np.float64)
    order = gen.permutation(len(X))
    tr, te = order[:120], order[120:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    epochs = cfg.epochs or (500 if cfg.quick else 2000)
    hist = fit(net, X[tr], y[tr], loss=nn.CrossEntropyLoss(),
               optimizer=optim.SGD(net.parameters(), lr=0.5), epochs=epochs, batch_size=120,
               shuffle=False, metrics=["accuracy"], progress=False)
    test_acc = metrics.accuracy(y[te], predict(net, X[te]))
    return epochs, hist, test_acc


def _network_figure(n_params, epochs, hist, test_acc, cfg):
    """Figure 7.2's network drawn, with its parameter count, and the training curves on Iris."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    sizes = [4, 3, 3, 3]
    pos = {(l, i): (l, (s - 1) / 2 - i) for l, s in enumerate(sizes) for i in range(s)}
    for l in range(3):
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                (x0, y0), (x1, y1) = pos[(l, i)], pos[(l + 1, j)]
                ax.plot([x0, x1], [y0, y1], "k-", lw=0.5, alpha=0.5)
    for (l, i), (px, py) in pos.items():
        ax.add_patch(plt.Circle((px, py), 0.18, color=["tab:gray", "tab:blue", "tab:blue",
                                                       "tab:red"][l], zorder=3))
    for l, name in enumerate(["input x (4)", "sigmoid a[1] (3)", "sigmoid a[2] (3)",
                              "softmax a[3] (3)"]):
        ax.text(l, 2.0, name, ha="center", fontsize=8)
    for l in range(3):
        ax.text(l + 0.5, -2.1, f"W[{l + 1}], b[{l + 1}]", ha="center", fontsize=8)
    ax.set(xlim=(-0.5, 3.5), ylim=(-2.4, 2.3), title=f"Figure 7.2: {n_params} parameters")
    ax.set_aspect("equal")
    ax.axis("off")
    ep = np.arange(1, epochs + 1)
    axes[1].plot(ep, hist["loss"], label="cross-entropy")
    axes[1].plot(ep, hist["accuracy"], label="training accuracy")
    axes[1].set(xlabel="epoch", xscale="log", title=f"Iris by eq. 7.21 (test accuracy "
                f"{test_acc:.3f})")
    axes[1].legend()
    return savefig(fig, cfg.figure("dnn_4333"))
