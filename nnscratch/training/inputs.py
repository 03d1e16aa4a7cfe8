"""What ``fit``, ``evaluate`` and ``predict`` accept, and how it becomes arrays and batches.

The loss is a callable or a name; its family (``loss_kind``) decides the label checks.  ``X``
and ``y`` are arrays, Tensors or a DataLoader: arrays are checked (numbers, a sample axis, no
NaN/inf: the first bad entry is named), converted to the model's float dtype (integers stay
integers for a model with ``integer_input`` layers such as ``nn.Embedding``), and ``y`` is
checked against the model's output shape and the loss (class labels in ``[0, K)``, targets in
[0, 1] for BCE, …).  ``fit`` batches the arrays with
:func:`nnscratch.utils.data.array_loader`.
"""
from __future__ import annotations

import functools

import numpy as np

from .._checks import as_array
from ..autograd import no_grad
from ..nn import functional as F
from ..nn import loss as nn_loss
from ..nn.module import Module
from ..tensor import Tensor, get_default_dtype
from ..tensor import as_tensor as _as_tensor

__all__ = ["resolve_loss", "is_loader", "prepare_x", "prepare_y", "eval_mode", "split_batch",
           "raw"]


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


def resolve_loss(loss, owner):
    """``(loss_fn, kind)`` from a callable or one of the names of ``_LOSS_NAMES``."""
    if isinstance(loss, str):
        if loss not in _LOSS_NAMES:
            raise ValueError(f"{owner}: unknown loss {loss!r}; choose from "
                             f"{', '.join(_LOSS_NAMES)} or pass a callable loss(output, target)")
        loss = _LOSS_NAMES[loss]
    if not callable(loss):
        raise TypeError(f"{owner}: loss must be a callable loss(output, target) or a name, got "
                        f"{type(loss).__name__}")
    return loss, _loss_kind(loss)


def is_loader(x) -> bool:
    """True for a DataLoader-like iterable of batches (not an array, Tensor or sequence)."""
    return (not isinstance(x, (np.ndarray, Tensor, list, tuple)) and hasattr(x, "__iter__")
            and not hasattr(x, "__array__"))


def _model_dtype(model: Module):
    for p in model.parameters():
        if p._data.dtype.kind == "f":
            return p._data.dtype
    return np.dtype(get_default_dtype())


def _wants_int_inputs(model: Module) -> bool:
    # a layer that indexes with its input (nn.Embedding) declares it: ints must stay ints
    return any(m.integer_input for m in model.modules())


def _first_bad(a: np.ndarray) -> str:
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    v = a[idx]
    what = "NaN" if np.isnan(v) else "inf"
    where = f"row {idx[0]}" + (f", column {idx[1]}" if len(idx) == 2 else
                                (f", index {idx[1:]}" if len(idx) > 2 else ""))
    return f"{what} at {where}"


def _samples(x, name, owner) -> np.ndarray:
    """``x`` as an array of numbers (:func:`as_array`) with a non-empty sample axis and no
    NaN/inf (the first bad sample is named)."""
    a = as_array(x, name, owner)
    if a.ndim == 0:
        raise ValueError(f"{owner}: {name} must have a sample axis, got a scalar")
    if len(a) == 0:
        raise ValueError(f"{owner}: {name} is empty (0 samples)")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{owner}: {name} contains {_first_bad(a)}")
    return a


def prepare_x(X, model, name, owner) -> np.ndarray:
    """``X`` checked and cast to the model's float dtype (ints kept for ``integer_input``)."""
    a = _samples(X, name, owner)
    if a.dtype.kind in "iu" and _wants_int_inputs(model):
        return a
    dtype = _model_dtype(model)
    return a if a.dtype == dtype else a.astype(dtype)


def _probe_output_shape(model, x_row):
    """The model's output shape on two rows (eval mode, no graph), for the label checks."""
    with eval_mode(model), no_grad():
        out = model(_as_tensor(x_row))
    return tuple(np.shape(out._data if isinstance(out, Tensor) else out))


def prepare_y(y, X, model, kind, name, owner) -> np.ndarray:
    """Check ``y`` against ``X`` and the loss, and convert it to what the loss reads."""
    a = _samples(y, name, owner)
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
        bad: np.ndarray = np.flatnonzero((a < 0) | (a >= k))
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
class eval_mode:
    """Put a model in eval mode and restore each sub-module's own flag afterwards."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.modes = [(m, m.training) for m in self.model.modules()]
        self.model.eval()

    def __exit__(self, *exc):
        for m, mode in self.modes:
            m.training = mode


def split_batch(batch):
    """A DataLoader batch as ``(x, y)``; ``y`` is None for x-only batches."""
    if isinstance(batch, (tuple, list)):
        if len(batch) == 1:
            return batch[0], None
        if len(batch) == 2:
            return batch[0], batch[1]
        raise ValueError(f"DataLoader batches must be x or (x, y), got {len(batch)} items")
    return batch, None


def raw(x):
    """The ndarray behind a Tensor or array-like."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)
