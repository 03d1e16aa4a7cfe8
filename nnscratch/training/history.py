"""``History``: what ``fit`` records, epoch by epoch and batch by batch."""
from __future__ import annotations

import math


class History:
    """Per-epoch training/validation loss and metrics, plus the loss of every batch.

    ``history["loss"]``, ``history["val_loss"]``, ``history["accuracy"]``,
    ``history["val_accuracy"]`` … are lists with one value per epoch (the Keras layout);
    ``batch_loss`` has one value per optimizer step; ``epoch`` the 0-based epoch numbers and
    ``lr`` the first parameter group's learning rate during each epoch.
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
