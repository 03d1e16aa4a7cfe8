"""The autograd engine: ``Tensor``, recorded ops, and reverse-mode differentiation.

This module is the bottom layer of nnscratch: it imports nothing else from the package.  The ops
(:mod:`nnscratch.ops`) import it at the top of their files, and :mod:`nnscratch.tensor` installs
Tensor's operator methods (``+``, ``sum``, ``add_`` …) on top of it.

A differentiable function is recorded as a :class:`Node`: the tensors it read (its parents) and
a vector-Jacobian product ``vjp(g) -> (grad for each parent)``.  ``backward`` sorts the nodes
topologically (iteratively, so a 10,000-op chain is fine), walks them in reverse, and
accumulates each parent's gradient; broadcasting is undone in one place, :func:`unbroadcast`.

Ops are declared in one of two ways, forward and VJP side by side:

* ``@primitive`` + ``defvjp`` for small functions whose VJP needs only the inputs and the output
  (``defvjp(tanh, lambda g, out, x: g * (1 - out**2), saves="out")``), as in HIPS autograd;
* ``@fused`` for fused kernels whose forward returns ``(out, vjp)``: the closure keeps whatever
  intermediate results the analytic backward needs (softmax probabilities, im2col columns, the
  gates of every LSTM step).

In-place safety, as torch: every tensor has a version counter (shared by a tensor and its views)
that each in-place op increments.  A node remembers the versions of the tensors whose memory its
VJP reads; if one has changed by the time ``backward`` reaches the node, the gradient would be
computed from overwritten values, so ``backward`` raises torch's RuntimeError instead.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:   # the methods nnscratch.tensor installs, declared for type checkers
    from numpy.typing import DTypeLike

    from ._tensor_api import TensorMethods as _TensorMethods
else:
    _TensorMethods = object

_grad_enabled = True
_default_dtype: np.dtype = np.dtype(np.float32)


def is_grad_enabled() -> bool:
    return _grad_enabled


def get_default_dtype() -> np.dtype:
    """The float dtype new tensors and parameters get (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default float dtype: ``np.float32`` or ``np.float64``."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: dtype must be float32 or float64, got {d}")
    _default_dtype = d


# ----------------------------------------------------------------------------- grad mode

class _GradMode(contextlib.ContextDecorator):
    """Sets grad recording to ``_enabled`` inside a ``with`` block or a decorated function.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.  Each decorated call gets a
    fresh context (``_recreate_cm``), so recursive or nested calls restore the right mode.
    """

    _enabled = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self if func is None else self(func)  # bare @no_grad on a function

    def __init__(self, func: Any = None):
        self._prev: list[bool] = []

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


