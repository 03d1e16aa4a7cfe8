"""``predict`` and ``evaluate``: a trained model's outputs, loss and metrics on a data set.

Both run in batches, under ``no_grad``, with the model in eval mode (Dropout off, BatchNorm on
its running statistics), and restore every sub-module's mode afterwards.
"""
from __future__ import annotations

import numpy as np

from .. import metrics as metrics_mod
from .._checks import positive_int
from ..autograd import no_grad
from ..nn.module import Module
from ..tensor import Tensor
from ..tensor import as_tensor as _as_tensor
from .inputs import eval_mode, is_loader, prepare_x, prepare_y, raw, resolve_loss, split_batch

__all__ = ["predict", "evaluate"]


def _outputs(model, X, batch_size, owner, want_inputs=False):
    """All outputs of ``model`` on ``X`` and, for a DataLoader, its targets (concatenated)."""
    if is_loader(X):
        batches = (split_batch(b) for b in X)
    else:
        Xa = prepare_x(X, model, "X", owner)
        batches = ((Xa[i:i + batch_size], None) for i in range(0, len(Xa), batch_size))
    outs, targets = [], []
    with eval_mode(model), no_grad():
        for xb, yb in batches:
            out = model(xb if isinstance(xb, Tensor) else _as_tensor(np.asarray(xb)))
            outs.append(np.asarray(out._data if isinstance(out, Tensor) else out))
            if yb is not None:
                targets.append(raw(yb))
            elif want_inputs:   # x-only batches: the input is the target (autoencoders)
                targets.append(raw(xb))
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
    batch_size = positive_int(batch_size, "batch_size", "predict")
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
    batch_size = positive_int(batch_size, "batch_size", owner)
    loss_fn, kind = resolve_loss(loss, owner) if loss is not None else (None, None)
    named = [metrics_mod.get(m) for m in metrics]
    if is_loader(X):
        if y is not None:
            raise ValueError(f"{owner}: pass y=None when X is a DataLoader")
        out, target = _outputs(model, X, batch_size, owner, want_inputs=True)
    else:
        Xa = prepare_x(X, model, "X", owner)
        target = Xa if y is None else prepare_y(y, Xa, model, kind, "y", owner)
        out = _outputs(model, Xa, batch_size, owner)[0]
    res = {}
    if loss_fn is not None:
        with no_grad():
            value = loss_fn(_as_tensor(out), _as_tensor(target))
        res["loss"] = float(raw(value))
    for name, fn in named:
        res[name] = float(fn(out, target, kind))
    return res
