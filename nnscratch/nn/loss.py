"""Loss modules: each calls the functional loss of the same name."""
from . import functional as F
from .module import Module


class _Loss(Module):
    _fn = None

    def __init__(self, reduction: str = "mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or "
                             f"'none', got {reduction!r}")
        self.reduction = reduction

    def forward(self, pred, target):
        return type(self)._fn(pred, target, reduction=self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error."""
    _fn = staticmethod(F.mse_loss)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities."""
    _fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on logits, fused and stable."""
    _fn = staticmethod(F.binary_cross_entropy_with_logits)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits; targets are class indices or probabilities."""
    _fn = staticmethod(F.cross_entropy)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities."""
    _fn = staticmethod(F.nll_loss)
