"""NumPy on Tensors means nnscratch's differentiable ops: what makes a VJP differentiable twice.

A VJP is written once, in NumPy (``g * np.cos(x)``, ``np.where(x > 0, g, 0)``,
``np.swapaxes(b, -1, -2)``).  In a first-order backward it receives plain arrays and runs as
NumPy.  Under ``create_graph=True`` the engine hands it Tensors instead (the cotangent, the
inputs, the output, all wired into the graph), and Tensor's ``__array_ufunc__`` /
``__array_function__`` send each NumPy call to the op that records it: the same code now builds
the graph of its own derivative.  HIPS autograd reaches the same end by wrapping NumPy itself.

These tables are the NumPy vocabulary a VJP may use beyond Tensor's operators and methods (the
basic ones, ``np.add`` … ``np.sum``, live beside Tensor's NumPy protocol).  A call outside the
vocabulary on a tensor that requires grad raises TypeError naming it, which the engine reports
as "create_graph=True: the VJP of <op> cannot be recorded"; the remedy is an entry here.

Functions with no derivative (``np.sign``, the ``*_like`` constructors) give constants;
comparisons and ``np.any`` already compute on the arrays (their results carry no gradient).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .core import TensorBase as Tensor  # every tensor is one


def _constant(fn):
    """A function whose result does not depend on its argument's values: a constant."""
    def call(a, *args, **kwargs):
        return Tensor._wrap(fn(a._data if isinstance(a, Tensor) else a, *args, **kwargs))
    return call


def _axes(axis, ndim):
    axis = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(int(a) % ndim for a in axis)


def _expand_dims(a, axis):
    shape = list(a.shape)
    for ax in sorted(_axes(axis, a.ndim + (1 if isinstance(axis, (int, np.integer))
                                            else len(axis)))):
        shape.insert(ax, 1)
    return ops.reshape(a, tuple(shape))


def _squeeze(a, axis=None):
    if axis is None:
        return ops.reshape(a, tuple(n for n in a.shape if n != 1))
    drop = _axes(axis, a.ndim)
    return ops.reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in drop))


def _swapaxes(a, axis1, axis2):
    perm = list(range(a.ndim))
    i, j = int(axis1) % a.ndim, int(axis2) % a.ndim
    perm[i], perm[j] = perm[j], perm[i]
    return ops.transpose(a, tuple(perm))


def _moveaxis(a, source, destination):
    src = _axes(source, a.ndim)
    dst = _axes(destination, a.ndim)
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return ops.transpose(a, tuple(order))


def _broadcast_to(array, shape):
    return ops.broadcast_to(array, tuple(shape))


def _flip(m, axis=None):
    return ops.flip(m, tuple(range(m.ndim)) if axis is None else
                    _axes(axis, m.ndim))


def _cumsum(a, axis=None):
    if axis is None:
        return ops.cumsum(ops.reshape(a, (-1,)), 0)
    return ops.cumsum(a, int(axis))


def _cumprod(a, axis=None):
    """Running products as a loop of recorded multiplications (used by prod's VJP; only
    under create_graph, where the graph needs each product)."""
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = int(axis) % a.ndim
    lead = (slice(None),) * axis
    run = [ops.getitem(a, lead + (slice(0, 1),))]
    for i in range(1, a.shape[axis]):
        run.append(run[-1] * ops.getitem(a, lead + (slice(i, i + 1),)))
    return ops.concatenate(run, axis=axis)


def _roll(a, shift, axis=None):
    return ops.roll(a, shift, axis)


def _tril(m, k=0):
    return ops.tril(m, k)


def _triu(m, k=0):
    return ops.triu(m, k)


def _tile(A, reps):  # noqa: N803  (NumPy's parameter name)
    return ops.tile(A, tuple(reps) if not isinstance(reps, int) else (reps,))


def _take_along_axis(arr, indices, axis):
    return ops.gather(arr, axis, indices)


def _split(ary, indices_or_sections, axis=0):
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        size = n // int(indices_or_sections)
        cuts = list(range(size, n, size))
    else:
        cuts = [int(c) for c in indices_or_sections]
    bounds = [0, *cuts, n]
    lead = (slice(None),) * (int(axis) % ary.ndim)
    return [ops.getitem(ary, lead + (slice(lo, hi),)) for lo, hi in zip(bounds, bounds[1:])]


def _einsum(subscripts, *operands, optimize=False):
    return ops.einsum(subscripts, *operands)


def _pad(array, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise TypeError(f"np.pad(mode={mode!r}) on a Tensor has no differentiable counterpart")
    return ops.pad_axes(array, pad_width, value=constant_values)


def _exp2(x):
    from ..ops.explog import exp2
    return exp2(x)


def _logaddexp(a, b):
    from ..ops.explog import logaddexp
    return logaddexp(a, b)


UFUNCS: dict = {
    np.log1p: ops.log1p, np.expm1: ops.expm1, np.maximum: ops.maximum,
    np.minimum: ops.minimum, np.sign: _constant(np.sign),
    # piecewise constant: derivative 0 (torch's floor/trunc/ceil/round backward)
    np.floor: _constant(np.floor), np.trunc: _constant(np.trunc),
    np.ceil: _constant(np.ceil), np.rint: _constant(np.rint),
    np.exp2: _exp2, np.logaddexp: _logaddexp,
}

FUNCTIONS: dict = {
    np.expand_dims: _expand_dims, np.squeeze: _squeeze, np.swapaxes: _swapaxes,
    np.moveaxis: _moveaxis, np.broadcast_to: _broadcast_to, np.flip: _flip,
    np.cumsum: _cumsum, np.cumprod: _cumprod, np.roll: _roll, np.tril: _tril,
    np.triu: _triu, np.tile: _tile,
    np.take_along_axis: _take_along_axis, np.split: _split, np.einsum: _einsum,
    np.pad: _pad, np.zeros_like: _constant(np.zeros_like),
    np.ones_like: _constant(np.ones_like), np.full_like: _constant(np.full_like),
    np.empty_like: _constant(np.zeros_like),
}
