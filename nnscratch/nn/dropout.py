"""Dropout layer."""
import numbers

from .. import ops
from ._checks import as_tensor
from .module import Module


class Dropout(Module):
    """Inverted dropout with probability ``p`` in training; identity in ``eval()`` mode."""

    def __init__(self, p: float = 0.5):
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"Dropout: p must be a number in [0, 1], got {type(p).__name__}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = float(p)

    def forward(self, x):
        return ops.dropout(as_tensor(x, "Dropout"), self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
