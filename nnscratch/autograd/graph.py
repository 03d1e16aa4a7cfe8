"""The graph and the backward sweep: recorded ops (:class:`Node`), hooks, and reverse-mode
differentiation.

A differentiable function is recorded as a :class:`Node`: the tensors it read (its parents) and
a vector-Jacobian product ``vjp(g) -> (grad for each parent)``.  ``backward`` sorts the nodes
topologically (iteratively, so a 10,000-op chain is fine), walks them in reverse, and
accumulates each parent's gradient; broadcasting is undone in one place, :func:`unbroadcast`.

In-place safety, as torch: every tensor has a version counter (shared by a tensor and its views)
that each in-place op increments.  A node remembers the versions of the tensors whose memory its
VJP reads; if one has changed by the time ``backward`` reaches the node, the gradient would be
computed from overwritten values, so ``backward`` raises torch's RuntimeError instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import ShapeError
from .core import TensorBase as Tensor  # every tensor is one (nnscratch.Tensor subclasses it)
from .grad_mode import enable_grad


class GraphMethods(Tensor):
    """Tensor's methods that reach the graph: ``backward``, ``retain_grad`` and the hooks (a
    mixin over the core, which knows no graph)."""

    __slots__ = ()

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after ``backward`` (torch's)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is not None and not self._retains_grad:
            self._retains_grad = True
            _node_hooks(self).append(_RetainGrad(self))

    def register_hook(self, hook):
        """``hook(grad) -> Tensor | None`` runs when this tensor's gradient is computed; a
        returned tensor replaces the gradient (torch's ``Tensor.register_hook``)."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        hooks = _node_hooks(self) if self._node is not None else self._leaf_hooks("grad")
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been accumulated (torch's)."""
        if self._node is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        hooks = self._leaf_hooks("post")
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def _leaf_hooks(self, kind):
        if self._hooks is None:
            self._hooks = {"grad": [], "post": []}
        return self._hooks[kind]

    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None, *, gradient: Any = None) -> None:
        """Accumulate the gradient of this tensor into every leaf that requires grad.

        ``grad`` (torch's ``gradient``, also accepted by that name) is the upstream gradient
        (cotangent); it may be omitted for a scalar.
        """
        gradient = grad if gradient is None else gradient
        backward(self, gradient, retain_graph, inputs=inputs, create_graph=create_graph)


class _RetainGrad:
    """The hook retain_grad() installs: stores the incoming gradient in ``tensor.grad``."""

    def __init__(self, tensor):
        self.tensor = tensor

    def __call__(self, g):
        t = self.tensor
        t._grad = g if t._grad is None else Tensor._wrap(t._grad._data + g._data)


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _node_hooks(t):
    node = t._node
    if node.hooks is None:
        node.hooks = {}
    return node.hooks.setdefault(t._index, [])


# torch's words, for a second backward through a graph the first one freed
_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the graph "
          "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
          "you need to backward through the graph a second time or if you need to access saved "
          "tensors after calling backward.")


class FreshGrads(tuple):
    """A VJP's result whose arrays the VJP has just made and shares with nothing (products,
    reductions): the engine keeps a leaf's first gradient from it as it is, where it would
    otherwise copy it (torch's AccumulateGrad steals a gradient nothing else holds, too).
    Return one only when every array in it is new: never an input, the cotangent, a saved
    array or a view of one.  The copy it saves is a pass over every weight per step: 6 % of
    the instructions of the bench MLP's step (784-200-10, batch 100; callgrind)."""

    __slots__ = ()


class Node:
    """One recorded op: its parents, its VJP, the gradients flowing into its outputs, and the
    versions of the tensors its VJP reads (``saved``)."""

    __slots__ = ("parents", "vjp", "grads", "name", "saved", "hooks", "again")

    def __init__(self, parents, vjp, n_outputs, name, saved=(), again="vjp"):
        self.parents = parents        # leaf Tensors and _Edges, None where no grad is needed
        self.vjp = vjp                # g (or tuple of g for several outputs) -> tuple of grads
        self.grads = [None] * n_outputs
        _NAME_SLOT.__set__(self, name)   # the slot under node_api's OpName field, no Python frame
        self.saved = saved            # ((version counter, value when recorded), ...)
        self.hooks = None             # {output index: [hook, ...]} from register_hook
        # how create_graph=True differentiates this node (see _vjp_recorded): "vjp" (the VJP
        # takes (g, node) and records on Tensors), "linear" (vjp(g) is polymorphic in g),
        # (composite, arrays, kwargs) (a fused op recomputed from differentiable ops), or a
        # string saying why it cannot be differentiated twice
        self.again = again

    def __repr__(self):                   # torch's names: <MulBackward0>
        return f"<{self.name[:1].upper()}{self.name[1:]}Backward0>"


