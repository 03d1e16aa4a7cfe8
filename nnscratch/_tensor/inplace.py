"""In-place updates: ``add_``, ``+=``, ``t[i] = v``, ``zero_``, ``copy_``, ``uniform_`` …

They follow torch's autograd rules: on a leaf that requires grad they raise outside
``no_grad``; on a tensor inside a graph they record the op so that gradients stay right, and
bump the version counter so that a node that saved the old values refuses to backpropagate
through them (see :mod:`nnscratch.autograd.graph`).
"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops as _ops
from .. import random as _random
from ..autograd.core import TensorBase as _Base
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..ops import indexing as _indexing
from .args import raw
from .arithmetic import promoted, scaled

if TYPE_CHECKING:   # annotations only: a method returns a tensor of its receiver's class
    from typing_extensions import Self


def _inplace(self, name, fn, *others, direct=None):
    """``self <- fn(self, *others)`` in self's memory, with torch's autograd rules.

    ``fn`` is the out-of-place op on tensors.  Outside a graph, ``direct(array)`` (when given)
    writes the result without a temporary; inside one, the op is recorded on a copy of the old
    values, and self takes over the new node.
    """
    graph = is_grad_enabled() and (self.requires_grad or builtins.any(
        isinstance(o, _Base) and o.requires_grad for o in others))
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
        old = _Base._wrap(self._data.copy(), self._node, self._index)
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
        o = raw(other)
        if alpha is not None and alpha != 1:
            o = o * alpha
        if not a.flags.writeable:
            raise ValueError("the tensor's memory is read-only; clone() it first")
        if np.shape(o) and np.broadcast_shapes(a.shape, np.shape(o)) != a.shape:
            raise ValueError(f"output with shape {list(a.shape)} doesn't match the broadcast "
                             f"shape {list(np.broadcast_shapes(a.shape, np.shape(o)))}")
        ufunc(a, o, out=a, casting="same_kind")
    return direct


def _binary_(self, name, op, ufunc, other, alpha, true_divide=False):
    """``self <- self op alpha * other`` (``add_``, ``sub_``, ``mul_``, ``div_``)."""
    def fn(s, o):
        return op(*promoted(s, scaled(o, alpha), true_divide))
    return _inplace(self, name, fn, other, direct=_ufunc_direct(ufunc, other, alpha))


def _filled(self, name, values):
    """Every element set to ``values`` (an array of self's shape, or a number)."""
    def direct(a):
        a[...] = values
    return _inplace(self, name, lambda s: s * 0 + np.asarray(values).astype(s.dtype),
                    direct=direct)


class InplaceMethods(_Base):
    """In-place updates of a tensor's values, recorded when the tensor is in a graph."""

    __slots__ = ()

    def add_(self, other, *, alpha=1):
        """In place: ``self += alpha * other`` (``torch.Tensor.add_``)."""
        return _binary_(self, "add_", _ops.add, np.add, other, alpha)

    def sub_(self, other, *, alpha=1):
        """In place: ``self -= alpha * other`` (``torch.Tensor.sub_``)."""
        return _binary_(self, "sub_", _ops.sub, np.subtract, other, alpha)

    def mul_(self, other, *, alpha=1):
        """In place: ``self *= alpha * other`` (``torch.Tensor.mul_``)."""
        return _binary_(self, "mul_", _ops.mul, np.multiply, other, alpha)

    def div_(self, other, *, alpha=1):
        """In place: ``self /= alpha * other`` (``torch.Tensor.div_``)."""
        return _binary_(self, "div_", _ops.div, np.true_divide, other, alpha, True)

    def pow_(self, exponent):
        return _inplace(self, "pow_", lambda s, e: _ops.power(*promoted(s, e)), exponent)

    def __iadd__(self, other: Any) -> Self:
        return InplaceMethods.add_(self, other)

    def __isub__(self, other: Any) -> Self:
        return InplaceMethods.sub_(self, other)

    def __imul__(self, other: Any) -> Self:
        return InplaceMethods.mul_(self, other)

    def __itruediv__(self, other: Any) -> Self:
        return InplaceMethods.div_(self, other)

    def __ipow__(self, other):
        return InplaceMethods.pow_(self, other)

    def __setitem__(self, idx: Any, value: Any) -> None:
        """``t[idx] = value`` in place (torch's ``index_put_``): inside a graph the gradient of
        the overwritten entries is zero and ``value`` receives the gradient of its slots."""
        idx = _indexing.torch_index(idx)           # torch's rules for every mix of indices

        def direct(a):
            _indexing.assign(a, idx, raw(value))
        _inplace(self, "__setitem__", lambda s, v: _ops.index_put(s, idx, v), value,
                 direct=direct)

    def fill_(self, value):
        """``fill_(value)``: every element set to ``value`` (a number or a one-element tensor)."""
        v = raw(value)

        def direct(a):
            a[...] = v
        return _inplace(self, "fill_", lambda s, val: s * 0 + val, value, direct=direct)

    def zero_(self):
        def direct(a):
            a[...] = 0
        return _inplace(self, "zero_", lambda s: s * 0, direct=direct)

    def copy_(self, src, non_blocking=False):
        """``copy_(src)``: self's values replaced by ``src`` broadcast to self's shape and cast
        to self's dtype; gradients flow to ``src``."""
        def direct(a):
            np.copyto(a, np.broadcast_to(np.asarray(raw(src)), a.shape), casting="unsafe")

        def fn(s, o):
            return s * 0 + (_ops.astype(o, s.dtype) if isinstance(o, _Base) else o)
        return _inplace(self, "copy_", fn, src, direct=direct)

    def masked_fill_(self, mask, value):
        m = np.asarray(raw(mask))
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor, got dtype {m.dtype}")

        def direct(a):
            a[np.broadcast_to(m, a.shape)] = raw(value)
        return _inplace(self, "masked_fill_", lambda s, v: s.masked_fill(m, v), value,
                        direct=direct)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        """Fill with U(a, b) draws from the library generator (``torch.Tensor.uniform_``)."""
        g = generator._rng if generator is not None else _random.generator()
        return _filled(self, "uniform_", g.uniform(a, b, self._data.shape))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        """Fill with N(mean, std²) draws from the library generator (``torch.Tensor.normal_``)."""
        g = generator._rng if generator is not None else _random.generator()
        return _filled(self, "normal_", mean + std * g.standard_normal(self._data.shape))

    def clamp_(self, min=None, max=None):
        return _inplace(self, "clamp_", lambda s: _ops.clip(s, raw(min), raw(max)))

    def exp_(self):
        return _inplace(self, "exp_", _ops.exp)

    def log_(self):
        return _inplace(self, "log_", _ops.log)

    def sqrt_(self):
        return _inplace(self, "sqrt_", _ops.sqrt)

    def abs_(self):
        return _inplace(self, "abs_", _ops.abs)

    def neg_(self):
        return _inplace(self, "neg_", _ops.neg)

    def relu_(self):
        return _inplace(self, "relu_", _ops.relu)

    def sigmoid_(self):
        return _inplace(self, "sigmoid_", _ops.sigmoid)

    def tanh_(self):
        return _inplace(self, "tanh_", _ops.tanh)

    def addcmul_(self, tensor1, tensor2, value=1):
        return _inplace(self, "addcmul_", lambda s, a, b: s + value * (a * b), tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        return _inplace(self, "addcdiv_", lambda s, a, b: s + value * (a / b), tensor1, tensor2)

    def lerp_(self, end, weight):
        return _inplace(self, "lerp_", lambda s, e: s + weight * (e - s), end)
