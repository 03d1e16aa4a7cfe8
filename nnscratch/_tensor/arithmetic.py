"""Arithmetic and comparison: Python's operators, their names (``add``, ``mul`` …), comparisons
and logic (no gradient, as torch), and the elementwise functions (``exp``, ``tanh`` …).

Binary operators promote their operands as torch does (:func:`promoted`): a float32 tensor
with a Python number stays float32, ``int ⊕ float`` is float, ``/`` is always float.
"""
from __future__ import annotations

import builtins
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtype as _dt
from .. import ops as _ops
from .._checks import tensor_arg
from ..autograd import declare as _declare
from ..autograd.core import TensorBase as _Base
from ..autograd.core import _to_array
from ..dtype import get_default_dtype
from ..ops import add as _add
from ..ops import div as _div
from ..ops import matmul as _matmul
from ..ops import mul as _mul
from ..ops import power as _power
from ..ops import sub as _sub
from .args import function, raw

if TYPE_CHECKING:   # annotations only: a method returns a tensor of its receiver's class
    from typing_extensions import Self


def promoted(a, b, true_divide=False):
    """Both operands of a binary op, cast to torch's result dtype (float for ``/``)."""
    if isinstance(a, _Base) and isinstance(b, _Base) and a._data.dtype == b._data.dtype \
            and (not true_divide or a._data.dtype.kind == "f"):
        return a, b                       # the hot path: nothing to decide
    # the other hot path: a float tensor with a Python number keeps the tensor's dtype
    if type(b) in (float, int) and isinstance(a, _Base) and a._data.dtype.kind == "f":
        return a, b
    if type(a) in (float, int) and isinstance(b, _Base) and b._data.dtype.kind == "f":
        return a, b
    d = _dt.result_type(a, b, default_float=get_default_dtype())
    if true_divide and d.kind != "f":
        d = get_default_dtype()
    return _cast(a, d), _cast(b, d)


def _cast(o, d):
    """Tensors and arrays cast to ``d``; Python numbers pass unchanged (NumPy, like torch,
    lets a number take the array's dtype)."""
    if isinstance(o, _Base):
        return o if o._data.dtype == d else _ops.astype(o, d)
    if isinstance(o, (np.ndarray, np.generic)):
        return np.asarray(o, dtype=d)
    return o


def scaled(other, alpha):
    """``alpha * other`` of ``add(other, alpha=…)``; ``other`` itself when alpha is 1."""
    return other if alpha == 1 else other * alpha


def _compare(ufunc, self, other):
    if not isinstance(other, (_Base, np.ndarray, np.generic, numbers.Number, list, tuple)):
        return NotImplemented        # e.g. pytest.approx compares itself
    out = _Base._wrap(ufunc(self._data, raw(other)))
    if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
        _declare._recorder(ufunc, (self, other), {}, out)
    return out


def _piecewise_constant(ufunc, self, name):
    """``sign``/``floor``/``ceil``/``round``/``trunc``: their derivative is zero wherever it
    exists, so the result is computed outside the graph (torch records a node whose gradient
    is zero; here the result just does not require grad)."""
    a = self._data
    if a.dtype.kind == "b" or a.dtype.kind in "iu" and name != "sign":
        return _Base._wrap(a.copy())      # already whole (torch keeps the dtype too)
    return _Base._wrap(ufunc(a))


