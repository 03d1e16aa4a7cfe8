"""Correlation and convolution of signals and images, as the textbook defines them (001 §9.3–9.4).

*Correlation* slides the filter over the signal and takes dot products (001 eq. 9.1)::

    z_i = Σ_j x_{i+j} w_j

*Convolution* does the same with the filter flipped about its midpoint (001 eq. 9.3), in both
axes for images (eq. 9.5).  For a filter symmetric about its midpoint the two are equal.  What
ConvNet layers call "convolution" (``nnscratch.nn.Conv2d``, PyTorch's) is the correlation.

``mode`` decides what happens at the borders (the zero padding the textbook mentions):

* ``"valid"``: only positions where the filter lies wholly inside the input,
  length ``n - k + 1``;
* ``"same"``: the centre ``n`` values of ``"full"``, so the output has the input's size (for
  an odd filter: the filter centred on each sample, as in eq. 9.1 with ``-k <= j <= k``);
* ``"full"``: every position where filter and input overlap, length ``n + k - 1``.

The results equal ``np.correlate`` / ``np.convolve`` (1-D) and ``scipy.signal.correlate`` /
``convolve`` (1-D and 2-D; for an even filter SciPy's ``correlate2d`` centres "same" one sample
the other way).  Both are computed
with :func:`im2col` and one matrix-vector product.  :func:`im2col` and :func:`col2im` are
re-exported here for teaching (001 §9.7).
"""
from __future__ import annotations

import numpy as np

from .ops.im2col import col2im, im2col, windows

__all__ = ["correlate", "convolve", "im2col", "col2im"]

_MODES = ("full", "same", "valid")


def _check(x, w, mode, owner):
    if mode not in _MODES:
        raise ValueError(f"{owner}: mode must be one of {_MODES}, got {mode!r}")
    x = np.asarray(getattr(x, "_data", x))
    w = np.asarray(getattr(w, "_data", w))
    for name, a in (("x", x), ("w", w)):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{owner}: {name} must be numeric, got dtype {a.dtype}")
        if a.ndim not in (1, 2):
            raise ValueError(f"{owner}: {name} must be 1-D (a signal) or 2-D (an image), "
                             f"got shape {a.shape}")
        if a.size == 0:
            raise ValueError(f"{owner}: {name} must not be empty, got shape {a.shape}")
    if x.ndim != w.ndim:
        raise ValueError(f"{owner}: x and w must both be 1-D or both 2-D, got shapes "
                         f"{x.shape} and {w.shape}")
    if mode == "valid" and any(k > n for k, n in zip(w.shape, x.shape)):
        raise ValueError(f"{owner}: in mode 'valid' the filter w {w.shape} must not be larger "
                         f"than x {x.shape}")
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False)


def _correlate(x, w, mode):
    one_d = x.ndim == 1
    x2, w2 = (x[None], w[None]) if one_d else (x, w)
    kh, kw = w2.shape
    if mode == "valid":
        pads = ((0, 0), (0, 0))
    elif mode == "full":
        pads = ((kh - 1, kh - 1), (kw - 1, kw - 1))
    else:   # "same": the centred part of "full" (an even filter has one more zero in front)
        pads = tuple((k // 2, (k - 1) // 2) for k in (kh, kw))
    if one_d:
        pads = ((0, 0), pads[1])
    xp = np.pad(x2, pads)
    view = windows(xp[None, None], kh, kw, 1, 1)[0, 0]     # (kh, kw, Ho, Wo), no copy
    ho, wo = view.shape[2:]
    z = w2.reshape(1, -1) @ view.reshape(kh * kw, ho * wo)  # one product: Trow @ Xcol
    z = z.reshape(ho, wo)
    return z[0] if one_d else z


def correlate(x, w, mode: str = "valid") -> np.ndarray:
    """Correlate a signal or image ``x`` with a filter ``w`` (001 eq. 9.1, 9.5 without flip).

    ``z[i] = Σ_j x[i + j] · w[j]`` (1-D), ``Z[i, j] = Σ_{a,b} X[i + a, j + b] · W[a, b]`` (2-D),
    indices counted from the first position of ``mode`` (see the module docstring).

    Shape: x ``(n,)`` and w ``(k,)``, or x ``(H, W)`` and w ``(kh, kw)``; the output length per
    axis is ``n - k + 1`` ("valid", the default, like ``np.correlate``), ``n`` ("same") or
    ``n + k - 1`` ("full").  Matches ``np.correlate`` and ``scipy.signal.correlate``.
    """
    x, w = _check(x, w, mode, "correlate")
    return _correlate(x, w, mode)


def convolve(x, w, mode: str = "full") -> np.ndarray:
    """Convolve: correlate with the filter flipped in every axis (001 eq. 9.3, 9.5).

    ``z[i] = Σ_j x[i - j] · w[j]``; equal to :func:`correlate` when ``w`` is symmetric about its
    midpoint.  Default mode ``"full"`` as ``np.convolve``.  Matches ``np.convolve`` and
    ``scipy.signal.convolve`` (and ``convolve2d``).
    """
    x, w = _check(x, w, mode, "convolve")
    return _correlate(x, w[::-1] if w.ndim == 1 else w[::-1, ::-1], mode)