_NAME_SLOT = Node.__dict__["name"]   # the slot itself (node_api wraps it to read OpNames)


def _save(tensors):
    return tuple([(t._counter, t._counter.n) for t in tensors])


def _check_saved(node):
    for counter, n in node.saved:
        if counter.n != n:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: it was saved by {node.name} and is at version "
                f"{counter.n}; expected version {n} instead. Hint: compute the in-place update "
                f"out of place (y = y + 1 instead of y += 1), or clone() before it")


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


def _toposort(root: Node, stop=()) -> list:
    """Nodes reachable from ``root``, parents before children (iterative DFS, post-order),
    without entering the nodes whose ids are in ``stop`` (a composite's boundary)."""
    order: list = []
    seen = {id(root)}
    if stop:
        seen.update(stop)
    # locals bound once: this loop runs once per recorded op of every backward
    visit, emit = seen.add, order.append
    stack = [(root, iter(root.parents))]
    push, pop = stack.append, stack.pop
    while stack:
        node, it = stack[-1]
        for p in it:
            if p is not None:
                child = p._node
                if child is not None and id(child) not in seen:
                    visit(id(child))
                    push((child, iter(child.parents)))
                    break
        else:
            pop()
            emit(node)
    return order


# callables queued for the end of the running backward (queue_callback)
_callbacks: list | None = None


def queue_callback(fn) -> None:
    """Run ``fn()`` once when the backward pass now running has finished (torch's
    ``Variable._execution_engine.queue_callback``; used by DistributedDataParallel)."""
    if _callbacks is None:
        raise RuntimeError("queue_callback: no backward pass is running")
    _callbacks.append(fn)


def _seed_grad(tensor, grad, keep=False):
    """The cotangent that starts a sweep: an array, or with ``keep`` (create_graph) a Tensor,
    the given one itself when it is one (it may be in a graph: ``hvp`` differentiates it)."""
    if grad is None:
        if tensor._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, got shape "
                f"{tuple(tensor.shape)}; pass a gradient of that shape")
        return np.ones(tensor._data.shape, tensor._data.dtype)
    if keep and isinstance(grad, Tensor):
        if grad.shape != tensor.shape:
            raise ShapeError(f"backward: grad shape {tuple(grad.shape)} != tensor shape "
                             f"{tuple(tensor.shape)}")
        return grad if grad.dtype == tensor.dtype else grad.astype(tensor.dtype)
    g = np.asarray(grad._data if isinstance(grad, Tensor) else grad, dtype=tensor.dtype)
    if g.shape != tensor._data.shape:
        raise ShapeError(f"backward: grad shape {g.shape} != tensor shape "
                         f"{tensor._data.shape}")
    return g


def backward(tensors, grad_tensors=None, retain_graph=None, inputs=None,
             create_graph=False) -> None:
    """Accumulate d(tensor)/d(leaf) · grad into every leaf's ``.grad`` (``torch.autograd.
    backward``): ``tensors`` is one tensor or a sequence, ``grad_tensors`` their cotangents.
    With ``inputs``, only those leaves receive gradients.  ``create_graph=True`` records the
    backward pass itself, so the ``.grad`` it leaves can be differentiated again;
    ``retain_graph`` defaults to ``create_graph``, as torch."""
    global _callbacks
    retain_graph = bool(create_graph if retain_graph is None else retain_graph)
    if isinstance(tensors, Tensor):
        tensors, grad_tensors = [tensors], [grad_tensors]
    else:
        tensors = list(tensors)
        grad_tensors = [None] * len(tensors) if grad_tensors is None else list(grad_tensors)
    for t in tensors:
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    only = None if inputs is None else {id(t) for t in inputs}
    outer: list | None = _callbacks
    if create_graph:
        seeds = [(t, _seed_grad(t, g, keep=True)) for t, g in zip(tensors, grad_tensors)]
        _callbacks = []
        try:
            leaves, _ = _run_backward_graph(seeds, retain_graph, only)
            for leaf, g in leaves.values():
                _accumulate_leaf_recorded(leaf, g)
            while _callbacks:
                _callbacks.pop(0)()
        finally:
            _callbacks = outer
        return
    seeds = [(t, _seed_grad(t, g)) for t, g in zip(tensors, grad_tensors)]
    _callbacks = []
    owned: set = set()
    try:
        for leaf, g in run_backward(seeds, retain_graph, only, owned=owned).values():
            _accumulate_leaf(leaf, g, id(leaf) in owned)
        while _callbacks:
            _callbacks.pop(0)()
    finally:
        _callbacks = outer


