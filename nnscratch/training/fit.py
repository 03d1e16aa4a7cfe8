"""``fit``, ``evaluate`` and ``predict``: the mini-batch training loop and its companions.

One epoch of :func:`fit` is the mini-batch stochastic gradient descent of 002 (Algorithm 5.3,
"one epoch = n / n_b iterations"): shuffle the rows, and for each mini-batch run the forward
pass, the loss, ``backward()`` and ``optimizer.step()``.  Around that loop sit the things a
run needs to be trusted: input checks, metrics, validation, callbacks, a progress bar, a stop
with a clear error when the loss diverges, and checkpoints from which an interrupted run
resumes to bit-identical weights.
"""
from __future__ import annotations

import functools
import json
import math
import os
import pathlib

import numpy as np

from .. import random as nsrandom
from .._checks import check_int
from ..autograd import no_grad
from ..nn import functional as F
from ..nn import loss as nn_loss
from ..nn.module import Module
from ..tensor import Tensor
from . import metrics as metrics_mod
from .callbacks import Callback, FitContext, step_scheduler
from .history import History
from .progress import Progress
from .safeguards import FiniteStepGuard, check_optimizer_owns_model

__all__ = ["fit", "evaluate", "predict", "DivergenceError"]

CHECKPOINT_FORMAT = "nnscratch-fit-checkpoint"


class DivergenceError(FloatingPointError):
    """The loss (or a gradient) became NaN or infinite; the message names epoch and batch."""


# ------------------------------------------------------------------ loss identification
_LOSS_NAMES = {
    "cross_entropy": F.cross_entropy, "nll": F.nll_loss, "mse": F.mse_loss,
    "bce": F.binary_cross_entropy, "bce_with_logits": F.binary_cross_entropy_with_logits,
}
_LOSS_MODULES = {nn_loss.CrossEntropyLoss: "cross_entropy", nn_loss.NLLLoss: "nll",
                 nn_loss.MSELoss: "mse", nn_loss.BCELoss: "bce",
                 nn_loss.BCEWithLogitsLoss: "bce_with_logits"}


def _loss_kind(fn) -> str | None:
    """The loss family (decides label checks and how outputs become labels), or None."""
    if isinstance(getattr(fn, "loss_kind", None), str):  # a custom loss may declare its family
        return fn.loss_kind
    while isinstance(fn, functools.partial):
        fn = fn.func
    for cls, kind in _LOSS_MODULES.items():
        if isinstance(fn, cls):
            return kind
    for kind, f in _LOSS_NAMES.items():
        if fn is f:
            return kind
    return None


def _resolve_loss(loss, owner):
    if isinstance(loss, str):
        if loss not in _LOSS_NAMES:
            raise ValueError(f"{owner}: unknown loss {loss!r}; choose from "
                             f"{', '.join(_LOSS_NAMES)} or pass a callable loss(output, target)")
        loss = _LOSS_NAMES[loss]
    if not callable(loss):
        raise TypeError(f"{owner}: loss must be a callable loss(output, target) or a name, got "
                        f"{type(loss).__name__}")
    return loss, _loss_kind(loss)


# ------------------------------------------------------------------ argument checks
def _positive_int(value, name, owner):
    return check_int(value, name, owner, 1)


def _is_loader(x) -> bool:
    return (not isinstance(x, (np.ndarray, Tensor, list, tuple)) and hasattr(x, "__iter__")
            and not hasattr(x, "__array__"))


def _model_dtype(model: Module):
    for p in model.parameters():
        if p._data.dtype.kind == "f":
            return p._data.dtype
    from ..tensor import get_default_dtype
    return np.dtype(get_default_dtype())


def _wants_int_inputs(model: Module) -> bool:
    return any(type(m).__name__ == "Embedding" for m in model.modules())


def _first_bad(a: np.ndarray) -> str:
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    v = a[idx]
    what = "NaN" if np.isnan(v) else "inf"
    where = f"row {idx[0]}" + (f", column {idx[1]}" if len(idx) == 2 else
                                (f", index {idx[1:]}" if len(idx) > 2 else ""))
    return f"{what} at {where}"


