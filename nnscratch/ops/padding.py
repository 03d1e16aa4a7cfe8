"""PyTorch-style padding: ``F.pad(x, (left, right, top, bottom, …), mode, value)``.

``pad`` lists (before, after) pairs from the *last* axis backwards, as torch.nn.functional.pad
does (``ops.pad_axes`` keeps NumPy's per-axis ``pad_width``).  Besides zeros or a constant, the
border can repeat the data: each padded axis is then an index map into the input, applied
with ``np.take``::

    reflect    … x2 x1 | x0 x1 x2 … | x_{n-2} x_{n-3} …      (the edge is not repeated)
    replicate  … x0 x0 | x0 x1 x2 … | x_{n-1} x_{n-1} …
    circular   … x_{n-2} x_{n-1} | x0 x1 … | x0 x1 …

and the backward pass adds each output gradient back to the input element it copied.
"""
from __future__ import annotations

import numpy as np

from ..autograd import fused
from .shape import index_select
from .shape import pad_axes as _constant_pad

MODES = ("constant", "reflect", "replicate", "circular")


def _index_map(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Input position of each of the ``lo + n + hi`` output positions along one axis."""
    p = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        p = np.abs(p) % period if period else np.zeros_like(p)
        return np.where(p >= n, period - p, p)
    if mode == "replicate":
        return np.clip(p, 0, n - 1)
    return p % n                                     # circular


def _take_pad_composite(x, *, maps):
    """The same index maps as recorded index_selects, for create_graph (engine.fused)."""
    for axis, idx in maps:
        x = index_select(x, axis, idx)
    return x


@fused(composite=_take_pad_composite)
def _take_pad(x, *, maps):
    out = x
    for axis, idx in maps:
        out = np.take(out, idx, axis=axis)

    def vjp(g):
        for axis, idx in reversed(maps):
            moved = np.moveaxis(g, axis, 0)
            acc = np.zeros((x.shape[axis],) + moved.shape[1:], dtype=g.dtype)
            np.add.at(acc, idx, moved)               # border copies add back
            g = np.moveaxis(acc, 0, axis)
        return (g,)
    return out, vjp


def pad(x, pad, mode: str = "constant", value: float | None = None):
    """torch.nn.functional.pad: ``pad = (left, right[, top, bottom[, front, back]])`` from the
    last axis backwards; ``mode`` one of ``constant`` (``value``, default 0; a negative pad
    crops that side, as torch),
    ``reflect`` (each pad < the axis length), ``replicate``, ``circular`` (each pad <= the axis
    length).  Differentiable in every mode.
    """
    xa = getattr(x, "_data", x)
    owner = "pad"
    pads = tuple(pad)
    if len(pads) % 2 or len(pads) // 2 > np.ndim(xa):
        raise ValueError(f"{owner}: pad must hold (before, after) pairs for at most "
                         f"{np.ndim(xa)} axes, got {pad!r}")
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in pads):
        raise ValueError(f"{owner}: pad sizes must be ints, got {pad!r}")
    if mode not in MODES:
        raise ValueError(f"{owner}: mode must be one of {MODES}, got {mode!r}")
    if mode != "constant" and any(v < 0 for v in pads):
        raise ValueError(f"{owner}: negative pads (crops) need mode='constant', got {pad!r} "
                         f"with mode={mode!r}")
    pairs = [(int(pads[2 * k]), int(pads[2 * k + 1])) for k in range(len(pads) // 2)]
    axes = [np.ndim(xa) - 1 - k for k in range(len(pairs))]
    if mode == "constant" and any(v < 0 for v in pads):
        # a negative pad crops that side (torch's constant_pad_nd): slice, then pad the rest
        from ..autograd.core import ShapeError
        from .indexing import getitem
        crop = [slice(None)] * np.ndim(xa)
        for axis, (lo, hi) in zip(axes, pairs):
            n = xa.shape[axis]
            if n + min(lo, 0) + min(hi, 0) < 0:
                raise ShapeError(f"{owner}: the pads {(lo, hi)} of axis {axis} crop more than "
                                 f"its {n} elements")
            crop[axis] = slice(-min(lo, 0), n + min(hi, 0))
        x = getitem(x, tuple(crop))
        xa = getattr(x, "_data", x)
        pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if mode == "constant":
        widths = [(0, 0)] * np.ndim(xa)
        for axis, pair in zip(axes, pairs):
            widths[axis] = pair
        return _constant_pad(x, widths, 0.0 if value is None else value)
    if value not in (None, 0, 0.0):
        raise ValueError(f"{owner}: value is only for mode='constant', got value={value!r} "
                         f"with mode={mode!r}")
    maps = []
    for axis, (lo, hi) in zip(axes, pairs):
        n = xa.shape[axis]
        limit = n - 1 if mode == "reflect" else n
        if max(lo, hi) > limit or n == 0:
            bound = "<" if mode == "reflect" else "<="
            raise ValueError(f"{owner}: mode={mode!r} needs pads {bound} the axis length {n}, "
                             f"got ({lo}, {hi}) for axis {axis}")
        if lo or hi:
            maps.append((axis, _index_map(n, lo, hi, mode)))
    return _take_pad(x, maps=tuple(maps)) if maps else x