def _accumulate_leaf_recorded(p, g):
    """``p.grad += g`` out of place, so that the gradient keeps its graph (torch does the same
    under create_graph)."""
    if p._hooks is not None:
        for fn in p._hooks["grad"]:
            out = fn(g)
            if out is not None:
                g = _as_grad_tensor(out)
    if g.dtype != p._data.dtype:
        g = g.astype(p._data.dtype)
    p._grad = g if p._grad is None else p._grad + g
    if p._hooks is not None:
        for fn in p._hooks["post"]:
            fn(p)


def _split_seeds(seeds, only):
    """The seeds on leaves, summed per leaf (``{id: (leaf, gradient)}``, restricted to
    ``only``), and the (tensor, cotangent) pairs the sweep starts from."""
    leaves: dict = {}
    roots = []
    for t, g in seeds:
        if t._node is None:
            if only is None or id(t) in only:
                prev = leaves.get(id(t))
                leaves[id(t)] = (t, g) if prev is None else (t, prev[1] + g)
        else:
            roots.append((t, g))
    return leaves, roots


def _sweep_order(roots):
    """The nodes behind ``roots`` in topological order, checked before any gradient moves
    (freed graph, in-place change of a saved tensor), so a failed call leaves every .grad
    untouched."""
    if len(roots) == 1:
        order = _toposort(roots[0][0]._node)
    else:   # one topological order of the union of the graphs, without the joint pseudo-node
        order = _toposort(_Joint([t for t, _ in roots]))[:-1]
    for node in order:
        if node.vjp is None:
            raise RuntimeError(_FREED)
        for counter, n in node.saved:
            if counter.n != n:
                _check_saved(node)      # raises, naming the op
    return order


def run_backward(seeds, retain_graph=False, only=None, capture=None, owned=None):
    """The reverse sweep.  ``seeds``: (tensor, cotangent array) pairs.  Returns {id(leaf):
    (leaf, summed gradient array)} for the leaves reached (restricted to ids in ``only``);
    ``capture`` maps id(non-leaf tensor) -> (tensor, slot) whose incoming gradient is also
    returned (for ``autograd.grad`` with non-leaf inputs).  ``owned``, a set, receives the ids
    of the leaves whose returned array nothing else refers to (a sum made here, or an array
    from a :class:`FreshGrads` VJP), which ``.grad`` may then keep without a copy.

    Its loop runs once per recorded op, so it is written for the small-op case: no helper
    call per node or per gradient (the leaf sums are inline; the set-up before the loop, once
    per call, is in helpers)."""
    leaves, roots = _split_seeds(seeds, only)
    if not roots:
        return leaves
    order = _sweep_order(roots)
    for t, g in roots:
        slot = t._node.grads
        slot[t._index] = g if slot[t._index] is None else slot[t._index] + g
    for node in reversed(order):
        gs = node.grads
        node.grads = [None] * len(gs)
        if node.hooks:
            gs = _run_hooks(node.hooks, gs)
        if capture is not None:
            for i, g in enumerate(gs):
                key = (id(node), i)
                if key in capture and g is not None:
                    capture[key] = g
        if len(gs) == 1:
            if gs[0] is None:
                if not retain_graph:
                    node.vjp, node.parents, node.again = None, (), None
                continue
            parent_grads = node.vjp(gs[0])
        elif all(g is None for g in gs):
            if not retain_graph:
                node.vjp, node.parents, node.again = None, (), None
            continue
        else:
            parent_grads = node.vjp(tuple(gs))
        fresh = owned is not None and type(parent_grads) is FreshGrads
        for p, g in zip(node.parents, parent_grads):
            if p is None or g is None:
                continue
            if type(p) is _Edge:                    # the node that made a non-leaf input
                if g.shape != p._shape:
                    g = unbroadcast(g, p._shape)
            elif g.shape != p._data.shape:
                g = unbroadcast(g, p._data.shape)
            pnode = p._node
            if pnode is None:                       # a leaf
                if only is None or id(p) in only:
                    prev = leaves.get(id(p))
                    if prev is None:
                        leaves[id(p)] = (p, g)
                        if fresh:
                            owned.add(id(p))
                    else:                           # a new array: owned whatever g was
                        leaves[id(p)] = (p, prev[1] + g)
                        if owned is not None:
                            owned.add(id(p))
            else:
                slot = pnode.grads
                i = p._index
                slot[i] = g if slot[i] is None else slot[i] + g
        if not retain_graph:  # free the graph: intermediate arrays can be collected now
            # (again: a fused op's inputs, kept for create_graph)
            node.vjp, node.parents, node.again = None, (), None
    return leaves


