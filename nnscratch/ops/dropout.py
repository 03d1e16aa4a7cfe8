"""Inverted dropout: zero each unit with probability p, scale survivors by 1/(1-p)."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from .. import random as _random
from ..autograd import fused

if TYPE_CHECKING:   # annotations only
    from .._types import TensorLike
    from ..autograd.core import TensorBase as Tensor



@fused(linear=True)
def _dropout(x, p, mask_shape=None):
    keep = _random.generator().random(x.shape if mask_shape is None else mask_shape) >= p
    mask = keep.astype(x.dtype) / x.dtype.type(1 - p)
    return x * mask, lambda g: (g * mask,)


def dropout(x: TensorLike, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout (Srivastava et al. 2014), as torch.nn.functional.dropout.

    In training each element is zeroed with probability ``p`` and the rest are scaled by
    ``1/(1-p)`` so the expected activation is unchanged; in evaluation it is the identity.
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"dropout: p must be a number in [0, 1], got {type(p).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not hasattr(x, "shape") or isinstance(x, (str, bytes)):
        raise TypeError(f"dropout(): argument 'input' must be Tensor, not {type(x).__name__}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return _dropout(x, p)


def feature_dropout(x, p=0.5, training=True):
    """torch's ``feature_dropout``: the mask is drawn per ``(N, C)`` of an ``(N, C, *)``
    input and broadcast over ``*`` (for a 2-D input, per element)."""
    xa = getattr(x, "_data", x)
    if np.ndim(xa) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"feature_dropout: p must be a number in [0, 1], got {p!r}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return _dropout(x, p, mask_shape=np.shape(xa)[:2] + (1,) * (np.ndim(xa) - 2))


def dropout_channels(x, p=0.5, training=True):
    """Channel dropout (torch's dropout1d/dropout2d; Tompson et al. 2015): each channel of
    each example — a whole ``(*)`` map of ``(N, C, *)`` — is zeroed with probability p, the
    rest scaled by 1/(1-p); neighbouring activations of a map are correlated, so dropping
    single ones would barely regularise a convolutional layer."""
    if np.ndim(getattr(x, "_data", x)) < 3:
        raise ValueError(f"dropout_channels: expected an input (N, C, *), got shape "
                         f"{np.shape(getattr(x, '_data', x))}")
    return feature_dropout(x, p, training)
