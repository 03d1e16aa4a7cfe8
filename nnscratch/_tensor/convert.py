"""Dtype and conversion: ``to``/``double``/``long`` …, ``new_zeros`` …, Python's conversions
(``bool(t)``, ``float(t)``, ``int(t)``, indexing by a tensor), printing, and NumPy's protocols
(``np.asarray(t)``, ``np.exp(t)``, ``np.sum(t)``)."""
from __future__ import annotations

import builtins
import inspect
import numbers
from typing import Any

import numpy as np

from .. import dtype as _dt
from .. import ops as _ops
from .._printing import tensor_repr
from .._unsupported import missing
from ..autograd import numpy_dispatch as _numpy_dispatch
from ..autograd.core import Size, _to_array
from ..autograd.core import TensorBase as _Base
from ..autograd.grad_mode import is_grad_enabled
from ..device import device as _device
from ..dtype import get_default_dtype, operand
from .args import as_dtype, leaf, raw, shape_args


def to_args(args, kwargs, owner="to()"):
    """The dtype (or None) that torch's ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
    ``to(other)`` and their keywords ask for; the device is validated (only the CPU exists).
    Shared by ``Tensor.to`` and ``Module.to``."""
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{owner} got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, _Base):
            dtype = a.dtype
        elif isinstance(a, (str, _device)) and not (isinstance(a, str) and a in _dt.DTYPES):
            dev = a
        elif a is not None:
            dtype = a
    if dev is not None:
        _device(dev)                        # validates: only the CPU exists
    return dtype


def _converted(self, dtype, owner="to"):
    d = as_dtype(dtype, owner)
    return self if d == self._data.dtype else _ops.astype(self, d)


def _new(self, size, dtype, requires_grad, fill, owner):
    shape = shape_args(size, owner)
    d = self._data.dtype if dtype is None else as_dtype(dtype, owner)
    return leaf(fill(shape, d), requires_grad)


