"""``repeat_interleave``: every element (or slice along ``dim``) repeated in place,
``[a, b] -> [a, a, b, b]`` (``Tensor.repeat`` tiles the whole tensor instead)."""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive


@primitive
def repeat_interleave(x, repeats, dim):
    """Slice ``i`` of ``x`` along ``dim`` repeated ``repeats[i]`` times (``repeats`` an int or a
    1-D integer array; ``np.repeat``).  Shape: ``x.shape`` with ``dim`` of size
    ``sum(repeats)``.  The VJP sums each slice's copies."""
    return np.repeat(x, repeats, axis=dim)


def _repeat_interleave_vjp(g, out, x, repeats, dim):
    source = np.repeat(np.arange(x.shape[dim]), repeats)   # the slice each output slice copies
    dx = np.zeros(x.shape, dtype=g.dtype)
    np.add.at(np.moveaxis(dx, dim, 0), source, np.moveaxis(g, dim, 0))
    return dx


defvjp(repeat_interleave, _repeat_interleave_vjp, saves=())
