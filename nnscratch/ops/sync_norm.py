"""Batch normalisation with the statistics of the whole distributed batch (SyncBatchNorm).

With the batch split over P ranks, rank r holds ``x_r`` and the layer must normalise with the
mean and variance of the union.  They come from one sum over the ranks of per-channel
``[Σx, Σx², n]``: ``μ = Σx / n``, ``σ² = Σx² / n - μ²`` (biased; the running variance gets
the unbiased ``σ² n / (n - 1)``).  The backward of ``x̂ = (x - μ) / sqrt(σ² + eps)`` needs two
more batch sums, ``Σ gx̂`` and ``Σ gx̂ x̂``, reduced the same way:

    dx_r = inv_std (gx̂_r - Σ gx̂ / n - x̂_r Σ(gx̂ x̂) / n)

which is the gradient of the sum of all ranks' losses with respect to ``x_r`` (each rank's
loss depends on ``x_r`` through the shared statistics).  ``dγ`` and ``dβ`` stay local sums:
DistributedDataParallel averages them with the other gradients.

The reduction is a callable ``reduce(a)`` that sums the float array ``a`` over the ranks in
place, so this op knows nothing of MPI; with the identity it is plain batch norm.
"""
import numpy as np

from ..autograd import fused
from .norm import update_running_stats


def _allreduced_sums(reduce, *parts):
    s = np.concatenate(parts)
    reduce(s)
    return s


@fused(refuses="its batch statistics and their gradients are all-reduced across the "
               "processes inside the forward and the VJP, which no recorded op can express")
def _sync_batch_norm_train(x, weight, bias, *, axes, shape, eps, stats, reduce):
    c = x.shape[1]
    s = _allreduced_sums(reduce, x.sum(axis=axes), np.square(x).sum(axis=axes),
                         np.array([x.size // c], x.dtype))
    n = s[-1]
    mean = s[:c] / n
    var = np.maximum(s[c:2 * c] / n - mean * mean, 0.0)   # rounding can make it slightly < 0
    inv_std = (1.0 / np.sqrt(var + eps)).reshape(shape)
    xhat = (x - mean.reshape(shape)) * inv_std
    y = xhat if weight is None else xhat * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    stats["mean"], stats["var"], stats["n"] = mean, var, n

    def vjp(g):
        gxhat = g if weight is None else g * weight.reshape(shape)
        t = _allreduced_sums(reduce, gxhat.sum(axis=axes), (gxhat * xhat).sum(axis=axes))
        dx = inv_std * (gxhat - (t[:c] / n).reshape(shape) - xhat * (t[c:] / n).reshape(shape))
        dw = None if weight is None else (g * xhat).sum(axis=axes)
        db = None if bias is None else g.sum(axis=axes)
        return dx, dw, db
    return y, vjp


def sync_batch_norm(x, running_mean, running_var, weight, bias, momentum, eps, reduce):
    """Training-mode batch norm over the distributed batch (see the module docstring).

    Shape: x ``(N_r, C, *)`` on each rank; statistics, weight and bias ``(C,)``.  Updates
    ``running_mean``/``running_var`` (arrays or None) in place with ``momentum``, as
    :func:`nnscratch.ops.batch_norm`.  ``reduce(a)``: in-place sum over the ranks.
    """
    xa = getattr(x, "_data", x)
    axes = tuple(i for i in range(xa.ndim) if i != 1)
    shape = (1, xa.shape[1]) + (1,) * (xa.ndim - 2)
    stats = {}
    y = _sync_batch_norm_train(x, weight, bias, axes=axes, shape=shape, eps=eps, stats=stats,
                               reduce=reduce)
    n = stats["n"]
    if n < 2:
        raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel over all "
                         f"ranks in training, got {int(n)}")
    update_running_stats(running_mean, running_var, stats["mean"], stats["var"], n, momentum)
    return y
