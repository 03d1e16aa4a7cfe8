"""``torch.autograd.grad``: gradients of outputs w.r.t. chosen inputs, returned, not stored."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .graph import _leaf_grad_hooks, _run_backward_graph, _seed_grad, run_backward


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The sum of ``grad_outputs · ∂outputs/∂input`` for each input, as a tuple of Tensors.

    ``outputs`` and ``inputs`` are a tensor or a sequence of them; ``.grad`` fields are left
    untouched.  An input the outputs do not depend on raises, unless ``allow_unused=True``
    (then its gradient is None, or zeros with ``materialize_grads=True``), as torch.
    ``create_graph=True`` records the computation of the gradients, so they can be
    differentiated again (Hessians, gradient penalties, meta-gradients); ``retain_graph``
    defaults to ``create_graph``.
    """
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported")
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not inputs:
        raise RuntimeError("grad: the inputs argument cannot be empty (as torch)")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for flag, value in (("create_graph", create_graph), ("retain_graph", retain_graph)):
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"grad: {flag} must be a bool, got {type(value).__name__} "
                            f"{value!r}")
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: all inputs have to be Tensors, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: all outputs have to be Tensors, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
    retain_graph = bool(create_graph if retain_graph is None else retain_graph)
    seeds = [(t, _seed_grad(t, g, keep=create_graph)) for t, g in zip(outputs, grad_outputs)]
    capture = {(id(t._node), t._index): None for t in inputs if t._node is not None}
    only = {id(t) for t in inputs}
    if create_graph:   # the sweep is recorded: the gradients returned have a graph
        leaves, _ = _run_backward_graph(seeds, retain_graph, only, capture)
        hooks = _leaf_grad_hooks_recorded
    else:
        leaves, hooks = run_backward(seeds, retain_graph, only, capture), _leaf_grad_hooks
    result = []
    for t in inputs:
        g = hooks(t, leaves[id(t)][1]) if t._node is None and id(t) in leaves else \
            capture.get((id(t._node), t._index)) if t._node is not None else None
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            result.append(Tensor._wrap(np.zeros_like(t._data)) if materialize_grads else None)
        elif isinstance(g, Tensor):
            result.append(g if g.dtype == t.dtype else g.astype(t.dtype))
        else:
            result.append(Tensor._wrap(np.array(g, dtype=t.dtype)))
    return tuple(result)


def _leaf_grad_hooks_recorded(t, g):
    if t._hooks is not None:
        for fn in t._hooks["grad"]:
            out = fn(g)
            if out is not None:
                g = out if isinstance(out, Tensor) else Tensor._wrap(np.asarray(out))
    return g
