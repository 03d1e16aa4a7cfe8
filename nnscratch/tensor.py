"""Tensor's methods, installed on the engine's :class:`~nnscratch.autograd.engine.Tensor`, and the
factories (``tensor``, ``as_tensor``, ``zeros``, ``randn`` …).

The engine defines what a tensor *is* (an array, a gradient, a version counter, a graph node);
this module, one layer above it and the ops, says what a tensor *does*: every method here is a
thin call into :mod:`nnscratch.ops`, where each op's forward and VJP live side by side.  Names,
arguments and meanings are torch's (``sum(dim, keepdim)``, ``max(dim) -> (values, indices)``,
``transpose(d0, d1)``, ``add_`` …); NumPy's ``axis=``/``keepdims=`` are accepted as aliases.

In-place ops (``add_``, ``+=``, ``t[i] = v``, ``zero_`` …) follow torch's autograd rules: on a
leaf that requires grad they raise outside ``no_grad``; on a tensor inside a graph they record
the op so that gradients stay right, and bump the version counter so that a node that saved the
old values refuses to backpropagate through them.
"""
from __future__ import annotations

import builtins
import collections
import inspect
import numbers
from typing import Any

import numpy as np

from . import dtype as _dt
from . import ops as _ops
from . import random as _random
from ._types import DTypeLike, Shape, TensorLike
from .autograd.engine import ShapeError as _ShapeError
from .autograd.engine import (
    Size,
    Tensor,
    _Device,
    _dim,
    get_default_dtype,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
)
from .ops import sort as _sort

__all__ = ["Tensor", "Size", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full",
           "empty", "randn", "rand", "randint", "randperm", "zeros_like", "ones_like",
           "full_like", "randn_like", "rand_like", "empty_like", "arange", "linspace", "eye",
           "get_default_dtype", "set_default_dtype"]

