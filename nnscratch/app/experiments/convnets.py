"""Convolutional networks (001 ch. 9): correlation vs convolution, ConvNets on the UCI digits and
on MNIST (the chapter notebook's three conv + max-pool rounds), and the MNIST-1D table.

Every model here is built from ``nn.Conv1d``/``nn.Conv2d`` (im2col + one GEMM, 001 §9.7) and
``nn.MaxPool1d``/``nn.MaxPool2d`` (001 §9.9), trained with Adam through ``ns.fit``.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from ... import datasets, nn, optim, signal
from ... import random as nsrandom
from ...model_selection import train_test_split
from ...training import fit, predict
from .registry import Config, Expect, Result, claim, experiment


def _accuracy(model, X, y) -> float:
    return float(np.mean(predict(model, X, batch_size=500).argmax(axis=1) == y))


def _train(model, X, y, cfg, *, epochs, lr, batch_size, validation=None, cosine=False,
           shuffle=True):
    """Adam on softmax cross-entropy; ``cosine`` anneals the lr to 0 over the epochs;
    ``shuffle=False`` takes the batches in the data's order every epoch."""
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs) if cosine else None
    return fit(model, X, y, loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=epochs,
               batch_size=batch_size, validation_data=validation, metrics=["accuracy"],
               progress=False, seed=cfg.seed, scheduler=sched, shuffle=shuffle)


# ------------------------------------------------------------------ 001 §9.3–9.4
@experiment("conv-vs-correlation", source="001 §9.3–9.4",
            summary="a 1-D signal and a 2-D image filtered by correlation and by convolution")
