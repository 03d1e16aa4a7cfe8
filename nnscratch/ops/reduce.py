"""Reductions: sum, mean, max/min, variance."""
import builtins

import numpy as np

from ..autograd import defvjp, primitive


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    return tuple(int(a) % ndim for a in axis) if ndim else ()


def _expand(g, x, axis, keepdims):
    """Give a reduced gradient back its reduced axes, so it broadcasts against ``x``."""
    if not keepdims:
        g = np.expand_dims(g, _axes(axis, x.ndim))
    return g


def _count(x, axis):
    return builtins.max(1, int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)])))


@primitive
def sum(x, axis=None, keepdims=False):
    return np.sum(x, axis=axis, keepdims=keepdims)
defvjp(sum, lambda g, out, x, axis=None, keepdims=False:
       np.broadcast_to(_expand(g, x, axis, keepdims), x.shape), saves=())


@primitive
def mean(x, axis=None, keepdims=False):
    return np.mean(x, axis=axis, keepdims=keepdims)
defvjp(mean, lambda g, out, x, axis=None, keepdims=False:
       np.broadcast_to(_expand(g, x, axis, keepdims) / _count(x, axis), x.shape), saves=())


def _extremum_vjp(g, out, x, axis=None, keepdims=False):
    # ties share the gradient equally, as torch.amax / torch.max() do
    out = _expand(out, x, axis, keepdims)
    hit = x == out
    share = hit / np.sum(hit, axis=_axes(axis, x.ndim), keepdims=True, dtype=x.dtype)
    return _expand(g, x, axis, keepdims) * share


@primitive
def max(x, axis=None, keepdims=False):
    return np.max(x, axis=axis, keepdims=keepdims)
defvjp(max, _extremum_vjp)


@primitive
def min(x, axis=None, keepdims=False):
    return np.min(x, axis=axis, keepdims=keepdims)
defvjp(min, _extremum_vjp)


@primitive
def var(x, axis=None, keepdims=False, ddof=0):
    """Variance ``sum((x - mean)^2) / (n - ddof)``."""
    return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof)
defvjp(var, lambda g, out, x, axis=None, keepdims=False, ddof=0:
       _expand(g, x, axis, keepdims) * 2 * (x - x.mean(axis=axis, keepdims=True))
       / (_count(x, axis) - ddof))


@primitive
def prod(x, axis=None, keepdims=False):
    """The product of the entries (``torch.prod``)."""
    return np.prod(x, axis=axis, keepdims=keepdims)


def _prod_vjp(g, out, x, axis=None, keepdims=False):
    # d prod / d x_i = prod_{j != i} x_j, computed without dividing by x_i (zeros are fine)
    ax = _axes(axis, x.ndim)
    moved = np.moveaxis(x, ax, tuple(range(-len(ax), 0)))
    flat = moved.reshape(moved.shape[:moved.ndim - len(ax)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], -1), -1), -1)
    d = np.moveaxis((left * right).reshape(moved.shape), tuple(range(-len(ax), 0)), ax)
    return _expand(g, x, axis, keepdims) * d
defvjp(prod, _prod_vjp, saves=(0,))


@primitive
def logsumexp(x, axis, keepdims=False):
    """``log Σ exp(x)`` over ``axis``, shifted by the maximum so nothing overflows
    (``torch.logsumexp``); an all ``-inf`` slice gives ``-inf``.  d/dx = softmax(x) along axis."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)      # an all -inf (or an inf) slice: shift by nothing
    with np.errstate(divide="ignore"):      # log 0 = -inf is the answer for an all -inf slice
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=_axes(axis, x.ndim))


def _logsumexp_vjp(g, out, x, axis, keepdims=False):
    with np.errstate(invalid="ignore"):     # -inf - -inf: NaN, as torch's gradient there
        return _expand(g, x, axis, keepdims) * np.exp(x - _expand(out, x, axis, keepdims))
defvjp(logsumexp, _logsumexp_vjp)


@primitive
def cumsum(x, axis):
    """Running sums along ``axis`` (``torch.cumsum``; integers and booleans sum in int64).
    The VJP is the running sum from the other end: ``dx_i = Σ_{j >= i} g_j``."""
    return np.cumsum(x, axis=axis, dtype=np.int64 if x.dtype.kind in "biu" else None)
defvjp(cumsum, lambda g, out, x, axis:
       np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis), saves=())


def norm(x, p=2, dim=None, keepdim=False):
    """The p-norm ``(sum |x|^p)^(1/p)`` over ``dim`` (all entries by default), as
    ``torch.Tensor.norm``; p = 2 by default, also 1 and inf."""
    if p == 2 or p == "fro":
        return (x * x).sum(axis=dim, keepdims=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(axis=dim, keepdims=keepdim)
    if p == 0:      # torch's "0-norm": the count of non-zero entries (gradient 0)
        return (x * 0).sum(axis=dim, keepdims=keepdim) + \
            np.count_nonzero(x._data, axis=dim, keepdims=keepdim).astype(x._data.dtype)
    if p == float("inf"):
        return max(x.abs(), axis=dim, keepdims=keepdim)
    return (x.abs() ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)
