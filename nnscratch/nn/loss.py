"""Loss modules: each calls the functional loss of the same name with its stored options.

Constructors take torch's arguments in torch's order, including the deprecated
``size_average``/``reduce`` pair, which sets ``reduction`` as torch does (with its warning)."""
from __future__ import annotations

import warnings
from typing import Any, Callable

from . import functional as F
from .module import Module


def _legacy_reduction(size_average: bool | None, reduce: bool | None, owner: str) -> str:
    """torch's ``_Reduction.legacy_get_string``: both unset or true -> "mean", reduce only ->
    "sum", reduce=False -> "none"."""
    warnings.warn(f"{owner}: size_average and reduce are deprecated (as in torch); use "
                  f"reduction", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


class _Loss(Module):
    """``forward(pred, target) = _fn(pred, target, reduction=…, **options)``; the options a
    subclass passes to ``__init__`` are also kept as attributes (``self.beta``, …)."""
    _fn: Callable[..., Any] | None = None

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", **options: Any):
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce, type(self).__name__)
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or "
                             f"'none', got {reduction!r}")
        self.reduction = reduction
        self._options = tuple(options)
        for name, value in options.items():
            setattr(self, name, value)

    def forward(self, pred, target):
        options = {name: getattr(self, name) for name in self._options}
        return type(self)._fn(pred, target, reduction=self.reduction, **options)


class MSELoss(_Loss):
    """Mean squared error."""
    _fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error."""
    _fn = staticmethod(F.l1_loss)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above (torch.nn.SmoothL1Loss)."""
    _fn = staticmethod(F.smooth_l1_loss)

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction, beta=beta)


class HuberLoss(_Loss):
    """Quadratic up to ``delta``, linear beyond (torch.nn.HuberLoss)."""
    _fn = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(None, None, reduction, delta=delta)


def _weighted(loss, weight, reduction: str):
    """``loss`` (unreduced) times ``weight`` (broadcast), then reduced (torch's ``weight``
    of the binary cross-entropies: a rescaling of each element's loss)."""
    loss = loss * weight
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities; ``weight`` rescales each element's loss."""

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def forward(self, prob, target):
        if self.weight is None:
            return F.binary_cross_entropy(prob, target, reduction=self.reduction)
        return _weighted(F.binary_cross_entropy(prob, target, reduction="none"), self.weight,
                         self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on logits, fused and stable.  ``weight`` rescales each
    element's loss; ``pos_weight`` (per class, broadcast over the last axis) weighs the
    positive term: ``-[pos_weight · y log σ(z) + (1 - y) log(1 - σ(z))]``, as torch."""

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(size_average, reduce, reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, logits, target):
        if self.weight is None and self.pos_weight is None:
            return F.binary_cross_entropy_with_logits(logits, target, reduction=self.reduction)
        from .. import ops
        from .._checks import as_tensor
        z = as_tensor(logits, "BCEWithLogitsLoss")
        y = as_tensor(target, "BCEWithLogitsLoss").to(z.dtype)
        if self.pos_weight is None:
            loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
        else:   # (1 - y) z + (1 + (pw - 1) y) softplus(-z): log σ(z) = -softplus(-z)
            loss = (1 - y) * z + (1 + (self.pos_weight - 1) * y) * ops.softplus(-z)
        return _weighted(loss, 1.0 if self.weight is None else self.weight, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits; targets are class indices or probabilities.

    ``weight`` (per class), ``ignore_index`` and ``label_smoothing`` as torch.nn.CrossEntropyLoss
    (see :func:`nnscratch.nn.functional.cross_entropy`)."""
    _fn = staticmethod(F.cross_entropy)

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(size_average, reduce, reduction, weight=weight,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities; ``weight`` and ``ignore_index`` as
    torch.nn.NLLLoss."""
    _fn = staticmethod(F.nll_loss)

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction, weight=weight,
                         ignore_index=ignore_index)
