"""``F.interpolate``: resizing ``(N, C, *spatial)`` as one linear map per spatial axis.

Every mode torch offers here is separable: output position ``o`` along an axis is a weighted
sum of input positions, ``y = W x`` with ``W`` of shape ``(out, in)``, applied axis by axis
(bilinear = linear ∘ linear, bicubic = cubic ∘ cubic, as torch's kernels compute them); the
VJP is ``Wᵀ g``.  The rows of ``W`` follow torch's source-index rules (aten UpSample.h):

* the scale: ``(in - 1)/(out - 1)`` with ``align_corners`` (0 for ``out == 1``); otherwise
  ``1/scale_factor`` when a scale factor was given (and not recomputed), else ``in/out``;
* nearest: ``min(floor(o · scale), in - 1)`` (in float32, as torch);
  nearest-exact: ``min(floor((o + 0.5) · scale), in - 1)``;
* linear: ``s = o · scale`` (align_corners) or ``(o + 0.5) · scale - 0.5`` clamped at 0; weights
  ``1 - t`` and ``t`` at ``floor(s)`` and the next index (the same one at the edge);
* cubic (Keys, A = -0.75): ``s`` as linear but not clamped; four taps at ``floor(s) - 1 … + 2``,
  indices clamped into the input;
* area: adaptive average pooling's windows.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted

_CUBIC_A = -0.75
_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 3, "bilinear": 4,
          "bicubic": 4, "trilinear": 5}


@primitive
def resample_axis(x, w, axis):
    """``y = W x`` along ``axis``: ``y[..., o, ...] = Σ_i W[o, i] x[..., i, ...]``."""
    return np.moveaxis(np.tensordot(w, x, axes=([1], [axis])), 0, axis)


# linear in x: the VJP resamples with the transposed matrix, as a recorded op under
# create_graph (differentiable to any order)
defvjp(resample_axis, lambda g, out, x, w, axis: lifted(resample_axis)(g, w.T, axis), None,
       saves=())


def _scale(n_in, n_out, align_corners, scale_factor):
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale_factor if scale_factor else n_in / n_out


def _cubic(t):
    """Keys' cubic convolution weights of the taps at offsets -1, 0, 1, 2 for fraction t."""
    a = _CUBIC_A

    def near(d):           # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):            # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)


def weights(n_in, n_out, mode, align_corners=False, scale_factor=None):
    """The ``(n_out, n_in)`` float64 matrix of one axis for ``mode`` (see the module doc)."""
    from .pool import _averaging_matrix
    if mode == "area":
        return _averaging_matrix(n_in, n_out, np.float64)
    w = np.zeros((n_out, n_in))
    o = np.arange(n_out)
    rows = o[:, None]
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(1.0 / scale_factor if scale_factor else n_in / n_out)
        pos = o.astype(np.float32) + np.float32(0.5 if mode == "nearest-exact" else 0)
        src = np.minimum(np.floor(pos * s).astype(np.int64), n_in - 1)
        w[o, src] = 1
        return w
    scale = _scale(n_in, n_out, align_corners, scale_factor)
    src = o * scale if align_corners else (o + 0.5) * scale - 0.5
    if mode == "bicubic":
        base = np.floor(src).astype(np.int64)
        taps = np.clip(base[:, None] + np.arange(-1, 3), 0, n_in - 1)
        np.add.at(w, (np.broadcast_to(rows, taps.shape), taps), _cubic(src - base))
        return w
    src = np.maximum(src, 0)
    lo = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    t = src - lo
    np.add.at(w, (o, lo), 1 - t)
    np.add.at(w, (o, hi), t)
    return w


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize ``x`` ``(N, C, *spatial)`` to ``size`` or by ``scale_factor`` (one number or one
    per spatial axis; the output size is ``floor(in · scale_factor)``), with torch's ``mode``s
    ``nearest``, ``nearest-exact``, ``linear`` (3-D input), ``bilinear``/``bicubic`` (4-D),
    ``trilinear`` (5-D) and ``area`` (``torch.nn.functional.interpolate``)."""
    from ..autograd.core import TensorBase as Tensor
    from ..autograd.core import _to_array
    x = x if isinstance(x, Tensor) else Tensor._wrap(_to_array(x))
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode must be one of {sorted(_MODES)}, got "
                                  f"{mode!r}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented")
    nd = x.ndim - 2
    if nd < 1 or _MODES[mode] is not None and x.ndim != _MODES[mode]:
        need = f"{_MODES[mode]}D" if _MODES[mode] else "3D, 4D or 5D"
        raise NotImplementedError(f"interpolate: got {x.ndim}D input, but {mode} mode needs "
                                  f"{need} input")
    linear = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if align_corners is not None and not linear:
        raise ValueError("interpolate: align_corners option can only be set with the "
                         "interpolating modes: linear | bilinear | bicubic | trilinear")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    spatial = x.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd:
            raise ValueError(f"interpolate: size must have {nd} elements for a {x.ndim}D "
                             f"input, got {size!r}")
        sizes = tuple(int(s) for s in sizes)
        scales = (None,) * nd
    else:
        scales = (tuple(float(s) for s in scale_factor)
                  if isinstance(scale_factor, (tuple, list)) else (float(scale_factor),) * nd)
        if len(scales) != nd:
            raise ValueError(f"interpolate: scale_factor must have {nd} elements for a "
                             f"{x.ndim}D input, got {scale_factor!r}")
        sizes = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
        if recompute_scale_factor or mode == "area":
            scales = (None,) * nd
    if any(s <= 0 for s in sizes):
        raise ValueError(f"interpolate: the output size {sizes} must be positive (input "
                         f"{tuple(spatial)})")
    out = x
    for i, (n_in, n_out, s) in enumerate(zip(spatial, sizes, scales)):
        if n_in == n_out and mode != "bicubic" and (s is None or s == 1.0):
            continue                       # the identity (torch copies; values are equal)
        w = weights(n_in, n_out, mode, bool(align_corners), s).astype(x.dtype)
        out = resample_axis(out, w, 2 + i)
    return out if out is not x else x.clone()
