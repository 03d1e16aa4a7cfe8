"""Convolution and pooling in any number of spatial dimensions, on strided windows: ``conv3d``,
``conv_transpose3d`` (and grouped ``conv_transpose1d/2d``), ``max_pool3d``, ``avg_pool3d``.

For an input ``x`` ``(N, C, *S)`` padded by ``p``, the windows view
``V[n, c, *o, *k] = xpad[n, c, *(o·s + k·d)]`` (no copy: NumPy's sliding windows, strided) turns
every op into a contraction or a reduction over the kernel axes ``k``:

* convolution (torch's cross-correlation), ``G`` groups:
  ``Z[n, g, f, *o] = b + Σ_{c,k} W[g, f, c, *k] · V[n, g, c, *o, *k]``;
  VJPs ``∂W = Σ_{n,o} δ V``, ``∂V = Σ_f δ W``, and ``∂x`` adds ``∂V`` back through the windows
  (one strided slice per kernel offset);
* transposed convolution is that ``∂x`` map applied to its input (the adjoint of convolution),
  so its VJPs are a convolution (for its input) and ``∂W`` with the roles swapped;
* pooling reduces ``V`` over ``k`` (max: the gradient goes to the first maximum of each
  window, as torch; average: spread evenly over torch's divisor).

The 1-D and 2-D ops keep their im2col kernels (``conv.py``, ``pool.py``); this file serves the
dimensions and options those do not.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..autograd import fused
from .conv_args import conv_output_size
from .einsum import einsum
from .indexing import getitem, unindex
from .pool import pool_output_size
from .shape import gather, pad_axes, reshape, stack

_LETTERS = "stuvwxyz"


def _pad(x, lo, hi, value=0.0):
    widths = [(0, 0), (0, 0)] + [(a, b) for a, b in zip(lo, hi)]
    return np.pad(x, widths, constant_values=value) if any(lo) or any(hi) else x


def _windows(xp, kernel, stride, dilation, out):
    """``V[n, c, *o, *k] = xp[n, c, *(o·s + k·d)]`` for ``out`` output positions per axis."""
    nd = len(kernel)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    v = np.lib.stride_tricks.sliding_window_view(xp, span, axis=tuple(range(2, 2 + nd)))
    sel = ((slice(None),) * 2 + tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, stride))
           + tuple(slice(None, None, d) for d in dilation))
    return v[sel]


def _offset_slices(kernel, stride, dilation, out):
    """For each kernel offset ``k``: (its index tuple, the slice of xp its window entries hit)."""
    for k in itertools.product(*(range(n) for n in kernel)):
        yield k, (slice(None),) * 2 + tuple(
            slice(kk * d, kk * d + (o - 1) * s + 1, s)
            for kk, d, o, s in zip(k, dilation, out, stride))


def _add_back(dv, xp_shape, kernel, stride, dilation, out):
    """The adjoint of :func:`_windows`: ``dxp[n, c, *(o·s + k·d)] += dv[n, c, *o, *k]``."""
    nd = len(kernel)
    dxp = np.zeros(xp_shape, dtype=dv.dtype)
    for k, sl in _offset_slices(kernel, stride, dilation, out):
        dxp[sl] += dv[(Ellipsis,) + k] if nd else dv
    return dxp


def _split_groups(a, axis, groups):
    """Axis ``axis`` (channels) of ``a`` as ``(groups, channels/groups)``."""
    return a.reshape(a.shape[:axis] + (groups, a.shape[axis] // groups) + a.shape[axis + 1:])


def _grouped_einsum(spec, a, a_axis, b, b_axis, groups, nd):
    """``np.einsum`` of ``spec`` (``o`` = the output positions, ``K`` = the kernel offsets,
    ``g`` = the group) on ``a`` and ``b`` with their channel axes split into groups; the
    result's group axis (after its first letter, or first) is merged back."""
    o, k = _LETTERS[:nd], _LETTERS[nd:2 * nd].upper()
    spec = spec.replace("o", o).replace("K", k)
    r = np.einsum(spec, _split_groups(a, a_axis, groups), _split_groups(b, b_axis, groups),
                  optimize=True)
    at = 0 if spec.split("->")[1].startswith("g") else 1
    return r.reshape(r.shape[:at] + (r.shape[at] * r.shape[at + 1],) + r.shape[at + 2:])


