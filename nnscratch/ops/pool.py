"""Max and average pooling (001 §9.9) with analytic backward passes.

Both loop over the ``kh·kw`` offsets of the pooling window only: for offset ``(i, j)`` the
strided slice ``xpad[..., i·d::s, j·d::s]`` holds that window element for *every* output pixel at
once, so each iteration is one vectorised NumPy operation (no Python loop over pixels).

Max pooling routes each output's gradient to the element that won the max.  Ties go to the
*first* maximum in row-major window order, which is PyTorch's CPU choice; with overlapping
windows (``stride < kernel``) an input that wins several windows collects all their gradients.
A window holding NaN outputs NaN, as in PyTorch, but routes no gradient.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import fused
from ..autograd.core import ShapeError
from ..autograd.core import TensorBase as Tensor  # every tensor is one
from .conv_args import conv_output_size, lift_1d, pair, per_axis
from .conv_args import single as _one
from .im2col import pad_hw
from .indexing import getitem, unindex
from .shape import gather, pad_axes, reshape

if TYPE_CHECKING:   # annotations only
    from .._types import Size, TensorLike


def pool_output_size(size: int, kernel: int, stride: int, padding: int = 0, dilation: int = 1,
                     ceil_mode: bool = False) -> int:
    """``floor`` (or with ``ceil_mode`` ``ceil``) of ``(size + 2P - D(K-1) - 1)/S``, plus 1.

    In ceil mode a last, partial window is kept only if it starts inside the input or its left
    padding (PyTorch's rule), so no window lies entirely in the padding.
    """
    if not ceil_mode:
        return conv_output_size(size, kernel, stride, padding, dilation)
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _geometry(h, w, kernel, stride, padding, dilation, ceil_mode):
    """Output size ``(ho, wo)`` and the extra bottom/right padding ``(eh, ew)`` that the
    partial windows of ceil mode reach into."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho = pool_output_size(h, kh, sh, ph, dh, ceil_mode)
    wo = pool_output_size(w, kw, sw, pw, dw, ceil_mode)
    eh = max(0, (ho - 1) * sh + dh * (kh - 1) + 1 - (h + 2 * ph))
    ew = max(0, (wo - 1) * sw + dw * (kw - 1) + 1 - (w + 2 * pw))
    return ho, wo, eh, ew


def _slices(kh, kw, sh, sw, dh, dw, ho, wo):
    """For each window offset ``(i, j)``, row-major: the (rows, columns) slices of the padded
    input that hold that window element for every output pixel."""
    for i in range(kh):
        for j in range(kw):
            yield (slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                   slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))



def _overlapping(kh, kw, sh, sw, dh, dw):
    return sh < dh * (kh - 1) + 1 or sw < dw * (kw - 1) + 1


def _max_pool_composite(x, *, kernel, stride, padding, dilation, ceil_mode=False):
    """Max pooling from recorded ops, for create_graph (engine.fused): each window's winner
    (the kernel's rule, first maximum or last NaN) gathered from the flattened plane."""
    idx = _argmax_indices(x._data, kernel, stride, padding, dilation, ceil_mode)
    xl = lift_1d(x)
    n, c, h, w = xl.shape
    out = reshape(gather(reshape(xl, (n, c, h * w)), 2, idx.reshape(n, c, -1)), idx.shape)
    return getitem(out, (slice(None), slice(None), 0)) if x.ndim == 3 else out


