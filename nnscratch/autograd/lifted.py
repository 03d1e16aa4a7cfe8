"""``lifted(prim)``: a primitive callable from a VJP, on arrays or on Tensors.

A VJP that needs an operation NumPy does not have (a scatter-add, a stable sigmoid) calls a
primitive through ``lifted``: in a first-order backward its arguments are arrays and it runs the
primitive's NumPy function (no Tensor, no graph); under ``create_graph=True`` they are Tensors
and it runs the primitive itself, so the operation is recorded with its own VJP.
"""
from __future__ import annotations

from .core import TensorBase as Tensor  # every tensor is one
from .declare import Primitive


def lifted(prim: Primitive):
    fn = prim.fn

    def call(*args, **kwargs):
        for a in args:
            if isinstance(a, Tensor):
                return prim(*args, **kwargs)
        return fn(*args, **kwargs)
    call.__name__ = call.__qualname__ = fn.__name__.strip("_")
    call.__doc__ = fn.__doc__
    return call