def conv_vs_correlation(cfg: Config) -> Result:
    """Correlation ``z_i = Σ_j x_{i+j} w_j`` against convolution (the same with the filter
    flipped), 001 eq. 9.1–9.5.  A symmetric filter (a binomial blur) gives the same result both
    ways; an antisymmetric one (a derivative, a Sobel edge detector) gives the same result with
    the opposite sign, so the edge *magnitude* is the same.  The correlation is also what
    ``nn.Conv2d`` computes: one filter with ``padding=1`` reproduces ``correlate(..., "same")``.
    """
    from ...nn import functional as F
    from ...tensor import Tensor
    t = np.linspace(0, 1, 200)
    x1 = (np.sin(2 * np.pi * 3 * t) + (t > 0.5)).astype(np.float64)   # a sine with a step
    blur = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16                   # symmetric
    deriv = np.array([1.0, 0.0, -1.0]) / 2                             # antisymmetric

    # correlation and convolution by nnscratch (a convolution is a correlation with the
    # filter flipped); SciPy's correlate is the independent reference for the layer below
    def corr1(x, w):
        return F.conv1d(Tensor(x[None, None]), Tensor(np.ascontiguousarray(w)[None, None]),
                        padding=len(w) // 2).numpy()[0, 0]

    def conv1(x, w):
        return corr1(x, w[::-1])
    sym_1d = np.abs(corr1(x1, blur) - conv1(x1, blur)).max()
    anti_1d = np.abs(corr1(x1, deriv) + conv1(x1, deriv)).max()
    corr1d_vs_scipy = np.abs(corr1(x1, blur) - signal.correlate(x1, blur, "same")).max()

    # a 2-D test image: a bright disc and a square on a dark background
    yy, xx = np.mgrid[0:64, 0:64]
    img = (((yy - 22) ** 2 + (xx - 22) ** 2) < 12 ** 2).astype(np.float64)
    img[36:56, 34:58] = 0.6
    sobel_x = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    sobel_y = sobel_x.T
    gauss = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16
    def corr2(x, w):
        return F.conv2d(Tensor(x[None, None]), Tensor(np.ascontiguousarray(w)[None, None]),
                        padding=1).numpy()[0, 0]

    def conv2(x, w):
        return corr2(x, w[::-1, ::-1])
    corr_x = corr2(img, sobel_x)
    conv_x = conv2(img, sobel_x)
    edges = np.hypot(signal.convolve(img, sobel_x, "same"), signal.convolve(img, sobel_y, "same"))
    sym_2d = np.abs(corr2(img, gauss) - conv2(img, gauss)).max()
    anti_2d = np.abs(corr_x + conv_x).max()
    layer = F.conv2d(Tensor(img[None, None]), Tensor(sobel_x[None, None]), padding=1)
    layer_diff = max(np.abs(layer.numpy()[0, 0] - signal.correlate(img, sobel_x, "same")).max(),
                     corr1d_vs_scipy)

    path = _correlation_figure(t, x1, deriv, blur, img, corr_x, conv_x, edges, cfg)
    tol = Expect("<=", 1e-12, "exact up to round-off", source="text: 001 §9.3")
    return Result(
        metrics={"symmetric_1d_max_diff": float(sym_1d), "antisymmetric_1d_max_sum": float(anti_1d),
                 "symmetric_2d_max_diff": float(sym_2d), "antisymmetric_2d_max_sum": float(anti_2d),
                 "conv2d_layer_vs_correlate": float(layer_diff),
                 "edge_pixels": int((edges > 1.0).sum())},
        expected={"symmetric_1d_max_diff": tol, "antisymmetric_1d_max_sum": tol,
                  "symmetric_2d_max_diff": tol, "antisymmetric_2d_max_sum": tol,
                  "conv2d_layer_vs_correlate": Expect("<=", 1e-6, "a ConvNet layer correlates",
                                                      source="ours")},
        figures=[path], headline="antisymmetric_2d_max_sum")


def _correlation_figure(t, x1, deriv, blur, img, corr_x, conv_x, edges, cfg):
    """1-D: the antisymmetric and symmetric filters correlated and convolved; 2-D: an image, its
    Sobel correlations, convolutions and edges."""
    from .plotting import plt, savefig
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    ax = axes[0, 0]
    ax.plot(t, x1, color="0.6", label="signal x")
    ax.plot(t, signal.correlate(x1, deriv, "same") * 20, label="correlate(x, [1,0,-1]/2) × 20")
    ax.plot(t, signal.convolve(x1, deriv, "same") * 20, "--", label="convolve(x, [1,0,-1]/2) × 20")
    ax.set_title("1-D: an antisymmetric filter flips the sign")
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    ax.plot(t, x1, color="0.6", label="signal x")
    ax.plot(t, signal.correlate(x1, blur, "same"), label="correlate(x, blur)")
    ax.plot(t, signal.convolve(x1, blur, "same"), "--", label="convolve(x, blur)")
    ax.set_title("1-D: a symmetric filter gives the same result")
    ax.legend(fontsize=7)
    axes[0, 2].imshow(img, cmap="gray")
    axes[0, 2].set_title("image")
    for ax, (a, title) in zip(axes[1], ((corr_x, "correlate with Sobel-x"),
                                        (conv_x, "convolve with Sobel-x"),
                                        (edges, "edge magnitude |∇| (Sobel x, y)"))):
        ax.imshow(a, cmap="gray" if a is edges else "RdBu")
        ax.set_title(title)
    for ax in list(axes[0, 2:]) + list(axes[1]):
        ax.axis("off")
    return savefig(fig, cfg.figure("conv_vs_correlation"))


# ------------------------------------------------------------------ 001 §9.2–9.10, UCI digits
@experiment("cnn-digits", source="001 §9.2–9.10",
            summary="a small ConvNet (two conv + max-pool rounds) on the 8×8 UCI digits")
def cnn_digits(cfg: Config) -> Result:
    """Conv2d(1→16, 3, p=1)-ReLU-MaxPool2 (8→4) - Conv2d(16→32, 3, p=1)-ReLU-MaxPool2 (4→2) -
    Flatten - Linear(128→10), softmax cross-entropy, Adam lr 3e-3, batch 32, on pixels / 16, a
    stratified 75/25 split (seed 0).  25 epochs (8 in quick mode, which still reaches 95 %)."""
    from .plotting import plot_history, plt, savefig
    nsrandom.manual_seed(cfg.seed)
    X, y = datasets.load_digits()
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(128, 10))
    epochs = cfg.epochs or (8 if cfg.quick else 25)
    t0 = time.perf_counter()
    hist = _train(model, Xtr, ytr, cfg, epochs=epochs, lr=3e-3, batch_size=32,
                  validation=(Xte, yte))
    seconds = time.perf_counter() - t0
    acc = _accuracy(model, Xte, yte)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_history(axes, hist, train_label="train")
    path = savefig(fig, cfg.figure("cnn_digits_curves"))
    return Result(
        metrics={"test_accuracy": acc, "train_accuracy": _accuracy(model, Xtr, ytr),
                 "epochs": epochs, "train_seconds": round(seconds, 2),
                 "parameters": int(sum(p.numpy().size for p in model.parameters()))},
        expected={"test_accuracy": Expect(">=", 0.97, "our bar: a small ConvNet on UCI digits",
                                          source="ours")},
        figures=[path], headline="test_accuracy")


