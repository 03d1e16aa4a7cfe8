"""What the Tensor methods share: argument normalisation (torch's ``dim``/``keepdim`` with NumPy's
``axis``/``keepdims`` as aliases, shapes given as ``*sizes`` or one tuple, dtypes by name) and
the mark :func:`function` for methods that are also top-level functions."""
from __future__ import annotations

import builtins
import collections

import numpy as np

from .. import dtype as _dt
from ..autograd.core import TensorBase

# torch.return_types: the (values, indices) pair of max(dim), sort, topk
ReturnTypes = collections.namedtuple("return_types", ["values", "indices"])  # type: ignore[name-match]


def function(method):
    """Mark a method as also a torch function: ``ns.<name>(input, ...)`` runs
    ``as_tensor(input).<name>(...)`` (see :mod:`nnscratch.functions`)."""
    method.torch_function = True
    return method


def raw(o):
    """The array behind a tensor; anything else unchanged."""
    return o._data if isinstance(o, TensorBase) else o


def dims(dim, axis, owner):
    """torch's ``dim`` (int or tuple), or NumPy's ``axis`` alias; None means every axis."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{owner}: give dim or its alias axis, not both")
        dim = axis
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim


def keep(keepdim, keepdims):
    return bool(keepdims) if keepdims is not None else bool(keepdim)


def shape_args(shape, owner):
    """``f(2, 3)`` or ``f((2, 3))`` as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if isinstance(s, builtins.bool) or not isinstance(s, (builtins.int, np.integer)):
            raise TypeError(f"{owner}: shape must be integers, got {tuple(shape)}")
    return tuple(builtins.int(s) for s in shape)


def as_dtype(d, owner):
    """A dtype from a dtype, a NumPy type or a name (``"float32"``, ``"torch.float32"``)."""
    if isinstance(d, str):
        d = _dt.DTYPES.get(d.replace("torch.", ""), d)
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"{owner}: expected a dtype such as ns.float32, got {d!r}") from None


def leaf(array, requires_grad):
    """A new leaf tensor on ``array`` (the factories' and ``new_*``'s result)."""
    t = TensorBase._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t