class ConversionMethods(_Base):
    """Dtypes and devices, conversions to Python and NumPy, printing."""

    __slots__ = ()

    # ------------------------------------------------------------------ dtype and device
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``: a tensor of
        that dtype (self when nothing changes, as torch).  CPU is the only device."""
        dtype = to_args(args, kwargs)
        return self if dtype is None else _converted(self, dtype)

    def type_as(self, other):
        return _converted(self, other.dtype)

    def astype(self, dtype):
        return _ops.astype(self, np.dtype(dtype))

    def double(self):
        return _converted(self, _dt.float64)

    def float(self):
        return _converted(self, _dt.float32)

    def half(self):
        return _converted(self, _dt.float16)

    def long(self):
        return _converted(self, _dt.int64)

    def int(self):
        return _converted(self, _dt.int32)

    def bool(self):
        return _converted(self, _dt.bool)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, *args, **kwargs):
        raise NotImplementedError("cuda(): nnscratch runs on the CPU only; "
                                  "torch.cuda.is_available() is False here (use .to(device) "
                                  "with device = 'cpu')")

    @property
    def is_cpu(self):
        return True

    def get_device(self):
        return -1                            # torch's answer for the CPU

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def element_size(self):
        return self._data.itemsize

    def nelement(self):
        return self._data.size

    def ndimension(self):
        return self._data.ndim

    # ------------------------------------------------------------------ new tensors
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _new(self, size, dtype, requires_grad, np.zeros, "new_zeros")

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _new(self, size, dtype, requires_grad, np.ones, "new_ones")

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        # zeros, as ns.empty: no uninitialised reads (docs/torch-compat.md)
        return _new(self, size, dtype, requires_grad, np.zeros, "new_empty")

    def new(self, *args, device=None):
        """torch's legacy constructor, in this tensor's dtype: ``x.new()`` is empty (shape
        ``(0,)``); ``x.new(2, 3)`` or ``x.new(torch.Size([2, 3]))`` has that size (zeros: no
        uninitialised reads); ``x.new(data)`` copies a list/tuple/array of data; ``x.new(t)``
        of a Tensor shares ``t``'s memory when the dtypes agree (torch refuses another dtype).
        The result never requires grad."""
        if not args:
            return leaf(np.zeros((0,), self._data.dtype), False)
        if len(args) == 1 and isinstance(args[0], _Base):
            other = args[0]
            if other._data.dtype != self._data.dtype:
                raise TypeError(f"new(): expected a Tensor of dtype {self._data.dtype}, got "
                                f"{other._data.dtype}")
            return leaf(other._data, False)
        if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or \
                (len(args) == 1 and isinstance(args[0], Size)):
            return _new(self, args, None, False, np.zeros, "new")
        if len(args) == 1:
            return leaf(_to_array(args[0], self._data.dtype), False)
        raise TypeError(f"new(): expected sizes, one Tensor or one sequence of data, got "
                        f"{tuple(type(a).__name__ for a in args)}")

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        d = self._data.dtype if dtype is None else as_dtype(dtype, "new_full")
        return leaf(np.full(shape_args((size,), "new_full"), fill_value, d), requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        d = self._data.dtype if dtype is None else dtype
        return leaf(_to_array(data, d), requires_grad)

    # ------------------------------------------------------------------ Python conversions
    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._data)

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __index__(self) -> builtins.int:
        if self._data.size != 1 or self._data.dtype.kind not in "biu":
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self._data.item())

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (_ops.getitem(self, i) for i in range(self._data.shape[0]))

    def __getattr__(self, name):
        raise missing("TENSOR", "torch.Tensor", name,
                      f"'{type(self).__name__}' object has no attribute {name!r}")

    # ------------------------------------------------------------------ printing
    def __repr__(self):
        """torch's layout and number format (see :mod:`nnscratch._printing`)."""
        suffixes = []
        if self._data.dtype != get_default_dtype() and self._data.dtype not in (
                np.int64, np.bool_):
            suffixes.append(f"dtype=nnscratch.{np.dtype(self._data.dtype).name}")
        if self._node is not None:
            suffixes.append(f"grad_fn={self._node!r}")
        elif self.requires_grad:
            suffixes.append("requires_grad=True")
        return tensor_repr(self._data, suffixes)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    # ------------------------------------------------------------------ NumPy protocols
    def __array__(self, dtype: Any = None, copy: builtins.bool | None = None) -> np.ndarray:
        # np.asarray(t) shares t's memory; np.array(t) (copy=True) must not alias it
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy and a is self._data else a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy ufuncs on tensors: ``np.exp(t)``, ``np.add(a, t)``, ``arr * t``.

        The ufuncs nnscratch differentiates run as its ops and return a Tensor with a graph,
        so ``np.tanh(t)`` is ``t.tanh()``.  Any other ufunc (or a reduction, ``out=``, …) on a
        tensor that requires grad raises TypeError instead of silently returning an array
        without a graph; on other tensors it computes on the arrays and returns an ndarray.
        """
        op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is not None:
            like = next(x for x in inputs if isinstance(x, _Base))
            return op(*(operand(x, like) for x in inputs))
        arrays = tuple(raw(x) for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(raw(x) for x in kwargs["out"])
        result = getattr(ufunc, method)(*arrays, **kwargs)
        call = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _no_lost_gradient(result, inputs, call)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy functions on tensors (``np.sum(t)``, ``np.concatenate([a, b])``, …).

        Those with an nnscratch op run it, with the same rule as ``__array_ufunc__``: a Tensor
        with a graph.  Others compute on the arrays, and refuse a tensor that requires grad
        when the result is floating (it would lose its gradient silently).
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


def _unwrap_tree(x):
    if isinstance(x, _Base):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_tree(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap_tree(v) for k, v in x.items()}
    return x


def _any_requires_grad(x) -> builtins.bool:
    if isinstance(x, _Base):
        return x.requires_grad
    if isinstance(x, (list, tuple)):
        return builtins.any(_any_requires_grad(v) for v in x)
    if isinstance(x, dict):
        return builtins.any(_any_requires_grad(v) for v in x.values())
    return False


def _no_lost_gradient(result, inputs, call):
    """``result`` of a NumPy call computed on plain arrays; refused (TypeError) when it is
    floating and some input tensor requires grad, since its gradient would be lost silently.
    Comparisons, isnan, … carry no gradient and pass as arrays."""
    floating = result is None or builtins.any(   # None: written in place (np.add.at)
        np.asarray(r).dtype.kind in "fc" for r in (result if isinstance(result, tuple)
                                                   else (result,)))
    if floating and is_grad_enabled() and _any_requires_grad(inputs):
        raise TypeError(f"{call} on a Tensor that requires grad would drop its gradient; use "
                        f"the nnscratch op or method (e.g. t.sum(), ns.exp) or "
                        f"t.detach().numpy() for a plain array")
    return result


def _positive(x):
    return x


def _square(x):
    return _ops.mul(x, x)


# the ufuncs that run as nnscratch ops on tensors (np.exp(t) is t.exp())
_UFUNC_OPS = {
    np.add: _ops.add, np.subtract: _ops.sub, np.multiply: _ops.mul, np.true_divide: _ops.div,
    np.power: _ops.power, np.negative: _ops.neg, np.positive: _positive, np.square: _square,
    np.exp: _ops.exp, np.log: _ops.log, np.sqrt: _ops.sqrt, np.tanh: _ops.tanh,
    np.sin: _ops.sin, np.cos: _ops.cos, np.absolute: _ops.abs, np.matmul: _ops.matmul,
}


# NumPy functions as nnscratch ops, with NumPy's signatures (so that bind() can refuse the
# arguments they lack)
def _np_sum(a, axis=None, keepdims=False):
    return _ops.sum(a, axis=axis, keepdims=keepdims)


def _np_mean(a, axis=None, keepdims=False):
    return _ops.mean(a, axis=axis, keepdims=keepdims)


def _np_max(a, axis=None, keepdims=False):
    return _ops.max(a, axis=axis, keepdims=keepdims)


def _np_min(a, axis=None, keepdims=False):
    return _ops.min(a, axis=axis, keepdims=keepdims)


def _np_var(a, axis=None, ddof=0, keepdims=False):
    return _ops.var(a, axis=axis, keepdims=keepdims, ddof=ddof)


def _np_std(a, axis=None, ddof=0, keepdims=False):
    return _ops.sqrt(_ops.var(a, axis=axis, keepdims=keepdims, ddof=ddof))


def _np_reshape(a, shape):
    return _ops.reshape(a, shape)


def _np_transpose(a, axes=None):
    return _ops.transpose(a, axes)


def _np_concatenate(arrays, axis=0):
    return _ops.concatenate(list(arrays), axis=axis)


def _np_stack(arrays, axis=0):
    return _ops.stack(list(arrays), axis=axis)


def _np_clip(a, a_min=None, a_max=None):
    return _ops.clip(a, a_min, a_max)


def _np_where(condition, x, y):
    return _ops.where(raw(condition), x, y)


_FUNCTION_OPS = {
    np.sum: _np_sum, np.mean: _np_mean, np.max: _np_max, np.amax: _np_max, np.min: _np_min,
    np.amin: _np_min, np.var: _np_var, np.std: _np_std, np.reshape: _np_reshape,
    np.transpose: _np_transpose, np.concatenate: _np_concatenate, np.stack: _np_stack,
    np.clip: _np_clip, np.where: _np_where,
}
_UFUNC_OPS.update(_numpy_dispatch.UFUNCS)           # what VJPs use, so that create_graph
_FUNCTION_OPS.update(_numpy_dispatch.FUNCTIONS)     # records them (autograd/numpy_dispatch.py)
