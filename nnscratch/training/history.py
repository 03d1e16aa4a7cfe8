"""``History``: what ``fit`` records, epoch by epoch and batch by batch."""
from __future__ import annotations

import math


class History:
    """Per-epoch training/validation loss and metrics, plus the loss of every batch.

    ``history["loss"]``, ``history["val_loss"]``, ``history["accuracy"]``,
    ``history["val_accuracy"]`` … are lists with one value per epoch (the Keras layout);
    ``batch_loss`` has one value per optimizer step; ``epoch`` the epochs' indices into those
    lists (0-based, as Keras'; what is printed or written to a file counts epochs from 1) and
    ``lr`` the first parameter group's learning rate during each epoch.  ``plot()`` draws
    the curves.
    """

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.batch_loss: list[float] = []
        self.lr: list[float] = []
        self.stopped_epoch: int | None = None

    def record_epoch(self, epoch: int, logs: dict, lr: float | None = None) -> None:
        self.epoch.append(int(epoch))
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))
        if lr is not None:
            self.lr.append(float(lr))

    def __getitem__(self, key: str) -> list:
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; recorded: {', '.join(self.history)}")
        return self.history[key]

    def __contains__(self, key) -> bool:
        return key in self.history

    def keys(self):
        return self.history.keys()

    def last(self, key: str, default=math.nan) -> float:
        """The latest value of ``key`` (``default`` when it was never recorded)."""
        values = self.history.get(key)
        return values[-1] if values else default

    def plot(self, keys: list[str] | None = None, ax=None):
        """Plot the per-epoch curves with matplotlib; returns the figure.

        One panel per quantity (``loss``, ``accuracy`` …), its ``val_`` counterpart drawn in
        the same panel; ``keys`` picks the quantities (default: every recorded one).  Epochs
        are numbered from 1 on an integer axis; with fewer than three epochs the values are
        drawn as points, not as a line between them.  ``ax``: one Axes to draw everything
        in (default: a new figure).  Needs matplotlib (``pip install 'nnscratch[plot]'``).
        """
        from .._optional import require
        require("matplotlib", "History.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        recorded = [k for k in self.history if not k.startswith("val_")]
        recorded += [k[4:] for k in self.history if k.startswith("val_") and k[4:] not in recorded]
        keys = recorded if keys is None else list(keys)
        unknown = [k for k in keys if k not in self.history and f"val_{k}" not in self.history]
        if not keys or unknown:
            raise ValueError(f"History.plot: keys must name recorded quantities "
                             f"({', '.join(recorded) or 'none yet'}), got {keys!r}")
        if ax is None:
            fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.2),
                                     squeeze=False)
            panels = list(axes[0])
        else:
            fig, panels = ax.figure, [ax] * len(keys)
        for key, a in zip(keys, panels):
            for name, label in ((key, "training"), (f"val_{key}", "validation")):
                values = self.history.get(name)
                if not values:
                    continue
                epochs = range(1, len(values) + 1)
                style = "o" if len(values) < 3 else "-"
                a.plot(epochs, values, style, label=f"{label} {key}" if ax is not None else label)
            a.set_xlabel("epoch")
            a.set_ylabel(key)
            a.xaxis.set_major_locator(MaxNLocator(integer=True))
            a.legend()
        return fig

    def to_dict(self) -> dict:
        """Plain lists and numbers (JSON-ready, and what a checkpoint stores)."""
        return {"history": {k: list(v) for k, v in self.history.items()},
                "epoch": list(self.epoch), "batch_loss": list(self.batch_loss),
                "lr": list(self.lr), "stopped_epoch": self.stopped_epoch}

    @classmethod
    def from_dict(cls, d: dict) -> "History":
        h = cls()
        h.history = {k: [float(x) for x in v] for k, v in dict(d.get("history", {})).items()}
        h.epoch = [int(e) for e in d.get("epoch", [])]
        h.batch_loss = [float(x) for x in d.get("batch_loss", [])]
        h.lr = [float(x) for x in d.get("lr", [])]
        stopped = d.get("stopped_epoch")
        h.stopped_epoch = None if stopped is None or stopped == "" else int(stopped)
        return h

    def __repr__(self):
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v)
        return f"History(epochs={len(self.epoch)}, {last})"
