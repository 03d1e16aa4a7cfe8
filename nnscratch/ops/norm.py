"""Batch and layer normalisation (Ioffe & Szegedy 2015; Ba et al. 2016) with their analytic
backward.  Both standardise x over some axes (batch norm: all but the channel; layer norm: the
last ones), then scale and shift; they share that step and its derivative."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import fused
from ..autograd.core import ShapeError
from ..autograd.core import TensorBase as Tensor  # every tensor is one

if TYPE_CHECKING:   # annotations only
    from .._types import TensorLike


def _standardize(x, axes, eps):
    """``x̂ = (x - mean) / sqrt(var + eps)`` over ``axes`` (biased variance); returns
    ``(x̂, 1/sqrt(var + eps), mean, var)``."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return xc * inv_std, inv_std, mean, var


def _standardize_vjp(gxhat, xhat, inv_std, axes):
    """dx from ∂E/∂x̂, with n values per group: inv_std (gx̂ - mean(gx̂) - x̂ mean(gx̂ x̂))."""
    n = int(np.prod([xhat.shape[a] for a in axes]))
    s1 = gxhat.sum(axis=axes, keepdims=True)
    s2 = (gxhat * xhat).sum(axis=axes, keepdims=True)
    return inv_std * (gxhat - s1 / n - xhat * (s2 / n))


@fused(polymorphic=True)   # create_graph records this very backward
def _batch_norm_train(x, weight, bias, axes, shape, eps, stats):
    xhat, inv_std, mean, var = _standardize(x, axes, eps)
    y = xhat if weight is None else xhat * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)

    def vjp(g):
        gxhat = g if weight is None else g * weight.reshape(shape)
        dx = _standardize_vjp(gxhat, xhat, inv_std, axes)
        dw = None if weight is None else (g * xhat).sum(axis=axes)
        db = None if bias is None else g.sum(axis=axes)
        return dx, dw, db
    stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
    return y, vjp


def update_running_stats(rm, rv, mean, var, n, momentum):
    """``r ← (1 - momentum) r + momentum · stat`` in place, the variance made unbiased
    (``var · n / (n - 1)``), as torch; None statistics are skipped."""
    if rm is not None:
        rm *= 1 - momentum
        rm += momentum * mean
    if rv is not None:
        rv *= 1 - momentum
        rv += momentum * var * (n / (n - 1))


@fused(polymorphic=True)   # create_graph records this very backward
def _batch_norm_eval(x, mean, var, weight, bias, shape, eps):
    scale = 1.0 / np.sqrt(var + eps)
    if weight is not None:
        scale = scale * weight
    y = (x - mean.reshape(shape)) * scale.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    axes = tuple(i for i in range(x.ndim) if i != 1)

    def vjp(g):
        dx = g * scale.reshape(shape)
        dw = None if weight is None else (g * (x - mean.reshape(shape))
                                           / np.sqrt(var + eps).reshape(shape)).sum(axis=axes)
        db = None if bias is None else g.sum(axis=axes)
        return dx, None, None, dw, db
    return y, vjp


