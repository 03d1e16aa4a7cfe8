"""Matplotlib with the Agg backend (no screen needed); import ``plt`` from here."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["plt", "savefig", "plot_history", "decision_grid", "loss_panel"]


def _honest_epoch_axes(fig) -> None:
    """On every axis labelled "epoch": integer ticks (no epoch 1.2), and a curve of fewer than
    three points drawn as points (a quick run's two epochs are two values, not a trend)."""
    from matplotlib.ticker import MaxNLocator
    for ax in fig.axes:
        if ax.get_xlabel().strip().lower() not in ("epoch", "epochs"):
            continue
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for line in ax.get_lines():
            if line.get_transform() is not ax.transData:   # axhline/axvline: reference lines
                continue
            if len(line.get_xdata()) < 3 and line.get_linestyle() not in ("None", " ", ""):
                line.set_linestyle("None")
                if line.get_marker() in (None, "None", "", " "):
                    line.set_marker("o")
                legend = ax.get_legend()       # its key is a copy of the line: match it
                for key in getattr(legend, "legend_handles", None) or []:
                    if key.get_label() == line.get_label() and hasattr(key, "set_marker"):
                        key.set_linestyle("None")
                        key.set_marker(line.get_marker())


def savefig(fig, path) -> str:
    """Save ``fig`` as a PNG at ``path``, close it, and return the path as a string."""
    _honest_epoch_axes(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def plot_history(axes, hist, train_label="training", val_label="test"):
    """Loss (log scale) on ``axes[0]`` and accuracy on ``axes[1]`` per epoch, training against
    validation, from a ``History`` (or dict) with loss/val_loss/accuracy/val_accuracy."""
    ep = range(1, len(hist["loss"]) + 1)
    for ax, key, ylabel in ((axes[0], "loss", "cross-entropy"), (axes[1], "accuracy", "accuracy")):
        ax.plot(ep, hist[key], label=train_label)
        ax.plot(ep, hist["val_" + key], label=val_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend()
    axes[0].set_yscale("log")


def decision_grid(X, margin, n=300):
    """A ``n × n`` grid over the 2-D inputs ``X`` widened by ``margin``: ``(xx, yy, points)``,
    points as float32 rows, to draw a classifier's decision regions with ``contourf``."""
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, n)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, n)
    xx, yy = np.meshgrid(x0, x1)
    return xx, yy, np.c_[xx.ravel(), yy.ravel()].astype(np.float32)


def loss_panel(ax, history, title="training loss"):
    """The training loss per epoch on ``ax`` (log scale)."""
    ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.set_title(title)