def _as_array(x, name, owner) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x._data
    try:
        a = np.asarray(x)
    except Exception as e:
        raise TypeError(f"{owner}: {name} must be an array or Tensor, got "
                        f"{type(x).__name__}") from e
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must hold numbers (bool, int or float), got dtype "
                        f"{a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{owner}: {name} must have a sample axis, got a scalar")
    if len(a) == 0:
        raise ValueError(f"{owner}: {name} is empty (0 samples)")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{owner}: {name} contains {_first_bad(a)}")
    return a


def _prepare_x(X, model, name, owner) -> np.ndarray:
    a = _as_array(X, name, owner)
    if a.dtype.kind in "iu" and _wants_int_inputs(model):
        return a
    dtype = _model_dtype(model)
    return a if a.dtype == dtype else a.astype(dtype)


def _probe_output_shape(model, x_row):
    """The model's output shape on two rows (eval mode, no graph), for the label checks."""
    with _eval_mode(model), no_grad():
        out = model(Tensor._wrap(x_row))
    return tuple(np.shape(out._data if isinstance(out, Tensor) else out))


def _prepare_y(y, X, model, kind, name, owner) -> np.ndarray:
    """Check ``y`` against ``X`` and the loss, and convert it to what the loss reads."""
    a = _as_array(y, name, owner)
    if len(a) != len(X):
        raise ValueError(f"{owner}: X has {len(X)} samples but {name} has {len(a)}; they must "
                         f"be equal")
    if kind is None:
        return a.astype(_model_dtype(model)) if a.dtype.kind == "b" else a
    out_shape = _probe_output_shape(model, X[:2])
    loss_name = {"cross_entropy": "cross_entropy", "nll": "nll_loss", "mse": "mse_loss",
                 "bce": "binary_cross_entropy",
                 "bce_with_logits": "binary_cross_entropy_with_logits"}[kind]
    if kind in ("cross_entropy", "nll"):
        k = out_shape[-1] if out_shape else 1
        if a.dtype.kind == "f" and a.ndim == 2 and kind == "cross_entropy":
            if a.shape[1] != k:
                raise ValueError(f"{owner}: {name} holds probabilities for {a.shape[1]} classes "
                                 f"but the model outputs {k}")
            return a.astype(_model_dtype(model))
        if a.dtype.kind not in "iu":
            raise TypeError(f"{owner}: {loss_name} needs integer class labels in {name} (N,), "
                            f"got dtype {a.dtype}; convert with {name}.astype(int)")
        if a.ndim != 1:
            raise ValueError(f"{owner}: {loss_name} needs {name} of shape (N,) with class "
                             f"labels, got shape {a.shape}")
        bad = np.flatnonzero((a < 0) | (a >= k))
        if bad.size:
            raise ValueError(f"{owner}: {name} has label {a[bad[0]]} at row {bad[0]}; the model "
                             f"outputs {k} classes, so labels must be in [0, {k})")
        return a.astype(np.int64, copy=False)
    # bce / bce_with_logits / mse read float targets of the output's shape
    a = a.astype(_model_dtype(model))
    if a.ndim == 1 and len(out_shape) == 2 and out_shape[1] == 1:
        a = a[:, None]  # (N,) labels for a one-column output
    if a.shape[1:] != tuple(out_shape[1:]):
        raise ValueError(f"{owner}: {loss_name} needs {name} shaped like the model output "
                         f"(N, {', '.join(map(str, out_shape[1:]))}), got {a.shape}")
    if kind in ("bce", "bce_with_logits"):
        bad = np.argwhere((a < 0) | (a > 1))
        if bad.size:
            r = tuple(int(i) for i in bad[0])
            raise ValueError(f"{owner}: {loss_name} needs targets in [0, 1]; {name} has "
                             f"{a[r]} at row {r[0]}" + (f", column {r[1]}" if len(r) > 1 else ""))
    return a


