"""``Tensor``: a NumPy array that remembers how it was computed.

``t._data`` is the array, ``t.grad`` the accumulated gradient (an array or None), and
``t._node`` the recorded op that produced it (None for leaves).  Every method here is a thin
call into :mod:`nnscratch.ops`, where each op's forward and VJP live side by side.
"""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from . import autograd
from . import random as _random

_default_dtype = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The float dtype new tensors and parameters get (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the default float dtype: ``np.float32`` or ``np.float64``."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: dtype must be float32 or float64, got {d}")
    _default_dtype = d


def _to_array(data, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"tensor: dtype must be a NumPy dtype such as np.float32, "
                            f"got {dtype!r}") from None
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype (as torch)
        return np.array(data)
    arr = np.array(data)
    if arr.dtype.kind == "f" or (arr.dtype == object):
        # Python floats (and float lists) get the default dtype, like torch.tensor([1.0])
        arr = arr.astype(_default_dtype)
    return arr


class Tensor:
    """An ``np.ndarray`` with reverse-mode autograd (see :mod:`nnscratch.autograd`).

    Attributes:
        data: the values, an ``np.ndarray``.
        grad: the accumulated gradient of some scalar w.r.t. this tensor, or None.
        requires_grad: whether operations on this tensor are recorded.
    """

    __slots__ = ("_data", "grad", "requires_grad", "_node", "_index", "__weakref__")
    __array_priority__ = 100  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self._data = _to_array(data, dtype)
        if self._data.dtype.kind not in "biufc":
            raise TypeError(f"tensor: data must be numeric (bool, int or float), "
                            f"got dtype {self._data.dtype}")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise TypeError(f"tensor: requires_grad=True needs a floating dtype "
                            f"(float32 or float64), got dtype {self._data.dtype}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._node = None
        self._index = 0

    @classmethod
    def _wrap(cls, array, node=None, index=0) -> "Tensor":
        """Wrap an op's output without copying; ``node`` is the op that made it."""
        t = object.__new__(Tensor)
        t._data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t.grad = None
        t.requires_grad = node is not None
        t._node = node
        t._index = index
        return t

    # ---------------------------------------------------------------- basic attributes
    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    is_leaf = property(lambda self: self._node is None)

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = _to_array(value)

    def __len__(self):
        return len(self._data)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self._data

    def item(self):
        if self._data.size != 1:
            raise ValueError(f"item: tensor has {self._data.size} elements, expected 1")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def detach(self) -> "Tensor":
        """The same values, cut from the graph (shares memory, like ``torch.detach``)."""
        return Tensor._wrap(self._data)

    def zero_grad(self) -> None:
        self.grad = None

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad")
        self.requires_grad = bool(flag)
        return self

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into every leaf that requires grad.

        ``grad`` is the upstream gradient (cotangent); it may be omitted for a scalar.
        """
        autograd.backward(self, grad, retain_graph)

    def astype(self, dtype) -> "Tensor":
        return _ops.astype(self, np.dtype(dtype))

    def double(self):
        return self.astype(np.float64)

    def float(self):
        return self.astype(np.float32)

    def copy(self):
        return _ops.astype(self, self.dtype)

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extra = "" if self.dtype == _default_dtype else f", dtype={self.dtype}"
        if self._node is not None:
            extra += f", grad_fn=<{self._node.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError("the truth value of a tensor with more than one element "
                             "is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        # np.asarray(t) shares t._data; np.array(t) (copy=True) must not alias it
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy and a is self._data else a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy ufuncs on tensors: ``np.exp(t)``, ``np.add(a, t)``, ``arr * t``.

        The ufuncs nnscratch differentiates run as its ops and return a Tensor with a graph, so
        ``np.tanh(t)`` is ``t.tanh()``.  Any other ufunc (or a reduction, ``out=``, …) on a
        tensor that requires grad raises TypeError instead of silently returning an array
        without a graph; on other tensors it computes on the arrays and returns an ndarray.
        """
        op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is not None:
            like = next(x for x in inputs if isinstance(x, Tensor))
            return op(*(_operand(x, like) for x in inputs))
        arrays = tuple(x._data if isinstance(x, Tensor) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(x._data if isinstance(x, Tensor) else x
                                  for x in kwargs["out"])
        result = getattr(ufunc, method)(*arrays, **kwargs)
        call = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _no_lost_gradient(result, inputs, call)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy functions on tensors (``np.sum(t)``, ``np.concatenate([a, b])``, …).

        Those with an nnscratch op run it, with the same rule as :meth:`__array_ufunc__`: a
        Tensor with a graph.  Others compute on the arrays, and refuse a tensor that requires
        grad when the result is floating (it would lose its gradient silently).
        """
        op = _FUNCTION_OPS.get(func)
        if op is not None:
            try:
                inspect.signature(op).bind(*args, **kwargs)
            except TypeError:           # an argument nnscratch's op lacks (dtype=, out=, …)
                op = None
        if op is not None:
            return op(*args, **kwargs)
        result = func(*_unwrap_tree(args), **_unwrap_tree(kwargs))
        return _no_lost_gradient(result, (args, kwargs), f"np.{func.__name__}")

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, o): return _ops.add(self, _operand(o, self))
    def __radd__(self, o): return _ops.add(_operand(o, self), self)
    def __sub__(self, o): return _ops.sub(self, _operand(o, self))
    def __rsub__(self, o): return _ops.sub(_operand(o, self), self)
    def __mul__(self, o): return _ops.mul(self, _operand(o, self))
    def __rmul__(self, o): return _ops.mul(_operand(o, self), self)
    def __truediv__(self, o): return _ops.div(self, _operand(o, self))
    def __rtruediv__(self, o): return _ops.div(_operand(o, self), self)
    def __pow__(self, o): return _ops.power(self, _operand(o, self))
    def __rpow__(self, o): return _ops.power(_operand(o, self), self)
    def __matmul__(self, o): return _ops.matmul(self, _operand(o, self))
    def __rmatmul__(self, o): return _ops.matmul(_operand(o, self), self)
    def __neg__(self): return _ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _ops.abs(self)
    def __getitem__(self, idx): return _ops.getitem(self, idx)

    # comparisons: plain boolean tensors, never differentiable
    def __eq__(self, o): return Tensor._wrap(self._data == _raw(o))
    def __ne__(self, o): return Tensor._wrap(self._data != _raw(o))
    def __lt__(self, o): return Tensor._wrap(self._data < _raw(o))
    def __le__(self, o): return Tensor._wrap(self._data <= _raw(o))
    def __gt__(self, o): return Tensor._wrap(self._data > _raw(o))
    def __ge__(self, o): return Tensor._wrap(self._data >= _raw(o))
    __hash__ = object.__hash__  # identity hashing, so tensors can key dicts and sets

    # ---------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims=False): return _ops.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _ops.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _ops.min(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, keepdims=False, ddof=0):
        return _ops.var(self, axis=axis, keepdims=keepdims, ddof=ddof)
    def std(self, axis=None, keepdims=False, ddof=0):
        return _ops.var(self, axis=axis, keepdims=keepdims, ddof=ddof).sqrt()
    def argmax(self, axis=None): return Tensor._wrap(np.argmax(self._data, axis=axis))
    def argmin(self, axis=None): return Tensor._wrap(np.argmin(self._data, axis=axis))

    # ---------------------------------------------------------------- shape
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def view(self, *shape):
        return self.reshape(*shape)

    def flatten(self, start_dim=0):
        return self.reshape(self.shape[:start_dim] + (-1,))

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def permute(self, *axes):
        return self.transpose(*axes)

    @property
    def T(self):
        return _ops.transpose(self, None)

    def squeeze(self, axis=None):
        return _ops.reshape(self, np.squeeze(self._data, axis=axis).shape)

    def unsqueeze(self, axis):
        return _ops.reshape(self, np.expand_dims(self._data, axis).shape)

    # ---------------------------------------------------------------- elementwise
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def clip(self, lo=None, hi=None): return _ops.clip(self, lo, hi)
    def relu(self): return _ops.relu(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def tanh(self): return _ops.tanh(self)
    def sin(self): return _ops.sin(self)
    def cos(self): return _ops.cos(self)
    def softmax(self, axis=-1): return _ops.softmax(self, axis=axis)
    def log_softmax(self, axis=-1): return _ops.log_softmax(self, axis=axis)


_UFUNC_OPS = {}     # filled below, once ops is importable
_FUNCTION_OPS = {}


def _unwrap_tree(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_tree(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap_tree(v) for k, v in x.items()}
    return x


def _any_requires_grad(x) -> bool:
    if isinstance(x, Tensor):
        return x.requires_grad
    if isinstance(x, (list, tuple)):
        return any(_any_requires_grad(v) for v in x)
    if isinstance(x, dict):
        return any(_any_requires_grad(v) for v in x.values())
    return False


def _no_lost_gradient(result, inputs, call):
    """``result`` of a NumPy call computed on plain arrays; refused (TypeError) when it is
    floating and some input tensor requires grad, since its gradient would be lost silently.
    Comparisons, isnan, … carry no gradient and pass as arrays."""
    floating = any(np.asarray(r).dtype.kind in "fc"
                   for r in (result if isinstance(result, tuple) else (result,)))
    if floating and autograd.is_grad_enabled() and _any_requires_grad(inputs):
        raise TypeError(f"{call} on a Tensor that requires grad would drop its gradient; use "
                        f"the nnscratch op or method (e.g. t.sum(), ns.exp) or "
                        f"t.detach().numpy() for a plain array")
    return result


def _raw(o):
    return o._data if isinstance(o, Tensor) else o


def _operand(o, like: Tensor):
    """Bring the other operand of a binary op to the tensor's dtype.

    Python numbers pass through (NumPy keeps the array's dtype for them); NumPy arrays and
    scalars of another float dtype are cast so float32 stays float32.
    """
    if isinstance(o, Tensor) or isinstance(o, numbers.Number) and not isinstance(o, np.generic):
        return o
    a = np.asarray(o)
    if like._data.dtype.kind == "f" and a.dtype.kind in "biuf" and a.dtype != like._data.dtype:
        a = a.astype(like._data.dtype)
    return a


# ------------------------------------------------------------------------- factories

def _shape_arg(shape, owner: str) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{owner}: shape must be integers, got {shape}")
        if s < 0:
            raise ValueError(f"{owner}: shape must be non-negative integers, got {shape}")
    return tuple(int(s) for s in shape)


def _float_dtype(dtype):
    return _default_dtype if dtype is None else np.dtype(dtype)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a leaf tensor (copies ``data``); floats get the default dtype unless given."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.zeros(_shape_arg(shape, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*shape, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.ones(_shape_arg(shape, "ones"), _float_dtype(dtype)), requires_grad)


def randn(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Standard normal samples from the library generator."""
    a = _random.generator().standard_normal(_shape_arg(shape, "randn")).astype(_float_dtype(dtype))
    return _leaf(a, requires_grad)


def rand(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Uniform [0, 1) samples from the library generator."""
    a = _random.generator().random(_shape_arg(shape, "rand")).astype(_float_dtype(dtype))
    return _leaf(a, requires_grad)


def zeros_like(t, requires_grad=False) -> Tensor:
    return _leaf(np.zeros_like(_raw(t)), requires_grad)


def ones_like(t, requires_grad=False) -> Tensor:
    return _leaf(np.ones_like(_raw(t)), requires_grad)


def arange(*args, dtype=None) -> Tensor:
    return _leaf(np.arange(*args, dtype=dtype), False)


def _leaf(array, requires_grad) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t

autograd.Tensor = Tensor
from . import ops as _ops  # noqa: E402  (ops import Tensor; methods above look them up lazily)

_UFUNC_OPS.update({
    np.add: _ops.add, np.subtract: _ops.sub, np.multiply: _ops.mul, np.true_divide: _ops.div,
    np.power: _ops.power, np.negative: _ops.neg, np.positive: lambda x: x,
    np.square: lambda x: _ops.mul(x, x), np.exp: _ops.exp, np.log: _ops.log,
    np.sqrt: _ops.sqrt, np.tanh: _ops.tanh, np.sin: _ops.sin, np.cos: _ops.cos,
    np.absolute: _ops.abs, np.matmul: _ops.matmul,
})


def _np_sum(a, axis=None, keepdims=False): return _ops.sum(a, axis=axis, keepdims=keepdims)
def _np_mean(a, axis=None, keepdims=False): return _ops.mean(a, axis=axis, keepdims=keepdims)
def _np_max(a, axis=None, keepdims=False): return _ops.max(a, axis=axis, keepdims=keepdims)
def _np_min(a, axis=None, keepdims=False): return _ops.min(a, axis=axis, keepdims=keepdims)
def _np_var(a, axis=None, ddof=0, keepdims=False):
    return _ops.var(a, axis=axis, keepdims=keepdims, ddof=ddof)
def _np_std(a, axis=None, ddof=0, keepdims=False):
    return _ops.sqrt(_ops.var(a, axis=axis, keepdims=keepdims, ddof=ddof))
def _np_reshape(a, shape): return _ops.reshape(a, shape)
def _np_transpose(a, axes=None): return _ops.transpose(a, axes)
def _np_concatenate(arrays, axis=0): return _ops.concatenate(list(arrays), axis=axis)
def _np_stack(arrays, axis=0): return _ops.stack(list(arrays), axis=axis)
def _np_clip(a, a_min=None, a_max=None): return _ops.clip(a, a_min, a_max)
def _np_where(condition, x, y): return _ops.where(_raw(condition), x, y)


_FUNCTION_OPS.update({
    np.sum: _np_sum, np.mean: _np_mean, np.max: _np_max, np.amax: _np_max, np.min: _np_min,
    np.amin: _np_min, np.var: _np_var, np.std: _np_std, np.reshape: _np_reshape,
    np.transpose: _np_transpose, np.concatenate: _np_concatenate, np.stack: _np_stack,
    np.clip: _np_clip, np.where: _np_where,
})
