"""More activation layers (torch.nn's names and arguments), each calling its functional."""
from __future__ import annotations

from . import _functional_ops_index as F
from .activation import _Activation


class Hardtanh(_Activation):
    """``clamp(x, min_val, max_val)`` (torch.nn.Hardtanh)."""
    _op, _params = staticmethod(F.hardtanh), ("min_val", "max_val", "inplace")

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        if min_value is not None:        # torch's deprecated spellings, still accepted
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val "
                             f"({max_val})")
        self.min_val, self.max_val, self.inplace = float(min_val), float(max_val), bool(inplace)


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)`` (torch.nn.ReLU6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)


class Hardsigmoid(_Activation):
    """``clamp(x/6 + 1/2, 0, 1)`` (torch.nn.Hardsigmoid)."""
    _op, _params = staticmethod(F.hardsigmoid), ("inplace",)

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)


class Hardswish(Hardsigmoid):
    """``x · hardsigmoid(x)`` (torch.nn.Hardswish)."""
    _op = staticmethod(F.hardswish)


class SELU(Hardsigmoid):
    """Scaled ELU (torch.nn.SELU)."""
    _op = staticmethod(F.selu)


class Mish(Hardsigmoid):
    """``x · tanh(softplus(x))`` (torch.nn.Mish)."""
    _op = staticmethod(F.mish)


class CELU(_Activation):
    """``max(0, x) + min(0, α (e^{x/α} - 1))`` (torch.nn.CELU)."""
    _op, _params = staticmethod(F.celu), ("alpha", "inplace")

    def __init__(self, alpha=1.0, inplace=False):
        self.alpha, self.inplace = float(alpha), bool(inplace)


class Softsign(_Activation):
    """``x / (1 + |x|)`` (torch.nn.Softsign)."""
    _op = staticmethod(F.softsign)


class LogSigmoid(_Activation):
    """``log σ(x)`` (torch.nn.LogSigmoid)."""
    _op = staticmethod(F.logsigmoid)


class Softmin(_Activation):
    """``softmax(-x, dim)`` (torch.nn.Softmin)."""
    _op, _params = staticmethod(F.softmin), ("dim",)

    def __init__(self, dim=None):
        self.dim = dim


class Unfold(_Activation):
    """Receptive fields as columns (torch.nn.Unfold)."""
    _op, _params = staticmethod(F.unfold), ("kernel_size", "dilation", "padding", "stride")

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        self.kernel_size, self.dilation, self.padding, self.stride = (kernel_size, dilation,
                                                                      padding, stride)


class Fold(_Activation):
    """Columns summed back into an image (torch.nn.Fold)."""
    _op = staticmethod(F.fold)
    _params = ("output_size", "kernel_size", "dilation", "padding", "stride")

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride
