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
import numbers

import numpy as np

from . import dtype as _dt
from .ops import bitwise as _bit
from .ops import blend as _blend
from .ops import cumulative as _cum
from .ops import explog as _explog
from .ops import rounding as _round
from .ops import special as _special
from .ops import trig as _trig
from .tensor import Tensor, _as_dtype, _inplace, _promoted, _raw, as_tensor, get_default_dtype

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
        return Tensor._wrap(fn(*_integer_pair(self, other)))
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
        return Tensor.__truediv__(as_tensor(a), b)
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


class _ReturnPair(tuple):
    """torch.return_types.cummax/cummin: a (values, indices) pair with those names."""

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


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
        return Tensor._wrap(_bit.bitwise_not(self._data))

    def __invert__(self):
        if self._data.dtype.kind not in "biu":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return Tensor._wrap(_bit.bitwise_not(self._data))

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

    greater, greater_equal = getattr(Tensor, "gt"), getattr(Tensor, "ge")
    less, less_equal, not_equal = (getattr(Tensor, n) for n in ("lt", "le", "ne"))

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

    clip = clamp

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

    def multiply(self, other):
        return self * other

    def subtract(self, other, *, alpha=1):
        return self.sub(other, alpha=alpha)

    def negative(self):
        return -self

    def abs(self):
        """|self| (``torch.abs``/``absolute``); bool is refused, as torch refuses it."""
        if self._data.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        from .ops import abs as _abs
        return _abs(self)

    absolute = abs

    def is_signed(self):
        return self._data.dtype.kind in "if"


def _reshape_(self, shape, name):
    """An in-place change of shape: the same memory seen with a new shape (a metadata op)."""
    if self._node is not None or self.requires_grad and self._base is not None:
        raise NotImplementedError(f"{name}: in-place reshaping of a tensor autograd records is "
                                  f"not supported; use the out-of-place op")
    self._data = self._data.reshape(shape)
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


_ADD_ = getattr(Tensor, "add_")   # the add_ of nnscratch.tensor, before install()
_UNARY_INPLACE = ("tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh",
                  "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "erf", "erfc",
                  "erfinv", "exp2", "log2", "log10", "sin", "cos", "log1p", "expm1", "rsqrt",
                  "square", "sign", "floor", "ceil", "round", "trunc")
_BINARY_INPLACE = ("atan2", "arctan2", "logaddexp", "copysign", "fmod", "remainder",
                   "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor",
                   "bitwise_left_shift", "bitwise_right_shift", "lerp", "logical_and",
                   "logical_or", "logical_xor", "multiply", "subtract", "divide",
                   "true_divide", "clamp_min", "clamp_max", "greater", "greater_equal",
                   "less", "less_equal", "not_equal")
_OTHER_INPLACE = ("bitwise_not", "negative", "absolute", "abs", "cumprod", "logical_not")


def install(cls=Tensor):
    """Copy the methods onto the Tensor class, with the in-place variants torch has."""
    for name, value in vars(OpsMathMethods).items():
        if not name.startswith("__") or name in _DUNDERS:
            setattr(cls, name, value)
    for name in _UNARY_INPLACE + _BINARY_INPLACE + _OTHER_INPLACE:
        setattr(cls, f"{name}_", _inplace_of(f"{name}_", getattr(cls, name)))
    for op in ("and", "or", "xor", "lshift", "rshift", "mod", "floordiv"):
        method = getattr(cls, f"__{op}__")
        setattr(cls, f"__i{op}__", _inplace_of(f"__i{op}__", method))


_DUNDERS = {"__mod__", "__rmod__", "__floordiv__", "__rfloordiv__", "__and__", "__rand__",
            "__or__", "__ror__", "__xor__", "__rxor__", "__lshift__", "__rlshift__",
            "__rshift__", "__rrshift__", "__invert__"}

install()
