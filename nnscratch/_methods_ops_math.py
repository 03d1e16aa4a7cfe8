"""Tensor methods of issue 32's math half: trigonometric, special, exponential, rounding,
bitwise, cumulative and comparison ops, dtype methods and sampling, with torch's names,
aliases and in-place variants.

The methods live on :class:`OpsMathMethods`; :func:`install` copies them onto the Tensor class
(one line in :mod:`nnscratch.tensor`) until the class-based Tensor takes the mixin directly.
The torch-level functions of the same names are in :mod:`nnscratch._functions_ops_math`.

Dtypes follow torch: a float-valued function of an integer or bool tensor computes in the
default float dtype (``torch.sin(tensor([1]))`` is float32); binary ops promote as
:func:`nnscratch.dtype.result_type`.
"""
from __future__ import annotations

import builtins
import collections
import numbers
from typing import Any

import numpy as np

from . import dtype as _dt
from ._checks import tensor_arg
from ._tensor.args import ReturnTypes as _ReturnTypes
from ._tensor.args import as_dtype as _as_dtype
from ._tensor.args import raw as _raw
from ._tensor.arithmetic import promoted as _promoted
from ._tensor.inplace import _inplace
from .autograd import declare as _declare
from .autograd.core import TensorBase as Tensor  # the ops' view of the class: _wrap makes a Tensor
from .autograd.core import _to_array
from .dtype import get_default_dtype
from .ops import bitwise as _bit
from .ops import blend as _blend
from .ops import cumulative as _cum
from .ops import explog as _explog
from .ops import pointwise as _pw
from .ops import rounding as _round
from .ops import special as _special
from .ops import trig as _trig
from .ops.shape import concatenate as _concatenate


def as_tensor(data, dtype=None):
    """``data`` as a Tensor (no copy when it is one already): :func:`nnscratch.as_tensor`, here
    without importing nnscratch.tensor, which installs these methods."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return Tensor._wrap(_to_array(data, dtype))

# torch's legacy type names (``t.type()``), by dtype
TYPE_NAMES = {_dt.float32: "torch.FloatTensor", _dt.float64: "torch.DoubleTensor",
              _dt.float16: "torch.HalfTensor", _dt.int64: "torch.LongTensor",
              _dt.int32: "torch.IntTensor", _dt.int16: "torch.ShortTensor",
              _dt.int8: "torch.CharTensor", _dt.uint8: "torch.ByteTensor",
              _dt.bool: "torch.BoolTensor"}
_BY_TYPE_NAME = {v: k for k, v in TYPE_NAMES.items()}


def _floating(t):
    """``t`` itself when it is floating, else ``t`` in the default float dtype (torch computes
    float-valued functions of integers in the default dtype)."""
    t = as_tensor(t)
    return t if t._data.dtype.kind == "f" else t.to(get_default_dtype())


def _float_pair(a, b):
    """Both operands promoted as torch, then to the default float dtype if that is integral."""
    a, b = _promoted(a, b)
    d = np.result_type(_raw(a))
    if d.kind != "f":
        d = get_default_dtype()
        a, b = (x.to(d) if isinstance(x, Tensor) else x for x in (a, b))
    return a, b


def _integer_pair(a, b):
    """Both operands at torch's result dtype, as arrays (no gradient flows through these)."""
    d = _dt.result_type(a, b, default_float=get_default_dtype())
    return np.asarray(_raw(a)).astype(d, copy=False), np.asarray(_raw(b)).astype(d, copy=False)


def _unary(op):
    def method(self):
        return op(_floating(self))
    method.__doc__ = op.__doc__
    return method


_TORCH_TYPE = {"i8": "Long", "i4": "Int", "i2": "Short", "i1": "Char", "u1": "Byte", "b1": "Bool"}


def _binary_float(op, integers=True):
    """A float-valued binary op; ``integers=False``: integer inputs are refused as torch
    refuses them (``"logaddexp_cpu" not implemented for 'Long'``)."""
    def method(self, other):
        if not integers:
            d = _dt.result_type(self, other, default_float=get_default_dtype())
            if d.kind != "f":
                raise NotImplementedError(f'"{op.__name__}_cpu" not implemented for '
                                          f"'{_TORCH_TYPE[d.str[1:]]}'")
        return op(*_float_pair(self, other))
    method.__doc__ = op.__doc__
    return method


def _reflected(method):
    def reflected(self, other):
        return method(as_tensor(other, dtype=_weak_dtype(other, self)), self)
    return reflected


def _weak_dtype(number, like):
    """The dtype a Python number takes beside ``like`` (torch's weak scalars)."""
    return _dt.result_type(like, number, default_float=get_default_dtype())


def _inplace_of(name, method):
    def inplace(self, *args, **kwargs):
        return _inplace(self, name, lambda s, *o: method(s, *o, **kwargs), *args)
    inplace.__name__ = name
    inplace.__doc__ = f"In place: ``self = self.{name[:-1]}(...)`` (``torch.Tensor.{name}``)."
    return inplace


def _bitwise(fn):
    def method(self, other):
        if not isinstance(other, (Tensor, np.ndarray, np.generic, numbers.Number)):
            return NotImplemented
        out = Tensor._wrap(fn(*_integer_pair(self, other)))
        if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
            _declare._recorder(fn, (self, other), {}, out)
        return out
    method.__doc__ = fn.__doc__
    return method