_ReturnTypes = collections.namedtuple("return_types", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types


def _raw(o):
    return o._data if isinstance(o, Tensor) else o


def _operand(o, like: Tensor):
    """Bring a non-tensor operand to the dtype torch's promotion gives it against ``like``:
    Python numbers pass through (NumPy treats them as weak, as torch does); arrays are cast."""
    if isinstance(o, Tensor) or isinstance(o, numbers.Number) and not isinstance(o, np.generic):
        return o
    a = np.asarray(o)
    target = _dt.result_type(like, a, default_float=get_default_dtype())
    return a.astype(target) if a.dtype != target else a


def _promoted(a, b, true_divide=False):
    """Both operands of a binary op, cast to torch's result dtype (float for ``/``)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype == b._data.dtype \
            and (not true_divide or a._data.dtype.kind == "f"):
        return a, b                       # the hot path: nothing to decide
    # the other hot path: a float tensor with a Python number keeps the tensor's dtype
    if type(b) in (float, int) and isinstance(a, Tensor) and a._data.dtype.kind == "f":
        return a, b
    if type(a) in (float, int) and isinstance(b, Tensor) and b._data.dtype.kind == "f":
        return a, b
    d = _dt.result_type(a, b, default_float=get_default_dtype())
    if true_divide and d.kind != "f":
        d = get_default_dtype()
    return _cast(a, d), _cast(b, d)


def _cast(o, d):
    """Tensors and arrays cast to ``d``; Python numbers pass unchanged (NumPy, like torch,
    lets a number take the array's dtype)."""
    if isinstance(o, Tensor):
        return o if o._data.dtype == d else _ops.astype(o, d)
    if isinstance(o, (np.ndarray, np.generic)):
        return np.asarray(o, dtype=d)
    return o


def _binary(op, true_divide=False):
    def forward(self, other):
        a, b = _promoted(self, other, true_divide)
        return op(a, b)

    def reflected(self, other):
        a, b = _promoted(other, self, true_divide)
        return op(a, b)
    return forward, reflected


# ----------------------------------------------------------------------- arguments

def _dims(dim, axis, owner):
    """torch's ``dim`` (int or tuple), or NumPy's ``axis`` alias; None means every axis."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{owner}: give dim or its alias axis, not both")
        dim = axis
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim


def _keep(keepdim, keepdims):
    return bool(keepdims) if keepdims is not None else bool(keepdim)


def _shape_args(shape, owner):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if isinstance(s, builtins.bool) or not isinstance(s, (builtins.int, np.integer)):
            raise TypeError(f"{owner}: shape must be integers, got {tuple(shape)}")
    return tuple(builtins.int(s) for s in shape)


# ----------------------------------------------------------------------- in-place ops

def _inplace(self, name, fn, *others, direct=None):
    """``self <- fn(self, *others)`` in self's memory, with torch's autograd rules.

    ``fn`` is the out-of-place op on tensors.  Outside a graph, ``direct(array)`` (when given)
    writes the result without a temporary; inside one, the op is recorded on a copy of the old
    values, and self takes over the new node.
    """
    graph = is_grad_enabled() and (self.requires_grad or builtins.any(
        isinstance(o, Tensor) and o.requires_grad for o in others))
    if graph:
        if self._node is None and self.requires_grad:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                               f"in-place operation.")
        if self._base is not None:
            if self._base.requires_grad and self._base._node is None:
                raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is "
                                   f"being used in an in-place operation.")
            raise NotImplementedError(
                f"{name}: an in-place op on a view of a tensor that autograd records is not "
                f"supported (torch rewrites the base's graph); use the out-of-place op, e.g. "
                f"y = y.clone(); or write into the base tensor")
        old = Tensor._wrap(self._data.copy(), self._node, self._index)
        new = fn(old, *others)
        _write(self, new._data, name)
        self._node, self._index, self.requires_grad = new._node, new._index, True
    else:
        if direct is not None:
            try:
                direct(self._data)
            except (TypeError, ValueError) as e:
                raise RuntimeError(f"{name}: {e}") from None
        else:
            with no_grad():
                new = fn(self, *others)
            _write(self, new._data, name)
    self._counter.n += 1
    return self


def _write(self, values, name):
    if values.shape != self._data.shape:
        raise RuntimeError(f"{name}: output with shape {list(self._data.shape)} doesn't match "
                           f"the broadcast shape {list(values.shape)}")
    if not np.can_cast(values.dtype, self._data.dtype, casting="same_kind"):
        raise RuntimeError(f"{name}: result type {values.dtype} can't be cast to the desired "
                           f"output type {self._data.dtype}")
    if not self._data.flags.writeable:
        raise RuntimeError(f"{name}: the tensor's memory is read-only (a broadcast view or an "
                           f"array shared read-only); clone() it first")
    np.copyto(self._data, values, casting="same_kind")


def _ufunc_direct(ufunc, other, alpha=None):
    """The no-graph fast path of ``add_``/``mul_``…: ``ufunc(a, other * alpha, out=a)``."""
    def direct(a):
        o = _raw(other)
        if alpha is not None and alpha != 1:
            o = o * alpha
        if not a.flags.writeable:
            raise ValueError("the tensor's memory is read-only; clone() it first")
        if np.shape(o) and np.broadcast_shapes(a.shape, np.shape(o)) != a.shape:
            raise ValueError(f"output with shape {list(a.shape)} doesn't match the broadcast "
                             f"shape {list(np.broadcast_shapes(a.shape, np.shape(o)))}")
        ufunc(a, o, out=a, casting="same_kind")
    return direct


def _scaled(other, alpha):
    return other if alpha == 1 else other * alpha


def _make_inplace_binary(name, op, ufunc, true_divide=False):
    def method(self, other, *, alpha=1):
        fwd = _binary(op, true_divide)[0]
        return _inplace(self, name, lambda s, o: fwd(s, _scaled(o, alpha)), other,
                        direct=_ufunc_direct(ufunc, other, alpha))
    method.__name__ = name
    method.__doc__ = f"In place: ``self {name[:-1]}= alpha * other`` (``torch.Tensor.{name}``)."
    return method


def _make_inplace_unary(name, op):
    def method(self, *args, **kwargs):
        return _inplace(self, name, lambda s: op(s, *args, **kwargs))
    method.__name__ = name
    return method


def _fill(self, value):
    """``fill_(value)``: every element set to ``value`` (a number or a one-element tensor)."""
    v = _raw(value)

    def direct(a):
        a[...] = v
    return _inplace(self, "fill_", lambda s, val: s * 0 + val, value, direct=direct)


def _zero(self):
    def direct(a):
        a[...] = 0
    return _inplace(self, "zero_", lambda s: s * 0, direct=direct)


def _copy(self, src, non_blocking=False):
    """``copy_(src)``: self's values replaced by ``src`` broadcast to self's shape and cast to
    self's dtype; gradients flow to ``src``."""
    def direct(a):
        np.copyto(a, np.broadcast_to(np.asarray(_raw(src)), a.shape), casting="unsafe")
    return _inplace(self, "copy_", lambda s, o: s * 0 + (o.astype(s.dtype)
                                                        if isinstance(o, Tensor) else o), src,
                    direct=direct)


def _setitem(self, idx, value):
    """``t[idx] = value`` in place (torch's ``index_put_``): inside a graph the gradient of the
    overwritten entries is zero and ``value`` receives the gradient of its slots."""
    idx = _ops.indexing.torch_index(idx)

    def direct(a):
        _ops.indexing.assign(a, idx, _raw(value))
    return _inplace(self, "__setitem__", lambda s, v: _ops.index_put(s, idx, v), value,
                    direct=direct)


def _masked_fill(self, mask, value):
    """Entries where ``mask`` is True replaced by ``value`` (out of place, as torch)."""
    m = np.asarray(_raw(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    return _ops.where(m, _operand(_raw(value), self) if not isinstance(value, Tensor)
                      else value, self)


def _masked_fill_(self, mask, value):
    m = np.asarray(_raw(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill_: mask must be a bool tensor, got dtype {m.dtype}")

    def direct(a):
        a[np.broadcast_to(m, a.shape)] = _raw(value)
    return _inplace(self, "masked_fill_", lambda s, v: _masked_fill(s, m, v), value,
                    direct=direct)


def _uniform(self, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b) draws from the library generator (``torch.Tensor.uniform_``)."""
    g = generator._rng if generator is not None else _random.generator()
    draws = g.uniform(a, b, self._data.shape)

    def direct(arr):
        arr[...] = draws
    return _inplace(self, "uniform_", lambda s: s * 0 + draws.astype(s.dtype), direct=direct)


def _normal(self, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²) draws from the library generator (``torch.Tensor.normal_``)."""
    g = generator._rng if generator is not None else _random.generator()
    draws = mean + std * g.standard_normal(self._data.shape)

    def direct(arr):
        arr[...] = draws
    return _inplace(self, "normal_", lambda s: s * 0 + draws.astype(s.dtype), direct=direct)


def _clamp(self, min=None, max=None):
    """Clamp to ``[min, max]`` (``torch.clamp``; ``clip(lo, hi)`` is the same)."""
    return _ops.clip(self, _raw(min), _raw(max))


def _addcmul_(self, t1, t2, value=1):
    return _inplace(self, "addcmul_", lambda s, a, b: s + value * (a * b), t1, t2)


def _addcdiv_(self, t1, t2, value=1):
    return _inplace(self, "addcdiv_", lambda s, a, b: s + value * (a / b), t1, t2)


def _lerp_(self, end, weight):
    return _inplace(self, "lerp_", lambda s, e: s + weight * (e - s), end)


# ----------------------------------------------------------------------- reductions

def _sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    x = self if dtype is None else self.to(dtype)
    if dtype is None and x._data.dtype.kind in "biu":
        x = x.to(_dt.int64)               # torch sums integers and bools as int64
    return _ops.sum(x, axis=_dims(dim, axis, "sum"), keepdims=_keep(keepdim, keepdims))


def _mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    x = self if dtype is None else self.to(dtype)
    if x._data.dtype.kind != "f":
        # torch refuses; the mean of a bool or integer tensor is well defined, so we give it
        # in the default float dtype: (pred == y).mean() is an accuracy
        x = x.to(get_default_dtype())
    return _ops.mean(x, axis=_dims(dim, axis, "mean"), keepdims=_keep(keepdim, keepdims))


def _extremum(op, arg, name):
    def method(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, Tensor):         # torch.max(a, b): the elementwise maximum
            return _ops.where(self._data >= dim._data if name == "max" else
                              self._data <= dim._data, self, dim)
        d = _dims(dim, axis, name)
        keep = _keep(keepdim, keepdims)
        if d is None:
            return op(self, axis=None, keepdims=keep)
        if isinstance(d, tuple):
            raise TypeError(f"{name}: dim must be an int (use amax/amin for several dims)")
        d = _dim(d, self._data.ndim, name)
        # the gradient goes to the entry at the index, as torch's max(dim) (amax shares ties)
        idx = arg(self._data, axis=d, keepdims=True).astype(np.int64)
        values = _ops.gather(self, d, idx)
        if not keep:
            values, idx = _squeeze(values, d), idx.squeeze(d)
        return _ReturnTypes(values, Tensor._wrap(idx))
    method.__name__ = name
    method.__doc__ = (f"``{name}()``: the {name}imum; ``{name}(dim, keepdim=False)``: the "
                      f"named tuple ``(values, indices)``; ``{name}(other)``: elementwise.")
    return method


def _amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The maximum over ``dim``; ties share the gradient equally (``torch.amax``)."""
    return _ops.max(self, axis=_dims(dim, axis, "amax"), keepdims=_keep(keepdim, keepdims))


def _amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _ops.min(self, axis=_dims(dim, axis, "amin"), keepdims=_keep(keepdim, keepdims))


def _argext(fn, name):
    def method(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        d = _dims(dim, axis, name)
        keep = _keep(keepdim, keepdims)
        if d is None:
            out = fn(self._data.reshape(-1))
            return Tensor._wrap(np.asarray(out, dtype=np.int64).reshape(
                (1,) * self._data.ndim if keep else ()))
        d = _dim(d, self._data.ndim, name)
        return Tensor._wrap(fn(self._data, axis=d, keepdims=keep).astype(np.int64))
    method.__name__ = name
    return method


def _correction(unbiased, correction, ddof):
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
         keepdims=None, ddof=None):
    """torch's ``var``: unbiased (``correction=1``) by default; NumPy's ``ddof`` also works."""
    if isinstance(dim, builtins.bool):            # var(False): torch's positional unbiased
        dim, unbiased = None, dim
    return _ops.var(self, axis=_dims(dim, axis, "var"), keepdims=_keep(keepdim, keepdims),
                    ddof=_correction(unbiased, correction, ddof))


def _std(self, *args, **kwargs):
    return _var(self, *args, **kwargs).sqrt()


# ----------------------------------------------------------------------- shape

def _reshape(self, *shape):
    return _ops.reshape(self, _shape_args(shape, "reshape"))


def _view(self, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, builtins.int, np.integer)):
        # torch's view(dtype) reinterprets the bits; converting the values would be a silent
        # change of meaning
        raise NotImplementedError(f"view(dtype={shape[0]!r}): reinterpreting a tensor's bits as "
                                  f"another dtype is not supported; use .to(dtype) to convert")
    return _ops.reshape(self, _shape_args(shape, "view"))


def _flatten(self, start_dim=0, end_dim=-1):
    nd = self._data.ndim
    if nd == 0:
        return _ops.reshape(self, (1,))
    s, e = _dim(start_dim, nd, "flatten"), _dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = self._data.shape
    return _ops.reshape(self, shp[:s] + (-1 if 0 not in shp[s:e + 1] else 0,) + shp[e + 1:])


def _unflatten(self, dim, sizes):
    d = _dim(dim, self._data.ndim, "unflatten")
    shp = self._data.shape
    return _ops.reshape(self, shp[:d] + tuple(sizes) + shp[d + 1:])


def _transpose(self, dim0=None, dim1=None, *, axes=None):
    """``transpose(d0, d1)`` swaps two dimensions, as torch (``transpose()`` on a 2-D tensor
    and NumPy's ``transpose(axes)`` with a full order are also accepted)."""
    nd = self._data.ndim
    if isinstance(dim0, (tuple, list)):
        return _ops.transpose(self, tuple(dim0))
    if dim0 is None and dim1 is None:
        return _ops.transpose(self, axes)
    if dim1 is None:
        raise TypeError("transpose: expected two dimensions, transpose(dim0, dim1)")
    order = list(range(nd))
    a, b = _dim(dim0, nd, "transpose"), _dim(dim1, nd, "transpose")
    order[a], order[b] = order[b], order[a]
    return _ops.transpose(self, tuple(order))


def _permute(self, *dims):
    dims = _shape_args(dims, "permute")
    nd = self._data.ndim
    if sorted(d % builtins.max(nd, 1) for d in dims) != list(range(nd)):
        raise RuntimeError(f"permute: number of dims don't match or repeat: got {dims} for a "
                           f"{nd}-D tensor")
    return _ops.transpose(self, dims)


def _t(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{self._data.ndim}D")
    return _ops.transpose(self, None)


def _squeeze(self, dim=None, *, axis=None):
    d = _dims(dim, axis, "squeeze")
    shp = self._data.shape
    if d is None:
        new = tuple(s for s in shp if s != 1)
    else:
        ds = {_dim(x, len(shp), "squeeze") for x in (d if isinstance(d, tuple) else (d,))}
        new = tuple(s for i, s in enumerate(shp) if not (i in ds and s == 1))
    return _ops.reshape(self, new)


def _unsqueeze(self, dim=None, *, axis=None):
    d = _dims(dim, axis, "unsqueeze")
    nd = self._data.ndim + 1
    if isinstance(d, builtins.bool) or not isinstance(d, (builtins.int, np.integer)) \
            or not -nd <= d < nd:
        raise IndexError(f"unsqueeze: dimension out of range (expected to be in range of "
                         f"[{-nd}, {nd - 1}], but got {d})")
    return _ops.reshape(self, np.expand_dims(self._data, builtins.int(d) % nd).shape)


def _expand(self, *sizes):
    sizes = _shape_args(sizes, "expand")
    shp = self._data.shape
    lead = len(sizes) - len(shp)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                           f"greater or equal to the number of dimensions ({len(shp)})")
    target = tuple(shp[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return _ops.broadcast_to(self, target)


def _repeat(self, *sizes):
    sizes = _shape_args(sizes, "repeat")
    if len(sizes) < self._data.ndim:
        raise RuntimeError("repeat: number of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    x = _ops.reshape(self, (1,) * (len(sizes) - self._data.ndim) + self._data.shape)
    return _ops.tile(x, sizes)


def _split(self, split_size_or_sections, dim=0):
    d = _dim(dim, self._data.ndim, "split")
    n = self._data.shape[d]
    if isinstance(split_size_or_sections, (builtins.int, np.integer)):
        step = builtins.int(split_size_or_sections)
        if step <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        bounds = list(range(0, n, step)) + [n]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split: split sizes {sizes} don't add up to the dimension's "
                               f"size {n}")
        bounds = list(np.cumsum([0] + sizes))
    return tuple(_narrow(self, d, lo, hi - lo) for lo, hi in zip(bounds[:-1], bounds[1:]))


def _chunk(self, chunks, dim=0):
    if chunks < 1:
        raise _ShapeError(f"chunk: chunks must be > 0, got {chunks}")
    n = self._data.shape[_dim(dim, self._data.ndim, "chunk")]
    return _split(self, builtins.max(1, -(-n // chunks)), dim)


def _narrow(self, dim, start, length):
    d = _dim(dim, self._data.ndim, "narrow")
    n = self._data.shape[d]
    s = start + n if start < 0 else start          # torch counts a negative start from the end
    if not (0 <= s <= n and 0 <= length and s + length <= n):
        raise _ShapeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size "
                          f"({n})")
    idx = (slice(None),) * d + (slice(s, s + length),)
    return _ops.getitem(self, idx)


def _unbind(self, dim=0):
    d = _dim(dim, self._data.ndim, "unbind")
    return tuple(_ops.getitem(self, (slice(None),) * d + (i,))
                 for i in range(self._data.shape[d]))


def _gather(self, dim, index):
    return _ops.gather(self, _dim(dim, self._data.ndim, "gather"), np.asarray(_raw(index)))


def _clone(self, memory_format=None):
    return _ops.clone(self)


# ----------------------------------------------------------------------- dtype and device

def _as_dtype(d, owner):
    if isinstance(d, str):
        d = _dt.DTYPES.get(d.replace("torch.", ""), d)
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"{owner}: expected a dtype such as ns.float32, got {d!r}") from None


def _to_args(args, kwargs, owner="to()"):
    """The dtype (or None) that torch's ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
    ``to(other)`` and their keywords ask for; the device is validated (only the CPU exists).
    Shared by ``Tensor.to`` and ``Module.to``."""
    from .device import device as _device_of
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{owner} got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _Device)) and not (isinstance(a, str) and a in _dt.DTYPES):
            dev = a
        elif a is not None:
            dtype = a
    if dev is not None:
        _device_of(dev)                     # validates: only the CPU exists
    return dtype


def _to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``: a tensor of that
    dtype (self when nothing changes, as torch).  CPU is the only device."""
    dtype = _to_args(args, kwargs)
    if dtype is None:
        return self
    d = _as_dtype(dtype, "to")
    return self if d == self._data.dtype else _ops.astype(self, d)


def _type_as(self, other):
    return _to(self, other.dtype)


def _cpu(self, memory_format=None):
    return self


def _missing_attribute(self, name):
    from ._unsupported import missing
    raise missing("TENSOR", "torch.Tensor", name,
                  f"'{type(self).__name__}' object has no attribute {name!r}")


def _piecewise_constant(ufunc, name):
    """``sign``/``floor``/``ceil``/``round``/``trunc``: their derivative is zero wherever it
    exists, so the result is computed outside the graph (torch records a node whose gradient
    is zero; here the result just does not require grad)."""
    def method(self):
        a = self._data
        if a.dtype.kind == "b" or a.dtype.kind in "iu" and name != "sign":
            return Tensor._wrap(a.copy())      # already whole (torch keeps the dtype too)
        return Tensor._wrap(ufunc(a))
    method.__name__ = name
    method.__doc__ = f"``torch.Tensor.{name}``, elementwise; no gradient flows through it."
    return method


def _argsort(self, dim=-1, descending=False, stable=False):
    """Indices that sort along ``dim`` (int64), as ``torch.argsort``; ties keep their order
    (a stable sort; torch promises that only with ``stable=True``)."""
    a = self._data
    if a.ndim == 0:
        return Tensor._wrap(np.zeros((), np.int64))
    return Tensor._wrap(_sort.sort_indices(a, _dim(dim, a.ndim, "argsort"), descending))


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
    run.__name__, run.__doc__ = method.__name__, method.__doc__
    return run


def _picked(self, idx, dim):
    """(values, indices) of the entries ``idx`` picks along ``dim``: the values gathered, so
    that their gradient flows back to where they came from."""
    return _ReturnTypes(_ops.gather(self, dim, idx), Tensor._wrap(idx))


@_scalar_as_vector
def _sort_method(self, dim=-1, descending=False, *, stable=False):
    """``(values, indices)`` sorted along ``dim`` (``torch.sort``); NaN sorts as the largest
    value and ties keep their order."""
    d = _dim(dim, self._data.ndim, "sort")
    return _picked(self, _sort.sort_indices(self._data, d, descending), d)


@_scalar_as_vector
def _topk(self, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest entries along ``dim`` (smallest with
    ``largest=False``), best first (``torch.topk``; always sorted)."""
    d = _dim(dim, self._data.ndim, "topk")
    return _picked(self, _sort.topk_indices(self._data, k, d, largest), d)


def _index_select(self, dim, index):
    d = _dim(dim, self._data.ndim, "index_select")
    idx = np.asarray(_raw(index))
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise TypeError(f"index_select: index must be a 1-D integer tensor, got "
                        f"{idx.ndim}-D of dtype {idx.dtype}")
    n = self._data.shape[d] if self._data.ndim else 1
    if idx.size and not (-n <= idx.min() and idx.max() < n):
        raise IndexError(f"index_select: index out of range: dim {d} has size {n}, got "
                         f"indices from {idx.min()} to {idx.max()}")
    if self._data.ndim == 0:      # torch: one index, and a 0-d result
        if idx.size != 1:
            raise IndexError(f"index_select: a 0-d tensor takes exactly one index, got "
                             f"{idx.size}")
        return _ops.reshape(_ops.index_select(_ops.reshape(self, (1,)), 0, idx.reshape(1)), ())
    return _ops.index_select(self, d, idx.reshape(-1))


def _roll(self, shifts, dims=None):
    nd = self._data.ndim
    if dims is None:
        if isinstance(shifts, (list, tuple)):
            if len(shifts) != 1:
                raise RuntimeError(f"roll: with no dims, shifts must be one int, got {shifts}")
            shifts = shifts[0]
        return _ops.roll(self, int(shifts))
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dims must have the same length, got "
                           f"{len(shifts)} and {len(dims)}")
    return _ops.roll(self, tuple(int(s) for s in shifts),
                     tuple(_dim(d, nd, "roll") for d in dims))


def _triangle(which):
    def method(self, diagonal=0):
        if self._data.ndim < 2:
            raise RuntimeError(f"{which}: input tensor must have at least 2 dimensions")
        return getattr(_ops, which)(self, int(diagonal))
    method.__name__ = which
    method.__doc__ = (f"``torch.{which}``: the {'lower' if which == 'tril' else 'upper'} "
                      f"triangle of the last two dimensions, the rest zero.")
    return method


def _movedim(self, source, destination):
    nd = self._data.ndim
    src = source if isinstance(source, (list, tuple)) else (source,)
    dst = destination if isinstance(destination, (list, tuple)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src}) and "
                           f"destination ({dst}) must have the same number of dims")
    src = [_dim(d, nd, "movedim") for d in src]
    dst = [_dim(d, nd, "movedim") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {tuple(src)} or destination "
                           f"{tuple(dst)}")
    order = [d for d in range(nd) if d not in src]    # the dims that stay, in their order
    for d, s in sorted(zip(dst, src)):                # each moved dim lands at its place
        order.insert(d, s)
    return _ops.transpose(self, tuple(order))


def _outer(self, vec2):
    other = as_tensor(vec2)
    if self._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got {self._data.ndim}-D and "
                           f"{other._data.ndim}-D")
    return _ops.reshape(self, (-1, 1)) * _ops.reshape(other, (1, -1))


@_scalar_as_vector
def _cumsum(self, dim, *, dtype=None):
    t = self if dtype is None else _to(self, dtype)
    return _ops.cumsum(t, _dim(dim, t._data.ndim, "cumsum"))


def _logsumexp(self, dim, keepdim=False):
    a = self._data
    if a.dtype.kind != "f":
        self = _to(self, get_default_dtype())
    if a.ndim == 0:
        return self.clone()
    dims = dim if isinstance(dim, (list, tuple)) else (dim,)
    return _ops.logsumexp(self, tuple(_dim(d, a.ndim, "logsumexp") for d in dims),
                          bool(keepdim))


def _nonzero(self, *, as_tuple=False):
    """Indices of the non-zero entries: ``(n, ndim)`` int64, or a tuple of 1-D index tensors
    with ``as_tuple=True`` (``torch.nonzero``)."""
    a = self._data
    if a.ndim == 0:       # torch: one row of no coordinates if the scalar is non-zero
        if as_tuple:
            return (Tensor._wrap(np.zeros(builtins.int(a != 0), np.int64)),)
        return Tensor._wrap(np.zeros((builtins.int(a != 0), 0), np.int64))
    idx = np.nonzero(a)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64))


def _cuda(self, *args, **kwargs):
    raise NotImplementedError("cuda(): nnscratch runs on the CPU only; torch.cuda.is_available() "
                              "is False here (use .to(device) with device = 'cpu')")


def _new(fill):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        shape = _shape_args(size, "new_" + fill)
        d = self._data.dtype if dtype is None else _as_dtype(dtype, "new_" + fill)
        arr = np.zeros(shape, d) if fill == "zeros" else (
            np.ones(shape, d) if fill == "ones" else np.empty(shape, d))
        return _leaf(arr, requires_grad)
    return method


def _new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    d = self._data.dtype if dtype is None else _as_dtype(dtype, "new_full")
    return _leaf(np.full(_shape_args((size,), "new_full"), fill_value, d), requires_grad)


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    d = self._data.dtype if dtype is None else dtype
    return Tensor(data, dtype=d, requires_grad=requires_grad)


# ----------------------------------------------------------------------- printing

def _repr(self):
    """torch's layout and number format (see :mod:`nnscratch._printing`)."""
    from ._printing import tensor_repr
    suffixes = []
    if self._data.dtype != get_default_dtype() and self._data.dtype not in (
            np.int64, np.bool_):
        suffixes.append(f"dtype={_dtype_name(self._data.dtype)}")
    if self._node is not None:
        suffixes.append(f"grad_fn={self._node!r}")
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    return tensor_repr(self._data, suffixes)


def _dtype_name(d):
    return f"nnscratch.{np.dtype(d).name}"


def _format(self, spec):
    if self._data.ndim == 0:
        return format(self._data.item(), spec)
    return format(repr(self), spec)


def _bool(self):
    if self._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(self._data)


def _index(self):
    if self._data.size != 1 or self._data.dtype.kind not in "biu":
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return builtins.int(self._data.item())


def _array(self, dtype=None, copy=None):
    # np.asarray(t) shares t's memory; np.array(t) (copy=True) must not alias it
    a = self._data if dtype is None else self._data.astype(dtype, copy=False)
    return a.copy() if copy and a is self._data else a


def _iter(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self._data.shape[0]))


# ----------------------------------------------------------------------- NumPy protocol

def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NumPy ufuncs on tensors: ``np.exp(t)``, ``np.add(a, t)``, ``arr * t``.

    The ufuncs nnscratch differentiates run as its ops and return a Tensor with a graph, so
    ``np.tanh(t)`` is ``t.tanh()``.  Any other ufunc (or a reduction, ``out=``, …) on a tensor
    that requires grad raises TypeError instead of silently returning an array without a
    graph; on other tensors it computes on the arrays and returns an ndarray.
    """
    op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
    if op is not None:
        like = next(x for x in inputs if isinstance(x, Tensor))
        return op(*(_operand(x, like) for x in inputs))
    arrays = tuple(_raw(x) for x in inputs)
    if "out" in kwargs:
        kwargs["out"] = tuple(_raw(x) for x in kwargs["out"])
    result = getattr(ufunc, method)(*arrays, **kwargs)
    call = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    return _no_lost_gradient(result, inputs, call)


def _array_function(self, func, types, args, kwargs):
    """NumPy functions on tensors (``np.sum(t)``, ``np.concatenate([a, b])``, …).

    Those with an nnscratch op run it, with the same rule as ``__array_ufunc__``: a Tensor
    with a graph.  Others compute on the arrays, and refuse a tensor that requires grad when
    the result is floating (it would lose its gradient silently).
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
        return builtins.any(_any_requires_grad(v) for v in x)
    if isinstance(x, dict):
        return builtins.any(_any_requires_grad(v) for v in x.values())
    return False


def _no_lost_gradient(result, inputs, call):
    """``result`` of a NumPy call computed on plain arrays; refused (TypeError) when it is
    floating and some input tensor requires grad, since its gradient would be lost silently.
    Comparisons, isnan, … carry no gradient and pass as arrays."""
    floating = builtins.any(np.asarray(r).dtype.kind in "fc"
                            for r in (result if isinstance(result, tuple) else (result,)))
    if floating and is_grad_enabled() and _any_requires_grad(inputs):
        raise TypeError(f"{call} on a Tensor that requires grad would drop its gradient; use "
                        f"the nnscratch op or method (e.g. t.sum(), ns.exp) or "
                        f"t.detach().numpy() for a plain array")
    return result


# ----------------------------------------------------------------------- installation

def _compare(ufunc):
    def method(self, other):
        if not isinstance(other, (Tensor, np.ndarray, np.generic, numbers.Number, list, tuple)):
            return NotImplemented        # e.g. pytest.approx compares itself
        return Tensor._wrap(ufunc(self._data, _raw(other)))
    return method


def _install():
    """Put the methods on the engine's Tensor class (the layer below knows nothing of ops)."""
    T = Tensor
    add, radd = _binary(_ops.add)
    sub, rsub = _binary(_ops.sub)
    mul, rmul = _binary(_ops.mul)
    div, rdiv = _binary(_ops.div, true_divide=True)
    pw, rpw = _binary(_ops.power)
    mm, rmm = _binary(_ops.matmul)
    methods = {
        "__add__": add, "__radd__": radd, "__sub__": sub, "__rsub__": rsub,
        "__mul__": mul, "__rmul__": rmul, "__truediv__": div, "__rtruediv__": rdiv,
        "__pow__": pw, "__rpow__": rpw, "__matmul__": mm, "__rmatmul__": rmm,
        "__neg__": lambda self: _ops.neg(self), "__pos__": lambda self: self,
        "__abs__": lambda self: _ops.abs(self),
        "__getitem__": lambda self, idx: _ops.getitem(self, idx),
        "__setitem__": _setitem,
        "__eq__": _compare(np.equal), "__ne__": _compare(np.not_equal),
        "__lt__": _compare(np.less), "__le__": _compare(np.less_equal),
        "__gt__": _compare(np.greater), "__ge__": _compare(np.greater_equal),
        "__and__": _compare(np.logical_and), "__or__": _compare(np.logical_or),
        "__xor__": _compare(np.logical_xor),
        "__invert__": lambda self: Tensor._wrap(~self._data),
        "__hash__": object.__hash__,        # identity hashing: tensors can key dicts and sets
        "__repr__": _repr, "__str__": _repr, "__format__": _format, "__bool__": _bool,
        "__float__": lambda self: builtins.float(self.item()),
        "__int__": lambda self: builtins.int(self.item()), "__index__": _index,
        "__array__": _array, "__array_ufunc__": _array_ufunc,
        "__array_function__": _array_function, "__iter__": _iter,
        # arithmetic by name
        "add": lambda self, other, *, alpha=1: add(self, _scaled(other, alpha)),
        "sub": lambda self, other, *, alpha=1: sub(self, _scaled(other, alpha)),
        "mul": mul, "div": div, "true_divide": div, "pow": pw, "matmul": mm, "mm": mm,
        "bmm": mm, "neg": lambda self: _ops.neg(self),
        "dot": mm, "mv": mm,
        "eq": _compare(np.equal), "ne": _compare(np.not_equal), "lt": _compare(np.less),
        "le": _compare(np.less_equal), "gt": _compare(np.greater),
        "ge": _compare(np.greater_equal),
        "logical_not": lambda self: Tensor._wrap(np.logical_not(self._data)),
        "isnan": lambda self: Tensor._wrap(np.isnan(self._data)),
        "isinf": lambda self: Tensor._wrap(np.isinf(self._data)),
        "isfinite": lambda self: Tensor._wrap(np.isfinite(self._data)),
        "equal": lambda self, other: builtins.bool(self.shape == other.shape and
                                                   np.array_equal(self._data, other._data)),
        "allclose": lambda self, other, rtol=1e-5, atol=1e-8, equal_nan=False: builtins.bool(
            np.allclose(self._data, _raw(other), rtol, atol, equal_nan)),
        # in place
        "add_": _make_inplace_binary("add_", _ops.add, np.add),
        "sub_": _make_inplace_binary("sub_", _ops.sub, np.subtract),
        "mul_": _make_inplace_binary("mul_", _ops.mul, np.multiply),
        "div_": _make_inplace_binary("div_", _ops.div, np.true_divide, true_divide=True),
        "pow_": lambda self, e: _inplace(self, "pow_", lambda s, o: pw(s, o), e),
        "zero_": _zero, "fill_": _fill, "copy_": _copy, "masked_fill_": _masked_fill_,
        "masked_fill": _masked_fill, "uniform_": _uniform, "normal_": _normal,
        "clamp_": lambda self, min=None, max=None: _inplace(
            self, "clamp_", lambda s: _clamp(s, min, max)),
        "exp_": _make_inplace_unary("exp_", _ops.exp),
        "log_": _make_inplace_unary("log_", _ops.log),
        "sqrt_": _make_inplace_unary("sqrt_", _ops.sqrt),
        "abs_": _make_inplace_unary("abs_", _ops.abs),
        "neg_": _make_inplace_unary("neg_", _ops.neg),
        "relu_": _make_inplace_unary("relu_", _ops.relu),
        "sigmoid_": _make_inplace_unary("sigmoid_", _ops.sigmoid),
        "tanh_": _make_inplace_unary("tanh_", _ops.tanh),
        "addcmul_": _addcmul_, "addcdiv_": _addcdiv_, "lerp_": _lerp_,
        # reductions
        "sum": _sum, "mean": _mean, "var": _var, "std": _std,
        "max": _extremum(_ops.max, np.argmax, "max"),
        "min": _extremum(_ops.min, np.argmin, "min"), "amax": _amax, "amin": _amin,
        "argmax": _argext(np.argmax, "argmax"), "argmin": _argext(np.argmin, "argmin"),
        "prod": lambda self, dim=None, keepdim=False: _ops.prod(self, axis=dim,
                                                                 keepdims=keepdim),
        "norm": lambda self, p=2, dim=None, keepdim=False: _ops.norm(self, p, dim, keepdim),
        "all": lambda self, dim=None, keepdim=False, *, axis=None, keepdims=None: Tensor._wrap(
            np.all(self._data, axis=_dims(dim, axis, "all"), keepdims=_keep(keepdim, keepdims))),
        "any": lambda self, dim=None, keepdim=False, *, axis=None, keepdims=None: Tensor._wrap(
            np.any(self._data, axis=_dims(dim, axis, "any"), keepdims=_keep(keepdim, keepdims))),
        # shape
        "reshape": _reshape, "view": _view,
        "view_as": lambda self, other: _ops.reshape(self, other._data.shape),
        "reshape_as": lambda self, other: _ops.reshape(self, other._data.shape),
        "flatten": _flatten, "unflatten": _unflatten, "transpose": _transpose,
        "permute": _permute, "t": _t, "squeeze": _squeeze, "unsqueeze": _unsqueeze,
        "expand": _expand, "expand_as": lambda self, other: _expand(self, other._data.shape),
        "repeat": _repeat, "split": _split, "chunk": _chunk, "narrow": _narrow,
        "unbind": _unbind, "gather": _gather, "clone": _clone,
        "contiguous": lambda self, memory_format=None: self,
        "ravel": lambda self: _ops.reshape(self, (-1,)),
        "is_contiguous": lambda self, memory_format=None: builtins.bool(
            self._data.flags.c_contiguous),
        "flip": lambda self, dims: _ops.flip(self, tuple(dims) if isinstance(
            dims, (list, tuple)) else (dims,)),
        # elementwise
        "exp": lambda self: _ops.exp(self), "log": lambda self: _ops.log(self),
        "sqrt": lambda self: _ops.sqrt(self), "abs": lambda self: _ops.abs(self),
        "rsqrt": lambda self: 1.0 / _ops.sqrt(self),
        "square": lambda self: _ops.mul(self, self),
        "clip": lambda self, lo=None, hi=None: _clamp(self, lo, hi), "clamp": _clamp,
        "relu": lambda self: _ops.relu(self), "sigmoid": lambda self: _ops.sigmoid(self),
        "tanh": lambda self: _ops.tanh(self), "sin": lambda self: _ops.sin(self),
        "cos": lambda self: _ops.cos(self),
        "softmax": lambda self, dim=-1, *, axis=None: _ops.softmax(
            self, axis=_dims(dim if axis is None else None, axis, "softmax")),
        "log_softmax": lambda self, dim=-1, *, axis=None: _ops.log_softmax(
            self, axis=_dims(dim if axis is None else None, axis, "log_softmax")),
        # dtype and device
        "to": _to, "type_as": _type_as, "cpu": _cpu, "cuda": _cuda,
        "astype": lambda self, dtype: _ops.astype(self, np.dtype(dtype)),
        "double": lambda self: _to(self, _dt.float64),
        "float": lambda self: _to(self, _dt.float32),
        "half": lambda self: _to(self, _dt.float16),
        "long": lambda self: _to(self, _dt.int64), "int": lambda self: _to(self, _dt.int32),
        "bool": lambda self: _to(self, _dt.bool),
        "copy": lambda self: _ops.clone(self),
        "new_zeros": _new("zeros"), "new_ones": _new("ones"), "new_empty": _new("empty"),
        "new_full": _new_full, "new_tensor": _new_tensor,
        "element_size": lambda self: self._data.itemsize,
        "is_floating_point": lambda self: self._data.dtype.kind == "f",
        "is_cpu": property(lambda self: True),
        "sign": _piecewise_constant(np.sign, "sign"),
        "floor": _piecewise_constant(np.floor, "floor"),
        "ceil": _piecewise_constant(np.ceil, "ceil"),
        "round": _piecewise_constant(np.round, "round"),
        "trunc": _piecewise_constant(np.trunc, "trunc"),
        # integer results and metadata (no gradient in torch either)
        "argsort": _argsort, "nonzero": _nonzero,
        # sorting, selecting, scans
        "sort": _sort_method, "topk": _topk, "index_select": _index_select,
        "cumsum": _cumsum, "logsumexp": _logsumexp, "roll": _roll,
        "tril": _triangle("tril"), "triu": _triangle("triu"), "movedim": _movedim,
        "moveaxis": _movedim, "outer": _outer, "ger": _outer,
        "broadcast_to": lambda self, size: _ops.broadcast_to(self, tuple(size)),
        "log1p": lambda self: _ops.log1p(self), "expm1": lambda self: _ops.expm1(self),
        "nelement": lambda self: self._data.size, "ndimension": lambda self: self._data.ndim,
        "get_device": lambda self: -1,                       # torch's answer for the CPU
        "__getattr__": _missing_attribute,
    }
    for name, fn in methods.items():
        setattr(T, name, fn)
    T.T = property(lambda self: _ops.transpose(self, None))
    T.mT = property(lambda self: _transpose(self, -2, -1))
    T.__iadd__ = T.add_
    T.__isub__ = T.sub_
    T.__imul__ = T.mul_
    T.__itruediv__ = T.div_
    T.__ipow__ = T.pow_


# ----------------------------------------------------------------------- factories

def _leaf(array, requires_grad) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype):
    return get_default_dtype() if dtype is None else _as_dtype(dtype, "dtype")


