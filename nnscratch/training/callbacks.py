"""Callbacks: code that ``fit`` calls at fixed points of the training loop (Keras' protocol).

``fit`` gives every callback a :class:`FitContext` (``self.ctx``: the model, optimizer, history,
current epoch and step, the latest batch output and target, and ``stop_training``) and then
calls, in this order::

    on_train_begin(logs)
      on_epoch_begin(epoch)
        on_batch_begin(step)  ->  forward, loss, backward  ->  on_after_backward(step)
        ->  optimizer.step()  ->  on_batch_end(step, {"loss": ..., "size": ...})
      on_epoch_end(epoch, logs)       # logs: loss, metrics, val_loss, val_metrics, lr
    on_train_end(logs)

``step`` counts optimizer steps from 0 over the whole run.  A callback that keeps state across
epochs returns it from ``state_dict()`` so that ``fit(checkpoint=...)`` can resume it.
"""
from __future__ import annotations

import csv
import inspect
import math
import os

import numpy as np

from .. import metrics as metrics_mod
from .._checks import check_int
from ..serialization import save
from .checkpoint import check_checkpoint_path
from .evaluation import evaluate

__all__ = ["Callback", "FitContext", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
           "CSVLogger", "GradientNormLogger", "EvaluateEvery", "BatchMetrics", "LambdaCallback"]


class FitContext:
    """What a callback can see and change during ``fit`` (``ctx.stop_training = True``)."""

    def __init__(self, model, optimizer, history, loss_fn, loss_kind, epochs):
        self.model = model
        self.optimizer = optimizer
        self.history = history
        self.loss_fn = loss_fn
        self.loss_kind = loss_kind
        self.epochs = epochs
        self.epoch = 0
        self.step = 0
        self.output = None      # the latest batch's model output (ndarray)
        self.target = None      # the latest batch's target (ndarray or None)
        self.stop_training = False


class Callback:
    """Base class: override the hooks you need; ``self.ctx`` is set before training starts."""

    ctx: FitContext | None = None

    def set_context(self, ctx: FitContext) -> None:
        self.ctx = ctx

    @property
    def model(self):
        return self.ctx.model if self.ctx is not None else None

    def on_train_begin(self, logs=None): pass
    def on_epoch_begin(self, epoch: int, logs=None): pass
    def on_batch_begin(self, step: int, logs=None): pass
    def on_after_backward(self, step: int): pass
    def on_batch_end(self, step: int, logs=None): pass
    def on_epoch_end(self, epoch: int, logs=None): pass
    def on_train_end(self, logs=None): pass

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def _mode(monitor: str, mode: str, owner: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    higher_better = ("acc", "precision", "recall", "f1", "r2")
    return "max" if any(k in monitor for k in higher_better) else "min"


def _monitored(logs: dict, monitor: str, owner: str) -> float:
    if monitor not in logs:
        raise ValueError(f"{owner}: monitor={monitor!r} is not among the epoch logs "
                         f"({', '.join(logs)}); pass validation_data for 'val_*' metrics")
    return float(logs[monitor])


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    mode "auto" minimises losses/errors and maximises accuracy/precision/recall/F1/R².  With
    ``restore_best_weights`` the model gets the weights of its best epoch back when training
    ends.  Defaults and semantics match ``keras.callbacks.EarlyStopping``.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 0, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = False):
        check_int(patience, "patience", "EarlyStopping", 0)
        if not isinstance(min_delta, (int, float)) or math.isnan(min_delta) or min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be a number >= 0, got {min_delta!r}")
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = _mode(monitor, mode, "EarlyStopping")
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1
        self.wait = 0
        self.best_weights = None
        self.stopped_epoch = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs=None):
        if not (logs or {}).get("resumed"):
            self._reset()

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs or {}, self.monitor, "EarlyStopping")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                # state_dict() shares memory with the live weights: keep a copy
                self.best_weights = {k: v.clone() for k, v in
                                     self.ctx.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.ctx.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.ctx.model.load_state_dict(self.best_weights)

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "best_weights": dict(self.best_weights) if self.best_weights else {}}

    def load_state_dict(self, state):
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.best_weights = dict(state["best_weights"]) or None