def _shift(fn):
    def method(self, other):
        if not isinstance(other, (Tensor, np.ndarray, np.generic, numbers.Number)):
            return NotImplemented
        a, b = _integer_pair(self, other)
        return Tensor._wrap(fn(a, b))
    return method


def _rounding_division(a, b, rounding_mode):
    """``div(a, b, rounding_mode=)``: None is true division, "trunc"/"floor" round the quotient
    toward zero / down and keep an integer dtype (no gradient: piecewise constant)."""
    if rounding_mode is None:
        return as_tensor(a).__truediv__(b)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found {rounding_mode!r}")
    x, y = _integer_pair(a, b)
    fn = _round.trunc_divide if rounding_mode == "trunc" else _round.floor_divide
    return Tensor._wrap(fn(x, y))


def _dims_arg(dim, owner):
    if dim is None:
        raise TypeError(f"{owner}() missing required argument 'dim'")
    return builtins.int(dim)


def _axis(self, dim):
    n = builtins.max(self._data.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n if self._data.ndim else 0


def _scan(self, dim, fn, owner):
    """Run an axis scan; a 0-d tensor is scanned as its 1-element vector (as torch)."""
    dim = _axis(self, _dims_arg(dim, owner))
    if self._data.ndim == 0:
        out = fn(self.reshape(1), 0)
        return tuple(o.reshape(()) for o in out) if isinstance(out, tuple) else out.reshape(())
    return fn(self, dim)


def _ReturnPair(pair):
    """torch.return_types.cummax/median/…: a (values, indices) pair with those names."""
    return _ReturnTypes(*pair)


def _as_type(d):
    """A dtype from torch's ``type()`` arguments: a dtype, its name, ``"torch.FloatTensor"``
    or a legacy class (``ns.FloatTensor``)."""
    if isinstance(d, str) and d in _BY_TYPE_NAME:
        return _BY_TYPE_NAME[d]
    legacy = getattr(d, "_dtype", None)
    if legacy is not None:
        return legacy
    return _as_dtype(d, "type")


def _check_clamp(lo, hi, owner):
    if lo is None and hi is None:
        raise RuntimeError(f"{owner}: At least one of 'min' or 'max' must not be None")


class OpsMathMethods:
    """Tensor methods of issue 32's math half (see the module docstring)."""

    _data: np.ndarray        # the array of the Tensor class this mixes into (for mypy)

    # trigonometric and hyperbolic
    tan = _unary(_trig.tan)
    asin = arcsin = _unary(_trig.asin)
    acos = arccos = _unary(_trig.acos)
    atan = arctan = _unary(_trig.atan)
    sinh = _unary(_trig.sinh)
    cosh = _unary(_trig.cosh)
    asinh = arcsinh = _unary(_trig.asinh)
    acosh = arccosh = _unary(_trig.acosh)
    atanh = arctanh = _unary(_trig.atanh)
    atan2 = arctan2 = _binary_float(_trig.atan2)

    # error function and exponentials in other bases
    erf = _unary(_special.erf)
    erfc = _unary(_special.erfc)
    erfinv = _unary(_special.erfinv)
    exp2 = _unary(_explog.exp2)
    log2 = _unary(_explog.log2)
    log10 = _unary(_explog.log10)
    logaddexp = _binary_float(_explog.logaddexp, integers=False)
    logaddexp2 = _binary_float(_explog.logaddexp2, integers=False)

    # sign, interpolation, rounding division
    copysign = _binary_float(_blend.copysign)

    def lerp(self, end, weight):
        """``self + weight (end - self)`` (``torch.lerp``); weight a number or a tensor."""
        a, b = _promoted(self, end)
        w = weight if isinstance(weight, Tensor) else _raw(weight)
        return _blend.lerp(a, b, w)

    def fmod(self, other):
        """C's fmod, the sign of self (``torch.fmod``)."""
        return _round.fmod(*_promoted(self, other))

    def remainder(self, other):
        """Python's modulo, the sign of other (``torch.remainder``, ``%``)."""
        return _round.remainder(*_promoted(self, other))

    def floor_divide(self, other):
        """floor(self / other) (``torch.floor_divide``, ``//``); no gradient (piecewise
        constant)."""
        return Tensor._wrap(_round.floor_divide(*_integer_pair(self, other)))

    def div(self, other, *, rounding_mode=None):
        """``self / other``; ``rounding_mode="trunc"|"floor"`` rounds the quotient (torch.div)."""
        return _rounding_division(self, other, rounding_mode)

    divide = true_divide = div

    def div_(self, other, *, rounding_mode=None):
        return _inplace(self, "div_", lambda s, o: _rounding_division(s, o, rounding_mode),
                        other)

    def __mod__(self, other):
        return OpsMathMethods.remainder(self, other)

    def __rmod__(self, other):
        return OpsMathMethods.remainder(as_tensor(other, dtype=_weak_dtype(other, self)), self)

    def __floordiv__(self, other):
        return OpsMathMethods.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return OpsMathMethods.floor_divide(as_tensor(other, dtype=_weak_dtype(other, self)),
                                           self)

    # bitwise (bool: logical), shifts
    bitwise_and = __and__ = __rand__ = _bitwise(_bit.bitwise_and)
    bitwise_or = __or__ = __ror__ = _bitwise(_bit.bitwise_or)
    bitwise_xor = __xor__ = __rxor__ = _bitwise(_bit.bitwise_xor)
    bitwise_left_shift = __lshift__ = _shift(_bit.left_shift)
    bitwise_right_shift = __rshift__ = _shift(_bit.right_shift)

    def __rlshift__(self, other):
        return Tensor._wrap(_bit.left_shift(*_integer_pair(other, self)))

    def __rrshift__(self, other):
        return Tensor._wrap(_bit.right_shift(*_integer_pair(other, self)))

    def bitwise_not(self):
        """~self: bitwise for integers, logical for bool (``torch.bitwise_not``)."""
        out = Tensor._wrap(_bit.bitwise_not(self._data))
        if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace) sees it
            _declare._recorder(_bit.bitwise_not, (self,), {}, out)
        return out

    def __invert__(self):
        if self._data.dtype.kind not in "biu":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return self.bitwise_not()

    def logical_and(self, other):
        return Tensor._wrap(np.logical_and(self._data, _raw(other)))

    def logical_or(self, other):
        return Tensor._wrap(np.logical_or(self._data, _raw(other)))

    def logical_xor(self, other):
        return Tensor._wrap(np.logical_xor(self._data, _raw(other)))

    # comparison
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """|self - other| <= atol + rtol |other| elementwise (``torch.isclose``)."""
        a, b = _integer_pair(self, other)
        return Tensor._wrap(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def greater(self, other):
        return self.gt(other)

    def greater_equal(self, other):
        return self.ge(other)

    def less(self, other):
        return self.lt(other)

    def less_equal(self, other):
        return self.le(other)

    def not_equal(self, other):
        return self.ne(other)

    def maximum(self, other):
        """Elementwise max with torch's promotion (``maximum(int32, tensor(1.2))`` is float32);
        NaN propagates; a tie sends half the gradient to each side, as torch."""
        return _blend.maximum(*_promoted(as_tensor(self), as_tensor(other)))

    def minimum(self, other):
        """Elementwise min with torch's promotion, NaN and ties (see maximum)."""
        return _blend.minimum(*_promoted(as_tensor(self), as_tensor(other)))


    def clamp(self, min=None, max=None):
        """Clamp to [min, max] (``torch.clamp``); both None is torch's RuntimeError."""
        _check_clamp(min, max, "torch.clamp")
        from .ops import clip
        return clip(self, _raw(min), _raw(max))

    def clip(self, lo: Any = None, hi: Any = None) -> Any:
        """``clamp`` under NumPy's name; the bounds are positional ``lo, hi`` (DESIGN.md)."""
        return OpsMathMethods.clamp(self, lo, hi)

    def clamp_(self, min=None, max=None):
        _check_clamp(min, max, "torch.clamp_")
        return _inplace(self, "clamp_", lambda s: OpsMathMethods.clamp(s, min, max))

    clip_ = clamp_

    def clamp_min(self, min):
        return OpsMathMethods.clamp(self, min, None)

    def clamp_max(self, max):
        return OpsMathMethods.clamp(self, None, max)

    # scans
    def cumprod(self, dim=None, *, dtype=None):
        """x_0, x_0 x_1, … along dim (``torch.cumprod``); integers give int64 as torch."""
        t = self.to(dtype) if dtype is not None else (
            self.to(_dt.int64) if self._data.dtype.kind in "biu" else self)
        return _scan(t, dim, lambda x, d: _cum.cumprod(x, d), "cumprod")

    def logcumsumexp(self, dim=None):
        """log Σ_{k≤j} e^{x_k} along dim (``torch.logcumsumexp``)."""
        return _scan(_floating(self), dim, lambda x, d: _cum.logcumsumexp(x, d),
                     "logcumsumexp")

    def cummax(self, dim=None):
        """(values, indices) of the running maximum along dim (``torch.cummax``)."""
        return _ReturnPair(_scan(self, dim, lambda x, d: _cum.cummax(x, d), "cummax"))

    def cummin(self, dim=None):
        """(values, indices) of the running minimum along dim (``torch.cummin``)."""
        return _ReturnPair(_scan(self, dim, lambda x, d: _cum.cummin(x, d), "cummin"))

    # dtype and shape
    def type(self, dtype=None, non_blocking=False, **kwargs):
        """With no argument, torch's type name (``"torch.FloatTensor"``); with a dtype, its
        name or a legacy class, the tensor in that dtype (self when unchanged)."""
        if dtype is None:
            return TYPE_NAMES[self._data.dtype]
        return self.to(_as_type(dtype))

    def swapaxes(self, axis0, axis1):
        """``transpose(axis0, axis1)`` (``torch.swapaxes``/``swapdims``)."""
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def unsqueeze_(self, dim):
        """In place: a new axis of size 1 at dim (``torch.Tensor.unsqueeze_``)."""
        return _reshape_(self, self.unsqueeze(dim).shape, "unsqueeze_")

    def squeeze_(self, dim=None):
        """In place: size-1 axes removed (``torch.Tensor.squeeze_``)."""
        return _reshape_(self, self.squeeze(dim).shape, "squeeze_")

    def add_(self, other, *args, alpha=1):
        """``self += alpha * other``; the legacy ``add_(alpha, other)`` (a number first, then a
        tensor) is accepted as torch still does."""
        if args:
            if len(args) != 1 or not isinstance(other, numbers.Number):
                raise TypeError(f"add_(): expected add_(other, *, alpha=1) or the legacy "
                                f"add_(alpha, other), got {len(args) + 1} positional arguments")
            other, alpha = args[0], other
        return _ADD_(self, other, alpha=alpha)

    # sampling
    def random_(self, from_=0, to=None, *, generator=None):
        """In place: integers uniform on [from_, to) (``[0, from_)`` when only one is given;
        ``torch.Tensor.random_``)."""
        if to is None:
            from_, to = 0, from_ if from_ else _random_limit(self._data.dtype)
        rng = _rng(generator)
        values = rng.integers(from_, to, self._data.shape)

        def direct(a):
            a[...] = values
        return _inplace(self, "random_", lambda s: s * 0 + Tensor._wrap(
            values.astype(s._data.dtype)), direct=direct)

    def bernoulli(self, p=None, *, generator=None):
        """0/1 samples with probability self (or p) (``torch.bernoulli``); self's dtype."""
        prob = self._data if p is None else np.broadcast_to(_raw(p), self._data.shape)
        return Tensor._wrap((_rng(generator).random(self._data.shape) < prob).astype(
            self._data.dtype))

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """Indices drawn from the rows of self as unnormalised weights (``torch.multinomial``):
        1-D (k,) or 2-D (n, k) input, int64 (…, num_samples) output; without replacement the
        drawn index is removed (needs num_samples <= the count of non-zero weights)."""
        return Tensor._wrap(_multinomial(self._data, num_samples, replacement, generator))

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values, sorted (``torch.unique``); optional inverse indices and counts."""
        out = np.unique(self._data, return_inverse=return_inverse,
                        return_counts=return_counts, axis=dim)
        if not (return_inverse or return_counts):
            return Tensor._wrap(out)
        out = list(out)
        if return_inverse:
            out[1] = out[1].reshape(self._data.shape if dim is None else -1).astype(np.int64)
        if return_counts:
            out[-1] = out[-1].astype(np.int64)
        return tuple(Tensor._wrap(o) for o in out)

    def cross(self, other, dim=None):
        """The cross product of 3-vectors along dim (``torch.cross``; the first size-3
        axis when dim is None, as torch's deprecated default)."""
        a, b = _promoted(self, other)
        if dim is None:
            dim = next(i for i, n in enumerate(np.shape(_raw(a))) if n == 3)
        from .ops.blend import cross
        return cross(a, b, dim)

    # more pointwise maps
    reciprocal = _unary(_pw.reciprocal)
    sinc = _unary(_pw.sinc)
    hypot = _binary_float(_pw.hypot)
    xlogy = _binary_float(_pw.xlogy)
    fmax = _binary_float(_pw.fmax)
    fmin = _binary_float(_pw.fmin)

    def logit(self, eps=None):
        """log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given (``torch.logit``)."""
        return _pw.logit(_floating(self), eps)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """NaN/±inf replaced (``torch.nan_to_num``); integers pass unchanged."""
        if self._data.dtype.kind != "f":
            return self.clone()
        return _pw.nan_to_num(self, nan=nan, posinf=posinf, neginf=neginf)

    def deg2rad(self):
        return _floating(self) * (np.pi / 180)

    def rad2deg(self):
        return _floating(self) * (180 / np.pi)

    def frac(self):
        """x - trunc(x), the sign of x (``torch.frac``); gradient 1."""
        return self - Tensor._wrap(np.trunc(self._data))

    def fix(self):
        return self.trunc()

    def sgn(self):
        return self.sign()

    def positive(self):
        if self._data.dtype.kind == "b":
            raise TypeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def signbit(self):
        return Tensor._wrap(np.signbit(self._data))

    def heaviside(self, values):
        """0 for x < 0, values for x = 0, 1 for x > 0 (``torch.heaviside``); no gradient."""
        a, b = _integer_pair(self, values)
        return Tensor._wrap(np.heaviside(a, b).astype(a.dtype))

    def float_power(self, exponent):
        """self ** exponent in float64 (``torch.float_power``)."""
        e = exponent.double() if isinstance(exponent, Tensor) else exponent
        return self.double() ** e

    def ldexp(self, other):
        """self · 2^other (``torch.ldexp``)."""
        return _floating(self) * (2.0 ** _floating(other) if isinstance(other, Tensor)
                                  else 2.0 ** other)

    def nextafter(self, other):
        a, b = _promoted(self, other)
        return Tensor._wrap(np.nextafter(_raw(a), _raw(b)))

    def gcd(self, other):
        return Tensor._wrap(np.gcd(*_integer_pair(self, other)))

    def lcm(self, other):
        return Tensor._wrap(np.lcm(*_integer_pair(self, other)))

    def isneginf(self):
        return Tensor._wrap(np.isneginf(self._data) if self._data.dtype.kind == "f"
                            else np.zeros(self._data.shape, bool))

    def isposinf(self):
        return Tensor._wrap(np.isposinf(self._data) if self._data.dtype.kind == "f"
                            else np.zeros(self._data.shape, bool))

    def isreal(self):
        return Tensor._wrap(np.ones(self._data.shape, bool))

    def isin(self, test_elements, *, assume_unique=False, invert=False):
        return Tensor._wrap(np.isin(self._data, _raw(test_elements), invert=invert))

    def rsub(self, other, *, alpha=1):
        return other - alpha * self

    def short(self):
        return self.to(_dt.int16)

    def char(self):
        return self.to(_dt.int8)

    def byte(self):
        return self.to(_dt.uint8)

    def is_complex(self):
        return False

    def is_nonzero(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._data.reshape(()))

    def is_same_size(self, other):
        return self.shape == tensor_arg(other, "other", "is_same_size").shape

    # reductions and order statistics
    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum with NaN taken as 0 (``torch.nansum``)."""
        t = self.to(dtype) if dtype is not None else self
        return _where_nan(t, 0).sum(dim, keepdim=keepdim)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the non-NaN entries (``torch.nanmean``)."""
        t = self.to(dtype) if dtype is not None else self
        count = Tensor._wrap((~np.isnan(t._data)).sum(axis=_axes(dim), keepdims=keepdim)
                             .astype(t._data.dtype))
        return _where_nan(t, 0).sum(dim, keepdim=keepdim) / count

    def count_nonzero(self, dim=None):
        return Tensor._wrap(np.count_nonzero(self._data, axis=_axes(dim)).astype(np.int64))

    def aminmax(self, *, dim=None, keepdim=False):
        """(min, max) in one call (``torch.aminmax``)."""
        return _MinMax(*(self.amin(dim, keepdim) if dim is not None else self.amin(),
                        self.amax(dim, keepdim) if dim is not None else self.amax()))

    def median(self, dim=None, keepdim=False):
        """The lower median (``torch.median``); with dim, (values, indices)."""
        return _order_stat(self, dim, keepdim, lambda n: (n - 1) // 2, "median")

    def kthvalue(self, k, dim=-1, keepdim=False):
        """The k-th smallest along dim, (values, indices) (``torch.kthvalue``)."""
        return _order_stat(self, dim, keepdim, lambda n: _check_k(k, n), "kthvalue")

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        """The q-quantile(s) along dim by linear interpolation between order statistics
        (``torch.quantile``; other interpolations: "lower", "higher", "nearest", "midpoint")."""
        return _quantile(self, q, dim, keepdim, interpolation)

    def msort(self):
        return self.sort(0)[0]

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """n-th forward difference along dim (``torch.diff``)."""
        t = self
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if prepend is not None or append is not None:
            parts = [as_tensor(p) for p in (prepend, self, append) if p is not None]
            t = _concatenate(parts, dim)
        for _ in range(n):
            size = t.shape[dim]
            if t._data.dtype.kind == "b":
                t = t.narrow(dim, 1, size - 1) ^ t.narrow(dim, 0, size - 1)
            else:
                t = t.narrow(dim, 1, size - 1) - t.narrow(dim, 0, size - 1)
        return t

    def dist(self, other, p=2):
        return (self - other).norm(p)

    def trace(self):
        """The sum of the main diagonal of a matrix (``torch.trace``)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        from .ops.einsum import einsum
        n = builtins.min(self.shape)
        return einsum("ii->", self[:n, :n])

    def inner(self, other):
        """Σ over the last axes (``torch.inner``)."""
        other = tensor_arg(other, "other", "inner")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return _tensordot(self, other, [[-1], [-1]])

    def tensordot(self, other, dims=2):
        """Contraction over ``dims`` (an int: self's last and other's first axes; or two
        lists) (``torch.tensordot``)."""
        other = tensor_arg(other, "other", "tensordot")
        if isinstance(dims, int):
            dims = [list(range(self.ndim - dims, self.ndim)), list(range(dims))]
        return _tensordot(self, other, [list(dims[0]), list(dims[1])])

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """beta self + alpha mat1 @ mat2 (``torch.addmm``)."""
        return _scaled_sum(self, mat1 @ mat2, beta, alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _scaled_sum(self, mat @ vec, beta, alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _scaled_sum(self, (batch1 @ batch2).sum(0), beta, alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _scaled_sum(self, batch1 @ batch2, beta, alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _scaled_sum(self, vec1.outer(vec2), beta, alpha)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return self + value * (tensor1 * tensor2)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return self + value * (tensor1 / tensor2)

    def kron(self, other):
        """The Kronecker product (``torch.kron``)."""
        a, b = self, tensor_arg(other, "other", "kron")
        n = builtins.max(a.ndim, b.ndim)
        a = a.reshape((1,) * (n - a.ndim) + a.shape)
        b = b.reshape((1,) * (n - b.ndim) + b.shape)
        inter = a.reshape(sum(((s, 1) for s in a.shape), ())) * \
            b.reshape(sum(((1, s) for s in b.shape), ()))
        return inter.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))

    def matrix_power(self, n):
        """self @ self @ … (n ≥ 0 times; n = 0 the identity) (``torch.matrix_power``)."""
        if n < 0:
            return self.inverse().matrix_power(-n)
        out = None
        for _ in range(n):
            out = self if out is None else out @ self
        if out is None:
            eye = np.broadcast_to(np.eye(self.shape[-1], dtype=self._data.dtype), self.shape)
            return Tensor._wrap(eye.copy())
        return out

    def histc(self, bins=100, min=0, max=0):
        """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0)
        (``torch.histc``); values outside are ignored."""
        a = self._data
        lo, hi = (float(a.min()), float(a.max())) if min == max == 0 and a.size else (min, max)
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        counts, _ = np.histogram(a, bins=bins, range=(lo, hi))
        return Tensor._wrap(counts.astype(a.dtype))

    def bincount(self, weights=None, minlength=0):
        out = np.bincount(self._data, None if weights is None else _raw(weights), minlength)
        d = np.int64 if weights is None else (
            np.result_type(_raw(weights)) if np.result_type(_raw(weights)).kind == "f"
            else np.float64)
        return Tensor._wrap(out.astype(d))

    # sampling in place
    def bernoulli_(self, p=0.5, *, generator=None):
        prob = _raw(p)
        values = (_rng(generator).random(self._data.shape) < prob)

        def direct(a):
            a[...] = values
        return _inplace(self, "bernoulli_", lambda s: s * 0 + Tensor._wrap(
            values.astype(s._data.dtype)), direct=direct)

    def exponential_(self, lambd=1.0, *, generator=None):
        return _fill_random(self, "exponential_", _rng(generator).exponential(
            1 / lambd, self._data.shape))

    def geometric_(self, p, *, generator=None):
        return _fill_random(self, "geometric_", _rng(generator).geometric(p, self._data.shape))

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return _fill_random(self, "log_normal_", _rng(generator).lognormal(
            mean, std, self._data.shape))

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return _fill_random(self, "cauchy_", median + sigma * _rng(generator).standard_cauchy(
            self._data.shape))

    # search, histograms, runs
    def frexp(self):
        """(mantissa, exponent) with self = mantissa · 2^exponent, |mantissa| in [0.5, 1)
        (``torch.frexp``: exponent int32)."""
        m, e = np.frexp(self._data)
        return _Frexp(*(Tensor._wrap(m), Tensor._wrap(e.astype(np.int32))))

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        """The values with consecutive repeats collapsed (``torch.unique_consecutive``)."""
        if dim is not None:
            raise NotImplementedError("unique_consecutive(dim=...) is not supported; "
                                      "flatten first")
        a = self._data.reshape(-1)
        start = np.ones(a.shape, bool)
        start[1:] = a[1:] != a[:-1]
        out = [Tensor._wrap(a[start])]
        if return_inverse:
            out.append(Tensor._wrap((np.cumsum(start) - 1).reshape(self._data.shape)))
        if return_counts:
            out.append(Tensor._wrap(np.diff(np.append(np.flatnonzero(start), a.size))))
        return out[0] if len(out) == 1 else tuple(out)

    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        """(hist, bin_edges) (``torch.histogram``); bins an int or the edges."""
        edges = _raw(bins)
        hist, e = np.histogram(self._data, bins=edges, range=range,
                               weights=None if weight is None else _raw(weight),
                               density=density)
        return _Histogram(*(Tensor._wrap(hist.astype(self._data.dtype)),
                           Tensor._wrap(e.astype(self._data.dtype))))

    def det(self):
        """The determinant of the last two axes (``torch.det``); float inputs."""
        from .ops.determinant import det
        return det(_floating(self))

    # the rest of torch's matrix functions that torch.linalg also has (nnscratch.linalg)
    def inverse(self):
        """A⁻¹ (``torch.inverse`` = ``torch.linalg.inv``)."""
        from . import linalg
        return linalg.inv(_floating(self))

    def slogdet(self):
        """(sign, log|det|) (``torch.slogdet`` = ``torch.linalg.slogdet``)."""
        from . import linalg
        return linalg.slogdet(_floating(self))

    def logdet(self):
        """log det A (``torch.logdet``): NaN where det < 0, −inf where it is 0."""
        from . import linalg
        sign, logabs = linalg.slogdet(_floating(self))
        with np.errstate(invalid="ignore", divide="ignore"):     # log(-1) = NaN, log(0) = -inf
            return logabs + Tensor._wrap(np.log(sign.numpy()))

    def cholesky(self, upper=False):
        """The Cholesky factor (``torch.cholesky``, as ``torch.linalg.cholesky``)."""
        from . import linalg
        return linalg.cholesky(_floating(self), upper=upper)

    def svd(self, some=True, compute_uv=True):
        """(U, S, V) with A = U diag(S) Vᵀ (``torch.svd``: V, not Vh; ``some`` gives the
        reduced factors); without ``compute_uv``, U and V are zeros (m × m, n × n)."""
        from . import linalg
        if not compute_uv:
            m, n = self.shape[-2:]
            lead = tuple(self.shape[:-2])
            s = linalg.svdvals(_floating(self))
            dt = s.detach().numpy().dtype
            return _Svd(Tensor._wrap(np.zeros(lead + (m, m), dt)), s,
                        Tensor._wrap(np.zeros(lead + (n, n), dt)))
        u, s, vh = linalg.svd(_floating(self), full_matrices=not some)
        return _Svd(u, s, vh.mT)

    def vdot(self, other):
        return self.dot(other)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        """The covariance of the rows (variables) over the columns (observations)
        (``torch.cov``; fweights/aweights not supported)."""
        if fweights is not None or aweights is not None:
            raise NotImplementedError("cov: fweights/aweights are not supported")
        x = self if self.ndim == 2 else self.reshape(1, -1)
        centred = x - x.mean(1, keepdim=True)
        c = (centred @ centred.t()) / (x.shape[1] - correction)
        return c if self.ndim == 2 else c.reshape(())

    def corrcoef(self):
        """Pearson correlation of the rows (``torch.corrcoef``)."""
        c = OpsMathMethods.cov(self)
        if c.ndim == 0:
            return c / c
        from .ops.einsum import einsum
        d = einsum("ii->i", c).sqrt()
        return (c / d.reshape(-1, 1) / d.reshape(1, -1)).clamp(-1, 1)

    def sum_to_size(self, *size):
        """Sum broadcast axes away to ``size`` (``torch.Tensor.sum_to_size``)."""
        size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) \
            else tuple(size)
        t = self
        lead = t.ndim - len(size)
        if lead:
            t = t.sum(tuple(range(lead)))
        axes = tuple(i for i, n in enumerate(size) if n == 1 and t.shape[i] != 1)
        return t.sum(axes, keepdim=True) if axes else t

    def adjoint(self):
        """The conjugate transpose of the last two axes: the transpose, for real tensors."""
        return self.transpose(-2, -1)

    @property
    def mH(self):
        return self.transpose(-2, -1)

    def is_neg(self):
        return False

    def is_inference(self):
        return False

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def apply_(self, callable):
        """Apply a Python function to every element, in place (``torch.Tensor.apply_``)."""
        if self.requires_grad:
            raise RuntimeError("apply_ is only implemented on tensors that do not require grad")
        flat = self._data.reshape(-1)
        for i, v in enumerate(flat.tolist()):
            flat[i] = callable(v)
        self._counter.n += 1
        return self

    def map_(self, tensor, callable):
        """``self[i] = callable(self[i], tensor[i])`` in place (``torch.Tensor.map_``)."""
        if self.requires_grad:
            raise RuntimeError("map_ is only implemented on tensors that do not require grad")
        other = np.broadcast_to(_raw(tensor), self._data.shape).reshape(-1).tolist()
        flat = self._data.reshape(-1)
        for i, v in enumerate(flat.tolist()):
            flat[i] = callable(v, other[i])
        self._counter.n += 1
        return self

    def t_(self):
        return _reshape_(self, None, "t_", lambda a: a.T if a.ndim == 2 else a)

    def transpose_(self, dim0, dim1):
        return _reshape_(self, None, "transpose_", lambda a: np.swapaxes(a, dim0, dim1))

    swapaxes_ = swapdims_ = transpose_

    def multiply(self, other):
        return self * other

    def subtract(self, other, *, alpha=1):
        return self.sub(other, alpha=alpha)

    def negative(self):
        return -self

    def abs(self) -> Any:
        """|self| (``torch.abs``/``absolute``); bool is refused, as torch refuses it."""
        if self._data.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        from .ops import abs as _abs
        return _abs(self)

    absolute = abs

    def is_signed(self):
        return self._data.dtype.kind in "if"


# torch.return_types' named pairs
_Frexp = collections.namedtuple("frexp", ["mantissa", "exponent"])  # type: ignore[name-match]
_Histogram = collections.namedtuple("histogram", ["hist", "bin_edges"])  # type: ignore[name-match]
_MinMax = collections.namedtuple("aminmax", ["min", "max"])  # type: ignore[name-match]
_Svd = collections.namedtuple("svd", ["U", "S", "V"])  # type: ignore[name-match]


def _where_nan(t, value):
    from .ops import where
    return where(np.isnan(t._data), value, t)


def _axes(dim):
    return tuple(dim) if isinstance(dim, (list, tuple)) else dim


def _check_k(k, n):
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension (k={k},"
                           f" size {n})")
    return k - 1


def _order_stat(self, dim, keepdim, position, owner):
    """The order statistic at ``position(n)`` along dim by a stable sort; the gradient goes
    to the element picked (the sort's gather)."""
    if dim is None:
        flat = self.reshape(-1)
        if flat.shape[0] == 0:
            return Tensor._wrap(np.array(np.nan, self._data.dtype))
        values, _ = flat.sort(0, stable=True)
        return values[position(flat.shape[0])]
    d = _axis(self, dim)
    t = self.reshape(1) if self.ndim == 0 else self
    values, indices = t.sort(d, stable=True)
    k = position(t.shape[d])
    v, i = values.narrow(d, k, 1), indices.narrow(d, k, 1)
    if not keepdim or self.ndim == 0:
        v, i = v.squeeze(d), i.squeeze(d)
    if self.ndim == 0:
        v, i = v.reshape(()), i.reshape(())
    return _ReturnPair((v, i))


def _quantile(self, q, dim, keepdim, interpolation):
    if interpolation not in ("linear", "lower", "higher", "nearest", "midpoint"):
        raise ValueError(f"quantile() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest. Got {interpolation}")
    qs = np.asarray(_raw(q), dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if self._data.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    t = self.reshape(-1) if dim is None else self
    d = 0 if dim is None else _axis(self, dim)
    values = t.sort(d)[0]
    n = values.shape[d]
    pos = qs * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.ceil(pos).astype(np.int64)
    frac = pos - lo
    if interpolation == "lower":
        hi, frac = lo, frac * 0
    elif interpolation == "higher":
        lo, frac = hi, frac * 0
    elif interpolation == "nearest":
        near = np.round(pos).astype(np.int64)     # round half to even, as torch
        lo = hi = near
        frac = frac * 0
    elif interpolation == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0)
    outs = []
    for lo_i, hi_i, f in zip(np.atleast_1d(lo), np.atleast_1d(hi), np.atleast_1d(frac)):
        a = values.narrow(d, int(lo_i), 1)
        b = values.narrow(d, int(hi_i), 1)
        r = a + (b - a) * float(f) if f else a
        outs.append(r if keepdim and dim is not None else (
            r.squeeze(d) if dim is not None else r.reshape(())))
    if dim is None and keepdim:
        outs = [o.reshape((1,) * self.ndim) for o in outs]
    if qs.ndim == 0:
        return outs[0]
    from .ops.shape import stack
    return stack(outs, 0)


def _tensordot(a, b, dims):
    from .ops.einsum import einsum
    letters = "abcdefghijklmnopqrstuvwxyz"
    sa = list(letters[:a.ndim])
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(*dims):
        sb[j % b.ndim] = sa[i % a.ndim]
    contracted = {sa[i % a.ndim] for i in dims[0]}
    out = [c for c in sa if c not in contracted] + [c for c in sb if c not in contracted]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def _scaled_sum(base, product, beta, alpha):
    """beta base + alpha product; beta = 0 ignores base (NaN included), as torch."""
    prod = product if alpha == 1 else alpha * product
    if beta == 0:
        return prod + 0 * Tensor._wrap(np.zeros_like(_raw(base)))
    return (base if beta == 1 else beta * base) + prod


def _fill_random(self, name, values):
    def direct(a):
        a[...] = values
    return _inplace(self, name, lambda s: s * 0 + Tensor._wrap(values.astype(s._data.dtype)),
                    direct=direct)


def _reshape_(self, shape, name, view=None):
    """An in-place change of shape or of axis order: the same memory seen anew (a metadata
    op); ``view(array)`` gives the new view when ``shape`` is None."""
    if self._node is not None or self.requires_grad and self._base is not None:
        raise NotImplementedError(f"{name}: in-place reshaping of a tensor autograd records is "
                                  f"not supported; use the out-of-place op")
    self._data = self._data.reshape(shape) if view is None else view(self._data)
    return self


def _random_limit(d):
    return 2 if d.kind == "b" else (2 ** 24 if d == _dt.float32 else
                                    2 ** 53 if d == _dt.float64 else np.iinfo(d).max)


def _rng(generator):
    from . import random as _random
    return _random.generator() if generator is None else generator._rng


def _multinomial(w, num_samples, replacement, generator):
    w = np.asarray(w, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {w.ndim}")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if np.any(rows.sum(-1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    if not replacement and num_samples > builtins.int((rows > 0).sum(-1).min()):
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (num_samples={num_samples}, non-zero weights="
                           f"{builtins.int((rows > 0).sum(-1).min())})")
    rng = _rng(generator)
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, r in enumerate(rows):
        out[i] = rng.choice(r.size, size=num_samples, replace=replacement, p=r / r.sum())
    return out.reshape(w.shape[:-1] + (num_samples,))


_ADD_ = None                      # the class's own add_, kept by install() before it overrides
_UNARY_INPLACE = ("reciprocal", "sinc", "logit", "nan_to_num", "deg2rad", "rad2deg", "frac",
                  "fix", "sgn", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan",
                  "sinh", "cosh",
                  "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "erf", "erfc",
                  "erfinv", "exp2", "log2", "log10", "sin", "cos", "log1p", "expm1", "rsqrt",
                  "square", "sign", "floor", "ceil", "round", "trunc")
_BINARY_INPLACE = ("atan2", "arctan2", "logaddexp", "copysign", "fmod", "remainder",
                   "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor",
                   "bitwise_left_shift", "bitwise_right_shift", "lerp", "logical_and",
                   "logical_or", "logical_xor", "multiply", "subtract", "divide",
                   "true_divide", "clamp_min", "clamp_max", "greater", "greater_equal",
                   "less", "less_equal", "not_equal", "hypot", "xlogy", "fmax", "fmin",
                   "float_power", "ldexp", "nextafter", "gcd", "lcm", "heaviside", "addmm",
                   "addmv", "addbmm", "baddbmm", "addr", "addcmul", "addcdiv")
_OTHER_INPLACE = ("bitwise_not", "negative", "absolute", "abs", "cumprod", "logical_not",
                  "cumsum", "tril", "triu", "eq", "ne", "lt", "le", "gt", "ge")


def install(cls):
    """Copy the methods onto the Tensor class, with the in-place variants torch has (called once
    by nnscratch.tensor after the class is defined)."""
    global _ADD_
    _ADD_ = cls.add_
    for name, value in vars(OpsMathMethods).items():
        if not name.startswith("__") or name in _DUNDERS:
            setattr(cls, name, value)
    from ._torch_names import TENSOR
    for name in _UNARY_INPLACE + _BINARY_INPLACE + _OTHER_INPLACE:
        if f"{name}_" in TENSOR:                      # only the in-place variants torch has
            setattr(cls, f"{name}_", _inplace_of(f"{name}_", getattr(cls, name)))
    for op in ("and", "or", "xor", "lshift", "rshift", "mod", "floordiv"):
        method = getattr(cls, f"__{op}__")
        setattr(cls, f"__i{op}__", _inplace_of(f"__i{op}__", method))


_DUNDERS = {"__mod__", "__rmod__", "__floordiv__", "__rfloordiv__", "__and__", "__rand__",
            "__or__", "__ror__", "__xor__", "__rxor__", "__lshift__", "__rlshift__",
            "__rshift__", "__rrshift__", "__invert__"}
