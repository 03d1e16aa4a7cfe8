"""Loss functions, fused so that each backward is the textbook's closed form.

All reduce with ``reduction="mean"`` (over the batch) by default, as PyTorch does;
``"sum"`` and ``"none"`` are also accepted.
"""
import numpy as np

from ..autograd import fused
from ..autograd.core import IndexOutOfRange
from ..numeric import log_softmax_array, stable_sigmoid
from . import elementwise as _el
from . import shape as _sh
from .activation import logsigmoid
from .softmax import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(per_item, reduction, denom=None):
    """Reduce per-item losses; ``mean`` divides by ``denom`` when given (the summed weights of
    the counted items, PyTorch's weighted mean), else by the number of items."""
    if reduction == "mean" and denom is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            return per_item.sum() / denom
    if reduction == "mean":
        return per_item.mean() if per_item.size else per_item.sum() * np.nan
    if reduction == "sum":
        return per_item.sum()
    return per_item


def _scale(g, shape, reduction, n):
    """The upstream gradient of a reduced loss, as one factor per item."""
    if reduction == "none":
        return g
    g = np.broadcast_to(g, shape)
    if reduction != "mean":
        return g
    # a total weight of 0 (every item ignored): the loss is 0/0 = NaN, the gradient 0 (torch's)
    return g / n if n != 0 else g * 0.0


def _same_shape(pred, target, name):
    if pred.shape != target.shape:
        raise ValueError(f"{name}: target shape {target.shape} must equal input shape "
                         f"{pred.shape}")


def _elementwise_loss(pred, target, reduction, name, value, slope):
    """A loss of ``d = pred - target`` per element: ``value(d)`` reduced, with
    d loss/d pred = ``slope(d)`` (and minus that for the target)."""
    _check_reduction(reduction)
    _same_shape(pred, target, name)
    diff = pred - target

    def vjp(g):
        gp = _scale(g, diff.shape, reduction, diff.size) * slope(diff)
        return gp, -gp
    return np.asarray(_reduce(value(diff), reduction)), vjp


# ---- composites: each loss recomputed from recorded ops, which create_graph=True
# differentiates (engine.fused); the fused kernels above them stay the first-order path

def _mse_composite(pred, target, reduction="mean"):
    d = pred - target
    return _reduce(d * d, reduction)


def _l1_composite(pred, target, reduction="mean"):
    return _reduce(_el.abs(pred - target), reduction)


def _smooth_l1_composite(pred, target, reduction="mean", beta=1.0):
    if beta == 0:
        return _l1_composite(pred, target, reduction)
    d = pred - target
    a = _el.abs(d)
    return _reduce(_sh.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta), reduction)


def _huber_composite(pred, target, reduction="mean", delta=1.0):
    d = pred - target
    a = _el.abs(d)
    return _reduce(_sh.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


@fused(composite=_mse_composite)
def mse_loss(pred, target, reduction="mean"):
    """Mean squared error ``mean((pred - target)^2)``; d/dpred = 2 (pred - target) / n."""
    return _elementwise_loss(pred, target, reduction, "mse_loss", lambda d: d * d,
                             lambda d: 2 * d)


@fused(composite=_l1_composite)
def l1_loss(pred, target, reduction="mean"):
    """Mean absolute error ``|pred - target|``; gradient sign(d) (0 at d = 0, as torch)."""
    return _elementwise_loss(pred, target, reduction, "l1_loss", np.abs, np.sign)


@fused(composite=_smooth_l1_composite)
def smooth_l1_loss(pred, target, reduction="mean", beta=1.0):
    """``½ d²/β`` for ``|d| < β``, else ``|d| - ½β`` (torch.nn.functional.smooth_l1_loss);
    gradient d/β inside, sign(d) outside.  β = 0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return _elementwise_loss(pred, target, reduction, "smooth_l1_loss", np.abs, np.sign)
    return _elementwise_loss(
        pred, target, reduction, "smooth_l1_loss",
        lambda d: np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta),
        lambda d: np.where(np.abs(d) < beta, d / beta, np.sign(d)))


@fused(composite=_huber_composite)
def huber_loss(pred, target, reduction="mean", delta=1.0):
    """``½ d²`` for ``|d| <= δ``, else ``δ (|d| - ½δ)`` (Huber 1964; torch's huber_loss);
    gradient d inside, δ sign(d) outside.  Equals δ · smooth_l1_loss with β = δ."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    return _elementwise_loss(
        pred, target, reduction, "huber_loss",
        lambda d: np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta)),
        lambda d: np.where(np.abs(d) <= delta, d, delta * np.sign(d)))


