"""Activation layers: thin wrappers over the elementwise ops."""
from typing import Any, Callable

from .. import ops
from .._checks import as_tensor, check_number
from .module import Module


class _Activation(Module):
    """``forward(x) = _op(x, *[getattr(self, p) for p in _params])``."""
    _op: Callable[..., Any] | None = None
    _params: tuple[str, ...] = ()

    def forward(self, x):
        args = [getattr(self, p) for p in self._params]
        return type(self)._op(as_tensor(x, type(self).__name__), *args)

    def extra_repr(self):
        return ", ".join(f"{p}={getattr(self, p)}" for p in self._params)


class _MaybeInPlace(_Activation):
    """An activation with torch's ``inplace`` flag: the result overwrites the input (through
    ``copy_``, so autograd and the version counter see it as torch's in-place op).  The op
    reads a copy, since its backward may need the input that is overwritten: the values and
    gradients are torch's, the memory saving is not."""
    inplace = False

    def forward(self, x):
        if not self.inplace:
            return super().forward(x)
        x = as_tensor(x, type(self).__name__)
        return x.copy_(super().forward(x.clone()))

    def extra_repr(self):
        s = super().extra_repr()
        return s + (", " if s else "") + "inplace=True" if self.inplace else s


class ReLU(_MaybeInPlace):
    """max(x, 0); ``inplace=True`` overwrites the input, as torch.nn.ReLU."""
    _op = staticmethod(ops.relu)

    def __init__(self, inplace: bool = False):
        self.inplace = bool(inplace)


class LeakyReLU(_MaybeInPlace):
    """x if x > 0 else negative_slope · x; ``inplace`` as torch.nn.LeakyReLU."""
    _op, _params = staticmethod(ops.leaky_relu), ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        self.negative_slope = check_number(negative_slope, "negative_slope", "LeakyReLU")
        self.inplace = bool(inplace)


class Sigmoid(_Activation):
    """1 / (1 + e^-x)."""
    _op = staticmethod(ops.sigmoid)


class Tanh(_Activation):
    """tanh(x)."""
    _op = staticmethod(ops.tanh)


class ELU(_MaybeInPlace):
    """x if x > 0 else alpha (e^x - 1); matches torch.nn.ELU (``inplace`` as there)."""
    _op, _params = staticmethod(ops.elu), ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        self.alpha = check_number(alpha, "alpha", "ELU")
        self.inplace = bool(inplace)


class SiLU(_MaybeInPlace):
    """x σ(x) (swish); matches torch.nn.SiLU (``inplace`` as there)."""
    _op = staticmethod(ops.silu)

    def __init__(self, inplace: bool = False):
        self.inplace = bool(inplace)


class Softplus(_Activation):
    """log(1 + e^{βx}) / β, linear where βx > threshold; matches torch.nn.Softplus."""
    _op, _params = staticmethod(ops.softplus), ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta = check_number(beta, "beta", "Softplus")
        self.threshold = check_number(threshold, "threshold", "Softplus")
        if not self.beta > 0:
            raise ValueError(f"Softplus: beta must be > 0, got {beta!r}")


class Softmax(Module):
    """Softmax along ``dim`` (torch's name; ``axis=`` is accepted too, NumPy's)."""

    def __init__(self, dim: int | None = None, *, axis: int | None = None):
        # torch's dim=None picks a dimension implicitly (deprecated); here it is the last
        self.axis = -1 if dim is None and axis is None else (dim if axis is None else axis)

    def forward(self, x):
        return ops.softmax(as_tensor(x, "Softmax"), axis=self.axis)

    def extra_repr(self):
        return f"dim={self.axis}"


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    def forward(self, x):
        return ops.log_softmax(as_tensor(x, "LogSoftmax"), axis=self.axis)