class inference_mode(_GradMode):
    """``torch.inference_mode(mode=True)``: here the same as ``no_grad`` (or a no-op when
    ``mode=False``); torch's extra speed-ups have no counterpart in a NumPy engine."""

    def __new__(cls, mode=True):
        if callable(mode):                     # bare @inference_mode on a function
            return super().__new__(cls)(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        super().__init__()
        self._mode = bool(mode) if not callable(mode) else True

    def _recreate_cm(self):
        return type(self)(self._mode)

    def __enter__(self):
        global _grad_enabled
        self._prev.append(_grad_enabled)
        if self._mode:
            _grad_enabled = False
        return self


class set_grad_enabled(_GradMode):
    """``torch.set_grad_enabled(mode)``: a context manager, or a plain call that sets it."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        global _grad_enabled
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(_grad_enabled)   # a plain call takes effect at once, as in torch
        _grad_enabled = self._mode

    def _recreate_cm(self):
        return type(self)(self._mode)

    def __enter__(self):
        return self                         # already set by __init__

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev.pop()
        return False


# ----------------------------------------------------------------------------- Tensor core

class ShapeError(ValueError, RuntimeError):
    """A shape mismatch or a bad value inside an op: a ValueError (nnscratch's contract for bad
    input) that is also the RuntimeError torch raises, so code written for either catches it."""


class IndexOutOfRange(IndexError, ValueError):
    """An index or class label out of range where torch raises IndexError (``take``, ``put``,
    ``index_copy``, a loss's target, an embedding's index); also the ValueError of
    nnscratch's bad-input contract."""


def _as_runtime_error(e: ValueError, op: str) -> ValueError:
    """A ValueError out of an op's kernel (NumPy's "shapes not aligned", "cannot reshape", an
    argument check) as a :class:`ShapeError`, so that it is also the RuntimeError torch raises
    for the same call; the message is kept, prefixed with the op's name.  Errors that already
    are RuntimeErrors or IndexErrors (NumPy's AxisError: torch's IndexError) pass unchanged."""
    if isinstance(e, (RuntimeError, IndexError)):
        return e
    op = op.strip("_")
    msg = str(e)
    return ShapeError(msg if msg.startswith(op) else f"{op}: {msg}")


class _Version:
    """The in-place version counter that a tensor shares with its views."""

    __slots__ = ("n",)

    def __init__(self):
        self.n = 0


class Size(tuple):
    """``t.size()``/``t.shape`` as torch returns it: a tuple of ints that prints as Size."""

    def __repr__(self):                  # printed as the tuple it is (error messages read
        return tuple.__repr__(self)      # "got shape (2, 3)")

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor(_TensorMethods):
    """An ``np.ndarray`` with reverse-mode autograd, following ``torch.Tensor``.

    Attributes:
        data: a Tensor on the same memory, detached from the graph (torch's ``.data``).
        grad: the accumulated gradient (a Tensor) of some scalar w.r.t. this tensor, or None.
        requires_grad: whether operations on this tensor are recorded.
    Internals: ``_data`` is the ndarray itself (the one attribute the ops read), ``_node`` the
    recorded op that produced it (None for leaves), ``_counter`` its in-place version counter and
    ``_base`` the tensor it is a view of.
    """

    __slots__ = ("_data", "_grad", "requires_grad", "_node", "_index", "_counter", "_base",
                 "_hooks", "_retains_grad", "__weakref__")
    __array_priority__ = 100  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: DTypeLike | None = None):
        self._data = _to_array(data, dtype)
        if self._data.dtype.kind not in "biufc":
            raise TypeError(f"tensor: data must be numeric (bool, int or float), "
                            f"got dtype {self._data.dtype}")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"tensor: requires_grad must be a bool, got {requires_grad!r}")
        if requires_grad and self._data.dtype.kind != "f":
            raise TypeError(f"tensor: requires_grad=True needs a floating dtype "
                            f"(float32 or float64), got dtype {self._data.dtype}")
        self._grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._node = None
        self._index = 0
        self._counter = _Version()
        self._base: Tensor | None = None
        self._hooks = None
        self._retains_grad = False

    @classmethod
    def _wrap(cls, array, node=None, index=0) -> "Tensor":
        """Wrap an op's output without copying; ``node`` is the op that made it."""
        t = object.__new__(Tensor)
        t._data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t._grad = None
        t.requires_grad = node is not None
        t._node = node
        t._index = index
        t._counter = _Version()
        t._base = None
        t._hooks = None
        t._retains_grad = False
        return t

    # ---------------------------------------------------------------- attributes
    shape = property(lambda self: Size(self._data.shape))
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    is_leaf = property(lambda self: self._node is None)
    device = property(lambda self: _cpu_device)
    is_cuda = False
    _version = property(lambda self: self._counter.n)   # torch's t._version

    def size(self, dim: int | None = None) -> Any:     # a Size, or one int with dim
        """``torch.Tensor.size``: the shape (a ``Size``), or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim(dim, self._data.ndim, "size")]

    def numel(self) -> int:
        return int(self._data.size)

    def dim(self) -> int:
        return self._data.ndim

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    @property
    def data(self) -> "Tensor":
        """A tensor on the same memory, cut from the graph; in-place changes through it are
        not seen by autograd (torch's ``.data``: its own version counter)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value):
        """``p.data = t`` swaps the values (any shape), keeping the tensor's identity."""
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise TypeError(f"data: expected a numeric Tensor or array, got {type(value).__name__}")
        self._data = arr

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None:
            self._grad = None
            return
        g = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
        if g.shape != self.shape:
            raise RuntimeError(f"assigned grad has data of a different size: {tuple(g.shape)} "
                               f"for a tensor of shape {tuple(self.shape)}")
        self._grad = g

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves), as torch's ``grad_fn``."""
        return self._node

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self._data

    def item(self) -> Any:                 # a Python float, int or bool
        if self._data.size != 1:
            raise ValueError(f"item: tensor has {self._data.size} elements, expected 1")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def detach(self) -> "Tensor":
        """The same values, cut from the graph; shares memory and the version counter with
        this tensor, as ``torch.detach``."""
        t = Tensor._wrap(self._data)
        t._counter = self._counter
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError("detach_: can't detach views in-place; use detach() instead")
        self._node, self._index, self.requires_grad = None, 0, False
        return self

    def zero_grad(self) -> None:
        self._grad = None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_: expected a bool, got {requires_grad!r}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, "
                               f"got {self._data.dtype}")
        if self.is_leaf:
            self.requires_grad = bool(requires_grad)
        return self

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
        if create_graph:
            raise NotImplementedError("backward(create_graph=True): nnscratch's VJPs are NumPy "
                                      "code, not recorded, so there is no double backward")
        backward(self, gradient, bool(retain_graph), inputs=inputs)


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


