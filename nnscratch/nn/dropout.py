"""Dropout layers: elementwise (``Dropout``) and channel-wise (``Dropout1d/2d/3d``)."""
import numbers
import warnings

from .. import ops
from .._checks import as_tensor
from .module import Module


class Dropout(Module):
    """Inverted dropout with probability ``p`` in training; identity in ``eval()`` mode.

    ``inplace=True`` overwrites the input with the result (through ``copy_``, so autograd and
    the version counter see torch's in-place op; the values and gradients are the same)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        name = type(self).__name__
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"{name}: p must be a number in [0, 1], got {type(p).__name__}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name}: p must be in [0, 1], got {p}")
        self.p = float(p)
        self.inplace = bool(inplace)

    def _drop(self, x):
        return ops.dropout(x, self.p, self.training)

    def forward(self, x):
        x = as_tensor(x, type(self).__name__)
        if self.inplace and self.training and self.p > 0:
            return x.copy_(self._drop(x.clone()))
        return self._drop(x)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class _ChannelDropout(Dropout):
    """torch 2.13's channel dropout: the mask is drawn per ``(N, C)`` of the input read as
    ``(N, C, *)`` (``feature_dropout``); an input for which ``_unbatched(ndim)`` holds is one
    example ``(C, *)``.  ``_expected`` dimensions pass silently; ``_strict`` refuses the
    others, else they are used as torch uses them, with torch's deprecation warning."""
    _expected: tuple = ()
    _strict = False

    def _unbatched(self, n: int) -> bool:
        return False

    def _drop(self, x):
        name, fname = type(self).__name__, type(self).__name__.lower()
        n = x.ndim
        if n not in self._expected:
            spatial = self._expected[0] - 1
            if self._strict:
                raise RuntimeError(f"{fname}: Expected {self._expected[0]}D or "
                                   f"{self._expected[1]}D input, but received a {n}D input")
            warnings.warn(f"{fname}: Received a {n}-D input to {fname}, which is deprecated "
                          f"and will result in an error in a future release (as torch): "
                          f"{name} drops whole channels of inputs with {spatial} spatial "
                          f"dimensions, a channel dimension and an optional batch dimension",
                          UserWarning, stacklevel=4)
        elif n == 3 and fname == "dropout2d":
            warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                          "channel-wise 1D dropout behavior is desired - input is interpreted "
                          "as shape (N, C, L), as torch", UserWarning, stacklevel=4)
        if self._unbatched(n):
            return ops.feature_dropout(x.unsqueeze(0), self.p, self.training).squeeze(0)
        if n < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        return ops.feature_dropout(x, self.p, self.training)


class Dropout1d(_ChannelDropout):
    """Channel dropout for ``(N, C, L)`` or unbatched ``(C, L)`` (torch.nn.Dropout1d)."""
    _expected, _strict = (2, 3), True

    def _unbatched(self, n):
        return n == 2


class Dropout2d(_ChannelDropout):
    """Channel dropout: whole feature maps of ``(N, C, H, W)`` are zeroed with probability
    ``p`` in training (torch.nn.Dropout2d); identity in ``eval()`` mode.  As torch 2.13, a
    3-D input is read as ``(N, C, L)`` and other ranks warn (a 2-D input drops single
    elements)."""
    _expected = (3, 4)


class Dropout3d(_ChannelDropout):
    """Channel dropout for ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``
    (torch.nn.Dropout3d); other ranks warn and are read as unbatched, as torch 2.13."""
    _expected = (4, 5)

    def _unbatched(self, n):
        return n != 5