def _class_targets(target, n, k, name, ignore_index=None):
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: integer class targets expected, got dtype {target.dtype}")
    if target.shape != (n,):
        raise ValueError(f"{name}: target shape must be ({n},) for input of {n} rows, "
                         f"got {target.shape}")
    bad = (target < 0) | (target >= k)
    if ignore_index is not None:
        bad &= target != ignore_index
    if n and bad.any():
        raise IndexOutOfRange(f"{name}: class labels must be in [0, {k}), got "
                              f"{target[bad][0]} (Target {target[bad][0]} is out of bounds)")


def _plain_labels(target, n, k, ignore_index):
    """True when ``target`` is ``n`` integer labels all in ``[0, k)``, none equal to
    ``ignore_index``: the case that needs neither weights nor a mask.  Anything else (bad
    labels included, which the general path then reports) is False."""
    # the ufuncs' reduce directly: ndarray.min/max add a Python wrapper call each (per step)
    return (target.dtype.kind in "iu" and target.shape == (n,) and n > 0
            and not 0 <= ignore_index < k and 0 <= np.minimum.reduce(target)
            and np.maximum.reduce(target) < k)


def _class_weights(weight, k, dtype, name):
    """The per-class weights as an array ``(K,)`` (ones when None), finite and >= 0."""
    if weight is None:
        return np.ones(k, dtype)
    w = np.asarray(weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name}: weight must hold real numbers, got dtype {w.dtype}")
    w = w.astype(dtype)
    if w.shape != (k,):
        raise ValueError(f"{name}: weight must have one entry per class ({k},), got {w.shape}")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        bad = w[~(np.isfinite(w) & (w >= 0))][0]
        raise ValueError(f"{name}: weight must be finite and >= 0 for every class, got {bad}")
    return w


def _check_ignore_index(ignore_index, name):
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(ignore_index,
                                                                    (int, np.integer)):
        raise TypeError(f"{name}: ignore_index must be an int, got "
                        f"{type(ignore_index).__name__} {ignore_index!r}")


def _check_unit_interval(target, name):
    """BCE targets are probabilities: values outside [0, 1] give a loss without meaning."""
    if target.size and (np.nanmin(target) < 0 or np.nanmax(target) > 1):
        raise ValueError(f"{name}: target must be probabilities in [0, 1], got values in "
                         f"[{np.nanmin(target)}, {np.nanmax(target)}]")


def _check_smoothing(label_smoothing, name):
    if not (isinstance(label_smoothing, (int, float)) and 0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"{name}: label_smoothing must be a number in [0, 1], got "
                         f"{label_smoothing!r}")
    return float(label_smoothing)


def _class_index_terms(logp, target, weight, ignore_index):
    """The per-item weights and picked log-probabilities of a class-index loss, as the fused
    kernels compute them: (rows, y, w_i, keep, w)."""
    n, k = logp.shape
    t = target._data if hasattr(target, "_data") else np.asarray(target)
    w = _class_weights(weight, k, logp.dtype, "loss")
    keep = t != ignore_index
    y = np.where(keep, t, 0)
    return np.arange(n), y, w[y] * keep, keep, w


def _cross_entropy_composite(logits, target, reduction="mean", *, weight=None,
                             ignore_index=-100, label_smoothing=0.0):
    eps = float(label_smoothing)
    n, k = logits.shape
    logp = log_softmax(logits, axis=1)
    if target.ndim == 1:
        rows, y, w_i, keep, w = _class_index_terms(logp, target, weight, ignore_index)
        per_item = -((1 - eps) * w_i) * logp[rows, y]
        if eps:
            per_item = per_item - (eps / k) * (logp @ w) * keep
        return _reduce(per_item, reduction, w_i.sum())
    w = _class_weights(weight, k, logits.dtype, "cross_entropy")
    t = target * (1 - eps) + eps / k if eps else target
    return _reduce(-(t * w * logp).sum(axis=1), reduction)


def _nll_composite(log_probs, target, reduction="mean", *, weight=None, ignore_index=-100):
    rows, y, w_i, _, _ = _class_index_terms(log_probs, target, weight, ignore_index)
    return _reduce(-w_i * log_probs[rows, y], reduction, w_i.sum())


def _bce_composite(prob, target, reduction="mean"):
    log_p = _el.maximum(_el.log(prob), -100.0)
    log_1mp = _el.maximum(_el.log1p(-prob), -100.0)
    return _reduce(-(target * log_p + (1 - target) * log_1mp), reduction)