@fused(composite=_max_pool_composite)
def _max_pool(x, *, kernel, stride, padding, dilation, ceil_mode=False):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    x_shape = x.shape
    x = lift_1d(x)
    h, w = x.shape[2:]
    ho, wo, eh, ew = _geometry(h, w, kernel, stride, padding, dilation, ceil_mode)
    xp = pad_hw(x, ph, pw, -np.inf, eh, ew)       # padding never wins the max
    offsets = list(_slices(kh, kw, sh, sw, dh, dw, ho, wo))
    # order="K" keeps the input's memory layout (a conv output is stored channel-major)
    first = (..., *offsets[0])
    m = xp[first].copy(order="K")
    for sy, sx in offsets[1:]:
        np.maximum(m, xp[..., sy, sx], out=m)
    out = m if len(x_shape) == 4 else m[:, :, 0, :]

    def vjp(g):
        # contiguous first: a conv's input gradient arrives as a transposed view (col2im's
        # layout), and the kh·kw strided passes below each read it (measured: 13% of this
        # backward for the bench ConvNet's first pool)
        g = np.ascontiguousarray(lift_1d(g))
        if np.isnan(m).any():
            # a NaN wins its window (the last NaN in window order, as in PyTorch), and NaN ==
            # NaN is False below: route each window's gradient to its winner by index instead
            return (_route_to_winners(g, _argmax_indices(x, kernel, stride, padding, dilation,
                                                         ceil_mode), x.shape).reshape(x_shape),)
        overlap = _overlapping(kh, kw, sh, sw, dh, dw)
        if (sh, sw, dh, dw, ph, pw) == (kh, kw, 1, 1, 0, 0):
            # the windows tile the input: every pixel is written below except the leftover
            # rows and columns past the last window, so only those need zeros
            dxp = np.empty_like(xp, dtype=g.dtype)
            dxp[..., ho * sh:, :] = 0
            dxp[..., :, wo * sw:] = 0
        else:
            dxp = np.zeros_like(xp, dtype=g.dtype)
        taken = None                     # outputs whose argmax was already found
        for k, (sy, sx) in enumerate(offsets):
            hit = xp[..., sy, sx] == m
            if taken is not None:
                hit = np.greater(hit, taken)      # hit and not taken: the first max wins ties
            if k < len(offsets) - 1:
                taken = hit if taken is None else np.logical_or(taken, hit, out=taken)
            if overlap:
                dxp[..., sy, sx] += g * hit
            else:
                np.multiply(g, hit, out=dxp[..., sy, sx])
        dx = dxp[..., ph:ph + h, pw:pw + w]
        return (dx.reshape(x_shape),)
    return out, vjp


def _avg_divisor(h, w, padded, kernel, padding, extra, offsets, count_include_pad, dtype):
    """How many cells each window averages: the real pixels, plus the zero padding with
    count_include_pad, never the overhang of ceil mode's partial windows (PyTorch)."""
    (kh, kw), (ph, pw), (eh, ew) = kernel, padding, extra
    if eh == ew == 0 and (count_include_pad or (ph == 0 and pw == 0)):
        return np.asarray(kh * kw, dtype=dtype)
    counted = np.zeros((1, 1) + tuple(padded), dtype=dtype)
    if count_include_pad:
        counted[..., :h + 2 * ph, :w + 2 * pw] = 1
    else:
        counted[..., ph:ph + h, pw:pw + w] = 1
    return sum(counted[..., sy, sx] for sy, sx in offsets)


