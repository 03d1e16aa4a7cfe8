"""Reductions, scans and sorting: ``sum``, ``mean``, ``var``, ``max(dim)`` … (torch's ``dim`` and
``keepdim``, NumPy's ``axis``/``keepdims`` as aliases), ``cumsum``, ``logsumexp``, ``sort``,
``topk``, ``argsort``, ``nonzero``."""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtype as _dt
from .. import ops as _ops
from ..autograd import declare as _declare
from ..autograd.core import TensorBase as _Base
from ..autograd.core import _dim
from ..dtype import get_default_dtype
from ..ops import sort as _sort
from .args import ReturnTypes, as_dtype, dims, function, keep

if TYPE_CHECKING:   # annotations only: a method returns a tensor of its receiver's class
    from typing_extensions import Self


def _as(t, dtype):
    """``t`` converted to ``dtype`` (recorded), itself when it already has it."""
    d = as_dtype(dtype, "dtype")
    return t if t._data.dtype == d else _ops.astype(t, d)


def _correction(unbiased, correction, ddof):
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _extremum(self, dim, keepdim, axis, keepdims, name):
    """``max``/``min``: over everything, ``(values, indices)`` along ``dim``, or elementwise
    against another tensor."""
    if isinstance(dim, _Base):         # torch.max(a, b): the elementwise maximum
        return (_ops.maximum if name == "max" else _ops.minimum)(self, dim)
    op, arg = (_ops.max, np.argmax) if name == "max" else (_ops.min, np.argmin)
    d = dims(dim, axis, name)
    kd = keep(keepdim, keepdims)
    if d is None:
        return op(self, axis=None, keepdims=kd)
    if isinstance(d, tuple):
        raise TypeError(f"{name}: dim must be an int (use amax/amin for several dims)")
    d = _dim(d, self._data.ndim, name)
    # the gradient goes to the entry at the index, as torch's max(dim) (amax shares ties)
    idx = _argext(self, d, True, None, None, arg, name)
    values = _ops.gather(self, d, idx)
    if not kd:
        shape = np.squeeze(idx._data, d).shape
        values, idx = _ops.reshape(values, shape), _ops.reshape(idx, shape)
    return ReturnTypes(values, idx)


def _argext(self, dim, keepdim, axis, keepdims, fn, name):
    d = dims(dim, axis, name)
    kd = keep(keepdim, keepdims)
    if d is None:
        out = fn(self._data.reshape(-1))
        return _Base._wrap(np.asarray(out, dtype=np.int64).reshape(
            (1,) * self._data.ndim if kd else ()))
    d = _dim(d, self._data.ndim, name)
    out = _Base._wrap(fn(self._data, axis=d, keepdims=kd).astype(np.int64))
    if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
        _declare._recorder(fn, (self,), {"axis": d, "keepdims": kd}, out)
    return out


def _scalar_as_vector(method):
    """torch treats a 0-d tensor as a 1-element vector along dim 0 (or -1) in sort, topk and
    cumsum: run ``method`` on that vector and give each result back its 0-d shape."""
    def run(self, *args, **kwargs):
        if self._data.ndim:
            return method(self, *args, **kwargs)
        out = method(_ops.reshape(self, (1,)), *args, **kwargs)
        if isinstance(out, tuple):
            return type(out)(*(_ops.reshape(o, ()) for o in out))
        return _ops.reshape(out, ())
    run.__name__, run.__qualname__, run.__doc__ = \
        method.__name__, method.__qualname__, method.__doc__
    return run


def _picked(self, idx, dim):
    """(values, indices) of the entries ``idx`` picks along ``dim``: the values gathered, so
    that their gradient flows back to where they came from."""
    return ReturnTypes(_ops.gather(self, dim, idx), _Base._wrap(idx))


def _picked_whole(self, idx, dim, op, kwargs):
    """:func:`_picked`, seen by an ONNX trace as one op ``op(self, **kwargs) -> (values,
    indices)``, named after the function that picked ``idx`` (its gather hidden: the indices
    come from the values, not from recorded ops)."""
    recorder, _declare._recorder = _declare._recorder, None
    try:
        out = _picked(self, idx, dim)
    finally:
        _declare._recorder = recorder
    if recorder is not None:
        recorder(op, (self,), kwargs, out)
    return out


