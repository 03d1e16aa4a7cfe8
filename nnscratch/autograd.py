"""Reverse-mode automatic differentiation.

A differentiable function is recorded as a :class:`Node`: the tensors it read (its parents) and
a vector-Jacobian product ``vjp(g) -> (grad for each parent)``.  ``Tensor.backward`` sorts the
nodes topologically (iteratively, so a 10,000-op chain is fine), walks them in reverse, and
accumulates each parent's gradient; broadcasting is undone in one place, :func:`unbroadcast`.

Ops are declared in one of two ways, forward and VJP side by side:

* ``@primitive`` + ``defvjp`` for small functions whose VJP needs only the inputs and the output
  (``defvjp(tanh, lambda g, out, x: g * (1 - out**2))``), as in HIPS autograd;
* ``@fused`` for fused kernels whose forward returns ``(out, vjp)``: the closure keeps whatever
  intermediate results the analytic backward needs (softmax probabilities, im2col columns, the
  gates of every LSTM step).
"""
from __future__ import annotations

import contextlib
import functools
import inspect

import numpy as np

_grad_enabled = True
Tensor = None  # set by nnscratch.tensor, which imports this module first


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Sets grad recording to ``_enabled`` inside a ``with`` block or a decorated function.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.  Each decorated call gets a
    fresh context (``_recreate_cm``), so recursive or nested calls restore the right mode.
    """

    _enabled = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self if func is None else self(func)  # bare @no_grad on a function

    def __init__(self, func=None):
        self._prev = []

    def _recreate_cm(self):
        return type(self)()

    def __enter__(self):
        global _grad_enabled
        self._prev.append(_grad_enabled)
        _grad_enabled = self._enabled
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev.pop()
        return False


class no_grad(_GradMode):
    """Context manager / decorator that stops recording operations (``torch.no_grad``)."""

    _enabled = False


class enable_grad(_GradMode):
    """Context manager / decorator that turns recording back on inside ``no_grad``."""

    _enabled = True


class Node:
    """One recorded op: its parent tensors, its VJP, and the gradients flowing into its outputs."""

    __slots__ = ("parents", "vjp", "grads", "name")

    def __init__(self, parents, vjp, n_outputs, name):
        self.parents = parents        # tuple of Tensors, None where no gradient is needed
        self.vjp = vjp                # g (or tuple of g for several outputs) -> tuple of grads
        self.grads = [None] * n_outputs
        self.name = name

    def __repr__(self):
        return f"<Node {self.name}>"


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _toposort(root: Node) -> list:
    """Nodes reachable from ``root``, parents before children (iterative DFS, post-order)."""
    order, seen = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, it = stack[-1]
        for p in it:
            child = p._node if p is not None else None
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward(tensor, grad=None, retain_graph=False) -> None:
    """Accumulate d(tensor)/d(leaf) · grad into every leaf's ``.grad``."""
    if not tensor.requires_grad:
        raise RuntimeError("backward: tensor does not require grad and has no grad_fn")
    if grad is None:
        if tensor._data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for scalar outputs, "
                f"got shape {tensor.shape}; pass grad= of that shape")
        grad = np.ones_like(tensor._data)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=tensor.dtype)
        if grad.shape != tensor.shape:
            raise ValueError(f"backward: grad shape {grad.shape} != tensor shape {tensor.shape}")
    root = tensor._node
    if root is None:  # a leaf: d leaf / d leaf = identity
        _accumulate_leaf(tensor, grad)
        return
    order = _toposort(root)
    # checked before any gradient moves, so a failed call leaves every .grad untouched
    if any(node.vjp is None for node in order):
        raise RuntimeError("backward: trying to backward through a graph a second time (its "
                           "buffers were freed by the first backward); call "
                           "backward(retain_graph=True) the first time")
    root.grads[tensor._index] = grad
    for node in reversed(order):
        gs = node.grads
        node.grads = [None] * len(gs)
        if all(g is None for g in gs):
            if not retain_graph:
                node.vjp, node.parents = None, ()
            continue
        if len(gs) == 1:
            parent_grads = node.vjp(gs[0])
        else:
            parent_grads = node.vjp(tuple(gs))
        for p, g in zip(node.parents, parent_grads):
            if p is None or g is None:
                continue
            if g.shape != p._data.shape:
                g = unbroadcast(g, p._data.shape)
            if p._node is None:
                _accumulate_leaf(p, g)
            else:
                slot = p._node.grads
                i = p._index
                slot[i] = g if slot[i] is None else slot[i] + g
        if not retain_graph:  # free the graph: intermediate arrays can be collected now
            node.vjp = None
            node.parents = ()


def _accumulate_leaf(p, g):
    if g.dtype != p._data.dtype:
        g = g.astype(p._data.dtype)
    if p.grad is None:
        # own the array: a VJP may hand the same array to two parents, and optimizers and
        # clip_grad_norm_ update .grad in place
        p.grad = np.array(g, copy=True)
    else:
        p.grad = p.grad + g


# --------------------------------------------------------------------------- op declaration