def _avg_pool_composite(x, *, kernel, stride, padding, count_include_pad, ceil_mode=False):
    """Average pooling from recorded ops, for create_graph (engine.fused): the sum of the
    window's shifted slices of the padded input over the divisor."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xl = lift_1d(x)
    h, w = xl.shape[2:]
    ho, wo, eh, ew = _geometry(h, w, kernel, stride, padding, (1, 1), ceil_mode)
    xp = pad_axes(xl, ((0, 0), (0, 0), (ph, ph + eh), (pw, pw + ew)))
    offsets = list(_slices(kh, kw, sh, sw, 1, 1, ho, wo))
    total = sum(getitem(xp, (slice(None), slice(None), sy, sx)) for sy, sx in offsets)
    out = total / _avg_divisor(h, w, xp.shape[2:], kernel, padding, (eh, ew), offsets,
                               count_include_pad, x.dtype)
    return getitem(out, (slice(None), slice(None), 0)) if x.ndim == 3 else out


@fused(composite=_avg_pool_composite)
def _avg_pool(x, *, kernel, stride, padding, count_include_pad, ceil_mode=False):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    x_shape = x.shape
    x = lift_1d(x)
    h, w = x.shape[2:]
    ho, wo, eh, ew = _geometry(h, w, kernel, stride, padding, (1, 1), ceil_mode)
    xp = pad_hw(x, ph, pw, 0.0, eh, ew)
    offsets = list(_slices(kh, kw, sh, sw, 1, 1, ho, wo))
    first = (..., *offsets[0])
    total = xp[first].copy(order="K")
    for sy, sx in offsets[1:]:
        total += xp[..., sy, sx]
    divisor = _avg_divisor(h, w, xp.shape[2:], kernel, padding, (eh, ew), offsets,
                           count_include_pad, x.dtype)
    out = total / divisor
    if len(x_shape) == 3:
        out = out[:, :, 0, :]

    def vjp(g):
        g = lift_1d(g)
        gd = g / divisor
        dxp = np.zeros_like(xp, dtype=g.dtype)
        for sy, sx in offsets:
            dxp[..., sy, sx] += gd
        return (dxp[..., ph:ph + h, pw:pw + w].reshape(x_shape),)
    return out, vjp


def _argmax_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """Flat index ``row·W + column`` in the unpadded ``(H, W)`` plane of each window's winner:
    the first maximum in row-major window order, or the last NaN if there is one (as in
    PyTorch)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    x = lift_1d(x)
    h, w = x.shape[2:]
    ho, wo, eh, ew = _geometry(h, w, kernel, stride, padding, dilation, ceil_mode)
    xp = pad_hw(x, ph, pw, -np.inf, eh, ew)
    best = np.full(x.shape[:2] + (ho, wo), -np.inf, dtype=x.dtype)
    idx = np.zeros(best.shape, dtype=np.int64)
    rows, cols = np.arange(ho) * sh - ph, np.arange(wo) * sw - pw
    for k, (sy, sx) in enumerate(_slices(kh, kw, sh, sw, dh, dw, ho, wo)):
        i, j = divmod(k, kw)
        v = xp[..., sy, sx]
        better = (v > best) | np.isnan(v)
        np.copyto(best, v, where=better)
        np.copyto(idx, (rows[:, None] + i * dh) * w + cols[None, :] + j * dw, where=better)
    return idx


def _route_to_winners(g, idx, x_shape):
    """dx of shape ``x_shape`` (N, C, H, W): each window's gradient ``g[n, c, i, j]`` added at
    its winner's flat index ``idx[n, c, i, j]`` in the (H, W) plane; overlapping windows that
    share a winner add up."""
    n, c, h, w = x_shape
    dx = np.zeros((n * c, h * w), dtype=g.dtype)
    np.add.at(dx, (np.arange(n * c)[:, None], idx.reshape(n * c, -1)), g.reshape(n * c, -1))
    return dx.reshape(x_shape)


def _with_indices(out, x, k, s, p, d, ceil_mode, nd):
    idx = _argmax_indices(getattr(x, "_data", x), k, s, p, d, ceil_mode)
    return out, Tensor._wrap(idx if nd == 2 else idx[:, :, 0, :])


