"""torch's legacy typed-tensor constructors: ``FloatTensor([1, 2])``, ``LongTensor(3)`` …

``FloatTensor(data)`` makes a float32 tensor of ``data``; ``FloatTensor(n, m)`` (sizes) a
zero-filled one (torch leaves it uninitialised).  ``isinstance(t, FloatTensor)`` checks dtype.
"""
from __future__ import annotations

import numbers

import numpy as np

from .tensor import Tensor


class _TypedMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls._dtype


def _typed(name, dtype):
    def __new__(cls, *args):
        if args and all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                        for a in args):
            return Tensor(np.zeros(tuple(int(a) for a in args), dtype))
        if len(args) != 1:
            raise TypeError(f"{name}: expected data or sizes, got {args!r}")
        return Tensor(args[0], dtype=dtype)
    return _TypedMeta(name, (), {"__new__": __new__, "_dtype": np.dtype(dtype),
                                 "__doc__": f"A {np.dtype(dtype).name} tensor (legacy torch)."})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
BoolTensor = _typed("BoolTensor", np.bool_)
