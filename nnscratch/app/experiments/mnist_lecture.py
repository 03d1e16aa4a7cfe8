"""The lecture's MNIST runs (002 Example 6.2): the networks of the slides trained as they
were, with the figure the lecture draws."""
from __future__ import annotations

import time

import numpy as np

from ... import datasets, nn, optim
from ... import random as nsrandom
from ...models import mlp
from ...training import BatchMetrics, EvaluateEvery, evaluate, fit
from .plotting import plt, savefig
from .registry import Config, Expect, Result, claim, experiment


# ------------------------------------------------------------------ 002 Example 6.2
def mnist_lecture_run(model, data, epochs, seed, every=100, progress=False):
    """SGD lr 0.5, batch 100 on the training images ``data[0]``; the validation loss and error
    on ``data[1]`` every ``every`` iterations; the batch loss and error every
    iteration.  Returns a dict of curves and the final validation error."""
    (X_tr, y_tr), (X_va, y_va) = data
    val = EvaluateEvery(every, (X_va, y_va), metrics=["error"], batch_size=2000, at_start=True)
    batch = BatchMetrics(["error"])
    t0 = time.perf_counter()
    hist = fit(model, X_tr, y_tr, loss=nn.CrossEntropyLoss(),
               optimizer=optim.SGD(model.parameters(), lr=0.5), epochs=epochs, batch_size=100,
               callbacks=[val, batch], progress=progress, seed=seed)
    seconds = time.perf_counter() - t0
    final = evaluate(model, X_va, y_va, loss=nn.CrossEntropyLoss(), metrics=["error"],
                     batch_size=2000)
    return {"batch_loss": hist.batch_loss, "batch_error": batch.values["error"],
            "val_steps": val.steps, "val_loss": val.values["loss"],
            "val_error": val.values["error"], "final_val_error": final["error"],
            "final_val_loss": final["loss"], "seconds": seconds}

def _lecture_figure(cfg, name, title, run, steps_per_epoch):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    it = np.arange(1, len(run["batch_loss"]) + 1)
    for ax, key, ylabel in ((axes[0], "loss", "cross-entropy cost"),
                            (axes[1], "error", "misclassification rate")):
        ax.plot(it, run[f"batch_{key}"], color="tab:blue", lw=0.5, alpha=0.6,
                label="training mini-batch")
        ax.plot(run["val_steps"], run[f"val_{key}"], color="tab:red", lw=1.5,
                label="validation data")
        ax.set_xlabel("iteration")
        ax.set_ylabel(ylabel)
        ax.set_xlim(0, len(it))
        ax.legend()
        secax = ax.secondary_xaxis("top", functions=(lambda x: x / steps_per_epoch,
                                                     lambda e: e * steps_per_epoch))
        secax.set_xlabel("epoch")
    axes[0].set_ylim(0, 1.0)
    axes[1].set_ylim(0, 0.2)
    fig.suptitle(f"{title}: final validation error {run['final_val_error'] * 100:.2f} %")
    return savefig(fig, cfg.figure(name))

@experiment("mnist-lecture", source="002 Example 6.2",
            summary="MNIST: logistic regression vs a 784-200-10 ReLU network (SGD 0.5, batch 100)")
def mnist_lecture(cfg: Config) -> Result:
    """The lecture's Example 6.2: a one-layer network (softmax regression, 7,850 parameters)
    and a two-layer network with 200 ReLU units, trained by mini-batch SGD (γ = 0.5,
    n_b = 100) for 15 epochs, with the training cost and misclassification of each mini-batch
    and of the validation set every 100 iterations plotted as in Figures 6.7/6.8.

    As the slides: 60,000 training images (our 50,000/10,000 training and validation split
    joined: MNIST's training set) and 10,000 validation images (MNIST's test set, which
    nothing here tunes on): 600 iterations per epoch, 9,000 in 15 epochs.  Quick mode trains
    one epoch, and checks our own bars for what one epoch reaches.
    """
    train, valid, test = datasets.load_mnist()
    train = (np.concatenate([train[0], valid[0]]), np.concatenate([train[1], valid[1]]))
    valid = test
    epochs = cfg.epochs or (1 if cfg.quick else 15)
    steps_per_epoch = -(-len(train[0]) // 100)
    runs = {}
    for name, sizes in (("logistic", [784, 10]), ("two_layer", [784, 200, 10])):
        nsrandom.manual_seed(cfg.seed)
        runs[name] = mnist_lecture_run(mlp(sizes), (train, valid), epochs, cfg.seed)
    figs = [_lecture_figure(cfg, "mnist_logistic_regression", "logistic regression (one layer)",
                            runs["logistic"], steps_per_epoch),
            _lecture_figure(cfg, "mnist_two_layer", "two-layer network, 200 ReLU units",
                            runs["two_layer"], steps_per_epoch)]
    short = Config(seed=cfg.seed, quick=epochs < 15)
    text = "text: 002 Example 6.2"
    expected = {**claim(short, "logistic_val_error",
                        Expect("<=", 0.085, "about 8 % after 15 epochs", source=text),
                        Expect("<=", 0.095, f"{epochs} epochs only", source="ours")),
                **claim(short, "two_layer_val_error",
                        Expect("<=", 0.022, "about 2 % after 15 epochs", source=text),
                        Expect("<=", 0.05, f"{epochs} epochs only", source="ours")),
                # "the discrepancy between training error and validation error indicates
                # that we are overfitting": the last epoch's mini-batch error below the
                # validation error, by more than half (the slide's Figure 6.8)
                **claim(short, "two_layer_train_over_val_error",
                        Expect("<", 0.5, "training error well below validation error: "
                               "overfitting", source=text))}
    two = runs["two_layer"]
    train_err = float(np.mean(two["batch_error"][-steps_per_epoch:]))
    return Result(
        metrics={"logistic_val_error": runs["logistic"]["final_val_error"],
                 "two_layer_val_error": runs["two_layer"]["final_val_error"],
                 "logistic_val_loss": runs["logistic"]["final_val_loss"],
                 "two_layer_val_loss": runs["two_layer"]["final_val_loss"],
                 "logistic_seconds": runs["logistic"]["seconds"],
                 "two_layer_seconds": runs["two_layer"]["seconds"], "epochs": epochs,
                 "two_layer_last_epoch_train_error": train_err,
                 "two_layer_train_over_val_error": train_err / max(two["final_val_error"],
                                                                   1e-12)},
        expected=expected,
        figures=figs, headline="two_layer_val_error",
        tables={"validation error every 600 iterations (one epoch)": [
            {"iteration": s, "logistic": round(a, 4), "two-layer": round(b, 4)}
            for s, a, b in zip(runs["logistic"]["val_steps"], runs["logistic"]["val_error"],
                               runs["two_layer"]["val_error"]) if s % 600 == 0]})