def _record(outs, parents, vjp, name):
    """Wrap output array(s) as Tensors; record a Node when some parent needs a gradient."""
    needs = _grad_enabled and any(p is not None for p in parents)
    if isinstance(outs, tuple):
        if not needs:
            return tuple(Tensor._wrap(o) for o in outs)
        node = Node(parents, vjp, len(outs), name)
        return tuple(Tensor._wrap(o, node, i) for i, o in enumerate(outs))
    if not needs:
        return Tensor._wrap(outs)
    return Tensor._wrap(outs, Node(parents, vjp, 1, name), 0)


def _parents(args):
    return tuple(a if isinstance(a, Tensor) and a.requires_grad else None for a in args)


def _unwrap(args):
    return [a._data if isinstance(a, Tensor) else a for a in args]


class Primitive:
    """A NumPy function lifted to Tensors; its VJPs are attached with :func:`defvjp`."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.vjps = ()

    def _to_positional(self, args, kwargs):
        """Move tensors passed by keyword (``power(x, p=t)``) into their positional slots, so
        they are differentiated like the others."""
        sig = inspect.signature(self.fn)
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        names = [n for n, p in sig.parameters.items()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        slots = [i for i, n in enumerate(names) if isinstance(bound.arguments[n], Tensor)]
        head = names[:max(slots, default=len(args) - 1) + 1]
        rest = {}
        for n, v in bound.arguments.items():
            kind = sig.parameters[n].kind
            if kind == inspect.Parameter.VAR_KEYWORD:
                rest.update(v)
            elif kind == inspect.Parameter.VAR_POSITIONAL:
                return args, kwargs        # *args taken: the keyword ones are keyword-only
            elif n not in head:
                rest[n] = v
        return tuple(bound.arguments[n] for n in head), rest

    def __call__(self, *args, **kwargs):
        if kwargs and any(isinstance(v, Tensor) for v in kwargs.values()):
            args, kwargs = self._to_positional(args, kwargs)
        # one pass over the arguments: this is the per-op overhead of every small op
        arrays, parents, needs = [], [], False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a.requires_grad:
                    parents.append(a)
                    needs = True
                    continue
            else:
                arrays.append(a)
            parents.append(None)
        out = self.fn(*arrays, **kwargs)
        if not (needs and _grad_enabled):
            return Tensor._wrap(out)
        vjps = self.vjps

        def vjp(g):
            return [None if p is None else vjps[i](g, out, *arrays, **kwargs)
                    for i, p in enumerate(parents)]
        return Tensor._wrap(out, Node(parents, vjp, 1, self.fn.__name__), 0)

    def __repr__(self):
        return f"<primitive {self.fn.__name__}>"


def primitive(fn) -> Primitive:
    """Declare ``fn(*arrays, **kw) -> array`` as a differentiable op (see :func:`defvjp`)."""
    return Primitive(fn)


def defvjp(prim: Primitive, *vjps) -> None:
    """Attach one VJP per positional argument: ``vjp(g, out, *args, **kw) -> grad of that arg``.

    The VJP may return a gradient of the broadcast shape; the engine sums it back.
    """
    prim.vjps = vjps


def fused(fn):
    """Declare a fused op: ``fn(*arrays, **kw) -> (out, vjp)`` with ``vjp(g) -> grads``.

    ``out`` may be a tuple of arrays (several outputs; ``vjp`` then receives a tuple of
    gradients, zeros where an output got none).  ``vjp`` returns one gradient (or None) per
    positional argument.  If ``fn`` has a keyword parameter ``needs_input_grad``, it receives a
    tuple of bools (one per positional argument, as PyTorch's ``ctx.needs_input_grad``) so the
    backward can skip gradients nobody asked for — e.g. the input of a network's first layer.
    """
    sig = inspect.signature(fn)
    wants_needs = "needs_input_grad" in sig.parameters
    # the positional parameters (x, w, b=None): an argument passed by keyword (b=bias) is
    # moved into its slot, or it would be silently excluded from differentiation
    positional = [p.name for p in sig.parameters.values() if p.name != "needs_input_grad"
                  and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if kwargs and any(name in kwargs for name in positional[len(args):]):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments[name] for name in positional)
            kwargs = {}
            for name, value in bound.arguments.items():
                if sig.parameters[name].kind == inspect.Parameter.VAR_KEYWORD:
                    kwargs.update(value)
                elif name not in positional:
                    kwargs[name] = value
        parents = _parents(args)
        needs = _grad_enabled and any(p is not None for p in parents)
        if wants_needs:
            # one flag per positional parameter: False for defaulted ones not passed (b=None)
            flags = tuple(needs and p is not None for p in parents)
            kwargs["needs_input_grad"] = flags + (False,) * (len(positional) - len(flags))
        arrays = _unwrap(args)
        out, vjp = fn(*arrays, **kwargs)
        if not needs:
            return _record(out, parents, None, fn.__name__)
        if isinstance(out, tuple):
            inner = vjp

            def vjp(gs):
                return inner(tuple(np.zeros_like(o) if g is None else g
                                   for g, o in zip(gs, out)))
        return _record(out, parents, vjp, fn.__name__)
    return op


# Second-order helpers live in autodiff.py (central differences of this module's exact
# gradients); they are re-exported here so ``nnscratch.autograd.hessian`` works.
from . import autodiff as _autodiff  # noqa: E402

grad, value_and_grad = _autodiff.grad, _autodiff.value_and_grad
hessian, hvp = _autodiff.hessian, _autodiff.hvp
