"""``nnscratch.nn.functional``: the ops a network is built from, under PyTorch's names.

Losses take the prediction first and the target second.  Targets may be Tensors, NumPy arrays
or lists; float targets are cast to the prediction's dtype.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from .._checks import check_floating, tensor_arg
from ..ops import (batch_norm, dropout, elu, embedding, group_norm, layer_norm, leaky_relu,
                   linear, relu, sigmoid, silu, softplus, tanh)
from ..ops import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                   adaptive_max_pool2d, avg_pool1d, conv1d, conv2d, conv_transpose1d,
                   conv_transpose2d, max_pool1d,
                   max_pool2d, max_unpool1d, max_unpool2d)
from ..ops.padding import pad
from ..ops.special import gelu  # issue 32 (ops-math): exact and approximate="tanh"
from .attention import scaled_dot_product_attention
from .pooling import avg_pool2d
from ..tensor import Tensor
from ..tensor import as_tensor as _as_tensor

if TYPE_CHECKING:   # annotations only
    from .._types import TensorLike

__all__ = ["gelu", "linear", "relu", "relu_", "leaky_relu", "sigmoid", "tanh", "elu", "silu",
           "softplus", "softmax", "log_softmax", "layer_norm", "group_norm", "dropout1d",
           "dropout2d", "dropout3d", "scaled_dot_product_attention", "mse_loss", "l1_loss",
           "smooth_l1_loss",
           "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "nll_loss", "kl_div_gaussian", "kl_div_gaussians", "dropout",
           "batch_norm", "embedding", "pad", "conv1d", "conv2d", "conv_transpose1d",
           "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d", "one_hot"]


def _channel(kind):
    def dropout_nd(input, p: float = 0.5, training: bool = True, inplace: bool = False):
        from .dropout import channel_dropout
        x = _as_tensor(input)
        if inplace and training and p > 0:
            return x.copy_(channel_dropout(x.clone(), p, training, kind))
        return channel_dropout(x, p, training, kind)
    dropout_nd.__name__ = dropout_nd.__qualname__ = kind
    dropout_nd.__doc__ = (f"torch.nn.functional.{kind}: channel dropout with torch 2.13's rank "
                          f"rules (see nnscratch.nn.dropout.channel_dropout).")
    return dropout_nd


dropout1d, dropout2d, dropout3d = (_channel(k) for k in ("dropout1d", "dropout2d",
                                                         "dropout3d"))


def relu_(input: Tensor) -> Tensor:
    """``torch.nn.functional.relu_``: ReLU in place, ``input.relu_()``."""
    return tensor_arg(input, "input", "relu_").relu_()


def softmax(x: TensorLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """Softmax along ``axis`` (``dim``, PyTorch's name for it, is accepted too)."""
    return ops.softmax(tensor_arg(x, "input", "softmax"), axis=axis if dim is None else dim)


def log_softmax(x: TensorLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """Log-softmax along ``axis`` (or ``dim``, as in PyTorch)."""
    return ops.log_softmax(tensor_arg(x, "input", "log_softmax"),
                           axis=axis if dim is None else dim)


def _pred(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
    return x


def _float_target(target, like, name):
    """A float target in the prediction's dtype (kept as a Tensor if it is one)."""
    if isinstance(target, Tensor):
        return target if target.dtype == like.dtype else target.astype(like.dtype)
    t = np.asarray(target)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: target must be numeric, got dtype {t.dtype}")
    return t.astype(like.dtype, copy=False)


def _any_target(target, like, name):
    """Integer class indices stay integers; anything else is a float target."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind in "iu":
        return t
    if t.dtype.kind == "b":
        raise TypeError(f"{name}: target must be class indices (int) or probabilities "
                        f"(float), got dtype bool")
    if t.ndim == 1:
        raise TypeError(f"{name}: a 1-D target must hold integer class indices, "
                        f"got dtype {t.dtype}")
    return _float_target(target, like, name)


def mse_loss(pred: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean squared error; matches torch.nn.functional.mse_loss (but shapes must be equal)."""
    _pred(pred, "mse_loss")
    return ops.mse_loss(pred, _float_target(target, pred, "mse_loss"), reduction=reduction)


def l1_loss(pred, target, reduction="mean"):
    """Mean absolute error; matches torch.nn.functional.l1_loss (shapes must be equal)."""
    _pred(pred, "l1_loss")
    return ops.l1_loss(pred, _float_target(target, pred, "l1_loss"), reduction=reduction)


def smooth_l1_loss(pred, target, reduction="mean", beta=1.0):
    """Quadratic below ``beta``, linear above; matches torch.nn.functional.smooth_l1_loss."""
    _pred(pred, "smooth_l1_loss")
    return ops.smooth_l1_loss(pred, _float_target(target, pred, "smooth_l1_loss"),
                              reduction=reduction, beta=beta)


def huber_loss(pred, target, reduction="mean", delta=1.0):
    """Huber's loss: quadratic up to ``delta``, linear beyond; matches
    torch.nn.functional.huber_loss."""
    _pred(pred, "huber_loss")
    return ops.huber_loss(pred, _float_target(target, pred, "huber_loss"),
                          reduction=reduction, delta=delta)


def _legacy_reduction(size_average, reduce, reduction):
    """torch's deprecated ``size_average``/``reduce`` flags, when given, decide ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _weighted(loss_none, weight, reduction):
    """An elementwise loss (``reduction="none"``) times ``weight`` (broadcast), then reduced."""
    out = loss_none * (weight if isinstance(weight, Tensor) else _as_tensor(weight).to(
        loss_none.dtype))
    return out if reduction == "none" else out.sum() if reduction == "sum" else out.mean()


def binary_cross_entropy(prob: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """BCE on probabilities in [0, 1]; logs clamped at -100 as in PyTorch; ``weight``
    multiplies each element's loss (broadcast) before the reduction."""
    _pred(prob, "binary_cross_entropy")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    t = _float_target(target, prob, "binary_cross_entropy")
    if weight is None:
        return ops.binary_cross_entropy(prob, t, reduction=reduction)
    return _weighted(ops.binary_cross_entropy(prob, t, reduction="none"), weight, reduction)


def binary_cross_entropy_with_logits(logits: TensorLike, target: TensorLike,
                                     weight: TensorLike | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: TensorLike | None = None) -> Tensor:
    """Sigmoid + BCE in one stable op; gradient σ(z) - t.  ``pos_weight`` weighs the positive
    term of each class (broadcast against the last axis), ``weight`` each element's loss
    (torch.nn.functional.binary_cross_entropy_with_logits)."""
    _pred(logits, "binary_cross_entropy_with_logits")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    t = _float_target(target, logits, "binary_cross_entropy_with_logits")
    pw = None if pos_weight is None else _float_target(pos_weight, logits,
                                                       "binary_cross_entropy_with_logits")
    if weight is None:
        return ops.binary_cross_entropy_with_logits(logits, t, pw, reduction=reduction)
    return _weighted(ops.binary_cross_entropy_with_logits(logits, t, pw, reduction="none"),
                     weight, reduction)


def _classes_last(logits, target, reduction, name):
    """torch's class losses on ``(C,)`` (unbatched) and ``(N, C, d1, ...)`` (K-dimensional)
    inputs as the ``(N, C)`` case: the class axis moved last and the rest flattened; returns
    the flat logits and target and a function that gives a ``"none"`` result its shape back."""
    _pred(logits, name)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    probs = t.dtype.kind == "f" or t.dtype.kind == "b"
    if logits.ndim == 1:                               # unbatched: (C,) with () or (C,)
        if t.shape != (() if not probs else logits.shape):
            raise ValueError(f"{name}: for an unbatched input (C,) the target must be a class "
                             f"index () or probabilities (C,), got shape {t.shape}")
        tt = target[None] if isinstance(target, Tensor) else t[None]
        return logits[None], tt, lambda out: out[0] if reduction == "none" else out
    if logits.ndim <= 2:
        return logits, target, lambda out: out
    n, c, rest = logits.shape[0], logits.shape[1], tuple(logits.shape[2:])
    flat = ops.reshape(ops.transpose(logits, (0, *range(2, logits.ndim), 1)), (-1, c))
    if probs:
        tgt = target if isinstance(target, Tensor) else _as_tensor(t)
        tt = ops.reshape(ops.transpose(tgt, (0, *range(2, logits.ndim), 1)), (-1, c))
    else:
        if t.shape != (n, *rest):
            raise ValueError(f"{name}: target must have shape {(n, *rest)} for input of shape "
                             f"{tuple(logits.shape)}, got {t.shape}")
        tt = t.reshape(-1)
    return flat, tt, lambda out: ops.reshape(out, (n, *rest)) if reduction == "none" else out


def cross_entropy(logits: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)`` against class
    indices (``(N,)``, ``()``, ``(N, d1, ...)``) or probabilities (the input's shape).

    ``weight`` (per class), ``ignore_index`` and ``label_smoothing`` as in PyTorch (see
    :func:`nnscratch.ops.loss.cross_entropy`); torch's argument order."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _pred(logits, "cross_entropy")
    check_floating(logits, "cross_entropy", "input (the logits)")
    t = target._data if isinstance(target, Tensor) else target
    if isinstance(t, np.ndarray) and t.dtype.kind == "f" and t.ndim == np.ndim(logits) \
            and not (np.isfinite(t).all() and (t >= 0).all()):
        # torch sums whatever it gets; a NaN or negative "probability" is a bug upstream
        bad = t[~(np.isfinite(t) & (t >= 0))][0]
        raise ValueError(f"cross_entropy: probability targets must be finite and >= 0, got "
                         f"{bad}")
    flat, t, shape_back = _classes_last(logits, target, reduction, "cross_entropy")
    w = weight._data if isinstance(weight, Tensor) else weight
    return shape_back(ops.cross_entropy(flat, _any_target(t, flat, "cross_entropy"),
                                        reduction=reduction, weight=w,
                                        ignore_index=ignore_index,
                                        label_smoothing=label_smoothing))


def nll_loss(log_probs: TensorLike, target: TensorLike, weight: TensorLike | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices under log-probabilities ``(N, C)``, ``(C,)``
    or ``(N, C, d1, ...)``; ``weight`` and ``ignore_index`` as in PyTorch, in its order."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    flat, t, shape_back = _classes_last(log_probs, target, reduction, "nll_loss")
    t = t._data if isinstance(t, Tensor) else np.asarray(t)
    w = weight._data if isinstance(weight, Tensor) else weight
    return shape_back(ops.nll_loss(flat, t, reduction=reduction, weight=w,
                                   ignore_index=ignore_index))


def kl_div_gaussian(mu: TensorLike, logvar: TensorLike) -> Tensor:
    """KL(N(μ, diag e^{logvar}) ‖ N(0, I)), summed over latent dims, mean over the batch.

    KL = -½ Σ_j (1 + logvar_j - μ_j² - e^{logvar_j})   (Kingma & Welling 2014, appendix B).
    Shape: mu, logvar ``(N, D)`` -> scalar.
    """
    _pred(mu, "kl_div_gaussian (mu)")
    _pred(logvar, "kl_div_gaussian (logvar)")
    if mu.shape != logvar.shape:
        raise ValueError(f"kl_div_gaussian: mu shape {mu.shape} != logvar shape {logvar.shape}")
    per_dim = 1 + logvar - mu * mu - logvar.exp()
    return (per_dim.sum(axis=-1) * -0.5).mean()


def kl_div_gaussians(mu_p, logvar_p, mu_q, logvar_q):
    """KL(N(μ_p, diag e^{logvar_p}) ‖ N(μ_q, diag e^{logvar_q})), summed over the last axis,
    mean over the batch (the diagonal case of 001 eq. 11.2):

        ½ Σ_j [logvar_q - logvar_p + (e^{logvar_p} + (μ_p - μ_q)²) / e^{logvar_q} - 1]

    ``mu_q``/``logvar_q`` may be Tensors or arrays (e.g. class centroids, 001 eq. 11.4) and
    broadcast against ``mu_p``.  Shape: ``(N, D)`` -> scalar.
    """
    if mu_p.shape != logvar_p.shape:
        raise ValueError(f"kl_div_gaussians: mu_p shape {mu_p.shape} != logvar_p shape "
                         f"{logvar_p.shape}")
    mu_q = mu_q if isinstance(mu_q, Tensor) else _as_tensor(np.asarray(mu_q, mu_p.dtype))
    logvar_q = (logvar_q if isinstance(logvar_q, Tensor)
                else _as_tensor(np.asarray(logvar_q, mu_p.dtype)))
    for name, t in (("mu_q", mu_q), ("logvar_q", logvar_q)):
        try:
            np.broadcast_shapes(t.shape, mu_p.shape)
        except ValueError:
            raise ValueError(f"kl_div_gaussians: {name} shape {t.shape} does not broadcast "
                             f"against mu_p shape {mu_p.shape}") from None
    diff = mu_p - mu_q
    per_dim = logvar_q - logvar_p + (logvar_p.exp() + diff * diff) / logvar_q.exp() - 1
    return (per_dim.sum(axis=-1) * 0.5).mean()


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """``torch.nn.functional.one_hot``: int64 ``(*, C)`` with ``out[..., k] = (tensor == k)``.

    ``tensor`` holds int64 class indices in ``[0, C)``; ``num_classes=-1`` takes
    ``C = tensor.max() + 1``.  No gradient (an index function)."""
    a = np.asarray(tensor._data if isinstance(tensor, Tensor) else tensor)
    if a.dtype != np.int64:
        raise RuntimeError(f"one_hot: tensor must hold int64 class indices (torch's "
                           f"'index tensor'), got dtype {a.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if a.size and a.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, got {a.min()}")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty "
                               "tensor; pass num_classes")
        num_classes = int(a.max()) + 1
    elif num_classes < 1 and not (num_classes == 0 and a.size == 0):
        raise RuntimeError(f"one_hot: num_classes must be -1 or >= 1, got {num_classes}")
    elif a.size and a.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes="
                           f"{num_classes}, got {a.max()}")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return _as_tensor(out)


from ._functional_ops_index import *  # noqa: E402,F401,F403  (activations, interpolate, fold ...)
from ._functional_ops_index import __all__ as _more  # noqa: E402
__all__ += _more


def __getattr__(name):
    from .._unsupported import missing   # a torch.nn.functional name we lack is named as such
    raise missing("FUNCTIONAL", "torch.nn.functional", name,
                  f"module {__name__!r} has no attribute {name!r}")