class _Device:
    """``torch.device``: nnscratch computes on the CPU only, so ``"cpu"`` (``"cpu:0"``) is the
    one device; asking for another is an error naming it (see :mod:`nnscratch.device`)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, _Device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name != "cpu":
            # NotImplementedError is a RuntimeError, which torch raises for a missing device
            raise NotImplementedError(f"device: nnscratch runs on the CPU only; {type!r} is "
                                      f"not available (torch.cuda.is_available() is False)")
        if idx not in ("", "0") or index not in (None, 0):
            raise RuntimeError(f"device: the CPU has index 0 only, got {type!r}, index={index}")
        self.type, self.index = "cpu", None

    def __repr__(self):
        return f"device(type='{self.type}')"

    def __str__(self):
        return self.type

    def __eq__(self, other):
        if isinstance(other, str):
            return other in ("cpu", "cpu:0")
        return isinstance(other, _Device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)


_cpu_device: _Device = _Device("cpu")


def _dim(d, ndim, owner):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"{owner}: dim must be an int, got {d!r}")
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{owner}: dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {d})")
    return int(d) % n


def _to_array(data, dtype=None) -> np.ndarray:
    """A fresh array for ``Tensor(data)``: floats get the default dtype unless given."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"tensor: dtype must be a dtype such as ns.float32, "
                            f"got {dtype!r}") from None
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype (as torch)
        arr = np.array(data, dtype=dtype)
    else:
        if data is None:
            raise TypeError("tensor: data must be a number, a (nested) sequence of numbers or "
                            "an array, got None")
        try:
            arr = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"tensor: data must be numbers in a regular (non-ragged) nested "
                            f"sequence, got {type(data).__name__} ({e})") from None
        if dtype is None and arr.dtype.kind == "f":
            # Python floats (and float lists) get the default dtype, like torch.tensor([1.0])
            arr = arr.astype(_default_dtype)
    if arr.dtype.kind not in "biuf":
        what = "complex numbers are not supported" if arr.dtype.kind == "c" else \
            f"got dtype {arr.dtype}"
        raise TypeError(f"tensor: data must be numeric (bool, int or float); {what}")
    return arr


# ----------------------------------------------------------------------------- graph