def _bce_logits_composite(logits, target, pos_weight=None, reduction="mean"):
    # through log σ, which is smooth at 0 to every order: relu(z) + log1p(e^{-|z|}) has two
    # kinks at 0 whose one-sided derivatives (relu'(0) = abs'(0) = 0) do not cancel
    # (d/dz at z = 0, t = 1 came out -1, not σ(0) - 1 = -1/2)
    softplus_neg = -logsigmoid(logits)                                    # softplus(-z)
    if pos_weight is None:                   # -t log σ(z) - (1 - t) log σ(-z)
        per_item = (1 - target) * logits + softplus_neg
    else:                                    # (1 - t) z + (1 + (p - 1) t) softplus(-z)
        per_item = (1 - target) * logits + (1 + (pos_weight - 1) * target) * softplus_neg
    return _reduce(per_item, reduction)


@fused(composite=_cross_entropy_composite)
def cross_entropy(logits, target, reduction="mean", *, weight=None, ignore_index=-100,
                  label_smoothing=0.0):
    """Softmax cross-entropy of logits ``z`` against classes or a distribution ``t``.

    loss_i = -Σ_k t_ik log softmax(z_i)_k;  d loss_i / d z_i = softmax(z_i) - t_i
    (000 eq. 5.15).  ``target`` is int class indices ``(N,)`` or probabilities ``(N, K)``.
    Shape: logits ``(N, K)``.  Matches torch.nn.functional.cross_entropy, including:

    * ``weight`` ``(K,)``: class c's terms are multiplied by w_c; with class indices the mean
      divides by Σ_i w_{y_i} (a weighted mean), with probabilities by N;
    * ``ignore_index``: class-index targets equal to it contribute nothing and are not counted;
    * ``label_smoothing`` ε: the target becomes (1 - ε) t + ε/K, i.e. the loss
      (1 - ε) NLL + (ε/K) Σ_c w_c (-log p_c), both normalised as above.
    """
    _check_reduction(reduction)
    eps = _check_smoothing(label_smoothing, "cross_entropy")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be (N, K), got shape {logits.shape}")
    n, k = logits.shape
    _check_ignore_index(ignore_index, "cross_entropy")
    logp = log_softmax_array(logits, axis=1)
    if target.ndim == 1 and weight is None and not eps and _plain_labels(target, n, k,
                                                                         ignore_index):
        # the common case in one gather: every weight 1, nothing ignored (the general path
        # below gives the same numbers; tests/ops/test_fast_paths.py compares the two)
        rows = np.arange(n)

        def vjp_plain(g):
            d = np.exp(logp)
            d[rows, target] -= 1                       # softmax - onehot
            d *= g[:, None] if reduction == "none" else (g / n if reduction == "mean" else g)
            return d, None
        picked = logp[rows, target]
        if reduction == "none":
            return -picked, vjp_plain
        # _reduce's sum / n without its errstate (n > 0 here: nothing to silence); the sum is
        # negated once instead of every term, the same bits (rounding is symmetric in sign)
        total = -np.add.reduce(picked)
        return np.asarray(total / n if reduction == "mean" else total), vjp_plain
    w = _class_weights(weight, k, logits.dtype, "cross_entropy")
    if target.ndim == 1:
        _class_targets(target, n, k, "cross_entropy", ignore_index)
        rows = np.arange(n)
        keep = target != ignore_index
        y = np.where(keep, target, 0)
        w_i = w[y] * keep                              # each item's weight, 0 if ignored
        coef = (1 - eps) * w_i
        plain = weight is None and not eps and keep.all()      # coef is all ones
        per_item = -coef * logp[rows, y]
        if eps:
            per_item -= (eps / k) * (logp @ w) * keep
        denom = w_i.sum()

        def vjp(g):
            p = np.exp(logp)
            d = p if plain else p * coef[:, None]
            d[rows, y] -= coef                         # (1 - ε) w_y (softmax - onehot)
            if eps:                                    # d/dz of (ε/K) Σ_c w_c (-log p_c)
                d += (eps / k) * keep[:, None] * (w.sum() * p - w)
            return d * _scale(g, (n,), reduction, denom)[:, None], None
        return np.asarray(_reduce(per_item, reduction, denom)), vjp

    _same_shape(logits, target, "cross_entropy")
    if target.dtype.kind != "f":  # an int (N, K) array is no distribution: labels have (N,)
        raise TypeError(f"cross_entropy: probability targets (N, K) must be floating point, "
                        f"got dtype {target.dtype}; class indices have shape (N,)")
    t = target * (1 - eps) + eps / k if eps else target
    wt = t * w
    per_item = -(wt * logp).sum(axis=1)

    def vjp(g):
        s = _scale(g, (n,), reduction, n)[:, None]
        return (np.exp(logp) * wt.sum(axis=1, keepdims=True) - wt) * s, -(1 - eps) * w * logp * s
    return np.asarray(_reduce(per_item, reduction)), vjp


