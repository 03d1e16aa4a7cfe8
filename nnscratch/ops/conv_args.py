"""The hyper-parameters of the sliding-window ops (convolution, pooling), parsed in one place.

``kernel_size``, ``stride``, ``padding``, ``dilation`` are an int or one int per spatial axis;
:func:`pair` reads them for 2-D ops, :func:`single` for 1-D ones and :func:`per_axis` for either
(``nd`` = 1 or 2); each error names the argument and the owner.  :func:`conv_output_size` is
the output length of a window sliding over one axis, and :func:`lift_1d` is how every 1-D
window op runs as the 2-D one: a 1-D input is a 2-D input of height 1.
"""
from __future__ import annotations

import numpy as np


def pair(value, name: str, owner: str, minimum: int = 0) -> tuple:
    """An int or a pair of ints -> a pair of Python ints, each ``>= minimum``."""
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(vals) != 2:
        raise ValueError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
        if v < minimum:
            raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
        out.append(int(v))
    return tuple(out)


def single(value, name: str, owner: str, minimum: int = 0) -> int:
    """An int (or a 1-tuple of one) for a 1-D hyper-parameter, ``>= minimum``."""
    value = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    return pair(value, name, owner, minimum)[0]


def per_axis(value, name: str, owner: str, minimum: int, nd: int) -> tuple:
    """A hyper-parameter as one int per spatial axis: ``(v,)`` for 1-D, a pair for 2-D."""
    return (single(value, name, owner, minimum),) if nd == 1 else \
        pair(value, name, owner, minimum)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """``floor((size + 2·padding - dilation·(kernel - 1) - 1) / stride) + 1``.

    With ``dilation = 1`` this is the textbook's ``(W - K + 2P)/S + 1`` (001 §9.5), rounded
    down when the stride does not divide evenly (as PyTorch does).
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def lift_1d(a: np.ndarray) -> np.ndarray:
    """A 1-D layout ``(N, C, L)`` as the 2-D ``(N, C, 1, L)`` (a view); 4-D arrays unchanged."""
    return a[:, :, None, :] if a.ndim == 3 else a