class Node:
    """One recorded op: its parents, its VJP, the gradients flowing into its outputs, and the
    versions of the tensors its VJP reads (``saved``)."""

    __slots__ = ("parents", "vjp", "grads", "name", "saved", "hooks")

    def __init__(self, parents, vjp, n_outputs, name, saved=()):
        self.parents = parents        # leaf Tensors and _Edges, None where no grad is needed
        self.vjp = vjp                # g (or tuple of g for several outputs) -> tuple of grads
        self.grads = [None] * n_outputs
        self.name = name
        self.saved = saved            # ((version counter, value when recorded), ...)
        self.hooks = None             # {output index: [hook, ...]} from register_hook

    def __repr__(self):                   # torch's names: <MulBackward0>
        return f"<{self.name[:1].upper()}{self.name[1:]}Backward0>"


def _save(tensors):
    return tuple((t._counter, t._counter.n) for t in tensors)


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


# callables queued for the end of the running backward (queue_callback)
_callbacks: list | None = None


def queue_callback(fn) -> None:
    """Run ``fn()`` once when the backward pass now running has finished (torch's
    ``Variable._execution_engine.queue_callback``; used by DistributedDataParallel)."""
    if _callbacks is None:
        raise RuntimeError("queue_callback: no backward pass is running")
    _callbacks.append(fn)


def _seed_grad(tensor, grad):
    if grad is None:
        if tensor._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, got shape "
                f"{tuple(tensor.shape)}; pass a gradient of that shape")
        return np.ones_like(tensor._data)
    g = np.asarray(grad._data if isinstance(grad, Tensor) else grad, dtype=tensor.dtype)
    if g.shape != tensor._data.shape:
        raise ShapeError(f"backward: grad shape {g.shape} != tensor shape "
                         f"{tensor._data.shape}")
    return g


def backward(tensors, grad_tensors=None, retain_graph=False, inputs=None) -> None:
    """Accumulate d(tensor)/d(leaf) · grad into every leaf's ``.grad`` (``torch.autograd.
    backward``): ``tensors`` is one tensor or a sequence, ``grad_tensors`` their cotangents.
    With ``inputs``, only those leaves receive gradients."""
    global _callbacks
    if isinstance(tensors, Tensor):
        tensors, grad_tensors = [tensors], [grad_tensors]
    else:
        tensors = list(tensors)
        grad_tensors = [None] * len(tensors) if grad_tensors is None else list(grad_tensors)
    for t in tensors:
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
    only = None if inputs is None else {id(t) for t in (
        [inputs] if isinstance(inputs, Tensor) else inputs)}
    seeds = [(t, _seed_grad(t, g)) for t, g in zip(tensors, grad_tensors)]
    outer: list | None = _callbacks
    _callbacks = []
    try:
        results = run_backward(seeds, retain_graph, only)
        for key in list(results):
            leaf, g = results.pop(key)
            # nothing else refers to g (the exact count of a lone local, measured below):
            # the leaf may keep it as its .grad instead of a copy
            owned = g.base is None and sys.getrefcount(g) <= _LONE_REFS
            _accumulate_leaf(leaf, g, owned)
        while _callbacks:
            _callbacks.pop(0)()
    finally:
        _callbacks = outer