class ModelCheckpoint(Callback):
    """Save the model's ``state_dict`` with ``ns.save`` after every epoch.

    ``path`` may contain ``{epoch}`` (1-based) and log keys, e.g. ``"ckpt/model-{epoch:02d}.npz"``.
    With ``save_best_only`` a file is written only when ``monitor`` improves; the write is
    atomic, so an interrupted save never replaces a good file.  Matches
    ``keras.callbacks.ModelCheckpoint(save_weights_only=True)``.
    """

    def __init__(self, path, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto"):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: path must be a str or Path, got "
                            f"{type(path).__name__}")
        self.path = str(path)
        self.monitor = monitor
        self.save_best_only = bool(save_best_only)
        self.mode = _mode(monitor, mode, "ModelCheckpoint")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.saved: list[str] = []

    def on_train_begin(self, logs=None):
        check_checkpoint_path(self.path, "ModelCheckpoint", what="path")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best = value
        path = self.path.format(epoch=epoch + 1, **logs)
        save(self.ctx.model.state_dict(), path)
        self.saved.append(path)

    def state_dict(self):
        return {"best": self.best}

    def load_state_dict(self, state):
        self.best = float(state["best"])


def _takes_two(fn) -> bool:
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        return True
    return len(params) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from ``schedule``.

    ``schedule(epoch, lr) -> new_lr`` or ``schedule(epoch) -> new_lr`` (epoch 0-based), as in
    ``keras.callbacks.LearningRateScheduler``; or an ``optim.lr_scheduler`` object, whose
    ``step()`` is then called at the end of every epoch (``step(monitored value)`` for one that
    needs a metric, like ReduceLROnPlateau, reading ``monitor``).
    """

    def __init__(self, schedule, monitor: str = "val_loss"):
        if not callable(schedule) and not hasattr(schedule, "step"):
            raise TypeError(f"LearningRateScheduler: schedule must be a function "
                            f"(epoch, lr) -> lr or a scheduler, got {type(schedule).__name__}")
        self.schedule = schedule
        self.monitor = monitor
        self.is_scheduler = hasattr(schedule, "step") and hasattr(schedule, "state_dict")
        self.lrs: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        groups = self.ctx.optimizer.param_groups
        if not self.is_scheduler:
            lr = groups[0]["lr"]
            new = self.schedule(epoch, lr) if _takes_two(self.schedule) else self.schedule(epoch)
            if not isinstance(new, (int, float, np.floating)) or not math.isfinite(new) \
                    or new < 0:
                raise ValueError(f"LearningRateScheduler: schedule returned lr={new!r} at epoch "
                                 f"{epoch + 1}; expected a finite number >= 0")
            for g in groups:
                g["lr"] = float(new)
        self.lrs.append(float(groups[0]["lr"]))

    def on_epoch_end(self, epoch, logs=None):
        if self.is_scheduler:
            step_scheduler(self.schedule, logs or {}, self.monitor)

    def state_dict(self):
        return {"scheduler": self.schedule.state_dict()} if self.is_scheduler else {}

    def load_state_dict(self, state):
        if self.is_scheduler and "scheduler" in state:
            self.schedule.load_state_dict(state["scheduler"])


def step_scheduler(scheduler, logs: dict, monitor: str = "val_loss") -> None:
    """``scheduler.step()``, or ``scheduler.step(logs[monitor])`` when it needs a metric."""
    try:
        params = inspect.signature(scheduler.step).parameters.values()
        needs_metric = any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                 p.POSITIONAL_OR_KEYWORD)
                           for p in params)
    except (TypeError, ValueError):
        needs_metric = False
    if needs_metric:
        key = monitor if monitor in logs else "loss"
        scheduler.step(float(logs[key]))
    else:
        scheduler.step()


class CSVLogger(Callback):
    """Append one row per epoch (``epoch`` and every log value) to a CSV file.

    The header comes from the first epoch's logs; ``append=True`` continues an existing file
    (use it when resuming).  Matches ``keras.callbacks.CSVLogger``, except that epochs are
    numbered from 1, as the progress line and ``ModelCheckpoint`` number them.
    """

    def __init__(self, path, separator: str = ",", append: bool = False):
        self.path = str(path)
        self.separator = separator
        self.append = bool(append)
        self._fields = None

    def on_train_begin(self, logs=None):
        check_checkpoint_path(self.path, "CSVLogger", what="path")
        if not self.append or not os.path.exists(self.path):
            open(self.path, "w").close()
            self._fields = None
        else:
            with open(self.path, newline="") as f:
                first = f.readline().strip()
            self._fields = first.split(self.separator) if first else None

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        with open(self.path, "a", newline="") as f:
            if self._fields is None:
                self._fields = list(row)
                f.write(self.separator.join(self._fields) + "\n")
            writer = csv.DictWriter(f, self._fields, delimiter=self.separator,
                                    extrasaction="ignore", restval="")
            writer.writerow(row)


class GradientNormLogger(Callback):
    """Record the L2 norm of every parameter's gradient after each backward pass.

    ``norms[name]`` is a list with one value per logged step, ``total`` the global norm
    ``sqrt(Σ ||g||²)`` and ``steps`` the step numbers (every ``every``-th step).  Gradients that
    shrink layer by layer towards the input show vanishing gradients; growing ones exploding
    gradients (000 §9, 003 "vanishing gradients").
    """

    def __init__(self, every: int = 1):
        check_int(every, "every", "GradientNormLogger")
        self.every = int(every)
        self.norms: dict[str, list] = {}
        self.total: list[float] = []
        self.steps: list[int] = []

    def on_after_backward(self, step):
        if step % self.every:
            return
        sq = 0.0
        for name, p in self.ctx.model.named_parameters():
            n = float(np.sqrt(np.sum(np.square(p.grad._data, dtype=np.float64)))) \
                if p.grad is not None else 0.0
            self.norms.setdefault(name, []).append(n)
            sq += n * n
        self.total.append(math.sqrt(sq))
        self.steps.append(int(step))

    def as_array(self) -> tuple[list, np.ndarray]:
        """``(names, array (steps, parameters))`` of the recorded norms."""
        names = list(self.norms)
        return names, np.array([self.norms[n] for n in names]).T


class EvaluateEvery(Callback):
    """Evaluate on held-out data every ``every`` optimizer steps (the lecture's red curves).

    Records ``steps`` (number of steps done, e.g. 100, 200, …) and ``values[name]`` for
    ``loss`` and each metric.  ``at_start=True`` also evaluates before the first step.
    """

    def __init__(self, every: int, validation_data, metrics=(), batch_size: int = 1000,
                 at_start: bool = False):
        check_int(every, "every", "EvaluateEvery")
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError("EvaluateEvery: validation_data must be a tuple (X, y)")
        self.every = int(every)
        self.X, self.y = validation_data
        self.metrics = tuple(metrics)
        self.batch_size = batch_size
        self.at_start = at_start
        self.steps: list[int] = []
        self.values: dict[str, list] = {}

    def _evaluate(self, steps_done):
        res = evaluate(self.ctx.model, self.X, self.y, loss=self.ctx.loss_fn,
                       metrics=self.metrics, batch_size=self.batch_size)
        self.steps.append(int(steps_done))
        for k, v in res.items():
            self.values.setdefault(k, []).append(float(v))

    def on_train_begin(self, logs=None):
        if self.at_start and not (logs or {}).get("resumed"):
            self._evaluate(0)

    def on_batch_end(self, step, logs=None):
        if (step + 1) % self.every == 0:
            self._evaluate(step + 1)


class BatchMetrics(Callback):
    """Compute ``metrics`` on every training mini-batch (the lecture's blue curves).

    ``values[name]`` has one value per step, computed from the batch output the model produced
    before that step's update.
    """

    def __init__(self, metrics=("accuracy",)):
        self.metrics = [metrics_mod.get(m) for m in metrics]
        self.values: dict[str, list] = {name: [] for name, _ in self.metrics}

    def on_batch_end(self, step, logs=None):
        for name, fn in self.metrics:
            self.values[name].append(float(fn(self.ctx.output, self.ctx.target,
                                              self.ctx.loss_kind)))


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""

    _HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_begin", "on_after_backward",
              "on_batch_end", "on_epoch_end", "on_train_end")

    def __init__(self, **hooks):
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise ValueError(f"LambdaCallback: unknown hook {name!r}; choose from "
                                 f"{', '.join(self._HOOKS)}")
            setattr(self, name, fn)