# ----------------------------------------------------------------- recorded backward

def _graph_inputs(parents, arrays):
    """A node's inputs as Tensors wired into the graph: a leaf is itself, a non-leaf input is
    a fresh Tensor on the node (and output) that made it, with the values this node read; an
    input that needs no gradient stays the constant it was."""
    return [a if p is None else p if type(p) is not _Edge else Tensor._wrap(a, p._node, p._index)
            for p, a in zip(parents, arrays)]


def _as_grad_tensor(g):
    return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g))


def _vjp_recorded(node, gs):
    """``node``'s VJP on Tensor cotangents ``gs``, every operation recorded (create_graph)."""
    again = node.again
    if again == "vjp":
        return node.vjp(gs[0], node) if len(gs) == 1 else node.vjp(tuple(gs), node)
    if again == "linear":
        return node.vjp(gs[0]) if len(gs) == 1 else node.vjp(tuple(gs))
    if isinstance(again, tuple):
        kind, *rest = again
        return (_rerun_vjp if kind == "rerun" else _composite_vjp)(node, gs, *rest)
    raise RuntimeError(f"create_graph=True: {node.name} cannot be differentiated twice: "
                       f"{again}")


def _rerun_vjp(node, gs, fn, arrays, kwargs):
    """A polymorphic fused op's VJP, recorded: run its forward on inputs wired into the graph,
    then the VJP that forward returns, on Tensors."""
    xs = _graph_inputs(node.parents, arrays)
    with enable_grad():
        outs, vjp = fn(*xs, **kwargs)
        if isinstance(outs, tuple):
            return vjp(tuple(Tensor._wrap(np.zeros(o.shape, o.dtype)) if g is None else g
                             for g, o in zip(gs, outs)))
        return vjp(gs[0])


def _composite_vjp(node, gs, composite, arrays, kwargs):
    """The fused op's VJP, recorded: recompute its output from differentiable ops on inputs
    wired into the graph, and sweep that small graph back to those inputs (and no further)."""
    xs = _graph_inputs(node.parents, arrays)
    xs = [Tensor._wrap(x) if isinstance(x, np.ndarray) else x for x in xs]
    kw = {k: v for k, v in kwargs.items() if k != "needs_input_grad"}
    with enable_grad():
        outs = composite(*xs, **kw)
    outs = outs if isinstance(outs, tuple) else (outs,)
    seeds = [(o, g) for o, g in zip(outs, gs) if g is not None and o.requires_grad]
    stop = {id(p._node) for p in node.parents if type(p) is _Edge}
    leaves, boundary = (_run_backward_graph(seeds, retain_graph=True, stop=stop) if seeds
                        else ({}, {}))
    grads = []
    for p in node.parents:   # an input passed twice gets the total once
        if p is None:
            grads.append(None)
        elif type(p) is _Edge:
            grads.append(boundary.pop((id(p._node), p._index), None))
        else:
            grads.append(leaves.pop(id(p), (None, None))[1])
    return grads


