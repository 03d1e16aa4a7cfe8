"""``fit``: the mini-batch training loop.

One epoch of :func:`fit` is the mini-batch stochastic gradient descent of 002 (Algorithm 5.3,
"one epoch = n / n_b iterations"): shuffle the rows, and for each mini-batch run the forward
pass, the loss, ``backward()`` and ``optimizer.step()``.  Around that loop sit the things a
run needs to be trusted: input checks, metrics, validation, callbacks, a progress bar, a stop
with a clear error when the loss diverges, and checkpoints from which an interrupted run
resumes to bit-identical weights.

The loop is written as named steps of a :class:`_FitRun` — :meth:`~_FitRun.resume`,
:meth:`~_FitRun.train_epoch` (which calls :meth:`~_FitRun.train_batch` per mini-batch) and
:meth:`~_FitRun.end_epoch` — so that a new check or hook has one obvious place to go.  Input
preparation lives in :mod:`.inputs`, ``evaluate``/``predict`` in :mod:`.evaluation` and the
checkpoint format in :mod:`.checkpoint`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import metrics as metrics_mod
from .. import random as nsrandom
from .._checks import check_seed, positive_int
from ..nn.module import Module
from ..ops._allocator import retain_freed_memory
from ..tensor import as_tensor as _as_tensor
from .callbacks import Callback, FitContext, step_scheduler
from .checkpoint import check_checkpoint_path, load_checkpoint, restore_checkpoint, save_checkpoint
from .evaluation import evaluate, predict
from .history import History
from .inputs import ArrayBatches, is_loader, prepare_x, prepare_y, raw, resolve_loss, split_batch
from .progress import Progress
from .safeguards import FiniteStepGuard, check_optimizer_owns_model

__all__ = ["fit", "evaluate", "predict", "DivergenceError"]


class DivergenceError(FloatingPointError):
    """The loss (or a gradient) became NaN or infinite; the message names epoch and batch."""


def fit(model: Module, X, y=None, *, loss, optimizer, epochs: int = 1, batch_size: int = 32,
        validation_data=None, metrics=(), callbacks=(), progress: bool = True,
        seed: int | None = None, checkpoint=None, resume_from=None, scheduler=None,
        shuffle: bool = True, distributed: bool = False) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent and return its History.

    Each epoch shuffles the rows (a generator seeded by ``seed``; the library generator of
    ``ns.manual_seed`` when None), and for every mini-batch of ``batch_size`` rows computes
    ``loss(model(x), y)``, backpropagates and calls ``optimizer.step()``.  After the epoch it
    records the mean training loss and ``metrics``, evaluates ``validation_data`` (``val_*``
    entries), steps ``scheduler`` (``step(val_loss)`` for ReduceLROnPlateau-like schedulers)
    and calls the callbacks.

    Args:
        model: an ``nn.Module``; left in the train/eval modes it had before.
        X: array/Tensor ``(N, ...)`` or a DataLoader yielding ``x`` or ``(x, y)`` batches.
        y: targets ``(N, ...)``; None with arrays means the target is ``X`` (autoencoders).
            Cross-entropy/NLL need int labels ``(N,)`` in ``[0, K)`` (or ``(N, K)``
            probabilities); BCE needs values in [0, 1]; ``(N,)`` targets for a one-column
            output are reshaped to ``(N, 1)``.
        loss: ``loss(output, target) -> Tensor`` (``nn.CrossEntropyLoss()``,
            ``F.mse_loss``, …) or a name: "cross_entropy", "nll", "mse", "bce",
            "bce_with_logits".
        optimizer: an ``optim.Optimizer`` over the model's parameters (a ValueError if it
            holds none of them).
        epochs, batch_size: positive ints (defaults 1 and 32).
        validation_data: ``(X_val, y_val)`` or a DataLoader.
        metrics: names (see ``nnscratch.metrics.NAMES``: "accuracy", "error", "top5_accuracy",
            "precision", "recall", "f1", "mse", "mae", "r2") or callables ``fn(output, target)``.
        callbacks: ``Callback`` instances (EarlyStopping, ModelCheckpoint, …).
        progress: a tqdm bar on a terminal, one line per epoch otherwise; False for silence.
        seed: seeds the shuffling (dropout keeps drawing from the library generator).
        checkpoint: a path; after every epoch the model, optimizer, scheduler, epoch, random
            states, history and callback states are saved there atomically.
        resume_from: a checkpoint path; training continues after its last epoch and ends with
            the same weights, bit for bit, as a run that was never interrupted.
        scheduler: an ``optim.lr_scheduler`` object stepped once per epoch.
        shuffle: reshuffle the rows every epoch (default True).
        distributed: data-parallel training on the ranks of ``nnscratch launch -n P``
            (:mod:`nnscratch.training.distributed`): each rank trains on its share of every
            batch of ``P * batch_size`` rows, gradients are averaged with
            DistributedDataParallel, every rank stops together, and only rank 0 writes
            checkpoints and files.  Alone, a world of one: the same as ``False``.

    Returns:
        History: ``history["loss"]``, ``history["val_loss"]``, ``history["<metric>"]`` per
        epoch, ``history.batch_loss`` per step, ``history.lr`` per epoch.

    Raises:
        DivergenceError: the loss, a gradient or -- after ``optimizer.step()`` -- a weight
            became NaN/inf; the message names the epoch and batch, and the model keeps the
            weights it had before that batch (the last finite ones: a step that overflows is
            undone; the optimizer's own state is not).
    """
    owner = "fit"
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "param_groups")):
        raise TypeError(f"{owner}: optimizer must be an optim.Optimizer, got "
                        f"{type(optimizer).__name__}")
    check_optimizer_owns_model(model, optimizer, owner)
    loss_fn, kind = resolve_loss(loss, owner)
    epochs = positive_int(epochs, "epochs", owner)
    batch_size = positive_int(batch_size, "batch_size", owner)
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"{owner}: callbacks must be Callback instances, got "
                            f"{type(cb).__name__}")
    seed = check_seed(seed, owner)
    if checkpoint is not None:
        check_checkpoint_path(checkpoint, owner)

    run_class: type[_FitRun] = _FitRun
    if distributed:
        from .distributed import DistributedFitRun
        run_class = DistributedFitRun
    run = run_class(model, optimizer, loss_fn, kind, epochs, batch_size, metrics, callbacks,
                  scheduler=scheduler, checkpoint=checkpoint, progress=progress)
    run.training_data(X, y, seed, shuffle)
    run.validation_data(validation_data)
    if resume_from is not None:
        run.resume(resume_from)
    return run.train()


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
        """The batches of one epoch: a DataLoader as given, or checked arrays cut in rows."""
        if is_loader(X):
            if y is not None:
                raise ValueError(f"{self.owner}: pass y=None when X is a DataLoader (it yields "
                                 f"(x, y))")
            self.batches = X
            self.shuffle_rng = None  # a DataLoader keeps its own generator state (state_dict)
            return
        Xa = prepare_x(X, self.model, "X", self.owner)
        ya = None if y is None else prepare_y(y, Xa, self.model, self.kind, "y", self.owner)
        self.shuffle_rng = nsrandom.rng(seed)
        self.batches = ArrayBatches(Xa, ya, self.batch_size, shuffle, self.shuffle_rng)

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
        retain_freed_memory()  # every batch re-allocates its temporaries: keep them (_allocator)
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
        from_arrays = isinstance(batches, ArrayBatches)
        for b, batch in enumerate(batches):
            xb, yb = batch if from_arrays else split_batch(batch)
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
