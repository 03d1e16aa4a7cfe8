"""Dropout layer."""
import numbers

from .. import ops
from .._checks import as_tensor
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
        return f"p={self.p}, inplace=False"      # torch's repr; there is no in-place dropout


class Dropout2d(Dropout):
    """Channel dropout: whole feature maps of ``(N, C, H, W)`` are zeroed with probability
    ``p`` in training (torch.nn.Dropout2d); identity in ``eval()`` mode."""
    _ndim = 4

    def forward(self, x):
        x = as_tensor(x, type(self).__name__)
        if x.ndim != self._ndim:
            raise ValueError(f"{type(self).__name__}: expected a {self._ndim}-D input, got "
                             f"shape {tuple(x.shape)}")
        return ops.dropout_channels(x, self.p, self.training)


class Dropout1d(Dropout2d):
    """Channel dropout for ``(N, C, L)`` (torch.nn.Dropout1d)."""
    _ndim = 3
