"""torch's top-level functions of issue 32's math half (``ns.erf``, ``ns.meshgrid``,
``ns.normal`` …).  A function named after a Tensor method is that method applied to its first
argument (one implementation: :mod:`nnscratch._methods_ops_math`); the rest are factories,
samplers and settings.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from . import _torch_names as _TORCH_NAMES
from . import random as _random
from ._checks import tensor_arg
from ._methods_ops_math import _BINARY_INPLACE, _OTHER_INPLACE, _UNARY_INPLACE
from ._tensor.args import leaf as _leaf
from ._tensor.args import raw as _raw
from .tensor import Tensor, _float_dtype, _shape_arg, as_tensor
from .tensor import linspace as _linspace
from .tensor import randint as _randint

_METHODS = ("tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh",
            "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "atan2", "arctan2",
            "erf", "erfc", "erfinv", "exp2", "log2", "log10", "logaddexp", "logaddexp2",
            "copysign", "lerp", "fmod", "remainder", "floor_divide", "div", "divide",
            "true_divide", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
            "bitwise_left_shift", "bitwise_right_shift", "logical_and", "logical_or",
            "logical_xor", "isclose", "greater", "greater_equal", "less", "less_equal",
            "not_equal", "maximum", "minimum", "clamp", "clip", "clamp_min", "clamp_max",
            "cumprod", "logcumsumexp", "cummax", "cummin", "swapaxes", "swapdims",
            "multinomial", "bernoulli", "unique", "cross", "multiply", "subtract",
            "negative", "absolute", "is_signed", "reciprocal", "sinc", "hypot", "xlogy", "fmax",
            "fmin", "logit", "nan_to_num", "deg2rad", "rad2deg", "frac", "fix", "sgn",
            "positive", "signbit", "heaviside", "float_power", "ldexp", "nextafter", "gcd",
            "lcm", "isneginf", "isposinf", "isreal", "isin", "rsub", "nansum", "nanmean",
            "count_nonzero", "aminmax", "median", "kthvalue", "quantile", "msort", "diff",
            "dist", "trace", "inner", "tensordot", "addmm", "addmv", "addbmm", "baddbmm",
            "addr", "addcmul", "addcdiv", "kron", "matrix_power", "histc", "bincount",
            "is_floating_point", "is_complex", "is_nonzero", "is_same_size", "square",
            "sign", "floor", "ceil", "round", "trunc", "rsqrt", "sin", "cos", "log1p", "expm1",
            "frexp", "det", "unique_consecutive", "histogram", "vdot", "cov", "corrcoef", "adjoint",
            "is_neg", "is_inference", "inverse", "slogdet", "logdet", "cholesky", "svd")
# torch.sin_(t) and friends: the in-place method on the first argument
_INPLACE = tuple(f"{n}_" for n in _UNARY_INPLACE + _BINARY_INPLACE + _OTHER_INPLACE + (
    "exp", "log", "sqrt", "abs", "neg", "relu", "sigmoid", "tanh", "clamp", "clip"))


def _make(name):
    def fn(input, *args, **kwargs):
        return getattr(as_tensor(input) if not isinstance(input, Tensor) else input,
                       name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)``."
    return fn


_NAMES = tuple(n for n in _METHODS + _INPLACE if n in _TORCH_NAMES.TORCH)
for _name in _NAMES:
    globals()[_name] = _make(_name)

__all__ = list(_NAMES) + [
    "logspace", "scalar_tensor", "tril_indices", "triu_indices", "cartesian_prod",
    "chain_matmul", "finfo", "iinfo", "e", "pi", "inf", "nan", "newaxis", "can_cast",
    "seed", "poisson", "randint_like", "searchsorted", "bucketize", "broadcast_shapes",
    "broadcast_tensors", "vander", "trapezoid", "trapz", "cumulative_trapezoid", "range",
    "meshgrid", "normal", "std_mean", "var_mean", "randint", "linspace",
    "set_default_device", "get_default_device", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "set_num_threads", "get_num_threads",
    "set_num_interop_threads", "get_num_interop_threads"]


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids of 1-D tensors (``torch.meshgrid``): ``indexing="ij"`` (torch's
    default; it warns when indexing is not given, nnscratch does not) or ``"xy"``.
    Each output is a broadcast view with the input's gradient."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [as_tensor(t) for t in tensors]
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expects 0D or 1D tensors, got {t.ndim}D")
    ts = [t.reshape(-1) for t in ts]
    n = len(ts)
    sizes = [t.shape[0] for t in ts]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(ts):
        axis = i
        if indexing == "xy" and n >= 2 and i < 2:
            axis = 1 - i
        shape = [1] * n
        shape[axis] = t.shape[0]
        out.append(t.reshape(shape).expand(*sizes))
    return tuple(out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, out=None):
    """Gaussian samples (``torch.normal``): ``normal(mean_tensor, std_tensor)``,
    ``normal(mean_tensor, std=1.0)``, ``normal(0.0, std_tensor)`` (the shapes broadcast), or
    ``normal(mean, std, size)`` with numbers.  Not differentiable (torch's gradient to mean
    and std is zero)."""
    if out is not None:
        raise TypeError("normal: out= is not supported; use the returned tensor")
    rng = _random.generator() if generator is None else generator._rng
    m, s = _raw(mean), _raw(std)
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    if size is not None:
        shape = _shape_arg((size,), "normal")
        d = _float_dtype(dtype)
    else:
        if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
            raise TypeError("normal: give size=... when mean and std are numbers")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        d = np.result_type(*[t._data.dtype for t in (mean, std) if isinstance(t, Tensor)])
        if d.kind != "f":
            raise RuntimeError(f"normal expects floating mean and std, got {d}")
    return _leaf((m + s * rng.standard_normal(shape)).astype(d), False)


def _moments(name):
    def fn(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        t = as_tensor(input)
        kw = {"keepdim": keepdim}
        if correction is not None:
            kw["correction"] = correction
        if unbiased is not None:
            kw["unbiased"] = unbiased
        spread = getattr(t, name)(dim, **kw)
        return spread, t.mean(dim, keepdim=keepdim)
    fn.__name__ = f"{name}_mean"
    fn.__doc__ = (f"``({name}, mean)`` over dim in one call (``torch.{name}_mean``; the same "
                  f"arguments as ``{name}``).")
    return fn


std_mean = _moments("std")
var_mean = _moments("var")


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniform on [low, high): ``randint(high, size)``, ``randint(low, high, size)``
    or by keyword, ``randint(high=10, size=(3,))`` (``torch.randint``)."""
    if high is None:
        raise TypeError("randint: high is required, e.g. randint(10, (3,))")
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    return _randint(low, high, size, generator=generator, dtype=dtype,
                    requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive (``torch.linspace``);
    integer dtypes truncate as torch; bool is refused, as torch."""
    d = _float_dtype(dtype)
    if d.kind == "b":
        raise NotImplementedError('"linspace_cpu" not implemented for \'Bool\'')
    if d.kind in "iu":
        values = np.linspace(float(_raw(start)), float(_raw(end)), builtins.int(steps))
        return _leaf(np.trunc(values).astype(d), requires_grad)
    return _linspace(start, end, steps, dtype=dtype, requires_grad=requires_grad)


_DEFAULT_DEVICE = ["cpu"]


def set_default_device(device):
    """Only the CPU exists: ``set_default_device("cpu")`` (or None) is accepted, any other
    device is refused as ``device(...)`` refuses it (``torch.set_default_device``)."""
    from .device import device as _device
    if device is not None:
        _device(device)
    _DEFAULT_DEVICE[0] = "cpu"


def get_default_device():
    """``device("cpu")``, the only device (``torch.get_default_device``)."""
    from .device import device as _device
    return _device(_DEFAULT_DEVICE[0])


_DETERMINISTIC = [False]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the flag (``torch.use_deterministic_algorithms``): every nnscratch op is already
    deterministic for a given seed, so nothing else changes."""
    _DETERMINISTIC[0] = builtins.bool(mode)


def are_deterministic_algorithms_enabled():
    return _DETERMINISTIC[0]


_MATMUL_PRECISION = ["highest"]
_INTEROP_THREADS = [1]


def _blas_threads():
    """threadpoolctl's view of the BLAS libraries NumPy loaded, or None without threadpoolctl
    (it comes with scikit-learn, in the ``data`` extra; NumPy alone has no way to set them)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    ctl = ThreadpoolController().select(user_api="blas")
    return ctl if ctl.lib_controllers else None


def set_num_threads(n):
    """The threads of the work inside an op (``torch.set_num_threads``).  Here that is the
    BLAS's (OpenBLAS's) threads: NumPy's matrix products are the only multi-threaded work; the
    rest of an op runs on one core.  Set through threadpoolctl when it is installed; without
    it a warning says that only ``OPENBLAS_NUM_THREADS`` (read when NumPy starts) sets them."""
    if isinstance(n, builtins.bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    ctl = _blas_threads()
    if ctl is None:
        import warnings
        warnings.warn("set_num_threads: threadpoolctl is not installed, so the BLAS threads "
                      "stay as they are (set OPENBLAS_NUM_THREADS before starting Python)",
                      RuntimeWarning, stacklevel=2)
        return
    ctl.limit(limits=int(n))          # kept until changed again, as torch's setting is


def get_num_threads():
    """The threads of the work inside an op (``torch.get_num_threads``): the BLAS's."""
    ctl = _blas_threads()
    if ctl is None:
        import os
        return os.cpu_count() or 1
    return builtins.max(lib.num_threads for lib in ctl.lib_controllers)


