"""XOR, the function no single layer draws: the lecture's hand-set ReLU network (002 §6.1)
and a small MLP trained on it (000 §7.4)."""
from __future__ import annotations

import numpy as np

from ... import datasets, metrics, nn, optim
from ... import random as nsrandom
from ...training import fit, predict
from ._worked import forward, set_linear
from .plotting import decision_grid, loss_panel, plt, savefig
from .registry import Config, Expect, Result, claim, experiment

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

XOR_T = np.array([0, 1, 1, 0], dtype=np.float64)

@experiment("xor-relu-by-hand", source="002 §6.1 (XOR slide)",
            summary="the slides' hand-set 2-2-1 ReLU network computes XOR exactly; its hidden "
                    "layer maps (0,1) and (1,0) to the same feature (1, 0)")
def xor_relu_by_hand(cfg: Config) -> Result:
    """The XOR slide of 002 sets every weight by hand, no training:
    ``W11 = W12 = W21 = W22 = 1``, ``b1 = 0``, ``b2 = -1``, ``q_i = max(0, W_i1 x1 + W_i2 x2 +
    b_i)``, ``W1^(2) = 1``, ``W2^(2) = -2``, ``b^(2) = 0``, ``y = W1 q1 + W2 q2 + b``.
    We copy these weights as printed into ``Linear(2, 2) -> ReLU -> Linear(2, 1)`` and check
    that the four outputs are XOR's 0, 1, 1, 0 exactly (integer arithmetic in float64), and the
    slide's remark that (0, 1) and (1, 0) both map to the feature point q = (1, 0).
    """
    hidden = set_linear(nn.Linear(2, 2), [[1, 1], [1, 1]], [0, -1])
    out = set_linear(nn.Linear(2, 1), [[1, -2]], [0])
    net = nn.Sequential(hidden, nn.ReLU(), out).double()
    y = forward(net, XOR_X).ravel()
    q = forward(nn.Sequential(hidden, nn.ReLU()), XOR_X)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    gx, gy = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(-0.5, 1.5, 201))
    zz = forward(net, np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
    ax = axes[0]
    cs = ax.contourf(gx, gy, zz, levels=np.linspace(-1, 1.5, 11), cmap="coolwarm", alpha=0.6)
    fig.colorbar(cs, ax=ax, label="y")
    ax.contour(gx, gy, zz, levels=[0.5], colors="k")
    ax.scatter(XOR_X[:, 0], XOR_X[:, 1], c=XOR_T, cmap="coolwarm", edgecolors="k", s=120)
    for (a, b), v in zip(XOR_X, y):
        ax.annotate(f"y = {v:g}", (a, b), textcoords="offset points", xytext=(8, 8))
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="input space: no line separates the classes")
    ax = axes[1]
    ax.scatter(q[:, 0], q[:, 1], c=XOR_T, cmap="coolwarm", edgecolors="k", s=120)
    for (a, b), xin in zip(q, XOR_X):
        ax.annotate(f"x = ({xin[0]:g}, {xin[1]:g})", (a, b), textcoords="offset points",
                    xytext=(8, -12))
    qq = np.linspace(-0.2, 2.2, 10)
    ax.plot(qq, (qq - 0.5) / 2, "k-", label="y = q1 - 2 q2 = 0.5")
    ax.set(xlabel="$q_1$", ylabel="$q_2$", title="feature space: one line does it")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("xor_relu_by_hand"))

    place = "text: 002, the XOR slide (weights as printed)"
    return Result(
        metrics={"y_00": y[0], "y_01": y[1], "y_10": y[2], "y_11": y[3],
                 "max_abs_error": float(np.abs(y - XOR_T).max()),
                 "q_of_01": [float(v) for v in q[1]], "q_of_10": [float(v) for v in q[2]],
                 "features_01_10_equal": float(np.array_equal(q[1], q[2])
                                               and np.array_equal(q[1], [1.0, 0.0]))},
        expected={"max_abs_error": Expect("==", 0.0, "y = 0, 1, 1, 0 exactly", source=place),
                  "features_01_10_equal": Expect("==", 1.0, "(0,1) and (1,0) both map to the "
                                                 "point (1,0)", source=place)},
        figures=[fig_path], headline="max_abs_error",
        tables={"forward": [{"x1": int(a), "x2": int(b), "q1": float(q1), "q2": float(q2),
                             "y": float(v), "target": int(t)}
                            for (a, b), (q1, q2), v, t in zip(XOR_X, q, y, XOR_T)]})

# ------------------------------------------------------------------ 000 §7.4
@experiment("mlp-xor", source="000 §7.4",
            summary="XOR with one hidden layer of 4 sigmoid units and its decision regions")
def mlp_xor(cfg: Config) -> Result:
    """The 2-4-1 sigmoid network of Listing 7.1, weights from U(-1, 1), trained by full-batch
    gradient descent on the squared error for 10,000 epochs.  The listing steps
    0.1 × (the gradient of the *summed* squared error / 2); with our mean squared error over the
    four rows that is lr = 0.2.  Quick mode takes 1,500 epochs with lr = 2.0 (ours), so it
    leaves the listing's claim to the full run.
    """
    from .plotting import plt, savefig
    X, t = datasets.xor()
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    gen = nsrandom.generator()
    for p in model.parameters():
        p.data[...] = gen.uniform(-1.0, 1.0, p.shape)   # 2 * random() - 1, as the listing
    epochs = cfg.epochs or (1500 if cfg.quick else 10000)
    lr = 2.0 if cfg.quick else 0.2
    hist = fit(model, X, t, loss=nn.MSELoss(), optimizer=optim.SGD(model.parameters(), lr=lr),
               epochs=epochs, batch_size=4, progress=False, seed=cfg.seed)
    out = predict(model, X).ravel()
    acc = metrics.accuracy(t.ravel().astype(int), (out > 0.5).astype(int))

    xx, yy, grid = decision_grid(X, 0.5)
    zz = (predict(model, grid, batch_size=10000).reshape(xx.shape) > 0.5).astype(int)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.contourf(xx, yy, zz, cmap=plt.cm.Spectral, alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=t.ravel(), cmap=plt.cm.Spectral, edgecolors="k", s=100)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("XOR: decision regions of a 2-4-1 sigmoid network")
    loss_panel(axes[1], hist, "mean squared error")
    fig_path = savefig(fig, cfg.figure("xor_decision_boundary"))
    return Result(
        metrics={"accuracy": acc, "final_loss": hist.last("loss"), "epochs": epochs,
                 "outputs": [round(float(v), 4) for v in out]},
        expected=claim(cfg, "accuracy",
                       Expect(">=", 1.0, "Listing 7.1's settings: all four points right",
                              source="text: 000 §7.4, Listing 7.1"),
                       Expect(">=", 1.0, "quick: 1,500 epochs at lr 2.0, not the listing's",
                              source="ours")),
        figures=[fig_path], headline="accuracy")
