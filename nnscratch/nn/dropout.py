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


# torch 2.13's rank rules: the ranks that pass silently, whether others are refused, and which
# ranks are one unbatched example (C, *)
_RULES = {"dropout1d": ((2, 3), True, lambda n: n == 2),
          "dropout2d": ((3, 4), False, lambda n: False),
          "dropout3d": ((4, 5), False, lambda n: n != 5)}


def channel_dropout(x, p: float, training: bool, kind: str):
    """torch 2.13's ``dropout1d/2d/3d``: the mask is drawn per ``(N, C)`` of the input read as
    ``(N, C, *)`` (``feature_dropout``), or per channel of an unbatched ``(C, *)``.  Dropout1d
    refuses other ranks; Dropout2d/3d use them as torch does, with torch's deprecation warning
    (a 2-D input to dropout2d drops single elements; a 3-D one is read as ``(N, C, L)``)."""
    expected, strict, unbatched = _RULES[kind]
    n = x.ndim
    if n not in expected:
        if strict:
            raise RuntimeError(f"{kind}: Expected {expected[0]}D or {expected[1]}D input, but "
                               f"received a {n}D input")
        warnings.warn(f"{kind}: Received a {n}-D input to {kind}, which is deprecated and will "
                      f"result in an error in a future release (as torch): {kind} drops whole "
                      f"channels of inputs with {expected[0] - 1} spatial dimensions, a channel "
                      f"dimension and an optional batch dimension", UserWarning, stacklevel=4)
    elif n == 3 and kind == "dropout2d":
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), as torch", UserWarning, stacklevel=4)
    if unbatched(n):
        return ops.feature_dropout(x.unsqueeze(0), p, training).squeeze(0)
    return ops.feature_dropout(x, p, training)


class _ChannelDropout(Dropout):
    def _drop(self, x):
        return channel_dropout(x, self.p, self.training, type(self).__name__.lower())


class Dropout1d(_ChannelDropout):
    """Channel dropout for ``(N, C, L)`` or unbatched ``(C, L)`` (torch.nn.Dropout1d)."""


class Dropout2d(_ChannelDropout):
    """Channel dropout: whole feature maps of ``(N, C, H, W)`` are zeroed with probability
    ``p`` in training (torch.nn.Dropout2d; other ranks as torch 2.13 reads them, see
    :func:`channel_dropout`); identity in ``eval()`` mode."""


class Dropout3d(_ChannelDropout):
    """Channel dropout for ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``
    (torch.nn.Dropout3d); other ranks warn and are read as unbatched, as torch 2.13."""
