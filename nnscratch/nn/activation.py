"""Activation layers: thin wrappers over the elementwise ops."""
import numbers

from .. import ops
from ._checks import as_tensor
from .module import Module


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x):
        return ops.relu(as_tensor(x, "ReLU"))


class LeakyReLU(Module):
    """x if x > 0 else negative_slope · x."""

    def __init__(self, negative_slope: float = 0.01):
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"LeakyReLU: negative_slope must be a number, "
                            f"got {type(negative_slope).__name__}")
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return ops.leaky_relu(as_tensor(x, "LeakyReLU"), self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x):
        return ops.sigmoid(as_tensor(x, "Sigmoid"))


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x):
        return ops.tanh(as_tensor(x, "Tanh"))


class Softmax(Module):
    """Softmax along ``axis`` (``dim=``, PyTorch's name, is accepted too)."""

    def __init__(self, axis: int = -1, *, dim: int | None = None):
        self.axis = axis if dim is None else dim

    def forward(self, x):
        return ops.softmax(as_tensor(x, "Softmax"), axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    def forward(self, x):
        return ops.log_softmax(as_tensor(x, "LogSoftmax"), axis=self.axis)