def run_backward(seeds, retain_graph=False, only=None, capture=None):
    """The reverse sweep.  ``seeds``: (tensor, cotangent array) pairs.  Returns {id(leaf):
    (leaf, summed gradient array)} for the leaves reached (restricted to ids in ``only``);
    ``capture`` maps id(non-leaf tensor) -> (tensor, slot) whose incoming gradient is also
    returned (for ``autograd.grad`` with non-leaf inputs)."""
    leaves = {}

    def to_leaf(p, g):
        if only is not None and id(p) not in only:
            return
        if id(p) in leaves:
            leaves[id(p)] = (p, leaves[id(p)][1] + g)
        else:
            leaves[id(p)] = (p, g)

    roots = []
    for t, g in seeds:
        if t._node is None:
            to_leaf(t, g)
        else:
            roots.append((t, g))
    if not roots:
        return leaves
    if len(roots) == 1:
        order = _toposort(roots[0][0]._node)
    else:   # one topological order of the union of the graphs, without the joint pseudo-node
        order = _toposort(_Joint([t for t, _ in roots]))[:-1]
    # checked before any gradient moves, so a failed call leaves every .grad untouched
    for node in order:
        if node.vjp is None:
            raise RuntimeError("trying to backward through the graph a second time (or directly "
                               "access saved tensors after they have already been freed); call "
                               ".backward(retain_graph=True) the first time")
        _check_saved(node)
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
        if gs[0] is None if len(gs) == 1 else all(g is None for g in gs):
            if not retain_graph:
                node.vjp, node.parents = None, ()
            continue
        parent_grads = node.vjp(gs[0]) if len(gs) == 1 else node.vjp(tuple(gs))
        for p, g in zip(node.parents, parent_grads):
            if p is None or g is None:
                continue
            shape = p._shape if type(p) is _Edge else p._data.shape
            if g.shape != shape:
                g = unbroadcast(g, shape)
            if p._node is None:
                to_leaf(p, g)
            else:
                slot = p._node.grads
                i = p._index
                slot[i] = g if slot[i] is None else slot[i] + g
        if not retain_graph:  # free the graph: intermediate arrays can be collected now
            node.vjp = None
            node.parents = ()
    return leaves


class _Joint:
    """A pseudo-node whose parents are several roots, to order their graphs together."""

    def __init__(self, tensors):
        self.parents = tensors


def _run_hooks(hooks, gs):
    gs = list(gs)
    for i, fns in hooks.items():
        if gs[i] is None:
            continue
        for fn in fns:
            out = fn(Tensor._wrap(gs[i]))
            if out is not None:
                gs[i] = out._data if isinstance(out, Tensor) else np.asarray(out)
    return gs


def _leaf_grad_hooks(p, g):
    """A leaf's gradient after its register_hook hooks (each may replace it)."""
    if p._hooks is not None:
        for fn in p._hooks["grad"]:
            out = fn(Tensor._wrap(g))
            if out is not None:
                g = out._data if isinstance(out, Tensor) else np.asarray(out)
    return g


def _lone_refs():
    """``sys.getrefcount`` of an array held by one local variable only, in the same code shape
    as :func:`backward`'s loop (popped from a dict of (leaf, grad) pairs)."""
    pairs = {0: (None, np.empty(1))}
    for key in list(pairs):
        leaf, g = pairs.pop(key)
        refs = sys.getrefcount(g)
        return refs


_LONE_REFS = _lone_refs()


def _accumulate_leaf(p, g, owned=False):
    """Add ``g`` into ``p.grad``.  ``owned``: no one else refers to ``g`` or its memory (a
    VJP's fresh result), so a first gradient is kept as it is instead of copied; as torch's
    AccumulateGrad steals a gradient nothing else holds."""
    if p._hooks is not None and p._hooks["grad"]:
        g, owned = _leaf_grad_hooks(p, g), False
    if g.dtype != p._data.dtype:
        g, owned = g.astype(p._data.dtype), True
    if p._grad is None:
        # otherwise own a copy: a VJP may hand the same array to two parents, or a view
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