def tensor(data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None,
           device: Any = None, pin_memory: bool = False) -> Tensor:
    """Make a leaf tensor (copies ``data``); floats get the default dtype unless given."""
    if device is not None:
        from .device import device as _device_of
        _device_of(device)
    return Tensor(data, requires_grad=requires_grad,
                  dtype=None if dtype is None else _as_dtype(dtype, "tensor"))


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a Tensor without copying when it already is one (or an ndarray of that
    dtype): ``torch.as_tensor``.  The library's one way to wrap an array it computed."""
    if isinstance(data, Tensor):
        return data if dtype is None else _to(data, dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and (
            dtype is None or np.dtype(dtype) == data.dtype):
        return Tensor._wrap(data)
    return Tensor(data, dtype=None if dtype is None else _as_dtype(dtype, "as_tensor"))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor on ``array``'s memory (``torch.from_numpy``)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: can't convert np.ndarray of type {array.dtype}; the only "
                        f"supported types are bool, integers and floats")
    return Tensor._wrap(array)


def zeros(*shape: Shape, dtype: DTypeLike | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_shape_arg(shape, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*shape: Shape, dtype: DTypeLike | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_shape_arg(shape, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(*shape, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
        dtype = get_default_dtype() if dtype.kind == "f" else dtype
    return _leaf(np.full(_shape_arg((size,), "full"), fill_value, _as_dtype(dtype, "full")),
                 requires_grad)


def _gen(generator):
    return _random.generator() if generator is None else generator._rng


def randn(*shape: Shape, generator: Any = None, dtype: DTypeLike | None = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the library generator."""
    a = _gen(generator).standard_normal(_shape_arg(shape, "randn")).astype(_float_dtype(dtype))
    return _leaf(a, requires_grad)


def rand(*shape: Shape, generator: Any = None, dtype: DTypeLike | None = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples from the library generator."""
    a = _gen(generator).random(_shape_arg(shape, "rand")).astype(_float_dtype(dtype))
    return _leaf(a, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high) (``torch.randint(high, size)`` or ``(low, high, size)``)."""
    if high is None or size is None and isinstance(high, (tuple, list)):
        low, high, size = (0, low, high) if size is None else (0, low, size)
    if size is None:
        raise TypeError("randint: size is required, e.g. randint(10, (3,))")
    if high <= low:
        raise ValueError(f"randint: high must be > low, got low={low}, high={high}")
    d = _dt.int64 if dtype is None else _as_dtype(dtype, "randint")
    return _leaf(_gen(generator).integers(low, high, _shape_arg((size,), "randint")).astype(d),
                 requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0 … n-1 from the library generator (``torch.randperm``)."""
    if isinstance(n, builtins.bool) or not isinstance(n, (builtins.int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    d = _dt.int64 if dtype is None else _as_dtype(dtype, "randperm")
    return _leaf(_gen(generator).permutation(builtins.int(n)).astype(d), requires_grad)


def _like_dtype(t, dtype):
    return _raw(t).dtype if dtype is None else _as_dtype(dtype, "dtype")


def zeros_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _leaf(np.zeros(np.shape(_raw(t)), _like_dtype(t, dtype)), requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _leaf(np.ones(np.shape(_raw(t)), _like_dtype(t, dtype)), requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _leaf(np.full(np.shape(_raw(t)), fill_value, _like_dtype(t, dtype)), requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _like_dtype(t, dtype)
    return _leaf(_random.generator().standard_normal(np.shape(_raw(t))).astype(d),
                 requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _like_dtype(t, dtype)
    return _leaf(_random.generator().random(np.shape(_raw(t))).astype(d), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``torch.arange``: integers give int64, any float argument the default float dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = builtins.any(isinstance(v, (builtins.float, np.floating))
                              for v in (start, end, step))
        dtype = get_default_dtype() if floats else _dt.int64
    return _leaf(np.arange(start, end, step, dtype=_as_dtype(dtype, "arange")), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (``torch.linspace``)."""
    if isinstance(steps, builtins.bool) or not isinstance(steps, (builtins.int, np.integer)) \
            or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return _leaf(np.linspace(_raw(start), _raw(end), builtins.int(steps)).astype(
        _float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def _shape_arg(shape, owner: str) -> tuple:
    shape = _shape_args(shape, owner)
    for s in shape:
        if s < 0:
            raise ValueError(f"{owner}: shape must be non-negative integers, got {shape}")
    return shape


_install()
from . import _methods_ops_index  # noqa: E402,F401  (installs scatter, diag, unfold, ...)

_UFUNC_OPS = {
    np.add: _ops.add, np.subtract: _ops.sub, np.multiply: _ops.mul, np.true_divide: _ops.div,
    np.power: _ops.power, np.negative: _ops.neg, np.positive: lambda x: x,
    np.square: lambda x: _ops.mul(x, x), np.exp: _ops.exp, np.log: _ops.log,
    np.sqrt: _ops.sqrt, np.tanh: _ops.tanh, np.sin: _ops.sin, np.cos: _ops.cos,
    np.absolute: _ops.abs, np.matmul: _ops.matmul,
}


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


_FUNCTION_OPS = {
    np.sum: _np_sum, np.mean: _np_mean, np.max: _np_max, np.amax: _np_max, np.min: _np_min,
    np.amin: _np_min, np.var: _np_var, np.std: _np_std, np.reshape: _np_reshape,
    np.transpose: _np_transpose, np.concatenate: _np_concatenate, np.stack: _np_stack,
    np.clip: _np_clip, np.where: _np_where,
}