@fused(composite=_nll_composite)
def nll_loss(log_probs, target, reduction="mean", *, weight=None, ignore_index=-100):
    """Negative log-likelihood ``-w_{y_i} log_probs[i, y_i]``, the mean weighted by
    Σ_i w_{y_i}, items with ``target == ignore_index`` left out (torch.nn.functional.nll_loss)."""
    _check_reduction(reduction)
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: input must be (N, K), got shape {log_probs.shape}")
    n, k = log_probs.shape
    _check_ignore_index(ignore_index, "nll_loss")
    _class_targets(target, n, k, "nll_loss", ignore_index)
    w = _class_weights(weight, k, log_probs.dtype, "nll_loss")
    rows = np.arange(n)
    keep = target != ignore_index
    y = np.where(keep, target, 0)
    w_i = w[y] * keep
    denom = w_i.sum()

    def vjp(g):
        d = np.zeros_like(log_probs)
        d[rows, y] = -w_i * _scale(g, (n,), reduction, denom)
        return d, None
    return np.asarray(_reduce(-w_i * log_probs[rows, y], reduction, denom)), vjp


# PyTorch's clamp for the BCE gradient is the C float 1e-12 (= 9.99999996e-13 in float64);
# using the same constant makes the gradient at p = 0 or 1 match torch to the last bit
_BCE_EPS = float(np.float32(1e-12))


@fused(composite=_bce_composite)
def binary_cross_entropy(prob, target, reduction="mean"):
    """BCE on probabilities: -[t log p + (1 - t) log(1 - p)], each log clamped at -100.

    The clamp is PyTorch's, so p = 0 or 1 exactly gives a finite loss; the gradient
    (p - t) / max(p (1 - p), 1e-12) is PyTorch's too.
    """
    _check_reduction(reduction)
    _same_shape(prob, target, "binary_cross_entropy")
    _check_unit_interval(target, "binary_cross_entropy")
    if prob.size and (np.nanmin(prob) < 0 or np.nanmax(prob) > 1):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1], "
                         f"got values in [{prob.min()}, {prob.max()}]; for logits use "
                         "binary_cross_entropy_with_logits")
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(prob), -100)
        log_1mp = np.maximum(np.log1p(-prob), -100)
    per_item = -(target * log_p + (1 - target) * log_1mp)

    def vjp(g):
        s = _scale(g, prob.shape, reduction, prob.size)
        gp = s * (prob - target) / np.maximum(prob * (1 - prob), _BCE_EPS)
        return gp, s * (log_1mp - log_p)
    return np.asarray(_reduce(per_item, reduction)), vjp


@fused(composite=_bce_logits_composite)
def binary_cross_entropy_with_logits(logits, target, pos_weight=None, reduction="mean"):
    """Sigmoid + BCE fused, with torch's ``pos_weight`` p (broadcast over the classes of the
    last axis): ``(1 - t) z + (1 + (p - 1) t) · softplus(-z)``, which for p = 1 is
    ``max(z, 0) - z t + log(1 + e^{-|z|})``; ``d/dz = (1 - t) - (1 + (p - 1) t) σ(-z)``
    (= σ(z) - t for p = 1).  Finite for any logit (no exp of a large positive number is taken).
    """
    _check_reduction(reduction)
    _same_shape(logits, target, "binary_cross_entropy_with_logits")
    _check_unit_interval(target, "binary_cross_entropy_with_logits")
    sp = np.maximum(-logits, 0) + np.log1p(np.exp(-np.abs(logits)))       # softplus(-z)
    if pos_weight is None:
        per_item = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
    else:
        lw = 1 + (pos_weight - 1) * target
        per_item = (1 - target) * logits + lw * sp

    def vjp(g):
        s = _scale(g, logits.shape, reduction, logits.size)
        if pos_weight is None:
            return s * (stable_sigmoid(logits) - target), -s * logits, None
        return (s * ((1 - target) - lw * stable_sigmoid(-logits)),
                s * (-logits + (pos_weight - 1) * sp), s * target * sp)
    return np.asarray(_reduce(per_item, reduction)), vjp