# --------------------------------------------------------------------------- op declaration

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
    if not any(isinstance(kwargs.get(n), Tensor) for n in positional[len(args):]):
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
        self._sig = inspect.signature(fn)
        self._positional = _positional_names(self._sig)
        self._defaults = _defaults_by_arity(self._sig)

    def __call__(self, *args, **kwargs):
        if kwargs:
            args, kwargs = _bind_tensors_positionally(self._sig, self._positional, args, kwargs)
        arrays, parents, needs = _unpack(args)
        try:
            out = self.fn(*arrays, **kwargs)
        except ValueError as e:
            raise _as_runtime_error(e, self.fn.__name__) from None
        if not (needs and _grad_enabled):
            t = Tensor._wrap(out)
        else:
            vjps, defaults = self.vjps, self._defaults

            def vjp(g):
                # the forward's defaults travel with the call: a VJP never restates them
                kw = {**defaults[len(arrays)], **kwargs}
                return [None if p is None else vjps[i](g, out, *arrays, **kw)
                        for i, p in enumerate(parents)]
            t = Tensor._wrap(out, Node(parents, vjp, 1, self.fn.__name__.strip("_")), 0)
            t._node.saved = self._saved(args, t)
        if self.view and isinstance(args[0], Tensor):
            _share_view(t, args[0])
        return t

    def _saved(self, args, out):
        if self.saves is None:
            tensors = [a for a in args if isinstance(a, Tensor)] + [out]
        else:
            tensors = [out if s == "out" else args[s] for s in self.saves
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
    by default every tensor argument and the output, the safe choice.

    Each VJP is called with every keyword argument of the forward, the defaulted ones at their
    forward defaults, so a VJP need not repeat them; one that does must repeat them exactly
    (checked here, once: ``k=2.0`` in the forward and ``k=3.0`` in a VJP is a TypeError).
    """
    for i, vjp in enumerate(vjps):
        _check_vjp_defaults(prim, vjp, i)
    prim.vjps = vjps
    if saves is not None:
        prim.saves = tuple(saves)


def fused(fn=None, *, saves_output=False):
    """Declare a fused op: ``fn(*arrays, **kw) -> (out, vjp)`` with ``vjp(g) -> grads``.

    ``out`` may be a tuple of arrays (several outputs; ``vjp`` then receives a tuple of
    gradients, zeros where an output got none).  ``vjp`` returns one gradient (or None) per
    positional argument.  If ``fn`` has a keyword parameter ``needs_input_grad``, it receives a
    tuple of bools (one per positional argument, as PyTorch's ``ctx.needs_input_grad``) so the
    backward can skip gradients nobody asked for — e.g. the input of a network's first layer.
    For the in-place checks a fused VJP is taken to read its tensor arguments, and its outputs
    too when ``saves_output=True``.
    """
    if fn is None:
        return lambda f: fused(f, saves_output=saves_output)
    sig = inspect.signature(fn)
    wants_needs = "needs_input_grad" in sig.parameters
    positional = _positional_names(sig)
    name = fn.__name__.strip("_")

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if kwargs:   # a tensor passed by keyword (b=bias) is differentiated like the others
            args, kwargs = _bind_tensors_positionally(sig, positional, args, kwargs)
        arrays, parents, needs = _unpack(args)
        needs = needs and _grad_enabled
        if wants_needs:
            # one flag per positional parameter: False for defaulted ones not passed (b=None)
            kwargs["needs_input_grad"] = (tuple(needs and p is not None for p in parents)
                                          + (False,) * (len(positional) - len(parents)))
        try:
            out, vjp = fn(*arrays, **kwargs)
        except ValueError as e:
            raise _as_runtime_error(e, fn.__name__) from None
        if not needs:
            return tuple(map(Tensor._wrap, out)) if isinstance(out, tuple) else Tensor._wrap(out)
        saved = [a for a in args if isinstance(a, Tensor)]
        if isinstance(out, tuple):
            inner = vjp

            def vjp(gs):
                return inner(tuple(np.zeros_like(o) if g is None else g
                                   for g, o in zip(gs, out)))
            node = Node(tuple(parents), vjp, len(out), name)
            result = tuple(Tensor._wrap(o, node, i) for i, o in enumerate(out))
            if saves_output:
                saved += result
        else:
            node = Node(tuple(parents), vjp, 1, name)
            result = Tensor._wrap(out, node, 0)
            if saves_output:
                saved.append(result)
        node.saved = _save(saved)
        return result
    return op
