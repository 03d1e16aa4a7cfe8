"""Torch's dtype names and type-promotion rules, over NumPy dtypes.

``ns.float32`` *is* ``np.dtype("float32")``, so ``t.dtype == ns.float32 == np.float32`` holds and
every NumPy function accepts it.  Aliases as in torch: ``float``/``float32``, ``double``/
``float64``, ``half``/``float16``, ``long``/``int64``, ``int``/``int32``, ``short``/``int16``.

Promotion (``torch.result_type``; PyTorch docs, "Type promotion") differs from NumPy's in two
ways: the *category* (bool < integer < floating) decides before the width does, so
``float32 ⊕ int64`` stays float32 (NumPy: float64); and operands are ranked — dimensioned
tensors above zero-dimensional tensors above Python numbers — so a lower-ranked operand changes
the result only when it is of a higher category: ``float32 ⊕ float64 scalar`` is float32, and
``int64 ⊕ 2.5`` is the default float dtype.
"""
from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import DTypeLike

bool = np.dtype(np.bool_)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)

DTYPES = {"bool": bool, "uint8": uint8, "int8": int8, "int16": int16, "short": short,
          "int32": int32, "int": int, "int64": int64, "long": long, "float16": float16,
          "half": half, "float32": float32, "float": float, "float64": float64,
          "double": double}


def promote_types(a, b):
    """``torch.promote_types``: floats beat integers whatever their width; within a category
    the wider type wins (integers as NumPy: int8 ⊕ uint8 = int16)."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a.kind == "f" or b.kind == "f":
        if a.kind == "f" and b.kind == "f":
            return a if a.itemsize >= b.itemsize else b
        return a if a.kind == "f" else b
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    return np.promote_types(a, b)


def _combine(higher, lower):
    """A higher-ranked result kept unless the lower-ranked one is of a higher category."""
    if higher is None:
        return lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or (lower is not None and lower.kind == "f"):
        return promote_types(higher, lower)
    return higher


def result_type(*operands, default_float=float32):
    """The dtype torch gives ``a ⊕ b ⊕ …``.  Operands: Tensors (anything with ``._data``),
    ndarrays, NumPy scalars and Python numbers.  NumPy arrays rank as Python numbers (weak), so
    that library code mixing a float32 tensor with a float64 mask or constant stays float32."""
    dim = zero = weak = None
    for o in operands:
        arr = getattr(o, "_data", None)
        if arr is not None:
            if arr.ndim:
                dim = promote_types(dim, arr.dtype)
            else:
                zero = promote_types(zero, arr.dtype)
            continue
        if isinstance(o, (np.ndarray, np.generic)):
            weak = promote_types(weak, _weak_kind(o.dtype, default_float))
        elif isinstance(o, (np.bool_, type(True))):
            weak = promote_types(weak, bool)
        elif isinstance(o, numbers.Integral):
            weak = promote_types(weak, int64)
        elif isinstance(o, numbers.Real):
            weak = promote_types(weak, default_float)
        else:
            raise TypeError(f"unsupported operand type {type(o).__name__}")
    return _combine(dim, _combine(zero, weak))


def _weak_kind(d, default_float):
    """An array or NumPy scalar operand counts by its category only (its width is ignored)."""
    if d.kind == "b":
        return bool
    if d.kind in "iu":
        return int64
    if d.kind == "f":
        return default_float
    raise TypeError(f"unsupported operand dtype {d}")


# the float dtype of new tensors and parameters (torch.get_default_dtype)
_default_dtype: np.dtype = float32


def get_default_dtype() -> np.dtype:
    """The float dtype new tensors and parameters get (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default float dtype: ``np.float32`` or ``np.float64``."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: dtype must be float32 or float64, got {d}")
    _default_dtype = d


def operand(o, like):
    """A non-tensor operand brought to the dtype torch's promotion gives it against the tensor
    ``like``: Python numbers pass through (NumPy treats them as weak, as torch does); arrays
    and lists are cast.  Tensors (anything with ``._data``) pass unchanged."""
    if hasattr(o, "_data") or isinstance(o, numbers.Number) and not isinstance(o, np.generic):
        return o
    a = np.asarray(o)
    target = result_type(like, a, default_float=get_default_dtype())
    return a.astype(target) if a.dtype != target else a