def set_num_interop_threads(n):
    """Record the count (``torch.set_num_interop_threads``): nnscratch runs no inter-op
    thread pool (ops run one after another in the caller's thread)."""
    if isinstance(n, builtins.bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RuntimeError(f"Number of inter-op threads must be positive, got {n!r}")
    _INTEROP_THREADS[0] = int(n)


def get_num_interop_threads():
    return _INTEROP_THREADS[0]


def set_float32_matmul_precision(precision):
    """Record ``"highest"``, ``"high"`` or ``"medium"`` (``torch.set_float32_matmul_precision``).
    The hint lets torch use TF32/bfloat16 units on GPUs; on the CPU torch, like NumPy here,
    multiplies float32 in float32 whatever it says, so nothing else changes."""
    if precision not in ("highest", "high", "medium"):
        # torch only warns and keeps the old value; a typo here is refused instead
        raise ValueError(f"set_float32_matmul_precision: precision must be 'highest', 'high' "
                         f"or 'medium', got {precision!r}")
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision():
    return _MATMUL_PRECISION[0]



e, pi, inf, nan = math.e, math.pi, math.inf, math.nan
newaxis = None
finfo, iinfo = np.finfo, np.iinfo       # .eps, .max, .min, .tiny, .bits of a dtype, as torch's


def can_cast(from_, to):
    """``torch.can_cast``: casting allowed by torch's same-kind rule (float to int is not)."""
    order = "biuf"
    f, t = np.dtype(from_), np.dtype(to)
    return order.index(f.kind) <= order.index(t.kind) or (f.kind == "u" and t.kind == "i")


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)`` (``torch.logspace``)."""
    d = _float_dtype(dtype)
    values = np.power(float(base), np.linspace(float(_raw(start)), float(_raw(end)),
                                               builtins.int(steps)))
    return _leaf(np.trunc(values).astype(d) if d.kind in "iu" else values.astype(d),
                 requires_grad)


def scalar_tensor(s, dtype=None, device=None, requires_grad=False):
    return _leaf(np.array(s, dtype=_float_dtype(dtype)), requires_grad)


def _triangle_indices(row, col, offset, upper):
    r, c = np.indices((row, col))
    keep = (c - r >= offset) if upper else (c - r <= offset)
    return _leaf(np.stack([r[keep], c[keep]]).astype(np.int64), False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    """The (2, n) coordinates of the lower triangle, row-major (``torch.tril_indices``)."""
    return _triangle_indices(row, col, offset, upper=False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    return _triangle_indices(row, col, offset, upper=True)


def cartesian_prod(*tensors):
    """Every combination of the 1-D inputs' elements, rows in lexicographic order
    (``torch.cartesian_prod``); differentiable."""
    if len(tensors) == 1:
        return tensors[0]
    from .functions import stack
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def chain_matmul(*matrices):
    out = matrices[0]
    for m in matrices[1:]:
        out = out @ m
    return out


def seed():
    """Seed the library generator from the OS's entropy; returns the seed (``torch.seed``)."""
    s = builtins.int(np.random.SeedSequence().entropy % (2 ** 63))
    _random.manual_seed(s)
    return s


