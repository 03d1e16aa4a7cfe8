"""One call of :func:`~nnscratch.training.fit.fit` as named steps: :class:`_FitRun`.

The loop is written as named steps -- :meth:`~_FitRun.resume`, :meth:`~_FitRun.train_epoch`
(which calls :meth:`~_FitRun.train_batch` per mini-batch) and :meth:`~_FitRun.end_epoch` -- so
that a new check or hook has one obvious place to go; ``fit(distributed=True)`` runs its
subclass :class:`~nnscratch.training.distributed.DistributedFitRun`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import metrics as metrics_mod
from .. import random as nsrandom
from ..tensor import as_tensor as _as_tensor
from ..utils.data import ShardedBatchSampler, array_loader
from .callbacks import FitContext, step_scheduler
from .checkpoint import load_checkpoint, restore_checkpoint, save_checkpoint
from .evaluation import evaluate
from .history import History
from .inputs import is_loader, prepare_x, prepare_y, raw, split_batch
from .progress import Progress
from .safeguards import FiniteStepGuard


class DivergenceError(FloatingPointError):
    """The loss (or a gradient) became NaN or infinite; the message names epoch and batch."""


class _FitRun:
    """One call of :func:`fit`: its checked arguments and the state its steps share."""

    owner = "fit"

    def __init__(self, model, optimizer, loss_fn, kind, epochs, batch_size, metrics, callbacks,
                 *, scheduler, checkpoint, progress):
        self.model, self.optimizer = model, optimizer
        self.loss_fn, self.kind = loss_fn, kind
        self.epochs, self.batch_size = epochs, batch_size
        self.metrics = list(metrics)
        self.named_metrics = [metrics_mod.get(m) for m in self.metrics]
        self.callbacks, self.scheduler = callbacks, scheduler
        self.checkpoint, self.progress = checkpoint, progress
        self.ctx = FitContext(model, optimizer, History(), loss_fn, kind, epochs)
        self.start_epoch = 0
        self.resumed = False
        self.val = None

    # ------------------------------------------------------------------ data
    def training_data(self, X, y, seed, shuffle):
        """The batches of one epoch: a DataLoader, as given or over the checked arrays (whose
        shuffles come from ``shuffle_rng``, saved in checkpoints)."""
        if is_loader(X):
            if y is not None:
                raise ValueError(f"{self.owner}: pass y=None when X is a DataLoader (it yields "
                                 f"(x, y))")
            self.batches, self.arrays = X, None
            self.shuffle_rng = None  # a DataLoader keeps its own generator state (state_dict)
            return
        Xa = prepare_x(X, self.model, "X", self.owner)
        ya = None if y is None else prepare_y(y, Xa, self.model, self.kind, "y", self.owner)
        self.arrays = (Xa,) if ya is None else (Xa, ya)
        self.shuffle_rng = nsrandom.rng(seed)
        self.batches = array_loader(*self.arrays, batch_sampler=ShardedBatchSampler(
            len(Xa), self.batch_size, shuffle, self.shuffle_rng))

    def validation_data(self, data):
        """``(X_val, y_val)`` checked like the training data, or a DataLoader; None for none."""
        if data is None:
            return
        if is_loader(data):
            self.val = (data, None)
        elif isinstance(data, (tuple, list)) and len(data) == 2:
            val_X = prepare_x(data[0], self.model, "validation_data[0]", self.owner)
            val_y = prepare_y(data[1], val_X, self.model, self.kind, "validation_data[1]",
                              self.owner)
            self.val = (val_X, val_y)
        else:
            raise TypeError(f"{self.owner}: validation_data must be a tuple (X_val, y_val) or "
                            f"a DataLoader, got {type(data).__name__}")

    # ------------------------------------------------------------------ steps
    def resume(self, path):
        """Restore the state a checkpoint saved; training continues after its last epoch."""
        state = load_checkpoint(path, self.owner)
        where = f"{self.owner}: resume_from={str(path)!r}"
        done = state.get("epoch")
        if isinstance(done, bool) or not isinstance(done, int) or done < 0:
            raise ValueError(f"{where} records epoch {done!r}, expected an int >= 0 (a "
                             f"damaged or hand-edited checkpoint)")
        if done > self.epochs:
            raise ValueError(f"{where} has already trained {done} epochs, more than "
                             f"epochs={self.epochs}: nothing would be trained; pass epochs >= "
                             f"{done}")
        try:
            self.start_epoch = restore_checkpoint(state, self.ctx, self.scheduler,
                                                  self.shuffle_rng, self.batches,
                                                  self.callbacks)
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{where} does not fit this model and optimizer (saved with "
                             f"other layer sizes or another optimizer?): {e}") from None
        self.resumed = True

    def train(self) -> History:
        """Run the epochs from ``start_epoch`` and return the History."""
        ctx, model = self.ctx, self.model
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.guard = FiniteStepGuard(self.params)
        self.all_params = list(model.parameters())
        self.saved_modes = [(m, m.training) for m in model.modules()]
        self.bar = Progress(enabled=self.progress)
        for cb in self.callbacks:
            cb.set_context(ctx)
        begin_logs = {"resumed": self.resumed, "start_epoch": self.start_epoch}
        for cb in self.callbacks:
            cb.on_train_begin(begin_logs)
        self.step = len(ctx.history.batch_loss)
        try:
            for epoch in range(self.start_epoch, self.epochs):
                logs = self.train_epoch(epoch)
                if self.end_epoch(epoch, logs):
                    break
            for cb in self.callbacks:
                cb.on_train_end({"history": ctx.history})
        finally:
            self.bar.close()
            for m, mode in self.saved_modes:
                m.training = mode
        return ctx.history

    def train_epoch(self, epoch) -> dict:
        """One pass over the batches; returns the epoch's logs (mean loss, training metrics)."""
        ctx, batches = self.ctx, self.batches
        ctx.epoch = epoch
        sampler = getattr(batches, "sampler", None)
        if hasattr(sampler, "set_epoch"):      # a DistributedSampler: this epoch's order
            sampler.set_epoch(epoch)  # type: ignore[union-attr]
        for m, _ in self.saved_modes:    # model.train(), without re-walking the module tree
            m.training = True
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch)
        n_batches = len(batches) if hasattr(batches, "__len__") else None
        self.bar.on_epoch_begin(epoch, self.epochs, n_batches)
        total, seen = 0.0, 0
        outs, targets = [], []
        for b, batch in enumerate(batches):
            xb, yb = split_batch(batch)
            xb = raw(xb)
            yb = xb if yb is None else raw(yb)
            lv = self.train_batch(epoch, b, xb, yb)
            n = self.rows(xb)
            total += lv * n
            seen += n
            if self.named_metrics:
                outs.append(ctx.output)
                targets.append(yb)
            self.bar.on_batch(total / seen)
            for cb in self.callbacks:
                cb.on_batch_end(self.step, {"loss": lv, "size": n})
            self.step += 1
            if ctx.stop_training:
                break
        if seen == 0:
            raise ValueError(f"{self.owner}: the training data produced no batches")
        logs = {"loss": total / seen}
        if self.named_metrics:
            out_all, tgt_all = self.all_rows(outs), self.all_rows(targets)
            for name, fn in self.named_metrics:
                logs[name] = float(fn(out_all, tgt_all, self.kind))
        return logs

    def train_batch(self, epoch, b, xb, yb) -> float:
        """Forward, loss, backward and ``optimizer.step()`` on one batch; returns the loss."""
        ctx, step = self.ctx, self.step
        ctx.step = step
        for cb in self.callbacks:
            cb.on_batch_begin(step)
        out = self.forward(xb)
        value = self.loss_fn(out, _as_tensor(yb))
        lv, value = self.batch_loss(value, len(xb))
        if not math.isfinite(lv):
            raise DivergenceError(
                f"fit: the loss became {lv} at epoch {epoch + 1}, batch {b + 1} (step "
                f"{step + 1}); training stopped and the model keeps the weights it had "
                f"before this batch (the last finite ones). Lower the learning rate or "
                f"check the data.")
        for p in self.all_params:        # model.zero_grad(), from the list made once
            p.grad = None
        self.optimizer.zero_grad()
        value.backward()
        for cb in self.callbacks:
            cb.on_after_backward(step)
        for name, p in self.params:
            if p.grad is not None and not np.isfinite(p.grad._data).all():
                raise DivergenceError(
                    f"fit: the gradient of {name} is not finite at epoch {epoch + 1}, "
                    f"batch {b + 1} (step {step + 1}); the model keeps the weights it "
                    f"had before this batch.")
        self.guard.before_step()
        self.optimizer.step()
        bad = self.guard.after_step()
        if bad is not None:
            raise DivergenceError(
                f"fit: optimizer.step() made {bad} NaN or infinite at epoch {epoch + 1}, "
                f"batch {b + 1} (step {step + 1}) although its gradient was finite (the "
                f"update overflowed: lr={self.optimizer.param_groups[0].get('lr')}); training "
                f"stopped and the model keeps the weights it had before this step (the last "
                f"finite ones). Lower the learning rate.")
        ctx.history.batch_loss.append(lv)
        ctx.output = np.asarray(out._data)
        ctx.target = yb
        return lv

    # hooks that the distributed run (.distributed) replaces
    def forward(self, xb):
        return self.model(_as_tensor(xb))

    def batch_loss(self, value, n):
        """``(loss as a float, the tensor to backpropagate)`` for a batch of ``n`` rows."""
        return float(raw(value)), value

    def rows(self, xb) -> int:
        """How many rows the batch's loss averages over."""
        return len(xb)

    def all_rows(self, arrays):
        """The epoch's per-batch outputs (or targets) as one array, for the metrics."""
        return np.concatenate(arrays)

    def end_epoch(self, epoch, logs) -> bool:
        """Validation, scheduler, History, callbacks and checkpoint; True when training stops."""
        ctx = self.ctx
        if self.val is not None:
            val = evaluate(self.model, *self.val, loss=self.loss_fn, metrics=self.metrics,
                           batch_size=max(self.batch_size, 256))
            logs.update({f"val_{k}": v for k, v in val.items()})
        lr = self.optimizer.param_groups[0].get("lr")
        if self.scheduler is not None:
            step_scheduler(self.scheduler, logs)
        ctx.history.record_epoch(epoch, logs, lr)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)
        self.bar.on_epoch_end(logs)
        if self.checkpoint is not None:
            save_checkpoint(self.checkpoint, ctx, self.scheduler, self.shuffle_rng, self.batches,
                            self.callbacks, epoch + 1)
        if ctx.stop_training:
            ctx.history.stopped_epoch = epoch
            return True
        return False