def _pool_args(x, kernel_size, stride, padding, dilation, nd, owner, check_size=True):
    xa = getattr(x, "_data", x)
    if not hasattr(xa, "ndim"):
        raise TypeError(f"{owner}: input must be a Tensor or ndarray, got {type(x).__name__}")
    layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if xa.ndim != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D input {layout}, "
                         f"got shape {tuple(xa.shape)}")
    if nd == 1:
        # a 1-D window is a 2-D one of height 1
        k = (1, _one(kernel_size, "kernel_size", owner, 1))
        s = k if stride is None else (1, _one(stride, "stride", owner, 1))
        p = (0, _one(padding, "padding", owner, 0))
        d = (1, _one(dilation, "dilation", owner, 1))
    else:
        k = pair(kernel_size, "kernel_size", owner, 1)
        s = k if stride is None else pair(stride, "stride", owner, 1)
        p = pair(padding, "padding", owner, 0)
        d = pair(dilation, "dilation", owner, 1)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{owner}: padding must be at most half the kernel size, got padding "
                         f"{p if nd == 2 else p[1]} for kernel_size "
                         f"{k if nd == 2 else k[1]}")
    spatial = xa.shape[2:] if nd == 2 else (1,) + tuple(xa.shape[2:])
    for size, kk, pp, dd in zip(spatial, k, p, d):
        if check_size and dd * (kk - 1) + 1 > size + 2 * pp:
            raise ShapeError(f"{owner}: kernel_size {k if nd == 2 else k[1]} is larger than the "
                             f"padded input; input shape {tuple(xa.shape)}, padding "
                             f"{p if nd == 2 else p[1]}")
    return k, s, p, d


def max_pool2d(x: TensorLike, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               dilation: Size = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:          # Tensor, or (Tensor, indices)
    """Max over ``kh×kw`` windows of every channel (001 §9.9); matches torch's max_pool2d.

    ``stride`` defaults to ``kernel_size`` (non-overlapping windows; K=2, S=2 halves each side,
    K=3, S=2 is the textbook's "overlapping pooling").  Padding is ``-inf`` (never selected) and
    at most half the kernel.  The gradient goes to the first maximum of each window.

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``, ``Ho = floor((H + 2P - D(K-1) - 1)/S) + 1``
    (``ceil`` with ``ceil_mode``, keeping a last partial window: see :func:`pool_output_size`).
    With ``return_indices`` also returns each winner's flat index ``row·W + column`` in its
    ``(H, W)`` plane (int64, as PyTorch's), for :func:`max_unpool2d`.
    """
    k, s, p, d = _pool_args(x, kernel_size, stride, padding, dilation, 2, "max_pool2d")
    out = _max_pool(x, kernel=k, stride=s, padding=p, dilation=d, ceil_mode=bool(ceil_mode))
    return _with_indices(out, x, k, s, p, d, ceil_mode, 2) if return_indices else out


def max_pool1d(x: TensorLike, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               dilation: Size = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:          # Tensor, or (Tensor, indices)
    """Max over windows of length ``k`` along the last axis; matches torch's max_pool1d
    (``return_indices``: each winner's position along L).

    Shape: ``(N, C, L)`` -> ``(N, C, Lo)``; stride defaults to ``kernel_size``.
    """
    k, s, p, d = _pool_args(x, kernel_size, stride, padding, dilation, 1, "max_pool1d")
    out = _max_pool(x, kernel=k, stride=s, padding=p, dilation=d, ceil_mode=bool(ceil_mode))
    return _with_indices(out, x, k, s, p, d, ceil_mode, 1) if return_indices else out


@fused(linear=True)   # the VJP: linear in g, constant coefficients
def _unpool(x, *, index, plane):
    """Scatter each value to its flat position in a zero ``plane`` (per sample and channel)."""
    n, c = x.shape[:2]
    flat_idx = index.reshape(n, c, -1)
    out = np.zeros((n, c, int(np.prod(plane))), dtype=x.dtype)
    np.put_along_axis(out, flat_idx, x.reshape(n, c, -1), axis=-1)

    def vjp(g):
        return (np.take_along_axis(g.reshape(n, c, -1), flat_idx, -1).reshape(x.shape),)
    return out.reshape((n, c) + tuple(plane)), vjp


def _unpool_args(x, indices, kernel_size, stride, padding, output_size, nd, owner):
    xa = getattr(x, "_data", x)
    idx = np.asarray(getattr(indices, "_data", indices))
    layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if getattr(xa, "ndim", 0) != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D input {layout}, got shape "
                         f"{tuple(getattr(xa, 'shape', ()))}")
    if idx.shape != xa.shape or idx.dtype.kind not in "iu":
        raise ValueError(f"{owner}: indices must be integers of the input's shape "
                         f"{tuple(xa.shape)}, got {idx.dtype} {idx.shape}")
    k = per_axis(kernel_size, "kernel_size", owner, 1, nd)
    s = k if stride is None else per_axis(stride, "stride", owner, 1, nd)
    p = per_axis(padding, "padding", owner, 0, nd)
    if output_size is None:
        plane = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(xa.shape[2:], s, p, k))
    else:
        plane = tuple(int(v) for v in tuple(output_size)[-nd:])
    if idx.size and (idx.min() < 0 or idx.max() >= int(np.prod(plane))):
        raise ValueError(f"{owner}: indices must lie in the output plane {plane} (0 to "
                         f"{int(np.prod(plane)) - 1}), got range [{idx.min()}, {idx.max()}]")
    return idx, plane