def _contract(v, w, groups):
    """``Z[n, g·F/G + f, *o] = Σ_{c,k} W[g·F/G + f, c, *k] V[n, g·C/G + c, *o, *k]``."""
    return _grouped_einsum("ngcoK,gfcK->ngfo", v, 1, w, 0, groups, w.ndim - 2)


def _contract_v(g, w, groups):
    """``∂V[n, g·C/G + c, *o, *k] = Σ_f δ[n, g·F/G + f, *o] W[g·F/G + f, c, *k]``."""
    return _grouped_einsum("ngfo,gfcK->ngcoK", g, 1, w, 0, groups, w.ndim - 2)


def _contract_w(g, v, groups):
    """``∂W[g·F/G + f, c, *k] = Σ_{n,o} δ[n, g·F/G + f, *o] V[n, g·C/G + c, *o, *k]``."""
    return _grouped_einsum("ngfo,ngcoK->gfcK", g, 1, v, 1, groups, g.ndim - 2)


def _conv_forward(x, w, stride, padding, dilation, groups):
    kernel = w.shape[2:]
    out = tuple(conv_output_size(n, k, s, p, d) for n, k, s, p, d in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    xp = _pad(x, padding, padding)
    v = _windows(xp, kernel, stride, dilation, out)
    return _contract(v, w, groups), v, xp.shape, out


def _conv_input_grad(g, w, x_shape, stride, padding, dilation, groups):
    """``∂x`` of the convolution ``x -> Z`` for ``∂Z = g`` (also transposed conv's forward)."""
    kernel = w.shape[2:]
    out = g.shape[2:]
    xp_shape = x_shape[:2] + tuple(n + 2 * p for n, p in zip(x_shape[2:], padding))
    dxp = _add_back(_contract_v(g, w, groups), xp_shape, kernel, stride, dilation, out)
    return dxp[(slice(None),) * 2 + tuple(slice(p, p + n) for p, n in zip(padding, x_shape[2:]))]


def _crop(y, padding, size):
    return getitem(y, (slice(None),) * 2 + tuple(slice(p, p + n) for p, n in zip(padding, size)))


def _conv_composite(x, w, b=None, *, stride, padding, dilation, groups):
    """The convolution from recorded ops, for create_graph (engine.fused): one strided slice
    of the padded input per kernel offset, stacked, contracted with the filters by einsum."""
    nd, kernel = w.ndim - 2, tuple(w.shape[2:])
    n, f, cg = x.shape[0], w.shape[0], w.shape[1]
    out = tuple(conv_output_size(a, k, s, p, d) for a, k, s, p, d in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    xp = pad_axes(x, [(0, 0), (0, 0)] + [(p, p) for p in padding]) if any(padding) else x
    cols = stack([getitem(xp, sl) for _, sl in _offset_slices(kernel, stride, dilation, out)],
                 axis=2)                                      # (N, C, prod K, *O)
    cols = reshape(cols, (n, groups, cg, int(np.prod(kernel))) + out)
    o = _LETTERS[:nd]
    y = einsum(f"ngck{o},gfck->ngf{o}", cols,
               reshape(w, (groups, f // groups, cg, int(np.prod(kernel)))))
    y = reshape(y, (n, f) + out)
    return y if b is None else y + reshape(b, (1, f) + (1,) * nd)


@fused(composite=_conv_composite)
def conv_nd(x, w, b=None, *, stride, padding, dilation, groups):
    """Convolution of ``x`` ``(N, C, *S)`` with ``w`` ``(F, C/groups, *K)`` (+ ``b`` ``(F,)``)
    -> ``(N, F, *O)``, ``O = (S + 2p - d(K - 1) - 1) // s + 1`` (torch's conv1d/2d/3d)."""
    z, v, _, _ = _conv_forward(x, w, stride, padding, dilation, groups)
    if b is not None:
        z = z + b.reshape((-1,) + (1,) * (x.ndim - 2))

    def vjp(g):
        dx = _conv_input_grad(g, w, x.shape, stride, padding, dilation, groups)
        dw = _contract_w(g, v, groups)
        db = None if b is None else g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        return dx, dw, db
    return z, vjp


def _conv_transpose_composite(x, w, b=None, *, stride, padding, dilation, groups, out_size):
    """The transposed convolution from recorded ops, for create_graph (engine.fused): per
    kernel offset, the input times that offset's filters (einsum) placed at its strided
    positions of the padded output (unindex), summed, then the padding cropped."""
    nd, kernel = w.ndim - 2, tuple(w.shape[2:])
    n, cin, fo = x.shape[0], w.shape[0], w.shape[1]
    size_in = tuple(x.shape[2:])
    yp = (n, fo * groups) + tuple(m + 2 * p for m, p in zip(out_size, padding))
    xg = reshape(x, (n, groups, cin // groups) + size_in)
    wg = reshape(w, (groups, cin // groups, fo) + kernel)
    i = _LETTERS[:nd]
    y = 0
    for k, sl in _offset_slices(kernel, stride, dilation, size_in):
        part = einsum(f"ngc{i},gcf->ngf{i}", xg, getitem(wg, (Ellipsis,) + k))
        y = y + unindex(reshape(part, (n, fo * groups) + size_in), yp, sl, accumulate=False)
    y = _crop(y, padding, out_size)
    return y if b is None else y + reshape(b, (1, -1) + (1,) * nd)


@fused(composite=_conv_transpose_composite)
def conv_transpose_nd(x, w, b=None, *, stride, padding, dilation, groups, out_size):
    """Transposed convolution of ``x`` ``(N, C_in, *S)`` with ``w`` ``(C_in, C_out/groups, *K)``
    -> ``(N, C_out, *out_size)``: the adjoint of :func:`conv_nd` with the same weights
    (torch's conv_transpose1d/2d/3d; ``out_size`` includes ``output_padding``)."""
    n = x.shape[0]
    c_out = w.shape[1] * groups
    y_shape = (n, c_out) + tuple(out_size)
    y = _conv_input_grad(x, w, y_shape, stride, padding, dilation, groups)
    if b is not None:
        y = y + b.reshape((-1,) + (1,) * (x.ndim - 2))

    def vjp(g):
        # the convolution of g with w maps back onto x's positions (output_padding's extra
        # rows are never read by the forward's windows, so they get no gradient)
        gp = _pad(g, padding, padding)
        v = _windows(gp, w.shape[2:], stride, dilation, x.shape[2:])
        dx = _contract(v, w, groups)
        dw = _contract_w(x, v, groups)
        db = None if b is None else g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        return dx, dw, db
    return y, vjp


# --------------------------------------------------------------------------- pooling

def _pool_geometry(x, kernel, stride, padding, dilation, ceil_mode):
    out = tuple(pool_output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    # right padding: enough for the last window (ceil_mode may need more than `padding`)
    hi = tuple(max(p, (o - 1) * s + d * (k - 1) + 1 - n - p) for n, k, s, p, d, o in
               zip(x.shape[2:], kernel, stride, padding, dilation, out))
    return out, hi


def _max_winners(x, kernel, stride, padding, dilation, ceil_mode):
    """The padded input, its windows (flattened over the kernel), and each window's winner:
    the first NaN, else the first maximum in row-major order (torch's choice)."""
    out, hi = _pool_geometry(x, kernel, stride, padding, dilation, ceil_mode)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _pad(x, padding, hi, fill)
    v = _windows(xp, kernel, stride, dilation, out)
    flat = v.reshape(v.shape[:2 + len(out)] + (-1,))
    arg = np.argmax(flat, axis=-1)
    if x.dtype.kind == "f":
        nan = np.isnan(flat)
        arg = np.where(nan.any(axis=-1), np.argmax(nan, axis=-1), arg)
    return out, hi, xp, v, flat, arg


def max_pool_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """torch's ``return_indices``: each window winner's flat index in the unpadded spatial
    volume of its sample and channel (int64, ``(N, C, *O)``)."""
    out, _, _, _, _, arg = _max_winners(x, kernel, stride, padding, dilation, ceil_mode)
    k = np.unravel_index(arg, kernel)
    grid = np.ogrid[tuple(slice(o) for o in out)]
    at = tuple(g * s + kk * d - p for g, s, kk, d, p in zip(grid, stride, k, dilation, padding))
    return np.ravel_multi_index(np.broadcast_arrays(*at), x.shape[2:]).astype(np.int64)


def _max_pool_composite(x, *, kernel, stride, padding, dilation, ceil_mode):
    """Max pooling from recorded ops, for create_graph (engine.fused): each window's winner
    gathered from the flattened padded input (the winners are constants: the piecewise
    choice has no derivative, as in torch)."""
    out, hi, xp, _, _, arg = _max_winners(x._data, kernel, stride, padding, dilation, ceil_mode)
    k = np.unravel_index(arg, kernel)                       # the winner's kernel offset
    grid = np.ogrid[tuple(slice(o) for o in out)]
    at = tuple(g * s + kk * d for g, s, kk, d in zip(grid, stride, k, dilation))  # (N, C, *O)
    flat_at = np.ravel_multi_index(np.broadcast_arrays(*at), xp.shape[2:])
    n, c = x.shape[:2]
    xpt = pad_axes(x, [(0, 0), (0, 0)] + [(p, h) for p, h in zip(padding, hi)], value=-np.inf)
    y = gather(reshape(xpt, (n, c, -1)), 2, flat_at.reshape(n, c, -1))
    return reshape(y, (n, c) + out)


@fused(composite=_max_pool_composite)
def max_pool_nd(x, *, kernel, stride, padding, dilation, ceil_mode):
    """Max over each window (padding never wins: it is -inf) -> ``(N, C, *O)``; the gradient
    goes to the first maximum of each window in row-major order (torch's choice)."""
    out, hi, xp, v, flat, arg = _max_winners(x, kernel, stride, padding, dilation, ceil_mode)
    y = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]

    def vjp(g):
        winners = np.zeros(flat.shape, dtype=g.dtype)
        np.put_along_axis(winners, arg[..., None], g[..., None], axis=-1)
        dxp = _add_back(winners.reshape(v.shape), xp.shape, kernel, stride, dilation, out)
        return (dxp[(slice(None),) * 2 + tuple(slice(p, p + n) for p, n in
                                               zip(padding, x.shape[2:]))],)
    return y, vjp


def _avg_divisor(x_shape, kernel, stride, padding, out, count_include_pad, divisor_override):
    """torch's divisor per output position: the window clipped to the padded input
    (``count_include_pad``) or to the input itself, or ``divisor_override``."""
    if divisor_override:
        return np.asarray(float(divisor_override))
    counts = []
    for n, k, s, p, o in zip(x_shape[2:], kernel, stride, padding, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)             # clipped to the padded input
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    div = counts[0]
    for c in counts[1:]:
        div = np.multiply.outer(div, c)
    return div


def _avg_pool_composite(x, *, kernel, stride, padding, ceil_mode, count_include_pad,
                        divisor_override):
    """Average pooling from recorded ops, for create_graph (engine.fused): the sum of one
    strided slice of the padded input per kernel offset, over torch's divisor."""
    ones = (1,) * len(kernel)
    out, hi = _pool_geometry(x, kernel, stride, padding, ones, ceil_mode)
    xp = pad_axes(x, [(0, 0), (0, 0)] + [(p, h) for p, h in zip(padding, hi)])
    total = sum(getitem(xp, sl) for _, sl in _offset_slices(kernel, stride, ones, out))
    return total / _avg_divisor(x.shape, kernel, stride, padding, out, count_include_pad,
                                divisor_override)


@fused(composite=_avg_pool_composite)
def avg_pool_nd(x, *, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Mean over each window -> ``(N, C, *O)``; the divisor is torch's: the window clipped to
    the padded input (``count_include_pad``) or to the input itself, or ``divisor_override``."""
    ones = (1,) * len(kernel)
    out, hi = _pool_geometry(x, kernel, stride, padding, ones, ceil_mode)
    xp = _pad(x, padding, hi)
    v = _windows(xp, kernel, stride, ones, out)
    total = v.sum(axis=tuple(range(-len(kernel), 0)))
    div = _avg_divisor(x.shape, kernel, stride, padding, out, count_include_pad,
                       divisor_override)
    y = (total / div).astype(x.dtype, copy=False)

    def vjp(g):
        share = np.broadcast_to((g / div)[(Ellipsis,) + (None,) * len(kernel)],
                                g.shape + tuple(kernel))
        dxp = _add_back(share, xp.shape, kernel, stride, ones, out)
        return (dxp[(slice(None),) * 2 + tuple(slice(p, p + n) for p, n in
                                               zip(padding, x.shape[2:]))],)
    return y, vjp