def poisson(input, generator=None):
    """Poisson samples with rates ``input``, in its dtype (``torch.poisson``)."""
    if generator is not None and not hasattr(generator, "_rng"):
        raise TypeError(f"poisson(): argument 'generator' must be an nnscratch.Generator, not "
                        f"{type(generator).__name__}")
    rng = _random.generator() if generator is None else generator._rng
    rates = _raw(tensor_arg(input, "input", "poisson"))
    return _leaf(np.asarray(rng.poisson(rates)).astype(np.result_type(rates)), False)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(as_tensor(input).shape),
                   dtype=dtype if dtype is not None else as_tensor(input).dtype)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Insertion indices into each sorted row (``torch.searchsorted``); int64 (int32 with
    ``out_int32``); ``right``/``side="right"`` puts equal values after."""
    seq = _raw(tensor_arg(sorted_sequence, "sorted_sequence", "searchsorted"))
    values = input if isinstance(input, (int, float)) and not isinstance(input, bool) else \
        _raw(tensor_arg(input, "input", "searchsorted"))
    if sorter is not None:
        seq = np.take_along_axis(seq, _raw(sorter), -1)
    how = "right" if right or side == "right" else "left"
    d = np.int32 if out_int32 else np.int64
    if np.ndim(seq) <= 1:
        return _leaf(np.asarray(np.searchsorted(seq, values, side=how)).astype(d), False)
    if np.ndim(values) == 0:
        raise RuntimeError("searchsorted(): input value can be a scalar only when boundaries "
                           "tensor dimension is 1")
    rows_of_values = np.reshape(values, (-1, np.shape(values)[-1]))
    rows = [np.searchsorted(s, v, side=how)
            for s, v in zip(seq.reshape(-1, seq.shape[-1]), rows_of_values)]
    return _leaf(np.array(rows).reshape(np.shape(values)).astype(d), False)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value among the sorted 1-D ``boundaries`` (``torch.bucketize``;
    ``right=True``: boundaries[i-1] <= x < boundaries[i])."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def broadcast_shapes(*shapes):
    from .tensor import Size
    return Size(np.broadcast_shapes(*[tuple(s) if isinstance(s, (tuple, list)) else (s,)
                                       for s in shapes]))


def broadcast_tensors(*tensors):
    """Every input broadcast to their common shape (``torch.broadcast_tensors``)."""
    shape = np.broadcast_shapes(*[tuple(as_tensor(t).shape) for t in tensors])
    return tuple(as_tensor(t).broadcast_to(shape) for t in tensors)


def vander(x, N=None, increasing=False):
    """Columns x^(N-1), …, x, 1 (``torch.vander``; ``increasing`` reverses them)."""
    t = as_tensor(x)
    if t.ndim != 1:
        raise RuntimeError(f"vander: x must be a one-dimensional tensor, got shape "
                           f"{tuple(t.shape)}")
    n = t.shape[0] if N is None else N
    from .functions import stack
    powers = builtins.range(n) if increasing else builtins.range(n - 1, -1, -1)
    return stack([t ** p if p else t * 0 + 1 for p in powers], 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along dim (``torch.trapezoid``/``trapz``)."""
    y = as_tensor(y)
    n = y.shape[dim]
    mid = (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) / 2
    if x is not None:
        return (mid * as_tensor(x).diff(dim=dim)).sum(dim)
    return mid.sum(dim) * (1 if dx is None else dx)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    y = as_tensor(y)
    n = y.shape[dim]
    mid = (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) / 2
    steps = mid * as_tensor(x).diff(dim=dim) if x is not None else mid * (1 if dx is None
                                                                           else dx)
    return steps.cumsum(dim)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values start, start+step, …, end inclusive, default float dtype (``torch.range``,
    deprecated in torch in favour of arange)."""
    if end is None:
        start, end = 0, start
    n = builtins.int(math.floor((end - start) / step)) + 1
    return _leaf((start + step * np.arange(n)).astype(_float_dtype(dtype)), requires_grad)