def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of :func:`max_pool2d`: each value goes back to the position its
    index names, zeros elsewhere (torch.nn.functional.max_unpool2d).

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``, ``Ho = (H - 1)·S - 2P + K`` unless
    ``output_size`` (``(Ho, Wo)`` or a full shape) says otherwise.
    """
    idx, plane = _unpool_args(x, indices, kernel_size, stride, padding, output_size, 2,
                              "max_unpool2d")
    return _unpool(x, index=idx, plane=plane)


def max_unpool1d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """:func:`max_unpool2d` along the last axis: ``(N, C, L)`` -> ``(N, C, Lo)``."""
    idx, plane = _unpool_args(x, indices, kernel_size, stride, padding, output_size, 1,
                              "max_unpool1d")
    return _unpool(x, index=idx, plane=plane)


def avg_pool2d(x: TensorLike, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over ``kh×kw`` windows; matches torch.nn.functional.avg_pool2d (same argument
    order).

    With ``count_include_pad=True`` (the default, as in PyTorch) the zeros of the padding count
    in the mean; otherwise each window divides by its number of real pixels.  A partial
    window of ``ceil_mode`` divides by the cells it covers.  The gradient spreads
    ``g / divisor`` evenly over the window.

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``; stride defaults to ``kernel_size``.
    """
    k, s, p, _ = _pool_args(x, kernel_size, stride, padding, 1, 2, "avg_pool2d")
    return _avg_pool(x, kernel=k, stride=s, padding=p, ceil_mode=bool(ceil_mode),
                     count_include_pad=bool(count_include_pad))


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True):
    """Mean over windows of length ``k`` along the last axis; matches torch's avg_pool1d.

    Shape: ``(N, C, L)`` -> ``(N, C, Lo)``; stride defaults to ``kernel_size``.
    """
    k, s, p, _ = _pool_args(x, kernel_size, stride, padding, 1, 1, "avg_pool1d")
    return _avg_pool(x, kernel=k, stride=s, padding=p, ceil_mode=bool(ceil_mode),
                     count_include_pad=bool(count_include_pad))


# --------------------------------------------------------------------------- adaptive pooling


def _adaptive_windows(size: int, out: int):
    """PyTorch's windows for adaptive pooling: output i covers
    ``[floor(i·size/out), ceil((i+1)·size/out))`` — sizes differ by at most one, and
    neighbours overlap when ``out`` does not divide ``size``."""
    i = np.arange(out)
    return (i * size) // out, -(-((i + 1) * size) // out)


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """``(out, size)``: row i averages window i (see :func:`_adaptive_windows`)."""
    lo, hi = _adaptive_windows(size, out)
    cols = np.arange(size)
    inside = (cols >= lo[:, None]) & (cols < hi[:, None])
    return (inside / (hi - lo)[:, None]).astype(dtype)


