"""Module hooks as torch runs them: removable handles and the full backward hooks.

``Module.__call__`` runs, in torch's order (``torch.nn.Module._call_impl``):

1. forward pre-hooks ``hook(module, args)`` (``with_kwargs``: ``hook(module, args, kwargs)``),
   each may return new ``args`` (a non-tuple is wrapped) or ``(args, kwargs)``;
2. when full backward hooks or backward pre-hooks exist, the tensor inputs are passed through
   an identity node whose backward hands ``grad_input`` to the full backward hooks;
3. ``forward``;
4. forward hooks ``hook(module, args, output)`` (``with_kwargs``: ``hook(module, args, kwargs,
   output)``), each may return a new output;
5. the outputs pass through an identity node whose backward runs the backward pre-hooks
   ``hook(module, grad_output)`` (each may return a new ``grad_output``) and keeps
   ``grad_output`` for the full backward hooks ``hook(module, grad_input, grad_output)``, which
   may return a new ``grad_input``.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (also on
    leaving a ``with handle:`` block), as ``torch.utils.hooks.RemovableHandle``."""

    def __init__(self, table: OrderedDict, prepend: bool = False):
        self.id = next(_ids)
        self._table = table
        self._prepend = prepend

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(table: OrderedDict, entry: Any, prepend: bool) -> RemovableHandle:
    """Put ``entry`` into ``table`` (first if ``prepend``) under a new handle's id."""
    handle = RemovableHandle(table, prepend)
    table[handle.id] = entry
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


class _Identity(Function):
    """The identity on tensors whose backward calls ``on_grad(grads) -> grads``."""

    @staticmethod
    def forward(ctx, on_grad, *tensors):
        ctx.on_grad = on_grad
        # apply() wraps each array in a new output tensor; one output is returned bare, as
        # the engine hands a one-output node its gradient bare
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.on_grad(grads))


def _identity(on_grad, tensors: list) -> tuple:
    out = _Identity.apply(on_grad, *tensors)
    return out if isinstance(out, tuple) else (out,)


def _as_tuple(grads, n: int, what: str, shapes=None, hook=None) -> tuple:
    grads = grads if isinstance(grads, tuple) else (grads,)
    if len(grads) != n:
        raise RuntimeError(f"backward hook returned {len(grads)} {what}, expected {n}")
    for g, shape in zip(grads, shapes or ()):   # (the shapes of the tensors they belong to)
        if g is not None and not isinstance(g, (Tensor, np.ndarray)):
            raise TypeError(f"expected Tensor, but hook returned {type(g).__name__!r}")
        if g is not None and shape is not None and tuple(np.shape(g)) != tuple(shape):
            raise RuntimeError(f"hook {getattr(hook, '__name__', hook)!r} has changed the "
                               f"size of value: {what} of shape {tuple(np.shape(g))}, "
                               f"expected {tuple(shape)}")
    return grads


class BackwardHook:
    """One call's full backward hooks and backward pre-hooks (torch's ``BackwardHook``)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_inputs = 0
        self.input_positions: list = []
        self.grad_outputs: tuple | None = None

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        self.input_positions = [i for i, a in enumerate(args)
                                if isinstance(a, Tensor) and a.requires_grad]
        if not self.input_positions or not is_grad_enabled():
            return args
        shapes = [a.shape if isinstance(a, Tensor) else None for a in args]

        def on_grad(grads):
            grad_input = [None] * self.n_inputs
            for i, g in zip(self.input_positions, grads):
                grad_input[i] = g
            grad_input = tuple(grad_input)
            for hook in self.hooks:
                res = hook(self.module, grad_input, self.grad_outputs)
                if res is not None:
                    grad_input = _as_tuple(res, self.n_inputs, "grad_input", shapes, hook)
            return tuple(grad_input[i] for i in self.input_positions)

        wrapped = _identity(on_grad, [args[i] for i in self.input_positions])
        new = list(args)
        for i, t in zip(self.input_positions, wrapped):
            new[i] = t
        return tuple(new)

    def setup_output_hook(self, result: Any) -> Any:
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple) or not is_grad_enabled():
            return result
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return result

        def on_grad(grads):
            grad_output = tuple(grads)
            for hook in self.pre_hooks:
                res = hook(self.module, grad_output)
                if res is not None:
                    grad_output = _as_tuple(res, len(positions), "grad_output",
                                            [outs[i].shape for i in positions], hook)
            self.grad_outputs = grad_output
            if not self.input_positions:          # no input needs a gradient: torch calls
                for hook in self.hooks:           # the full hooks here with None inputs
                    res = hook(self.module, (None,) * self.n_inputs, grad_output)
                    if res is not None and any(r is not None for r in _as_tuple(
                            res, self.n_inputs, "grad_input")):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for "
                                           "all gradients.")
            return grad_output

        wrapped = _identity(on_grad, [outs[i] for i in positions])
        new = list(outs)
        for i, t in zip(positions, wrapped):
            new[i] = t
        return new[0] if single else tuple(new)
