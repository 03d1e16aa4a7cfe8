"""torch's top-level functions (``ns.exp(t)``, ``ns.cat([a, b], dim=1)``, ``ns.argmax(t, 1)`` …).

A Tensor method marked ``@function`` (:mod:`nnscratch._tensor`) is also a function of the same
name applied to its first argument: ``ns.exp(x)`` is ``as_tensor(x).exp()``.  They are made
here from the marks, so each operation has one implementation and one list of names, at the
method.  The functions below are those that are not a method of their first argument.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import ops as _ops
from ._types import TensorLike
from .tensor import Tensor, as_tensor


def _make(name):
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        return method(as_tensor(input), *args, **kwargs)
    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"``{name}(input, ...)``: the same as ``input.{name}(...)`` (torch.{name})."
    return fn


# every marked method of Tensor's mixins, and detach (the core's, which knows no marks)
_METHODS = tuple(sorted({name for cls in Tensor.__mro__ for name, m in vars(cls).items()
                         if not name.startswith("_") and getattr(m, "torch_function", False)}
                        | {"detach"}))
for _name in _METHODS:
    globals()[_name] = _make(_name)

from ._methods_ops_index import FUNCTIONS as _INDEX_FUNCTIONS  # noqa: E402  (issue 32's index ops)

for _name in _INDEX_FUNCTIONS:
    globals()[_name] = _make(_name)

__all__ = list(_METHODS) + ["cat", "concat", "concatenate", "stack", "where", "maximum",
                            "minimum", "numel", "is_tensor", "einsum"]
__all__ += [n for n in _INDEX_FUNCTIONS if n not in __all__]


def cat(tensors: Sequence[TensorLike], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension (``torch.cat``; NumPy's ``axis`` too)."""
    return _ops.concatenate(tensors, axis=dim if axis is None else axis)


concat = concatenate = cat


def stack(tensors: Sequence[TensorLike], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along a new dimension (``torch.stack``)."""
    return _ops.stack(tensors, axis=dim if axis is None else axis)


def where(cond: TensorLike, a: TensorLike | None = None, b: TensorLike | None = None) -> Any:
    """``a`` where ``cond`` holds, else ``b`` (``torch.where(condition, input, other)``); with
    one argument, the indices of the true entries."""
    if a is None and b is None:
        return tuple(as_tensor(i) for i in np.nonzero(as_tensor(cond).numpy()))
    if a is None or b is None:
        raise TypeError("where: pass both input and other (where(condition, input, other)), or "
                        "the condition alone")
    _ops.shape.check_condition(cond)
    return _ops.where(cond, a, b)


def einsum(equation: str, *operands: TensorLike) -> Tensor:
    """Einstein summation (``torch.einsum("ij,jk->ik", a, b)``): see :mod:`nnscratch.ops.einsum`."""
    return _ops.einsum(equation, *operands)


def maximum(input, other):
    return as_tensor(input).max(as_tensor(other))


def minimum(input, other):
    return as_tensor(input).min(as_tensor(other))


def numel(input) -> int:
    return as_tensor(input).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