def _run_backward_graph(seeds, retain_graph=True, only=None, capture=None, stop=()):
    """The reverse sweep of ``create_graph=True``: as :func:`run_backward`, but the cotangents
    are Tensors and every VJP runs on Tensors (``_vjp_recorded``), so the gradients it returns
    are themselves in a graph and can be differentiated again.  Returns ({id(leaf): (leaf,
    gradient)} for the leaves reached (those in ``only``), {(id(node), output index):
    gradient} for the gradients that reached a node in ``stop``, which go no further)."""
    leaves, boundary = {}, {}

    def arrive(p, g):
        if type(p) is _Edge or p._node is not None:
            node, i = p._node, p._index
            if id(node) in stop:
                key = (id(node), i)
                boundary[key] = g if key not in boundary else boundary[key] + g
            else:
                slot = node.grads
                slot[i] = g if slot[i] is None else slot[i] + g
        elif only is None or id(p) in only:
            leaves[id(p)] = (p, g if id(p) not in leaves else leaves[id(p)][1] + g)

    roots = []
    for t, g in seeds:
        g = _as_grad_tensor(g)
        if t._node is None or id(t._node) in stop:
            arrive(t, g)
        else:
            roots.append((t, g))
    if not roots:
        order = []
    elif len(roots) == 1:
        order = _toposort(roots[0][0]._node, stop)
    else:   # one order of the union of the graphs, without the joint pseudo-node
        order = _toposort(_Joint([t for t, _ in roots]), stop)[:-1]
    for node in order:
        if node.vjp is None:
            raise RuntimeError(_FREED)
        _check_saved(node)
    for t, g in roots:
        arrive(t, g)
    with enable_grad():
        for node in reversed(order):
            gs = node.grads
            node.grads = [None] * len(gs)
            if node.hooks:
                gs = _run_hooks(node.hooks, gs, keep_tensors=True)
            if capture is not None:
                for i, g in enumerate(gs):
                    key = (id(node), i)
                    if key in capture and g is not None:
                        capture[key] = g
            if any(g is not None for g in gs):
                try:
                    parent_grads = _vjp_recorded(node, gs)
                except (TypeError, NotImplementedError) as e:
                    raise RuntimeError(f"create_graph=True: the VJP of {node.name} cannot be "
                                       f"recorded: {e}") from e
                for p, g in zip(node.parents, parent_grads):
                    if p is None or g is None:
                        continue
                    g = _as_grad_tensor(g)
                    shape = p._shape if type(p) is _Edge else p._data.shape
                    if g.shape != shape:
                        g = unbroadcast(g, shape)
                    arrive(p, g)
            if not retain_graph:
                node.vjp, node.parents, node.again = None, (), None
    return leaves, boundary


class _Joint:
    """A pseudo-node whose parents are several roots, to order their graphs together."""

    def __init__(self, tensors):
        self.parents = tensors


def _run_hooks(hooks, gs, keep_tensors=False):
    gs = list(gs)
    for i, fns in hooks.items():
        if gs[i] is None:
            continue
        for fn in fns:
            out = fn(gs[i] if keep_tensors else Tensor._wrap(gs[i]))
            if out is not None:
                gs[i] = (_as_grad_tensor(out) if keep_tensors else
                         out._data if isinstance(out, Tensor) else np.asarray(out))
    return gs


def _leaf_grad_hooks(p, g):
    """A leaf's gradient after its register_hook hooks (each may replace it)."""
    if p._hooks is not None:
        for fn in p._hooks["grad"]:
            out = fn(Tensor._wrap(g))
            if out is not None:
                g = out._data if isinstance(out, Tensor) else np.asarray(out)
    return g


def _accumulate_leaf(p, g, owned=False):
    """Add ``g`` into ``p.grad``.  ``owned``: no one else refers to ``g`` or its memory (a sum
    made by the sweep, a :class:`FreshGrads` VJP's array, or the cast below), so a first
    gradient is kept as it is instead of copied.  Otherwise a first gradient is copied: a VJP
    may hand the same array to two parents, or a view, or the caller's cotangent.  (torch's
    AccumulateGrad steals a gradient nothing else holds; a guess from ``sys.getrefcount`` did
    that here until issue 31; declaring it is exact.)"""
    if p._hooks is not None and p._hooks["grad"]:
        g, owned = _leaf_grad_hooks(p, g), False
    if g.dtype != p._data.dtype:
        g, owned = g.astype(p._data.dtype), True
    if p._grad is None:
        p._grad = Tensor._wrap(g if owned and g.flags.writeable else np.array(g, copy=True))
    else:
        acc = p._grad
        if acc._data.shape == g.shape and acc._data.flags.writeable:
            np.add(acc._data, g, out=acc._data)   # in place, as torch's AccumulateGrad
            acc._counter.n += 1
        else:
            p._grad = Tensor._wrap(acc._data + g)
    if p._hooks is not None:
        for fn in p._hooks["post"]:
            fn(p)


class _Edge:
    """A node's link to a non-leaf input: the node that made it and which output it was.

    Kept instead of the tensor itself, so that an in-place op, which moves the tensor onto a new
    node, leaves the graphs recorded before it pointing at the values they used."""

    __slots__ = ("_node", "_index", "_shape")

    def __init__(self, t):
        self._node, self._index, self._shape = t._node, t._index, t._data.shape


def _edge(t):
    """What a node keeps of an input that needs a gradient (see :class:`_Edge`)."""
    return t if t._node is None else _Edge(t)
