"""Sliding windows: ``Tensor.unfold`` along one axis, and ``F.unfold``/``F.fold`` (im2col and
its adjoint col2im, in torch's ``(N, C·kh·kw, L)`` layout), each the VJP of the other.

``x.unfold(d, size, step)``: window ``w`` covers ``x[..., w·step : w·step + size, ...]`` along
``d``; there are ``(x.size(d) - size) // step + 1`` of them; the result has ``d`` of that size
and a new last axis of ``size``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted
from .conv_args import conv_output_size, pair
from .im2col import col2im_array, im2col_array


@primitive(view=True)
def unfold_dim(x, dim, size, step):
    """Windows of ``size`` every ``step`` along ``dim`` (``torch.Tensor.unfold``)."""
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    return windows[(slice(None),) * dim + (slice(None, None, step),)]


@primitive
def _unfold_dim_adjoint(g, shape, dim, size, step):
    """Windows ``g`` summed back onto zeros of ``shape``: the adjoint of :func:`unfold_dim`
    (its VJP), itself differentiable (its VJP is ``unfold_dim``)."""
    dx = np.zeros(shape, dtype=g.dtype)
    n = g.shape[dim]
    for k in range(size):       # offset k of every window: one strided slice of x
        dx[(slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
    return dx


defvjp(_unfold_dim_adjoint, lambda h, out, g, shape, dim, size, step:
       lifted(unfold_dim)(h, dim, size, step), saves=())
defvjp(unfold_dim, lambda g, out, x, dim, size, step:
       lifted(_unfold_dim_adjoint)(g, x.shape, dim, size, step), saves=())


def _geometry(kernel_size, dilation, padding, stride, owner):
    return (pair(kernel_size, "kernel_size", owner, 1), pair(dilation, "dilation", owner, 1),
            pair(padding, "padding", owner, 0), pair(stride, "stride", owner, 1))


def _unfold_array(x, kernel_size, dilation, padding, stride):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = _geometry(kernel_size, dilation, padding, stride,
                                                       "unfold")
    n, c = x.shape[:2]
    cols = im2col_array(x, kh, kw, sh, sw, ph, pw, dh, dw)      # (C·kh·kw, N·L)
    return cols.reshape(c * kh * kw, n, -1).transpose(1, 0, 2)


def _fold_array(cols, output_size, kernel_size, dilation, padding, stride):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = _geometry(kernel_size, dilation, padding, stride,
                                                       "fold")
    h, w = pair(output_size, "output_size", "fold", 1)
    n, ckk, _ = cols.shape
    c = ckk // (kh * kw)
    ho, wo = conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw)
    cols6 = cols.transpose(1, 0, 2).reshape(c, kh, kw, n, ho, wo)
    return col2im_array(np.ascontiguousarray(cols6), (n, c, h, w), sh, sw, ph, pw, dh, dw)


@primitive
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Every receptive field of ``x`` ``(N, C, H, W)`` as a column: ``(N, C·kh·kw, L)``, rows
    ordered ``(c, i, j)``, ``L = Ho·Wo`` positions row-major (``torch.nn.functional.unfold``)."""
    return _unfold_array(x, kernel_size, dilation, padding, stride)


defvjp(unfold, lambda g, out, x, kernel_size, dilation=1, padding=0, stride=1:
       lifted(fold)(g, tuple(x.shape[-2:]), kernel_size, dilation, padding, stride), saves=())


@primitive
def fold(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of :func:`unfold`: columns ``(N, C·kh·kw, L)`` summed back onto an
    ``(N, C, *output_size)`` image, overlaps adding up (``torch.nn.functional.fold``)."""
    return _fold_array(cols, output_size, kernel_size, dilation, padding, stride)


defvjp(fold, lambda g, out, cols, output_size, kernel_size, dilation=1, padding=0, stride=1:
       lifted(unfold)(g, kernel_size, dilation, padding, stride), saves=())
