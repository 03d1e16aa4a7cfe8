"""``torch.autograd.Function``: a differentiable op written as a class with static methods.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    y = Exp.apply(x)

``forward`` runs without recording (its tensors are plain values); ``apply`` records one node
whose VJP calls ``backward`` with one gradient per output, and expects one gradient (or None)
per argument of ``forward``.  Tensors given to ``save_for_backward`` are version-checked: an
in-place change to one before ``backward`` raises, as in torch.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import declare
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .graph import Node, _edge, _save


class FunctionCtx:
    """The ``ctx`` handed to ``forward`` and ``backward``: saved tensors and flags."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved = ()
        self._non_differentiable = set()

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save tensors or None, got "
                                f"{type(t).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self):
        return self._saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool):
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        raise NotImplementedError("Function: in-place forward (ctx.mark_dirty) is not supported; "
                                  "return a new tensor from forward")


class Function:
    """Base class of custom differentiable functions (``torch.autograd.Function``)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Function is used through its classmethod apply(), as "
                           f"{type(self).__name__}.apply(...), not instantiated")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, ...)")

    @classmethod
    def apply(cls, *args, **kwargs):
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = is_grad_enabled() and any(needs)
        ctx = FunctionCtx(needs if record else (False,) * len(args))
        recorder, declare._recorder = declare._recorder, None   # a trace sees one op
        try:
            with no_grad():
                result = cls.forward(ctx, *args, **kwargs)
        finally:
            declare._recorder = recorder
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        if not record:
            if recorder is not None:
                recorder(cls, args, kwargs, result)
            return result
        arrays = [o._data if isinstance(o, Tensor) else None for o in outs]

        def vjp(g, node=None):
            # node given: create_graph=True, the cotangents are Tensors and backward runs with
            # grad mode on, so a backward written with tensor ops is recorded (as torch)
            gs = (g,) if len(outs) == 1 else g     # a one-output node gets its gradient bare
            grads = []
            for gi, a in zip(gs, arrays):
                if gi is None and a is not None and ctx.materialize_grads:
                    gi = np.zeros_like(a)
                grads.append(None if gi is None else gi if isinstance(gi, Tensor)
                             else Tensor._wrap(gi))
            with no_grad() if node is None else enable_grad():
                res = cls.backward(ctx, *grads)
            res = res if isinstance(res, tuple) else (res,)
            # extra trailing Nones are allowed, as torch allows them
            if len(res) < len(args) or any(r is not None for r in res[len(args):]):
                raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect "
                                   f"number of gradients (expected {len(args)}, got {len(res)})")
            for i, r in enumerate(res[:len(args)]):
                if r is not None and not isinstance(r, (Tensor, np.ndarray, float, int)):
                    raise TypeError(f"function {cls.__name__}Backward returned a "
                                    f"{type(r).__name__} as gradient {i}; expected a Tensor "
                                    f"or None")
            if node is not None:
                return [None if r is None or not need else r
                        for r, need in zip(res[:len(args)], needs)]
            return [None if r is None or not need else
                    np.asarray(r._data if isinstance(r, Tensor) else r)
                    for r, need in zip(res[:len(args)], needs)]

        parents = tuple(_edge(a) if need else None for a, need in zip(args, needs))
        node = Node(parents, vjp, len(outs), cls.__name__,
                    _save([t for t in ctx._saved if t is not None]))
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor) or id(o) in ctx._non_differentiable \
                    or o._data.dtype.kind != "f":
                wrapped.append(o)
            else:
                wrapped.append(Tensor._wrap(o._data, node, i))
        result = wrapped[0] if single else tuple(wrapped)
        if recorder is not None:
            recorder(cls, args, kwargs, result)
        return result


def Variable(data, requires_grad=False, volatile=False):
    """The legacy ``torch.autograd.Variable(t)``: today a Tensor is a Variable, so this returns
    the tensor itself (or, with ``requires_grad=True``, a leaf copy that requires grad)."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad and not t.requires_grad:
        t = Tensor(t._data, requires_grad=True)
    return t
