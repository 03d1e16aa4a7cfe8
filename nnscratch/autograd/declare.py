"""Op declaration: how a NumPy function becomes a differentiable op on tensors.

Ops are declared in one of two ways, forward and VJP side by side:

* ``@primitive`` + ``defvjp`` for small functions whose VJP needs only the inputs and the output
  (``defvjp(tanh, lambda g, out, x: g * (1 - out**2), saves="out")``), as in HIPS autograd;
* ``@fused`` for fused kernels whose forward returns ``(out, vjp)``: the closure keeps whatever
  intermediate results the analytic backward needs (softmax probabilities, im2col columns, the
  gates of every LSTM step).

Either way a call unwraps its tensor arguments, runs the forward on arrays, and -- when grad
mode is on and an argument requires grad -- records a :class:`~.graph.Node` for the backward
sweep (:mod:`.graph`).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from . import grad_mode as _gm
from .core import TensorBase as Tensor  # every tensor is one (nnscratch.Tensor subclasses it)
from .core import as_runtime_error
from .graph import Node, _Edge, _graph_inputs, _save

#: ``None``, or while a forward pass is traced (``nnscratch.onnx``) the function every op call
#: reports to: ``_recorder(op, args, kwargs, out)``.  One global test per call when off.
_recorder: Callable[[Any, tuple, dict, Any], None] | None = None


def _share_view(out: Tensor, base: Tensor) -> None:
    """``out`` is a view of ``base``'s memory: share its version counter and remember the
    base, so that in-place changes through either one are seen by autograd."""
    if np.may_share_memory(out._data, base._data):
        out._counter = base._counter
        out._base = base._base if base._base is not None else base


def _positional_names(sig):
    return [p.name for p in sig.parameters.values() if p.name != "needs_input_grad"
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _defaults_by_arity(sig):
    """``table[k]``: the defaulted parameters that ``k`` positional arguments leave unfilled,
    with their defaults -- what a VJP must receive besides the arguments actually passed."""
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not p.empty]
    if any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values()):
        keyword_only = {p.name: p.default for p in params if p.kind == p.KEYWORD_ONLY}
        return _KeywordOnly(keyword_only)
    order = list(sig.parameters)
    return [{p.name: p.default for p in params if order.index(p.name) >= k}
            for k in range(len(order) + 1)]


class _KeywordOnly(dict):
    """The defaults table of a function taking ``*args``: the same for any arity."""

    def __getitem__(self, k):
        return self


def _check_vjp_defaults(prim, vjp, i):
    """A VJP that declares a default for a forward keyword must declare the forward's value:
    the VJP receives the forward's defaults (so its own are never used), and a differing one
    would mislead the reader about the gradient it computes."""
    try:
        params = inspect.signature(vjp).parameters
    except (TypeError, ValueError):     # a builtin: nothing declared to drift
        return
    for name, fwd in prim._sig.parameters.items():
        own = params.get(name)
        if own is None or own.default is own.empty or fwd.default is fwd.empty:
            continue
        if not (own.default is fwd.default or own.default == fwd.default):
            raise TypeError(f"defvjp({prim.fn.__name__}): the VJP of argument {i} declares "
                            f"{name}={own.default!r}, the forward {name}={fwd.default!r}")


def _unpack(args):
    """One pass over an op's arguments: the arrays its kernel takes, each argument's parent in
    the graph (None for a constant or a tensor that needs no gradient), and whether any needs
    one.  This loop is the per-op overhead of every small op and layer call (measured for a
    small Linear: 10.7 -> 6 µs over the kernel, against a pass per question)."""
    arrays, parents, needs = [], [], False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a.requires_grad:
                parents.append(a if a._node is None else _Edge(a))
                needs = True
                continue
        else:
            arrays.append(a)
        parents.append(None)
    return arrays, parents, needs


def _bind_tensors_positionally(sig, positional, args, kwargs):
    """Move tensors passed by keyword (``power(x, p=t)``, ``linear(x, w, b=bias)``) into their
    positional slots, so they are differentiated like the others.  Returns (args, kwargs)."""
    for n in positional[len(args):]:     # a loop, not any(genexpr): once per op call
        if isinstance(kwargs.get(n), Tensor):
            break
    else:
        return args, kwargs
    if any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values()):
        return args, kwargs                # *args taken: the keyword ones are keyword-only
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    last = max(i for i, n in enumerate(positional) if isinstance(bound.arguments[n], Tensor))
    head = positional[:max(last + 1, len(args))]
    rest = {}
    for n, v in bound.arguments.items():
        if sig.parameters[n].kind == inspect.Parameter.VAR_KEYWORD:
            rest.update(v)
        elif n not in head:
            rest[n] = v
    return tuple(bound.arguments[n] for n in head), rest


class Primitive:
    """A NumPy function lifted to Tensors; its VJPs are attached with :func:`defvjp`."""

    def __init__(self, fn, view=False):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.vjps = ()
        self.view = view                # the output may be a view of the first argument
        self.saves = None               # None: every tensor argument and the output
        self.per_argument = False       # saves holds one tuple per argument
        self._sig = inspect.signature(fn)
        self._positional = _positional_names(self._sig)
        self._defaults = _defaults_by_arity(self._sig)

    def __call__(self, *args, **kwargs):
        if kwargs:
            args, kwargs = _bind_tensors_positionally(self._sig, self._positional, args, kwargs)
        arrays, parents, needs = _unpack(args)
        try:
            out = self.fn(*arrays, **kwargs)
        except ValueError as e:     # torch raises RuntimeError: ShapeError is both
            raise as_runtime_error(e, self.fn.__name__) from None
        if not (needs and _gm._grad_enabled):
            t = Tensor._wrap(out)
        else:
            vjps, defaults = self.vjps, self._defaults

            def vjp(g, node=None):
                # the forward's defaults travel with the call: a VJP never restates them
                kw = {**defaults[len(arrays)], **kwargs}
                if node is None:                 # plain arrays: the first-order sweep
                    return [None if p is None else vjps[i](g, out, *arrays, **kw)
                            for i, p in enumerate(parents)]
                # create_graph: the same VJP code on Tensors wired into the graph, so that
                # every operation it performs is recorded (see _run_backward_graph)
                xs = _graph_inputs(parents, arrays)
                o = Tensor._wrap(out, node, 0)
                return [None if p is None else vjps[i](g, o, *xs, **kw)
                        for i, p in enumerate(parents)]
            t = Tensor._wrap(out, Node(parents, vjp, 1, self.fn.__name__.strip("_")), 0)
            t._node.saved = self._saved(args, parents, t)
        if self.view and isinstance(args[0], Tensor):
            _share_view(t, args[0])
        if _recorder is not None:
            _recorder(self, args, kwargs, t)
        return t

    def _saved(self, args, parents, out):
        saves = self.saves
        if saves is None:
            tensors = [a for a in args if isinstance(a, Tensor)] + [out]
            return _save(tensors)
        if self.per_argument:     # only what the VJPs that will run read (repeats harmless)
            saves = [s for p, reads in zip(parents, saves) if p is not None for s in reads]
        tensors = [out if s == "out" else args[s] for s in saves
                   if s == "out" or (s < len(args) and isinstance(args[s], Tensor))]
        return _save(tensors)

    def __repr__(self):
        return f"<primitive {self.fn.__name__}>"


def primitive(fn=None, *, view=False):
    """Declare ``fn(*arrays, **kw) -> array`` as a differentiable op (see :func:`defvjp`).

    ``view=True`` marks ops whose output may share memory with their first argument
    (reshape, transpose, basic indexing): such outputs share its in-place version counter.
    """
    if fn is None:
        return lambda f: Primitive(f, view=view)
    return Primitive(fn, view=view)


def defvjp(prim: Primitive, *vjps, saves=None) -> None:
    """Attach one VJP per positional argument: ``vjp(g, out, *args, **kw) -> grad of that arg``.

    The VJP may return a gradient of the broadcast shape; the engine sums it back.  ``saves``
    names what the VJPs read, for the in-place checks: positional indices and/or ``"out"``
    (``saves=()`` for linear maps such as add or reshape, ``saves=("out",)`` for exp or tanh);
    by default every tensor argument and the output, the safe choice.  A list of such tuples,
    one per argument, says what each argument's VJP reads (``mul``: ``[(1,), (0,)]``), so that
    only the VJPs that will run save anything: ``a * 3`` saves nothing, as in torch.

    Write VJPs array-polymorphic (operators, NumPy ufuncs and functions, no in-place writes
    into their arguments): under ``create_graph=True`` the same code runs on Tensors and is
    recorded (CONTRIBUTING.md, "How to write a VJP that can be differentiated twice").

    Each VJP is called with every keyword argument of the forward, the defaulted ones at their
    forward defaults, so a VJP need not repeat them; one that does must repeat them exactly
    (checked here, once: ``k=2.0`` in the forward and ``k=3.0`` in a VJP is a TypeError).
    """
    for i, vjp in enumerate(vjps):
        _check_vjp_defaults(prim, vjp, i)
    prim.vjps = vjps
    if saves is not None:
        prim.saves = tuple(tuple(s) if isinstance(s, (tuple, list)) else s for s in saves)
        prim.per_argument = bool(prim.saves) and isinstance(prim.saves[0], tuple)


def _record_outputs(out, vjp, parents, name: str):
    """The graph node of a fused op's call and its output Tensor(s) on it.  With several
    outputs the VJP receives one gradient per output, zeros where an output got none."""
    if not isinstance(out, tuple):
        node = Node(tuple(parents), vjp, 1, name)
        return node, Tensor._wrap(out, node, 0)

    def vjp_of_all(gs):
        return vjp(tuple(np.zeros_like(o) if g is None else g for g, o in zip(gs, out)))
    node = Node(tuple(parents), vjp_of_all, len(out), name)
    return node, tuple(Tensor._wrap(o, node, i) for i, o in enumerate(out))


def fused(fn=None, *, saves_output=False, polymorphic=False, linear=False, composite=None,
          refuses=None):
    """Declare a fused op: ``fn(*arrays, **kw) -> (out, vjp)`` with ``vjp(g) -> grads``.

    Higher derivatives (``create_graph=True``): a fused VJP works on the arrays its forward
    kept, which are not in the graph, so by itself it is not recorded.  Say how instead:

    * ``polymorphic=True``: ``fn`` (forward and VJP) is array-polymorphic code, so under
      create_graph the engine calls ``fn`` again on the graph's Tensors and records the VJP it
      returns -- the hand-derived backward, differentiated as it is (normalisation, einsum);
    * ``linear=True``: ``vjp(g)`` reads the inputs only through constants (a mask, indices,
      split points) and is polymorphic in ``g``, so it is recorded as it is (dropout, concat);
    * ``composite=f``: ``f(*args, **kw)`` recomputes the output from differentiable ops, and
      the engine differentiates that (losses, linear, convolution): the fallback where the
      fused code is not polymorphic.

    Only ``create_graph`` takes these paths; the fused kernel stays the first-order one.
    With none of them, ``create_graph=True`` through the op raises, naming it and the reason
    ``refuses`` gives (why no second derivative exists or is provided).

    ``out`` may be a tuple of arrays (several outputs; ``vjp`` then receives a tuple of
    gradients, zeros where an output got none).  ``vjp`` returns one gradient (or None) per
    positional argument.  If ``fn`` has a keyword parameter ``needs_input_grad``, it receives a
    tuple of bools (one per positional argument, as PyTorch's ``ctx.needs_input_grad``) so the
    backward can skip gradients nobody asked for — e.g. the input of a network's first layer.
    For the in-place checks a fused VJP is taken to read its tensor arguments, and its outputs
    too when ``saves_output=True``.
    """
    if fn is None:
        return lambda f: fused(f, saves_output=saves_output, polymorphic=polymorphic,
                               linear=linear, composite=composite, refuses=refuses)
    sig = inspect.signature(fn)
    again_kind = "linear" if linear else None
    again_fn = ("rerun", fn) if polymorphic else ("composite", composite) if composite else None
    no_again = refuses or (f"{fn.__name__.strip('_')} is a fused kernel with neither a "
                           f"composite nor a recordable VJP, so its second derivative is not "
                           f"defined here")
    wants_needs = "needs_input_grad" in sig.parameters
    positional = _positional_names(sig)
    name = fn.__name__.strip("_")

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if kwargs:   # a tensor passed by keyword (b=bias) is differentiated like the others
            args, kwargs = _bind_tensors_positionally(sig, positional, args, kwargs)
        arrays, parents, needs = _unpack(args)
        needs = needs and _gm._grad_enabled
        if wants_needs:
            # one flag per positional parameter: False for defaulted ones not passed (b=None)
            kwargs["needs_input_grad"] = (tuple([needs and p is not None for p in parents])
                                          + (False,) * (len(positional) - len(parents)))
        try:
            out, vjp = fn(*arrays, **kwargs)
        except ValueError as e:
            raise as_runtime_error(e, fn.__name__) from None
        if not needs:
            result = (tuple(map(Tensor._wrap, out)) if isinstance(out, tuple)
                      else Tensor._wrap(out))
            if _recorder is not None:
                _recorder(op, args, kwargs, result)
            return result
        node, result = _record_outputs(out, vjp, parents, name)
        saved = [a for a in args if isinstance(a, Tensor)]
        if saves_output:
            saved += result if isinstance(result, tuple) else [result]
        node.saved = _save(saved)
        node.again = again_kind or ((*again_fn, arrays, kwargs) if again_fn is not None
                                    else no_again)
        if _recorder is not None:
            _recorder(op, args, kwargs, result)
        return result
    return op