# ------------------------------------------------------------------ 001 §9.11, MNIST
def mnist_convnet() -> nn.Sequential:
    """The chapter notebook's digit recogniser: three rounds of 3×3 conv (padding 1) + ReLU +
    2×2 max-pool (28→14→7→3), then a dense soft-max layer on the 288 features."""
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(288, 10))


@experiment("cnn-mnist", source="001 §9.11",
            summary="the notebook's ConvNet (3 × conv + max-pool, dense soft-max) on MNIST")
def cnn_mnist(cfg: Config) -> Result:
    """The notebook's three conv + max-pool rounds and a dense soft-max layer
    (:func:`mnist_convnet`), Adam lr 2e-3 annealed to 0 on a cosine over 6 epochs, batch 64,
    trained on the 50,000 training images and tested on the 10,000 test images.  Quick mode
    trains on the first 3,000 training images for 2 epochs (batch 32) and tests on the first
    1,000 test images (the metrics say so); that budget reaches about 91 %."""
    from .plotting import plot_history, plt, savefig
    nsrandom.manual_seed(cfg.seed)
    (Xtr, ytr), _, (Xte, yte) = datasets.load_mnist(flatten=False)
    if cfg.quick:
        Xtr, ytr, Xte, yte = Xtr[:3000], ytr[:3000], Xte[:1000], yte[:1000]
    epochs = cfg.epochs or (2 if cfg.quick else 6)
    model = mnist_convnet()
    t0 = time.perf_counter()
    hist = _train(model, Xtr, ytr, cfg, epochs=epochs, lr=2e-3,
                  batch_size=32 if cfg.quick else 64, validation=(Xte, yte), cosine=True)
    seconds = time.perf_counter() - t0
    pred = predict(model, Xte, batch_size=500).argmax(axis=1)
    acc = float(np.mean(pred == yte))
    wrong = np.flatnonzero(pred != yte)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_history(axes, hist, train_label="train")
    fig.suptitle(f"ConvNet on MNIST ({len(Xtr)} training images"
                 f"{', quick mode' if cfg.quick else ''})")
    curves = savefig(fig, cfg.figure("cnn_mnist_curves"))
    shown = wrong[:24]
    fig, axes = plt.subplots(3, 8, figsize=(12, 5))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), shown):
        ax.imshow(Xte[i, 0], cmap="gray_r")
        ax.set_title(f"true {yte[i]}, said {pred[i]}", fontsize=8)
    fig.suptitle(f"misclassified test digits ({len(wrong)} of {len(yte)})")
    grid = savefig(fig, cfg.figure("cnn_mnist_misclassified"))
    expect = claim(cfg, "test_accuracy",
                   Expect(">=", 0.99, "001 §9.11's notebook prints no accuracy: 99 % is "
                          "what a ConvNet of its kind reaches on MNIST",
                          source="ours: 001 §9.11's network"),
                   Expect(">=", 0.88, "quick mode: 3,000 training images, 2 epochs",
                          source="ours"))
    return Result(
        metrics={"test_accuracy": acc, "misclassified": int(len(wrong)),
                 "train_images": int(len(Xtr)), "test_images": int(len(Xte)),
                 "quick_mode_subset": bool(cfg.quick), "epochs": epochs,
                 "train_seconds": round(seconds, 1)},
        expected=expect, figures=[curves, grid], headline="test_accuracy")


