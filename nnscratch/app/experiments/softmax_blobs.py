"""Softmax regression on three Gaussian blobs and its decision regions (000 §5.4)."""
from __future__ import annotations

import numpy as np

from ... import datasets, metrics, nn, optim
from ...training import fit, predict
from .plotting import decision_grid, plt, savefig
from .registry import Config, Expect, Result, experiment


# ------------------------------------------------------------------ 000 §5.4
@experiment("softmax-blobs", source="000 §5.4",
            summary="softmax regression on three Gaussian blobs, with the three decision regions")
def softmax_blobs(cfg: Config) -> Result:
    """Softmax regression ``softmax(W x + b)`` with categorical cross-entropy on the 300 points
    of Listing 5.1 (``gaussian_blobs()`` reproduces the book's seed-42 draw), W and b from the
    same stream's standard normals, full-batch gradient descent with α = 0.01.  First the
    listing as printed: 100 epochs, when the loss is still falling fast from its random start
    (a NumPy rerun of the listing: accuracy 0.91).  Then our variant: the same run continued
    to 2,000 epochs (1,000 quick), which takes a second and reaches about 0.96.
    """
    X, y = datasets.gaussian_blobs(seed=42)
    legacy = np.random.RandomState(42)  # the book's stream: after the data come w, then b
    legacy.standard_normal((300, 2))
    w = legacy.randn(2, 3)
    b = legacy.randn(3)
    model = nn.Linear(2, 3)
    model.weight.data[...] = w.T       # (out, in) layout; the book's w is (in, out)
    model.bias.data[...] = b
    epochs = cfg.epochs or (1000 if cfg.quick else 2000)
    opt = optim.SGD(model.parameters(), lr=0.01)
    hist100 = fit(model, X, y, loss=nn.CrossEntropyLoss(), optimizer=opt,
                  epochs=min(100, epochs), batch_size=len(X), metrics=["accuracy"],
                  progress=False)
    acc100 = metrics.accuracy(y, predict(model, X))
    hist = hist100
    if epochs > 100:
        hist = fit(model, X, y, loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=epochs - 100,
                   batch_size=len(X), metrics=["accuracy"], progress=False)
    scores = predict(model, X)
    acc = metrics.accuracy(y, scores)
    cm = metrics.confusion_matrix(y, scores.argmax(1), labels=range(3))

    xx, yy, grid = decision_grid(X, 1.0)
    zz = predict(model, grid, batch_size=100000).argmax(1).reshape(xx.shape)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    ax.contourf(xx, yy, zz, alpha=0.5, cmap=plt.cm.Spectral)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.Spectral, edgecolors="k", s=20)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"softmax regression: three decision regions (accuracy {acc:.3f})")
    ax = axes[1]
    losses = hist100["loss"] + (hist["loss"] if hist is not hist100 else [])
    ax.plot(np.arange(1, len(losses) + 1), losses)
    ax.axvline(100, color="grey", ls=":", label="the book stops here")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("softmax_classifier"))
    return Result(
        metrics={"accuracy_at_100_epochs": acc100, "accuracy": acc,
                 "final_loss": hist.last("loss"), "epochs": epochs},
        expected={"accuracy_at_100_epochs": Expect(">=", 0.90, "Listing 5.1's 100 epochs (a "
                                                   "NumPy rerun of the listing: 0.91)",
                                                   source="ours: a NumPy rerun of Listing 5.1"),
                  "accuracy": Expect(">=", 0.93, f"our variant: {epochs} epochs; three "
                                     "overlapping blobs, linear regions", source="ours")},
        figures=[fig_path], headline="accuracy_at_100_epochs",
        tables={"confusion matrix (rows: true class)": [
            {"class": k, **{f"pred {j}": int(cm[k, j]) for j in range(3)}} for k in range(3)]})
