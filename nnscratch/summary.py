"""``ns.summary``: a table of a model's layers, their output shapes and parameter counts.

Like Keras' ``model.summary()``: one row per layer that does the work (a module without
children, or one holding parameters of its own), in the order the forward pass calls them,
then the totals.  The shapes come from running one forward pass on a zero input, observed
through the forward hooks of :mod:`nnscratch.nn.module`.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from .autograd import no_grad
from .nn import module as _module
from .tensor import Tensor, get_default_dtype
from .tensor import as_tensor as _as_tensor


def _shapes(out):
    """The shape of an output, or the shapes of a (nested) tuple of outputs (RNN, LSTM)."""
    if isinstance(out, (Tensor, np.ndarray)):
        return tuple(out.shape)
    if isinstance(out, (tuple, list)):
        return tuple(_shapes(o) for o in out)
    return type(out).__name__


def _own_parameters(m: _module.Module) -> list:
    return [v for _, v in m._members() if isinstance(v, _module.Parameter)]


def _check_shape(input_shape) -> tuple:
    if isinstance(input_shape, (int, np.integer)):
        input_shape = (input_shape,)
    if (not isinstance(input_shape, (tuple, list)) or not input_shape
            or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                   for s in input_shape)):
        raise ValueError(f"summary: input_shape must be a non-empty tuple of positive ints "
                         f"(the shape of one input batch, e.g. (1, 784)), got {input_shape!r}")
    return tuple(int(s) for s in input_shape)


class ModelSummary(str):
    """The table :func:`summary` returns: a ``str`` (``print`` it, search it, write it to a
    file) whose ``repr`` is the table itself, so that a REPL or notebook shows it once, laid
    out, instead of a quoted one-line string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle: bool) -> None:   # IPython/Jupyter
        p.text(str(self))


def summary(model: _module.Module, input_shape: int | tuple[int, ...] | list[int],
            dtype: DTypeLike | None = None) -> ModelSummary:
    """A table of ``model``'s layers: name (type), output shape, parameters.

    Returns a :class:`ModelSummary` (a ``str``): evaluating ``ns.summary(model, (1, 784))`` in
    a REPL shows the table once; in a script, ``print(ns.summary(...))``.

    ``input_shape`` is the shape of one input batch, batch axis included (``(1, 784)`` for an
    MLP on MNIST, ``(1, 1, 28, 28)`` for a CNN).  ``dtype`` is the input's dtype: by default the
    dtype of the model's parameters (the default float dtype if it has none); pass an integer
    dtype for models that start with an ``Embedding``.

    The forward pass runs once, under ``no_grad`` and in ``eval()`` mode (so BatchNorm's running
    statistics and the random generator are untouched); each module's mode is restored after.
    """
    if not isinstance(model, _module.Module):
        raise TypeError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    shape = _check_shape(input_shape)
    params = list(model.parameters())
    if dtype is None:
        dtype = params[0].dtype if params else get_default_dtype()
    x = _as_tensor(np.zeros(shape, dtype=np.dtype(dtype)))

    names = {id(m): name for name, m in model.named_modules()}
    rows = []

    def hook(module, inputs, output):
        if id(module) not in names:
            return
        own = _own_parameters(module)
        if own or not any(True for _ in module.children()):
            label = names[id(module)] or type(module).__name__.lower()
            rows.append((f"{label} ({type(module).__name__})", str(_shapes(output)),
                         sum(p.numel() for p in own) if own else
                         sum(p.numel() for p in module.parameters())))

    modes = {id(m): m.training for m in model.modules()}
    _module._forward_hooks.append(hook)
    try:
        model.eval()
        with no_grad():
            model(x)
    finally:
        _module._forward_hooks.remove(hook)
        for m in model.modules():
            m.training = modes[id(m)]

    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    header = ("Layer (type)", "Output shape", "Param #")
    w0 = max([len(header[0])] + [len(r[0]) for r in rows]) + 2
    w1 = max([len(header[1])] + [len(r[1]) for r in rows]) + 2
    w2 = max([len(header[2])] + [len(f"{r[2]:,}") for r in rows])
    rule = "=" * (w0 + w1 + w2)
    lines = [f"Model: {type(model).__name__} ({'train' if model.training else 'eval'} mode), "
             f"input {shape}",
             rule, f"{header[0]:<{w0}}{header[1]:<{w1}}{header[2]:>{w2}}", rule]
    lines += [f"{name:<{w0}}{out:<{w1}}{n:>{w2},}" for name, out, n in rows]
    lines += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    return ModelSummary("\n".join(lines))