@fused(linear=True)   # the VJP: linear in g, constant coefficients
def _adaptive_avg(x, *, out_hw):
    """Adaptive average pooling is linear and separable: ``Y = A_h X A_wᵀ`` per channel,
    with averaging matrices A; so the VJP is ``A_hᵀ G A_w``."""
    h, w = x.shape[-2:]
    a_h = _averaging_matrix(h, out_hw[0], x.dtype)
    a_w = _averaging_matrix(w, out_hw[1], x.dtype)
    y = a_h @ x @ a_w.T

    def vjp(g):
        return (a_h.T @ g @ a_w,)
    return y, vjp


def _adaptive_winners(x, out_hw):
    """Each adaptive window's maximum and its winner's flat index ``row·W + column`` in the
    ``(H, W)`` plane (the first maximum, as PyTorch; torch's ``return_indices``)."""
    h, w = x.shape[-2:]
    (rlo, rhi), (clo, chi) = _adaptive_windows(h, out_hw[0]), _adaptive_windows(w, out_hw[1])
    lead = x.shape[:-2]
    y = np.empty(lead + tuple(out_hw), x.dtype)
    arg = np.empty(lead + tuple(out_hw), np.int64)      # flat index of the winner in x[..]
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            win = x[..., rlo[i]:rhi[i], clo[j]:chi[j]]
            flat = win.reshape(lead + (-1,))
            k = np.argmax(flat, axis=-1)                 # the first maximum, as PyTorch
            y[..., i, j] = np.take_along_axis(flat, k[..., None], -1)[..., 0]
            ww = chi[j] - clo[j]
            arg[..., i, j] = (rlo[i] + k // ww) * w + clo[j] + k % ww
    return y, arg


@fused(linear=True)   # the VJP: linear in g, constant coefficients
def _adaptive_max(x, *, out_hw):
    h, w = x.shape[-2:]
    lead = x.shape[:-2]
    y, arg = _adaptive_winners(x, out_hw)

    def vjp(g):
        flat_arg = arg.reshape(lead + (-1,))
        # windows may overlap (and share a winner): unindex accumulates
        idx = np.indices(flat_arg.shape, sparse=True)[:-1]
        dx = unindex(g.reshape(lead + (-1,)), lead + (h * w,), (*idx, flat_arg))
        return (dx.reshape(x.shape),)
    return y, vjp


def adaptive_max_indices(x, output_size, nd):
    """torch's indices of adaptive max pooling (``return_indices=True``): int64 of the output's
    shape, each winner's flat position in its ``(H, W)`` plane (1-D: along L)."""
    xa = np.asarray(getattr(x, "_data", x))
    out = _output_size(output_size, xa.shape[2:], nd, f"adaptive_max_pool{nd}d")
    if nd == 1:
        return Tensor._wrap(_adaptive_winners(xa[:, :, None, :], (1, out[0]))[1][:, :, 0, :])
    return Tensor._wrap(_adaptive_winners(xa, out)[1])


def _output_size(output_size, spatial, nd, owner):
    """An int, or one value per spatial axis (None keeps that axis's size), each >= 1."""
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else \
        (output_size,) * nd
    if len(sizes) != nd:
        raise ValueError(f"{owner}: output_size must be an int or {nd} values, got "
                         f"{output_size!r}")
    out = []
    for s, n in zip(sizes, spatial):
        if s is None:
            out.append(int(n))
            continue
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{owner}: output_size must hold ints (or None), got {output_size!r}")
        if s < 1:
            raise ValueError(f"{owner}: output_size must be >= 1, got {output_size!r}")
        out.append(int(s))
    return tuple(out)


def _adaptive(x, output_size, nd, kind, owner):
    xa = getattr(x, "_data", x)
    if not hasattr(xa, "ndim"):
        raise TypeError(f"{owner}: input must be a Tensor or ndarray, got {type(x).__name__}")
    layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if xa.ndim != nd + 2 or 0 in xa.shape[2:]:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D input {layout} with non-empty "
                         f"spatial axes, got shape {tuple(xa.shape)}")
    out = _output_size(output_size, xa.shape[2:], nd, owner)
    op = _adaptive_avg if kind == "avg" else _adaptive_max
    if nd == 2:
        return op(x, out_hw=out)
    from .shape import reshape  # a 1-D input is a 2-D one of height 1
    n, c, length = xa.shape
    y = op(reshape(x, (n, c, 1, length)), out_hw=(1, out[0]))
    return reshape(y, (n, c, out[0]))