def batch_norm(x: TensorLike, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: TensorLike | None = None, bias: TensorLike | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) over the batch and spatial axes, then scale and shift.

    y = (x - μ_B) / sqrt(σ²_B + eps) · γ + β.  In training μ_B, σ²_B are the batch statistics
    (biased variance) and the running estimates are updated in place with the *unbiased*
    variance: r ← (1 - momentum) r + momentum · stat, as torch.nn.functional.batch_norm.
    In evaluation the running estimates are used.

    Shape: x ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``; statistics ``(C,)``.
    """
    xa = x._data if isinstance(x, Tensor) else np.asarray(x)

    if xa.ndim < 2:
        raise ShapeError(f"batch_norm: input must have a channel axis (N, C, ...), "
                         f"got shape {xa.shape}")
    c = xa.shape[1]
    shape = (1, c) + (1,) * (xa.ndim - 2)
    rm = running_mean._data if isinstance(running_mean, Tensor) else running_mean
    rv = running_var._data if isinstance(running_var, Tensor) else running_var
    for name, a in (("running_mean", rm), ("running_var", rv), ("weight", weight),
                    ("bias", bias)):
        if a is not None and getattr(a, "shape", None) != (c,):
            raise ShapeError(f"batch_norm: {name} must have shape ({c},), "
                             f"got {getattr(a, 'shape', None)}")
    if training:
        axes = tuple(i for i in range(xa.ndim) if i != 1)
        n = xa.size // c
        if n < 2:
            raise ShapeError(f"batch_norm: expected more than 1 value per channel in "
                             f"training, got input shape {xa.shape}")
        stats: dict = {}
        y = _batch_norm_train(x, weight, bias, axes, shape, eps, stats)
        update_running_stats(rm, rv, stats["mean"], stats["var"], n, momentum)
        return y
    if rm is None or rv is None:
        raise ValueError("batch_norm: evaluation mode needs running_mean and running_var")
    return _batch_norm_eval(x, rm, rv, weight, bias, shape, eps)


@fused(polymorphic=True)   # create_graph records this very backward
def _layer_norm(x, weight, bias, *, k, eps):
    axes = tuple(range(x.ndim - k, x.ndim))           # the normalised (trailing) axes
    lead = tuple(range(x.ndim - k))
    xhat, inv_std, _, _ = _standardize(x, axes, eps)
    y = xhat if weight is None else xhat * weight
    if bias is not None:
        y = y + bias

    def vjp(g):
        gxhat = g if weight is None else g * weight
        return (_standardize_vjp(gxhat, xhat, inv_std, axes),
                None if weight is None else (g * xhat).sum(axis=lead),
                None if bias is None else g.sum(axis=lead))
    return y, vjp


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Standardise each example over its last ``len(normalized_shape)`` axes, then scale and
    shift elementwise: ``y = (x - μ) / sqrt(σ² + eps) · γ + β`` (Ba et al. 2016; matches
    torch.nn.functional.layer_norm).  Statistics are per example, so training and
    evaluation agree and the batch size does not matter.

    Shape: x ``(*, *normalized_shape)``; weight, bias ``normalized_shape`` or None.
    """
    xa = getattr(x, "_data", x)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else \
        tuple(normalized_shape)
    k = len(shape)
    if not k or tuple(np.shape(xa)[-k:]) != shape or np.ndim(xa) < k:
        raise ShapeError(f"layer_norm: the input's last axes must be normalized_shape {shape}, "
                         f"got input shape {tuple(np.shape(xa))}")
    for name, a in (("weight", weight), ("bias", bias)):
        if a is not None and tuple(getattr(a, "shape", ())) != shape:
            raise ShapeError(f"layer_norm: {name} must have shape {shape}, "
                             f"got {tuple(getattr(a, 'shape', ()))}")
    if not eps > 0:
        raise ValueError(f"layer_norm: eps must be > 0, got {eps}")
    return _layer_norm(x, weight, bias, k=k, eps=float(eps))


@fused(polymorphic=True)   # create_graph records this very backward
def _group_norm(x, weight, bias, *, groups, eps):
    n, c = x.shape[:2]
    xg = x.reshape(n, groups, -1)                      # each group's channels and positions
    xhat, inv_std, _, _ = _standardize(xg, (2,), eps)
    xhat = xhat.reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    y = xhat if weight is None else xhat * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    axes = (0,) + tuple(range(2, x.ndim))

    def vjp(g):
        gxhat = g if weight is None else g * weight.reshape(shape)
        dx = _standardize_vjp(gxhat.reshape(n, groups, -1), xhat.reshape(n, groups, -1),
                              inv_std, (2,)).reshape(x.shape)
        return (dx,
                None if weight is None else (g * xhat).sum(axis=axes),
                None if bias is None else g.sum(axis=axes))
    return y, vjp


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Standardise each example's channels in ``num_groups`` groups (over the group's channels
    and all positions), then scale and shift per channel (Wu & He 2018; matches
    torch.nn.functional.group_norm).  One group is layer norm over (C, …); C groups is
    instance norm.

    Shape: x ``(N, C, *)``; weight, bias ``(C,)`` or None.
    """
    xa = getattr(x, "_data", x)
    if np.ndim(xa) < 2:
        raise ShapeError(f"group_norm: expected an input (N, C, *), got shape {np.shape(xa)}")
    c = np.shape(xa)[1]
    if isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)) \
            or num_groups < 1 or c % num_groups:
        raise ValueError(f"group_norm: num_groups must be a positive int dividing the "
                         f"{c} channels, got {num_groups!r}")
    for name, a in (("weight", weight), ("bias", bias)):
        if a is not None and tuple(getattr(a, "shape", ())) != (c,):
            raise ShapeError(f"group_norm: {name} must have shape ({c},), "
                             f"got {tuple(getattr(a, 'shape', ()))}")
    return _group_norm(x, weight, bias, groups=int(num_groups), eps=float(eps))