class ArithmeticMethods(_Base):
    """Operators, arithmetic by name, comparisons and logic, elementwise functions."""

    __slots__ = ()

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Self:
        return _add(*promoted(self, other))

    def __radd__(self, other: Any) -> Self:
        # the tensor first, as torch's add(self, other): the same sum, and grad_fn's
        # next_functions list the tensor's node first, as torch's
        return _add(*promoted(self, other))

    def __sub__(self, other: Any) -> Self:
        return _sub(*promoted(self, other))

    def __rsub__(self, other: Any) -> Self:
        return _sub(*promoted(other, self))

    def __mul__(self, other: Any) -> Self:
        return _mul(*promoted(self, other))

    def __rmul__(self, other: Any) -> Self:
        return _mul(*promoted(self, other))     # the tensor first, as __radd__

    def __truediv__(self, other: Any) -> Self:
        return _div(*promoted(self, other, True))

    def __rtruediv__(self, other: Any) -> Self:
        return _div(*promoted(other, self, True))

    def __pow__(self, other: Any) -> Self:
        return _power(*promoted(self, other))

    def __rpow__(self, other: Any) -> Self:
        return _power(*promoted(other, self))

    def __matmul__(self, other: Any) -> Self:
        return _matmul(*promoted(self, other))

    def __rmatmul__(self, other: Any) -> Self:
        return _matmul(*promoted(other, self))

    def __neg__(self) -> Self:
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    # ------------------------------------------------------------------ by name
    @function
    def add(self, other, *, alpha=1):
        return _add(*promoted(self, scaled(other, alpha)))

    @function
    def sub(self, other, *, alpha=1):
        return _sub(*promoted(self, scaled(other, alpha)))

    @function
    def mul(self, other):
        return _mul(*promoted(self, other))

    @function
    def div(self, other):
        return _div(*promoted(self, other, True))

    true_divide = div

    @function
    def pow(self, exponent):
        return _power(*promoted(self, exponent))

    @function
    def matmul(self, other):
        """The matrix product (``torch.matmul``; ``mm``, ``bmm``, ``dot`` and ``mv`` too)."""
        return _matmul(*promoted(self, other))

    mm = bmm = dot = mv = matmul

    @function
    def neg(self):
        return _ops.neg(self)

    @function
    def outer(self, vec2):
        """The outer product of two 1-D tensors (``torch.outer``; ``ger`` too)."""
        other = vec2 if isinstance(vec2, _Base) else _Base._wrap(_to_array(vec2))
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"outer: expected 1-D tensors, got {self._data.ndim}-D and "
                               f"{other._data.ndim}-D")
        return _ops.reshape(self, (-1, 1)) * _ops.reshape(other, (1, -1))

    ger = outer

    # ------------------------------------------------------------------ comparisons and logic
    def __eq__(self, other: object) -> Self:    # type: ignore[override]  # elementwise
        return _compare(np.equal, self, other)

    def __ne__(self, other: object) -> Self:    # type: ignore[override]
        return _compare(np.not_equal, self, other)

    __hash__ = object.__hash__          # identity hashing: tensors can key dicts and sets

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    def __and__(self, other):
        return _compare(np.logical_and, self, other)

    def __or__(self, other):
        return _compare(np.logical_or, self, other)

    def __xor__(self, other):
        return _compare(np.logical_xor, self, other)

    def __invert__(self):
        return _Base._wrap(~self._data)

    eq = function(__eq__)
    ne = function(__ne__)
    lt = function(__lt__)
    le = function(__le__)
    gt = function(__gt__)
    ge = function(__ge__)

    @function
    def logical_not(self):
        out = _Base._wrap(np.logical_not(self._data))
        if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
            _declare._recorder(np.logical_not, (self,), {}, out)
        return out

    @function
    def isnan(self):
        return _Base._wrap(np.isnan(self._data))

    @function
    def isinf(self):
        return _Base._wrap(np.isinf(self._data))

    @function
    def isfinite(self):
        return _Base._wrap(np.isfinite(self._data))

    @function
    def equal(self, other):
        """True when both have the same shape and values (``torch.equal``)."""
        other = tensor_arg(other, "other", "equal")
        return builtins.bool(self.shape == other.shape and
                             np.array_equal(self._data, other._data))

    @function
    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return builtins.bool(np.allclose(self._data, raw(other), rtol, atol, equal_nan))

    # ------------------------------------------------------------------ elementwise
    @function
    def exp(self) -> Self:
        return _ops.exp(self)

    @function
    def log(self) -> Self:
        return _ops.log(self)

    @function
    def sqrt(self) -> Self:
        return _ops.sqrt(self)

    @function
    def abs(self) -> Self:
        return _ops.abs(self)

    @function
    def rsqrt(self):
        return 1.0 / _ops.sqrt(self)

    @function
    def square(self):
        return _ops.mul(self, self)

    @function
    def clamp(self, min=None, max=None):
        """Clamp to ``[min, max]`` (``torch.clamp``; ``clip`` is the same)."""
        return _ops.clip(self, raw(min), raw(max))

    @function
    def clip(self, lo: Any = None, hi: Any = None) -> Self:
        return _ops.clip(self, raw(lo), raw(hi))

    @function
    def relu(self) -> Self:
        return _ops.relu(self)

    @function
    def sigmoid(self) -> Self:
        return _ops.sigmoid(self)

    @function
    def tanh(self) -> Self:
        return _ops.tanh(self)

    @function
    def sin(self):
        return _ops.sin(self)

    @function
    def cos(self):
        return _ops.cos(self)

    @function
    def log1p(self):
        return _ops.log1p(self)

    @function
    def expm1(self):
        return _ops.expm1(self)

    @function
    def sign(self):
        """``torch.sign``, elementwise; no gradient flows through it."""
        return _piecewise_constant(np.sign, self, "sign")

    @function
    def floor(self):
        """``torch.floor``, elementwise; no gradient flows through it."""
        return _piecewise_constant(np.floor, self, "floor")

    @function
    def ceil(self):
        """``torch.ceil``, elementwise; no gradient flows through it."""
        return _piecewise_constant(np.ceil, self, "ceil")

    @function
    def round(self):
        """``torch.round``, elementwise; no gradient flows through it."""
        return _piecewise_constant(np.round, self, "round")

    @function
    def trunc(self):
        """``torch.trunc``, elementwise; no gradient flows through it."""
        return _piecewise_constant(np.trunc, self, "trunc")
