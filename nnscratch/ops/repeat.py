"""``repeat_interleave``: every element (or slice along ``dim``) repeated in place,
``[a, b] -> [a, a, b, b]`` (``Tensor.repeat`` tiles the whole tensor instead)."""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted


@primitive
def repeat_interleave(x, repeats, dim):
    """Slice ``i`` of ``x`` along ``dim`` repeated ``repeats[i]`` times (``repeats`` an int or a
    1-D integer array; ``np.repeat``).  Shape: ``x.shape`` with ``dim`` of size
    ``sum(repeats)``.  The VJP sums each slice's copies."""
    return np.repeat(x, repeats, axis=dim)


@primitive
def _sum_repeats(g, shape, repeats, dim):
    """Each slice's copies in ``g`` summed back onto zeros of ``shape``: the adjoint of
    :func:`repeat_interleave` (its VJP), itself differentiable (its VJP repeats again)."""
    source = np.repeat(np.arange(shape[dim]), repeats)   # the slice each output slice copies
    dx = np.zeros(shape, dtype=g.dtype)
    np.add.at(np.moveaxis(dx, dim, 0), source, np.moveaxis(g, dim, 0))
    return dx


defvjp(_sum_repeats, lambda h, out, g, shape, repeats, dim:
       lifted(repeat_interleave)(h, repeats, dim), saves=())
defvjp(repeat_interleave, lambda g, out, x, repeats, dim:
       lifted(_sum_repeats)(g, x.shape, repeats, dim), saves=())