class ReductionMethods(_Base):
    """Reductions over dimensions, scans, sorting and selecting by value."""

    __slots__ = ()

    @function
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None, *,
            axis: Any = None, keepdims: bool | None = None) -> Self:
        x = self if dtype is None else _as(self, dtype)
        if dtype is None and x._data.dtype.kind in "biu":
            x = _as(x, _dt.int64)         # torch sums integers and bools as int64
        return _ops.sum(x, axis=dims(dim, axis, "sum"), keepdims=keep(keepdim, keepdims))

    @function
    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None, *,
             axis: Any = None, keepdims: bool | None = None) -> Self:
        x = self if dtype is None else _as(self, dtype)
        if x._data.dtype.kind != "f":
            # torch refuses; the mean of a bool or integer tensor is well defined, so we give
            # it in the default float dtype: (pred == y).mean() is an accuracy
            x = _as(x, get_default_dtype())
        return _ops.mean(x, axis=dims(dim, axis, "mean"), keepdims=keep(keepdim, keepdims))

    @function
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        """torch's ``var``: unbiased (``correction=1``) by default; NumPy's ``ddof`` also works."""
        if isinstance(dim, builtins.bool):            # var(False): torch's positional unbiased
            dim, unbiased = None, dim
        return _ops.var(self, axis=dims(dim, axis, "var"), keepdims=keep(keepdim, keepdims),
                        ddof=_correction(unbiased, correction, ddof))

    @function
    def std(self, *args, **kwargs):
        """The square root of :meth:`var` (same arguments)."""
        return _ops.sqrt(ReductionMethods.var(self, *args, **kwargs))

    @function
    def prod(self, dim=None, keepdim=False):
        return _ops.prod(self, axis=dim, keepdims=keepdim)

    @function
    def norm(self, p=2, dim=None, keepdim=False):
        return _ops.norm(self, p, dim, keepdim)

    @function
    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        """``max()``: the maximum; ``max(dim, keepdim=False)``: the named tuple
        ``(values, indices)``; ``max(other)``: elementwise."""
        return _extremum(self, dim, keepdim, axis, keepdims, "max")

    @function
    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        """``min()``: the minimum; ``min(dim, keepdim=False)``: the named tuple
        ``(values, indices)``; ``min(other)``: elementwise."""
        return _extremum(self, dim, keepdim, axis, keepdims, "min")

    @function
    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The maximum over ``dim``; ties share the gradient equally (``torch.amax``)."""
        return _ops.max(self, axis=dims(dim, axis, "amax"), keepdims=keep(keepdim, keepdims))

    @function
    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.min(self, axis=dims(dim, axis, "amin"), keepdims=keep(keepdim, keepdims))

    @function
    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _argext(self, dim, keepdim, axis, keepdims, np.argmax, "argmax")

    @function
    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _argext(self, dim, keepdim, axis, keepdims, np.argmin, "argmin")

    @function
    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _Base._wrap(np.all(self._data, axis=dims(dim, axis, "all"),
                                  keepdims=keep(keepdim, keepdims)))

    @function
    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _Base._wrap(np.any(self._data, axis=dims(dim, axis, "any"),
                                  keepdims=keep(keepdim, keepdims)))

    @function
    def logsumexp(self, dim, keepdim=False):
        a = self._data
        if a.dtype.kind != "f":
            self = _as(self, get_default_dtype())
        if a.ndim == 0:
            return _ops.clone(self)
        ds = dim if isinstance(dim, (list, tuple)) else (dim,)
        return _ops.logsumexp(self, tuple(_dim(d, a.ndim, "logsumexp") for d in ds),
                              bool(keepdim))

    @function
    @_scalar_as_vector
    def cumsum(self, dim, *, dtype=None):
        t = self if dtype is None else _as(self, dtype)
        return _ops.cumsum(t, _dim(dim, t._data.ndim, "cumsum"))

    # ------------------------------------------------------------------ sorting, selecting
    @function
    @_scalar_as_vector
    def sort(self, dim=-1, descending=False, *, stable=False):
        """``(values, indices)`` sorted along ``dim`` (``torch.sort``); NaN sorts as the
        largest value and ties keep their order."""
        d = _dim(dim, self._data.ndim, "sort")
        return _picked_whole(self, _sort.sort_indices(self._data, d, descending), d,
                             _sort.sort_indices, {"dim": d, "largest": bool(descending)})

    @function
    @_scalar_as_vector
    def topk(self, k, dim=-1, largest=True, sorted=True):
        """``(values, indices)`` of the ``k`` largest entries along ``dim`` (smallest with
        ``largest=False``), best first (``torch.topk``; always sorted)."""
        d = _dim(dim, self._data.ndim, "topk")
        return _picked_whole(self, _sort.topk_indices(self._data, k, d, largest), d,
                             _sort.topk_indices, {"k": k, "dim": d, "largest": bool(largest)})

    @function
    def argsort(self, dim=-1, descending=False, stable=False):
        """Indices that sort along ``dim`` (int64), as ``torch.argsort``; ties keep their
        order (a stable sort; torch promises that only with ``stable=True``)."""
        a = self._data
        if a.ndim == 0:
            return _Base._wrap(np.zeros((), np.int64))
        d = _dim(dim, a.ndim, "argsort")
        out = _Base._wrap(_sort.sort_indices(a, d, descending))
        if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
            _declare._recorder(np.argsort, (self,), {"dim": d, "largest": bool(descending)}, out)
        return out

    @function
    def nonzero(self, *, as_tuple=False):
        """Indices of the non-zero entries: ``(n, ndim)`` int64, or a tuple of 1-D index
        tensors with ``as_tuple=True`` (``torch.nonzero``)."""
        a = self._data
        if a.ndim == 0:       # torch: one row of no coordinates if the scalar is non-zero
            if as_tuple:
                return (_Base._wrap(np.zeros(builtins.int(a != 0), np.int64)),)
            return _Base._wrap(np.zeros((builtins.int(a != 0), 0), np.int64))
        idx = np.nonzero(a)
        if as_tuple:
            return tuple(_Base._wrap(i.astype(np.int64)) for i in idx)
        return _Base._wrap(np.stack(idx, axis=1).astype(np.int64))

    # ------------------------------------------------------------------ normalised exponentials
    @function
    def softmax(self, dim=-1, *, axis=None):
        return _ops.softmax(self, axis=dims(dim if axis is None else None, axis, "softmax"))

    @function
    def log_softmax(self, dim=-1, *, axis=None):
        return _ops.log_softmax(self, axis=dims(dim if axis is None else None, axis,
                                                "log_softmax"))