# ------------------------------------------------------------------ modes and batches
class _eval_mode:
    """Put a model in eval mode and restore each sub-module's own flag afterwards."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.modes = [(m, m.training) for m in self.model.modules()]
        self.model.eval()

    def __exit__(self, *exc):
        for m, mode in self.modes:
            m.training = mode


def _split_batch(batch):
    if isinstance(batch, (tuple, list)):
        if len(batch) == 1:
            return batch[0], None
        if len(batch) == 2:
            return batch[0], batch[1]
        raise ValueError(f"DataLoader batches must be x or (x, y), got {len(batch)} items")
    return batch, None


def _raw(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class _ArrayBatches:
    """Row mini-batches of (X, y), reshuffled every epoch from ``rng`` (002 Algorithm 5.3)."""

    def __init__(self, X, y, batch_size, shuffle, rng):
        self.X, self.y, self.batch_size, self.shuffle, self.rng = X, y, batch_size, shuffle, rng

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for i in range(0, n, self.batch_size):
            idx = order[i:i + self.batch_size]
            if not self.shuffle:
                idx = slice(i, i + self.batch_size)
            yield self.X[idx], (None if self.y is None else self.y[idx])


# ------------------------------------------------------------------ predict / evaluate
def _outputs(model, X, batch_size, owner, want_inputs=False):
    if _is_loader(X):
        batches = (_split_batch(b) for b in X)
    else:
        Xa = _prepare_x(X, model, "X", owner)
        batches = ((Xa[i:i + batch_size], None) for i in range(0, len(Xa), batch_size))
    outs, targets = [], []
    with _eval_mode(model), no_grad():
        for xb, yb in batches:
            out = model(xb if isinstance(xb, Tensor) else Tensor._wrap(np.asarray(xb)))
            outs.append(np.asarray(out._data if isinstance(out, Tensor) else out))
            if yb is not None:
                targets.append(_raw(yb))
            elif want_inputs:   # x-only batches: the input is the target (autoencoders)
                targets.append(_raw(xb))
    if not outs:
        raise ValueError(f"{owner}: X holds no batches")
    return np.concatenate(outs), (np.concatenate(targets) if targets else None)


def predict(model: Module, X, batch_size: int = 256) -> np.ndarray:
    """The model's outputs for every row of ``X``, computed in batches.

    Runs under ``no_grad`` with the model in eval mode (Dropout off, BatchNorm on its running
    statistics) and restores every sub-module's mode afterwards.  ``X``: array, Tensor or a
    DataLoader.  Returns an ndarray ``(N, ...)`` (raw outputs: logits for a classifier).
    """
    if not isinstance(model, Module):
        raise TypeError(f"predict: model must be an nn.Module, got {type(model).__name__}")
    batch_size = _positive_int(batch_size, "batch_size", "predict")
    return _outputs(model, X, batch_size, "predict")[0]


def evaluate(model: Module, X, y=None, *, loss=None, metrics=(), batch_size: int = 256) -> dict:
    """Loss and metrics of ``model`` on ``(X, y)``: ``{"loss": ..., "accuracy": ...}``.

    The loss is computed once on all outputs (so a mean loss is the exact dataset mean, not a
    mean of batch means); metrics are names from ``nnscratch.metrics.NAMES`` or callables
    ``fn(output, target)``.  Runs in batches, under ``no_grad``, in eval mode (restored after).
    ``X`` may be a DataLoader yielding ``(x, y)``; ``y=None`` with arrays means the target is
    ``X`` itself (autoencoders).
    """
    owner = "evaluate"
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
    batch_size = _positive_int(batch_size, "batch_size", owner)
    loss_fn, kind = _resolve_loss(loss, owner) if loss is not None else (None, None)
    named = [metrics_mod.get(m) for m in metrics]
    if _is_loader(X):
        if y is not None:
            raise ValueError(f"{owner}: pass y=None when X is a DataLoader")
        out, target = _outputs(model, X, batch_size, owner, want_inputs=True)
    else:
        Xa = _prepare_x(X, model, "X", owner)
        target = Xa if y is None else _prepare_y(y, Xa, model, kind, "y", owner)
        out = _outputs(model, Xa, batch_size, owner)[0]
    res = {}
    if loss_fn is not None:
        with no_grad():
            value = loss_fn(Tensor._wrap(out), Tensor._wrap(target))
        res["loss"] = float(_raw(value))
    for name, fn in named:
        res[name] = float(fn(out, target, kind))
    return res


# ------------------------------------------------------------------ checkpoints
def _rng_state(g: np.random.Generator) -> str:
    # a JSON string: PCG64's 128-bit integers survive any serialisation format unchanged
    return json.dumps(g.bit_generator.state)


def _set_rng_state(g: np.random.Generator, s: str) -> None:
    g.bit_generator.state = json.loads(str(s))


def _save_checkpoint(path, ctx, scheduler, shuffle_rng, loader, callbacks, epochs_done):
    from ..serialization import save
    state = {
        "format": CHECKPOINT_FORMAT, "version": 1, "epoch": int(epochs_done),
        "model": ctx.model.state_dict(), "optimizer": ctx.optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else {},
        "rng": {"library": _rng_state(nsrandom.generator()),
                "shuffle": _rng_state(shuffle_rng) if shuffle_rng is not None else ""},
        "loader": loader.state_dict() if hasattr(loader, "state_dict") else {},
        "history": ctx.history.to_dict(),
        "callbacks": {str(i): cb.state_dict() for i, cb in enumerate(callbacks)},
    }
    save(state, path)


def _load_checkpoint(path, owner):
    from ..serialization import load
    p = pathlib.Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{owner}: resume_from={str(path)!r} does not exist")
    try:
        state = load(p)
    except Exception as e:
        raise ValueError(f"{owner}: resume_from={str(path)!r} is not a readable checkpoint "
                         f"({type(e).__name__}: {e})") from e
    if not hasattr(state, "get") or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{owner}: resume_from={str(path)!r} is not a fit() checkpoint "
                         f"(written by fit(..., checkpoint=path))")
    return state


def _check_checkpoint_path(path, owner):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: checkpoint must be a path, got {type(path).__name__}")
    parent = pathlib.Path(path).parent
    if not parent.is_dir():
        raise ValueError(f"{owner}: checkpoint={str(path)!r} is in a directory that does not "
                         f"exist ({str(parent)!r}); create it first")


# ------------------------------------------------------------------ fit
def fit(model: Module, X, y=None, *, loss, optimizer, epochs: int = 1, batch_size: int = 32,
        validation_data=None, metrics=(), callbacks=(), progress: bool = True,
        seed: int | None = None, checkpoint=None, resume_from=None, scheduler=None,
        shuffle: bool = True) -> History:
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
    loss_fn, kind = _resolve_loss(loss, owner)
    epochs = _positive_int(epochs, "epochs", owner)
    batch_size = _positive_int(batch_size, "batch_size", owner)
    named_metrics = [metrics_mod.get(m) for m in metrics]
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"{owner}: callbacks must be Callback instances, got "
                            f"{type(cb).__name__}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ValueError(f"{owner}: seed must be an int >= 0 or None, got {seed!r}")
    if checkpoint is not None:
        _check_checkpoint_path(checkpoint, owner)

    # data
    if _is_loader(X):
        if y is not None:
            raise ValueError(f"{owner}: pass y=None when X is a DataLoader (it yields (x, y))")
        batches = X
        shuffle_rng = None  # a DataLoader keeps its own generator state (state_dict)
    else:
        Xa = _prepare_x(X, model, "X", owner)
        ya = None if y is None else _prepare_y(y, Xa, model, kind, "y", owner)
        shuffle_rng = nsrandom.rng(None if seed is None else int(seed))
        batches = _ArrayBatches(Xa, ya, batch_size, shuffle, shuffle_rng)
    if validation_data is not None:
        if _is_loader(validation_data):
            val_X, val_y = validation_data, None
        elif isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
            val_X = _prepare_x(validation_data[0], model, "validation_data[0]", owner)
            val_y = _prepare_y(validation_data[1], val_X, model, kind, "validation_data[1]",
                               owner)
        else:
            raise TypeError(f"{owner}: validation_data must be a tuple (X_val, y_val) or a "
                            f"DataLoader, got {type(validation_data).__name__}")

    history = History()
    ctx = FitContext(model, optimizer, history, loss_fn, kind, epochs)
    start_epoch = 0
    if resume_from is not None:
        state = _load_checkpoint(resume_from, owner)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler"):
            scheduler.load_state_dict(state["scheduler"])
        _set_rng_state(nsrandom.generator(), state["rng"]["library"])
        if shuffle_rng is not None and state["rng"].get("shuffle"):
            _set_rng_state(shuffle_rng, state["rng"]["shuffle"])
        if state.get("loader") and hasattr(batches, "load_state_dict"):
            batches.load_state_dict(state["loader"])
        history = ctx.history = History.from_dict(state["history"])
        saved_cbs = state.get("callbacks", {})
        for i, cb in enumerate(callbacks):
            if str(i) in saved_cbs and saved_cbs[str(i)]:
                cb.load_state_dict(saved_cbs[str(i)])
        start_epoch = int(state["epoch"])

    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    guard = FiniteStepGuard(params)
    saved_modes = [(m, m.training) for m in model.modules()]
    all_params = list(model.parameters())
    bar = Progress(enabled=progress)
    for cb in callbacks:
        cb.set_context(ctx)
    begin_logs = {"resumed": resume_from is not None, "start_epoch": start_epoch}
    for cb in callbacks:
        cb.on_train_begin(begin_logs)
    step = len(history.batch_loss)
    try:
        for epoch in range(start_epoch, epochs):
            ctx.epoch = epoch
            for m, _ in saved_modes:    # model.train(), without re-walking the module tree
                m.training = True
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            n_batches = len(batches) if hasattr(batches, "__len__") else None
            bar.on_epoch_begin(epoch, epochs, n_batches)
            total, seen = 0.0, 0
            outs, targets = [], []
            for b, batch in enumerate(batches):
                xb, yb = (batch if isinstance(batches, _ArrayBatches) else _split_batch(batch))
                xb = _raw(xb)
                yb = xb if yb is None else _raw(yb)
                ctx.step = step
                for cb in callbacks:
                    cb.on_batch_begin(step)
                out = model(Tensor._wrap(xb))
                value = loss_fn(out, Tensor._wrap(yb))
                lv = float(_raw(value))
                if not math.isfinite(lv):
                    raise DivergenceError(
                        f"fit: the loss became {lv} at epoch {epoch + 1}, batch {b + 1} (step "
                        f"{step + 1}); training stopped and the model keeps the weights it had "
                        f"before this batch (the last finite ones). Lower the learning rate or "
                        f"check the data.")
                for p in all_params:        # model.zero_grad(), from the list made once
                    p.grad = None
                optimizer.zero_grad()
                value.backward()
                for cb in callbacks:
                    cb.on_after_backward(step)
                for name, p in params:
                    if p.grad is not None and not np.isfinite(p.grad._data).all():
                        raise DivergenceError(
                            f"fit: the gradient of {name} is not finite at epoch {epoch + 1}, "
                            f"batch {b + 1} (step {step + 1}); the model keeps the weights it "
                            f"had before this batch.")
                guard.before_step()
                optimizer.step()
                bad = guard.after_step()
                if bad is not None:
                    raise DivergenceError(
                        f"fit: optimizer.step() made {bad} NaN or infinite at epoch "
                        f"{epoch + 1}, batch {b + 1} (step {step + 1}) although its gradient "
                        f"was finite (the update overflowed: lr="
                        f"{optimizer.param_groups[0].get('lr')}); training stopped and the "
                        f"model keeps the weights it had before this step (the last finite "
                        f"ones). Lower the learning rate.")
                n = len(xb)
                total += lv * n
                seen += n
                history.batch_loss.append(lv)
                ctx.output = np.asarray(out._data)
                ctx.target = yb
                if named_metrics:
                    outs.append(ctx.output)
                    targets.append(yb)
                bar.on_batch(total / seen)
                for cb in callbacks:
                    cb.on_batch_end(step, {"loss": lv, "size": n})
                step += 1
                if ctx.stop_training:
                    break
            if seen == 0:
                raise ValueError(f"{owner}: the training data produced no batches")
            logs = {"loss": total / seen}
            if named_metrics:
                out_all, tgt_all = np.concatenate(outs), np.concatenate(targets)
                for name, fn in named_metrics:
                    logs[name] = float(fn(out_all, tgt_all, kind))
            if validation_data is not None:
                val = evaluate(model, val_X, val_y, loss=loss_fn,
                               metrics=[m for m in metrics], batch_size=max(batch_size, 256))
                logs.update({f"val_{k}": v for k, v in val.items()})
            lr = optimizer.param_groups[0].get("lr")
            if scheduler is not None:
                step_scheduler(scheduler, logs)
            history.record_epoch(epoch, logs, lr)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            bar.on_epoch_end(logs)
            if checkpoint is not None:
                _save_checkpoint(checkpoint, ctx, scheduler, shuffle_rng, batches, callbacks,
                                 epoch + 1)
            if ctx.stop_training:
                history.stopped_epoch = epoch
                break
        for cb in callbacks:
            cb.on_train_end({"history": history})
    finally:
        bar.close()
        for m, mode in saved_modes:
            m.training = mode
    return history