# ------------------------------------------------------------------ MNIST-1D (Greydanus 2020)
class _GRUClassifier(nn.Module):
    """A GRU over the 40 samples (one feature per step), classifying from the last state."""

    def __init__(self, hidden: int = 64):
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        out, h = self.gru(x.reshape(x.shape[0], x.shape[1], 1))
        return self.head(h[-1] if h.ndim == 3 else h)


class _PaperMLP(nn.Module):
    """The MNIST-1D paper's MLP (its ``MLPBase``): 40 -> 100 ReLU units, a residual second
    layer ``h <- h + relu(W_2 h + b_2)`` of 100 units, then 10 outputs."""

    def __init__(self, hidden: int = 100):
        self.linear1, self.linear2 = nn.Linear(40, hidden), nn.Linear(hidden, hidden)
        self.linear3 = nn.Linear(hidden, 10)

    def forward(self, x):
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


def mnist1d_cnn() -> nn.Sequential:
    """Three stride-1 Conv1d(k=5, padding 2) + ReLU layers with 2× max-pooling after the first
    two (40→20→10), then a dense layer: translation-invariant features for the shifted,
    scaled and sheared digit templates of MNIST-1D."""
    return nn.Sequential(nn.Conv1d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(64, 64, 5, padding=2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(640, 10))


def _mnist1d_figure(cfg: Config, curves: dict, metrics: dict, published: dict) -> str:
    """Each model's test accuracy per epoch, its published accuracy dotted in the same colour."""
    from .plotting import plt, savefig
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, c in curves.items():
        acc = metrics[name + "_test_accuracy"]
        ax.plot(np.arange(1, len(c) + 1), c, label=f"{name} ({acc:.2f})")
        ax.axhline(published[name], ls=":", color=ax.lines[-1].get_color())
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    ax.set_title("MNIST-1D (dotted: published accuracies)")
    ax.legend()
    return savefig(fig, cfg.figure("mnist1d_table"))


@experiment("mnist1d-table", source="001 ch. 9; Greydanus 2020 (MNIST-1D)",
            summary="logistic regression, MLP, CNN (Conv1d) and GRU on MNIST-1D")
def mnist1d_table(cfg: Config) -> Result:
    """The MNIST-1D table: each model on the 4,000 training signals, tested on the 1,000 test
    signals, beside the paper's test accuracies (Greydanus 2020: logistic 32 %, MLP 68 %,
    CNN 94 %, GRU 91 %).

    Logistic regression and the MLP use the paper's setting (its ``train.py`` defaults and
    ``MLPBase``, :class:`_PaperMLP`): Adam 1e-2, no weight decay, batches of 100 taken in order,
    6,000 steps (150 epochs).  The CNN (:func:`mnist1d_cnn`, Adam 2e-3, 40 epochs) and the GRU
    (64 units read from the last state, Adam 5e-3, 40 epochs) are ours, not the paper's models.
    Quick mode trains 10 / 10 / 12 / 1 epochs and checks only what that shows.

    The MLP's 68 % is at the top of its seed spread: the paper's own code (PyTorch, MLPBase,
    the loop of its train.py) on these signals reaches 0.675 / 0.640 / 0.636 (seeds 0 / 1 / 42,
    measured once); ours 0.650 / 0.647 (seeds 0 / 1, an earlier library).  The paper's
    published notebook (notebooks/mnist1d-classification.ipynb in greydanus/mnist1d, commit
    d5378455: MLPBase, ConvBase, GRUBase and LinearBase through train.py, 6,000 steps, seed 42,
    on the official mnist1d_data.pkl) prints test accuracies of 65.1 / 92.3 / 89.1 / 31.5 %
    at its last step, each below the paper's 68 / 94 / 91 / 32 %.  The full run checks the
    published 68 % as it is (no bar lowered), and the logistic row within ±0.03 of its 32 %.
    Full run (2026-12-07, seed 0, 43 s of CPU): logistic 0.315, MLP 0.673, CNN 0.942, GRU
    0.966 (0.974 on the library of a few hours earlier) — the MLP misses the published 0.68
    by 0.007 (within the spread of the paper's own code over seeds, and above the 65.1 % its
    published notebook prints), so the full run FAILS that one [paper] check; the rest pass.
    """
    nsrandom.manual_seed(cfg.seed)
    (Xtr, ytr), (Xte, yte) = datasets.load_mnist1d()
    published = {"logistic": 0.32, "mlp": 0.68, "cnn": 0.94, "gru": 0.91}
    q = cfg.quick
    # name: (model, epochs, Adam lr, conv input, shuffle, whose setting)
    specs: dict[str, tuple[Any, int, float, bool, bool, str]] = {
        "logistic": (lambda: nn.Linear(40, 10), 10 if q else 150, 1e-2, False, False, "paper"),
        "mlp": (_PaperMLP, 10 if q else 150, 1e-2, False, False, "paper"),
        "cnn": (mnist1d_cnn, 12 if q else 40, 2e-3, True, True, "ours"),
        "gru": (_GRUClassifier, 1 if q else 40, 5e-3, False, True, "ours"),
    }
    rows: list[dict] = []
    metrics: dict[str, Any] = {}
    curves: dict = {}
    for name, (build, epochs, lr, conv, shuffle, setting) in specs.items():
        nsrandom.manual_seed(cfg.seed)
        model = build()
        shape = (-1, 1, 40) if conv else (-1, 40)
        t0 = time.perf_counter()
        hist = _train(model, Xtr.reshape(shape), ytr, cfg, epochs=epochs, lr=lr, batch_size=100,
                      validation=(Xte.reshape(shape), yte), shuffle=shuffle)
        acc = _accuracy(model, Xte.reshape(shape), yte)
        curves[name] = hist["val_accuracy"]
        metrics[f"{name}_test_accuracy"] = acc
        rows.append({"model": name, "setting": setting, "test accuracy": round(acc, 3),
                     "published": published[name], "epochs": epochs,
                     "seconds": round(time.perf_counter() - t0, 1)})
    path = _mnist1d_figure(cfg, curves, metrics, published)
    paper = "paper: Greydanus 2020 (MNIST-1D), Table 1"
    expect = {**claim(cfg, "cnn_test_accuracy", Expect(">=", 0.94, "CNN: 94 %", source=paper),
                      Expect(">=", 0.88, "quick mode: 12 epochs", source="ours")),
              **claim(cfg, "gru_test_accuracy", Expect(">=", 0.91, "GRU: 91 %", source=paper)),
              **claim(cfg, "mlp_test_accuracy",
                      Expect(">=", 0.68, "MLP: 68 % (the paper's own code gives 0.636-0.675 "
                             "over seeds 0/1/42 on these signals; its published notebook "
                             "prints 65.1 %)", source=paper),
                      Expect(">=", 0.55, "quick mode: 10 of the 150 epochs", source="ours")),
              **claim(cfg, "logistic_test_accuracy",
                      Expect("<=", 0.32 + 0.03, "logistic regression: 32 % (±0.03)",
                             source=paper),
                      Expect("<=", 0.45, "quick mode: a linear model stays far below the MLP",
                             source="ours"))}
    expect["logistic_test_accuracy, lower"] = Expect(
        ">=", 0.32 - 0.03, "logistic regression: 32 % (±0.03)", source=paper,
        metric="logistic_test_accuracy", full_only=q)
    if q:
        expect["logistic_test_accuracy, quick lower"] = Expect(
            ">=", 0.25, "quick mode: well above chance (10 %)", source="ours",
            metric="logistic_test_accuracy")
    return Result(metrics=metrics, expected=expect, figures=[path],
                  headline="cnn_test_accuracy", tables={"mnist1d": rows})
