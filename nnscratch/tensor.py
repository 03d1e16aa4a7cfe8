"""``Tensor``, following ``torch.Tensor``, and the factories (``tensor``, ``as_tensor``,
``zeros``, ``randn`` …).

The engine core (:class:`~nnscratch.autograd.core.TensorBase`) says what a tensor *is*: an
array, a gradient, a graph node and an in-place version counter.  ``Tensor`` adds what it
*does*, in mixin classes grouped by concern (:mod:`nnscratch._tensor`): arithmetic and
comparison, reductions, shape and indexing, in-place updates, dtype and conversion, and the
graph's ``backward``/hooks (:mod:`nnscratch.autograd.graph`).  Each method is a thin call into
:mod:`nnscratch.ops`, where each op's forward and VJP live side by side.  Names, arguments and
meanings are torch's (``sum(dim, keepdim)``, ``max(dim) -> (values, indices)``,
``transpose(d0, d1)``, ``add_`` …); NumPy's ``axis=``/``keepdims=`` are accepted as aliases.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import dtype as _dt
from . import random as _random
from ._tensor.args import as_dtype, leaf, raw, shape_args
from ._tensor.arithmetic import ArithmeticMethods
from ._tensor.convert import ConversionMethods
from ._tensor.inplace import InplaceMethods
from ._tensor.reduce import ReductionMethods
from ._tensor.shape import ShapeMethods
from ._types import DTypeLike, Shape, TensorLike
from .autograd.core import Size, set_tensor_class
from .autograd.graph import GraphMethods
from .device import device as _device
from .dtype import get_default_dtype, set_default_dtype

__all__ = ["Tensor", "Size", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full",
           "empty", "randn", "rand", "randint", "randperm", "zeros_like", "ones_like",
           "full_like", "randn_like", "rand_like", "empty_like", "arange", "linspace", "eye",
           "get_default_dtype", "set_default_dtype"]


class Tensor(ArithmeticMethods, ReductionMethods, ShapeMethods, InplaceMethods,
             ConversionMethods, GraphMethods):
    """An ``np.ndarray`` with reverse-mode autograd, following ``torch.Tensor``: the data and
    gradient of :class:`~nnscratch.autograd.core.TensorBase` (``data``, ``grad``,
    ``requires_grad``, ``grad_fn``), the methods of the mixins above, nothing of its own."""

    __slots__ = ()


set_tensor_class(Tensor)     # every op's result is a Tensor (TensorBase._wrap makes it)


# ----------------------------------------------------------------------- factories

def _float_dtype(dtype):
    return get_default_dtype() if dtype is None else as_dtype(dtype, "dtype")


def tensor(data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None,
           device: Any = None, pin_memory: bool = False) -> Tensor:
    """Make a leaf tensor (copies ``data``); floats get the default dtype unless given."""
    if device is not None:
        _device(device)                     # validates: only the CPU exists
    return Tensor(data, requires_grad=requires_grad,
                  dtype=None if dtype is None else as_dtype(dtype, "tensor"))


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a Tensor without copying when it already is one (or an ndarray of that
    dtype): ``torch.as_tensor``.  The library's one way to wrap an array it computed."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and (
            dtype is None or np.dtype(dtype) == data.dtype):
        return Tensor._wrap(data)
    return Tensor(data, dtype=None if dtype is None else as_dtype(dtype, "as_tensor"))


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
    return leaf(np.zeros(_shape_arg(shape, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*shape: Shape, dtype: DTypeLike | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return leaf(np.ones(_shape_arg(shape, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(*shape, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
        dtype = get_default_dtype() if dtype.kind == "f" else dtype
    return leaf(np.full(_shape_arg((size,), "full"), fill_value, as_dtype(dtype, "full")),
                 requires_grad)


def _gen(generator):
    return _random.generator() if generator is None else generator._rng


def randn(*shape: Shape, generator: Any = None, dtype: DTypeLike | None = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the library generator."""
    a = _gen(generator).standard_normal(_shape_arg(shape, "randn")).astype(_float_dtype(dtype))
    return leaf(a, requires_grad)


def rand(*shape: Shape, generator: Any = None, dtype: DTypeLike | None = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples from the library generator."""
    a = _gen(generator).random(_shape_arg(shape, "rand")).astype(_float_dtype(dtype))
    return leaf(a, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high) (``torch.randint(high, size)`` or ``(low, high, size)``)."""
    if high is None or size is None and isinstance(high, (tuple, list)):
        low, high, size = (0, low, high) if size is None else (0, low, size)
    if size is None:
        raise TypeError("randint: size is required, e.g. randint(10, (3,))")
    if high <= low:
        raise ValueError(f"randint: high must be > low, got low={low}, high={high}")
    d = _dt.int64 if dtype is None else as_dtype(dtype, "randint")
    return leaf(_gen(generator).integers(low, high, _shape_arg((size,), "randint")).astype(d),
                 requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0 … n-1 from the library generator (``torch.randperm``)."""
    if isinstance(n, builtins.bool) or not isinstance(n, (builtins.int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    d = _dt.int64 if dtype is None else as_dtype(dtype, "randperm")
    return leaf(_gen(generator).permutation(builtins.int(n)).astype(d), requires_grad)


def _like_dtype(t, dtype):
    if not isinstance(t, (Tensor, np.ndarray)):     # torch: a TypeError naming the argument
        raise TypeError(f"*_like(): argument 'input' must be Tensor, not {type(t).__name__}")
    return raw(t).dtype if dtype is None else as_dtype(dtype, "dtype")


def zeros_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return leaf(np.zeros(np.shape(raw(t)), _like_dtype(t, dtype)), requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return leaf(np.ones(np.shape(raw(t)), _like_dtype(t, dtype)), requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return leaf(np.full(np.shape(raw(t)), fill_value, _like_dtype(t, dtype)), requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _like_dtype(t, dtype)
    return leaf(_random.generator().standard_normal(np.shape(raw(t))).astype(d),
                 requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _like_dtype(t, dtype)
    return leaf(_random.generator().random(np.shape(raw(t))).astype(d), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``torch.arange``: integers give int64, any float argument the default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:                                   # NumPy: a ZeroDivisionError
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        floats = builtins.any(isinstance(v, (builtins.float, np.floating))
                              for v in (start, end, step))
        dtype = get_default_dtype() if floats else _dt.int64
    return leaf(np.arange(start, end, step, dtype=as_dtype(dtype, "arange")), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (``torch.linspace``)."""
    if isinstance(steps, builtins.bool) or not isinstance(steps, (builtins.int, np.integer)) \
            or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return leaf(np.linspace(raw(start), raw(end), builtins.int(steps)).astype(
        _float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def _shape_arg(shape, owner: str) -> tuple:
    shape = shape_args(shape, owner)
    for s in shape:
        if s < 0:
            raise ValueError(f"{owner}: shape must be non-negative integers, got {shape}")
    return shape
from ._methods_ops_index import install as _install_index  # noqa: E402  (issue 32's index methods)
from ._methods_ops_math import install as _install_math  # noqa: E402  (issue 32's math methods)

_install_math(Tensor)
_install_index(Tensor)