def adaptive_avg_pool2d(x, output_size):
    """Average over PyTorch's adaptive windows so the output is ``output_size`` whatever the
    input size (torch.nn.functional.adaptive_avg_pool2d); ``output_size=1`` is global average
    pooling.  Computed as ``A_h X A_wᵀ`` with averaging matrices.

    Shape: ``(N, C, H, W)`` -> ``(N, C, *output_size)``; ``None`` in ``output_size`` keeps
    that axis.
    """
    return _adaptive(x, output_size, 2, "avg", "adaptive_avg_pool2d")


def adaptive_avg_pool1d(x, output_size):
    """:func:`adaptive_avg_pool2d` along the last axis: ``(N, C, L)`` -> ``(N, C, output_size)``."""
    return _adaptive(x, output_size, 1, "avg", "adaptive_avg_pool1d")


def adaptive_max_pool2d(x, output_size, return_indices: bool = False):
    """Max over PyTorch's adaptive windows (torch.nn.functional.adaptive_max_pool2d); the
    gradient goes to each window's first maximum.  Shape as :func:`adaptive_avg_pool2d`;
    ``return_indices``: also each winner's flat index in its ``(H, W)`` plane (int64)."""
    y = _adaptive(x, output_size, 2, "max", "adaptive_max_pool2d")
    return (y, adaptive_max_indices(x, output_size, 2)) if return_indices else y


def adaptive_max_pool1d(x, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool2d` along the last axis: ``(N, C, L)`` -> ``(N, C, output_size)``
    (``return_indices``: each winner's position along L)."""
    y = _adaptive(x, output_size, 1, "max", "adaptive_max_pool1d")
    return (y, adaptive_max_indices(x, output_size, 1)) if return_indices else y


# --------------------------------------------------------------------------- upsampling


@fused(linear=True)   # the VJP: linear in g, constant coefficients
def _upsample_nearest(x, *, factors):
    """Repeat each pixel ``factors`` times along each spatial axis; the backward pass sums each
    output block back into its pixel."""
    y = x
    for k, f in enumerate(factors):
        y = np.repeat(y, f, axis=2 + k)

    def vjp(g):
        lead = g.shape[:2]
        blocks = lead + tuple(d for n, f in zip(x.shape[2:], factors) for d in (n, f))
        return (g.reshape(blocks).sum(axis=tuple(3 + 2 * k for k in range(len(factors)))),)
    return y, vjp


def upsample_nearest(x, scale_factor):
    """Nearest-neighbour upsampling by integer factors (torch.nn.functional.interpolate with
    mode="nearest" and an integer ``scale_factor``): ``(N, C, *spatial)`` ->
    ``(N, C, *(s·spatial))``.  ``scale_factor``: an int or one per spatial axis, each >= 1."""
    xa = getattr(x, "_data", x)
    nd = np.ndim(xa) - 2
    if nd < 1:
        raise ValueError(f"upsample_nearest: expected an input (N, C, *spatial), got shape "
                         f"{np.shape(xa)}")
    factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
        (scale_factor,) * nd
    if len(factors) != nd or any(isinstance(f, bool) or not isinstance(f, (int, np.integer))
                                 or f < 1 for f in factors):
        raise ValueError(f"upsample_nearest: scale_factor must be an int >= 1 or {nd} of them, "
                         f"got {scale_factor!r}")
    return _upsample_nearest(x, factors=tuple(int(f) for f in factors))
