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
    """Softmax cross-entropy on logits; targets are class indices or probabilities.

    ``weight`` (per class), ``ignore_index`` and ``label_smoothing`` as torch.nn.CrossEntropyLoss
    (keywords; see :func:`nnscratch.nn.functional.cross_entropy`)."""
    _fn = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, pred, target):
        return F.cross_entropy(pred, target, reduction=self.reduction, weight=self.weight,
                               ignore_index=self.ignore_index,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities; ``weight`` and ``ignore_index`` as
    torch.nn.NLLLoss."""
    _fn = staticmethod(F.nll_loss)

    def __init__(self, weight=None, *, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, pred, target):
        return F.nll_loss(pred, target, reduction=self.reduction, weight=self.weight,
                          ignore_index=self.ignore_index)
