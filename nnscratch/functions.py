"""torch's top-level functions (``ns.exp(t)``, ``ns.cat([a, b], dim=1)``, ``ns.argmax(t, 1)`` …).

Each is the Tensor method of the same name applied to its first argument, so there is one
implementation of every operation (the method, in :mod:`nnscratch.tensor`, over :mod:`.ops`).
"""
from __future__ import annotations

from typing import Any, Sequence

from . import ops as _ops
from ._types import TensorLike
from .tensor import Tensor, as_tensor

_METHODS = ("exp", "log", "sqrt", "rsqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
            "square", "neg", "clamp", "clip", "sum", "mean", "var", "std", "prod", "norm",
            "max", "min", "amax", "amin", "argmax", "argmin", "all", "any", "reshape",
            "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "permute", "t",
            "split", "chunk", "narrow", "unbind", "gather", "flip", "clone", "matmul", "mm",
            "bmm", "dot", "mv", "pow", "add", "sub", "mul", "div", "true_divide", "eq", "ne",
            "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not", "masked_fill",
            "allclose", "equal", "softmax", "log_softmax", "detach", "sign", "floor", "ceil",
            "round", "trunc", "argsort", "nonzero", "sort", "topk", "index_select", "cumsum",
            "logsumexp", "roll", "tril", "triu", "movedim", "moveaxis", "outer", "ger",
            "broadcast_to", "log1p", "expm1")

__all__ = list(_METHODS) + ["cat", "concat", "concatenate", "stack", "where", "maximum",
                            "minimum", "numel", "is_tensor", "einsum"]


def _make(name):
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        return method(as_tensor(input), *args, **kwargs)
    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"``{name}(input, ...)``: the same as ``input.{name}(...)`` (torch.{name})."
    return fn


for _name in _METHODS:
    globals()[_name] = _make(_name)

from ._methods_ops_index import FUNCTIONS as _INDEX_FUNCTIONS  # noqa: E402

for _name in _INDEX_FUNCTIONS:
    globals()[_name] = _make(_name)
__all__ += list(_INDEX_FUNCTIONS)


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
        import numpy as np
        return tuple(as_tensor(i) for i in np.nonzero(as_tensor(cond).numpy()))
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
