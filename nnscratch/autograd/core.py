"""The engine core: what a tensor *is* -- an array, a gradient, a graph node and an in-place
version counter (:class:`TensorBase`), with the shape type ``Size``.

``nnscratch.Tensor`` subclasses it with what a tensor *does* (arithmetic, reductions, shapes,
backward …); the op declarations (:mod:`.declare`) wrap every result with
:meth:`TensorBase._wrap`, which makes an instance of the class registered with
:func:`set_tensor_class` -- ``nnscratch.Tensor`` -- so that the ops, below it, never import it
(as torch's C core builds instances of the Python ``torch.Tensor``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ..device import cpu as _cpu
from ..dtype import get_default_dtype


class ShapeError(ValueError, RuntimeError):
    """A shape mismatch or a bad value inside an op: a ValueError (nnscratch's contract for bad
    input) that is also the RuntimeError torch raises, so code written for either catches it."""


class IndexOutOfRange(IndexError, ValueError):
    """An index or class label out of range where torch raises IndexError (``take``, ``put``,
    ``index_copy``, a loss's target, an embedding's index); also the ValueError of
    nnscratch's bad-input contract."""


def as_runtime_error(e: ValueError, op: str) -> ValueError:
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


class TensorBase:
    """What a tensor *is*: an ``np.ndarray`` with a gradient, a graph node and an in-place version
    counter (``nnscratch.Tensor`` adds what it *does*).  Follows ``torch.Tensor``.

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
        self._grad: Any = None
        self.requires_grad = bool(requires_grad)
        self._node = None
        self._index = 0
        self._counter = _Version()
        self._base: TensorBase | None = None
        self._hooks = None
        self._retains_grad = False

    @classmethod
    def _wrap(cls, array, node=None, index=0) -> Any:    # a Tensor (the registered class)
        """Wrap an op's output without copying; ``node`` is the op that made it."""
        t: Any = object.__new__(_made)
        t._data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t._grad = None
        t.requires_grad = node is not None
        t._node = node
        t._index = index
        t._counter = v = object.__new__(_Version)   # _Version() without its __init__ frame:
        v.n = 0                                      # _wrap runs once per op output
        t._base = None
        t._hooks = None
        t._retains_grad = False
        return t

    # ---------------------------------------------------------------- attributes
    shape = property(lambda self: Size(self._data.shape))
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    is_leaf = property(lambda self: self._node is None)
    device = property(lambda self: _cpu)
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
    def data(self) -> Any:
        """A tensor on the same memory, cut from the graph; in-place changes through it are
        not seen by autograd (torch's ``.data``: its own version counter)."""
        return TensorBase._wrap(self._data)

    @data.setter
    def data(self, value):
        """``p.data = t`` swaps the values (any shape), keeping the tensor's identity."""
        arr = value._data if isinstance(value, TensorBase) else np.asarray(value)
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise TypeError(f"data: expected a numeric Tensor or array, got {type(value).__name__}")
        self._data = arr

    @property
    def grad(self) -> Any:        # a Tensor or None
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None:
            self._grad = None
            return
        g = value if isinstance(value, TensorBase) else TensorBase._wrap(np.asarray(value))
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

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array (shared, not copied); ``force`` (torch's: detach and move to
        the CPU first) changes nothing here: the array is already both."""
        return self._data

    def item(self) -> Any:                 # a Python float, int or bool
        if self._data.size != 1:
            raise ValueError(f"item: tensor has {self._data.size} elements, expected 1")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def detach(self) -> Any:
        """The same values, cut from the graph; shares memory and the version counter with
        this tensor, as ``torch.detach``."""
        t = TensorBase._wrap(self._data)
        t._counter = self._counter
        return t

    def detach_(self) -> "TensorBase":
        if self._base is not None:
            raise RuntimeError("detach_: can't detach views in-place; use detach() instead")
        self._node, self._index, self.requires_grad = None, 0, False
        return self

    def zero_grad(self) -> None:
        self._grad = None

    def requires_grad_(self, requires_grad: bool = True) -> "TensorBase":
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


_made: type = TensorBase    # the class _wrap instantiates (nnscratch.Tensor, once registered)


def set_tensor_class(cls: type) -> None:
    """Make ``TensorBase._wrap`` (every op's result) an instance of ``cls``, a subclass."""
    global _made
    if not issubclass(cls, TensorBase):
        raise TypeError(f"set_tensor_class: {cls!r} is not a subclass of TensorBase")
    _made = cls


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
    if isinstance(data, TensorBase):
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
            arr = arr.astype(get_default_dtype())
    if arr.dtype.kind not in "biuf":
        what = "complex numbers are not supported" if arr.dtype.kind == "c" else \
            f"got dtype {arr.dtype}"
        raise TypeError(f"tensor: data must be numeric (bool, int or float); {what}")
    return arr
