"""Scans along one axis: cumprod, logcumsumexp, and cummax/cummin with their indices.

* cumprod: ∂/∂x_i = Σ_{j≥i} g_j ∏_{k≤j, k≠i} x_k.  Without zeros on the axis that is
  revcumsum(g · out) / x; a slice holding a zero takes the division-free recurrence
  S_i = g_i + x_{i+1} S_{i+1}, times the exclusive prefix product (torch's result at zeros).
* logcumsumexp: out_j = log Σ_{k≤j} e^{x_k} by pairwise logaddexp (never overflows);
  ∂/∂x_i = Σ_{j≥i} g_j e^{x_i - out_j}, summed in log space separately for the positive and
  the negative g (each term is at most |g_j|, so nothing overflows).
* cummax/cummin: the running extreme and the index it was taken from.  As torch: a tie moves
  the index to the later element, and a NaN propagates with the index of the latest NaN.
  The gradient goes to the element each output came from (summed where several outputs came
  from one element).
"""
import numpy as np

from ..autograd import defvjp, fused, primitive
from ..autograd.core import TensorBase as Tensor  # every tensor is one


def _revcumsum(a, axis):
    return np.flip(np.cumsum(np.flip(a, axis), axis), axis)


@primitive
def cumprod(x, axis):
    """x_0, x_0 x_1, … along ``axis`` (``torch.cumprod``)."""
    return np.cumprod(x, axis=axis)


def _cumprod_vjp(g, out, x, axis):
    if not np.any(x == 0):
        return _revcumsum(g * out, axis) / x
    xm, gm = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
    n = xm.shape[-1]
    prefix = np.concatenate([np.ones(xm.shape[:-1] + (1,), xm.dtype),
                             np.cumprod(xm[..., :-1], axis=-1)], axis=-1)
    s = [gm[..., n - 1]]
    for i in range(n - 2, -1, -1):           # S_i = g_i + x_{i+1} S_{i+1}: no division
        s.append(gm[..., i] + xm[..., i + 1] * s[-1])
    return np.moveaxis(prefix * np.stack(s[::-1], axis=-1), -1, axis)
defvjp(cumprod, _cumprod_vjp, saves=(0, "out"))


def _revlogcumsumexp(a, axis):
    return np.flip(np.logaddexp.accumulate(np.flip(a, axis), axis=axis), axis)


@primitive
def logcumsumexp(x, axis):
    """log Σ_{k≤j} e^{x_k} along ``axis`` (``torch.logcumsumexp``)."""
    if np.shape(x)[axis] == 0:
        return np.array(x, copy=True)
    return np.logaddexp.accumulate(x, axis=axis)


def _logcumsumexp_vjp(g, out, x, axis):
    if any(isinstance(a, Tensor) for a in (g, out, x)):
        return _logcumsumexp_vjp_recorded(g, out, x, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        finite = np.where(np.isneginf(out), 0, out)
        log_pos = np.where(g > 0, np.log(np.where(g > 0, g, 1)), -np.inf) - finite
        log_neg = np.where(g < 0, np.log(np.where(g < 0, -g, 1)), -np.inf) - finite
        pos = np.exp(x + _revlogcumsumexp(log_pos, axis))
        neg = np.exp(x + _revlogcumsumexp(log_neg, axis))
    return np.where(np.isneginf(x), 0, pos - neg)
defvjp(logcumsumexp, _logcumsumexp_vjp, saves=(0, "out"))


def _logcumsumexp_vjp_recorded(g, out, x, axis):
    """The same gradient under create_graph, from recorded ops: the (i, j ≥ i) weights
    e^{x_i - out_j} ≤ 1 as a matrix per row (n² entries: the log-space scan above has no
    recorded counterpart), so it is differentiable again."""
    xm, om, gm = (np.moveaxis(a, axis, -1) for a in (x, out, g))
    n = xm.shape[-1]
    later = np.triu(np.ones((n, n), dtype=bool))            # j >= i
    d = np.where(later, xm[..., :, None] - om[..., None, :], 0)
    w = np.where(later, np.exp(d), 0)
    dx = (w * gm[..., None, :]).sum(axis=-1)
    return np.moveaxis(np.where(np.isneginf(xm), 0, dx), -1, axis)


def _running_extreme(x, axis, ufunc):
    values = ufunc.accumulate(x, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    position = np.arange(x.shape[axis]).reshape(shape)
    taken = (x == values) | np.isnan(x)           # ties and NaNs move the index forward
    indices = np.maximum.accumulate(np.where(taken, position, 0), axis=axis)
    return values, indices.astype(np.int64)


def _scatter_back(g, indices, axis, shape):
    """The VJP of ``take_along_axis(x, indices, axis)``: g summed into the source slots
    (unindex: recorded under create_graph; linear in g, the indices are constants)."""
    from .indexing import unindex
    im, gg = np.moveaxis(indices, axis, -1), np.moveaxis(g, axis, -1)
    rows = tuple(np.indices(im.shape[:-1] + (1,))[:-1])
    moved = tuple(np.moveaxis(np.empty(shape, np.int8), axis, -1).shape)
    return np.moveaxis(unindex(gg, moved, (*rows, im)), -1, axis)


def _cumulative_extreme(ufunc, name):
    def op(x, axis):
        if x.ndim == 0 or x.shape[axis] == 0:
            values, indices = x.copy(), np.zeros(x.shape, np.int64)
        else:
            values, indices = _running_extreme(x, axis, ufunc)

        def vjp(gs):                             # gs: (values' gradient, indices' zeros)
            return (_scatter_back(gs[0], indices, axis, x.shape),)
        return (values, indices), vjp
    op.__name__ = op.__qualname__ = name
    return op


# linear: the VJP reads x only through the winners' indices (constants), so under
# create_graph it is recorded as it is (second derivative 0, as torch's)
cummax = fused(_cumulative_extreme(np.maximum, "cummax"), linear=True)   # not fmax: NaN wins
cummin = fused(_cumulative_extreme(np.minimum, "cummin"), linear=True)
